"""Member import from the secretary's spreadsheet (名册, Excel or CSV): the plan (preview) and its application.

Applying the plan is volunteers.services.import_apply; reading the file volunteers.services.import_files, what
a cell means volunteers.services.member_text, and the export back to the same format
volunteers.services.member_exports.

The import is two steps. `member_import_plan` reads the file, maps its (Chinese) headers to fields,
validates every row and says what would be created, updated or left unchanged; nothing is written.
`member_import_apply` plans again and, only when no row has an error and the plan is the one the
secretary saw, writes everything in one transaction: all rows or none.

A row whose name is that of a member of its community, but whose birth date and phone do not match that member,
is never a silent duplicate: the preview asks whether it is the same person (`decisions`: spreadsheet row →
"new", or the pk of the member to update), and nothing is imported until every such row is answered. Two rows of
the file with the same name (and different birth dates or phones) are asked about the same way: the later row
is a new member only once the secretary says it is someone else.

Lines that are not members are skipped and listed (`plan.skipped`), not errors: a footer such as "填表人：王书记",
"制表：…" or "合计 52 人", and a line without a name. A birth date given only as year and month (1946.12) keeps
the stored full date of the member it matches when the year and month are the same; every changed field is shown
old → new (`RowPlan.details`).

The spreadsheet is the source of truth for the columns it maps, so importing the same file twice changes nothing
the second time.
"""

import hashlib
import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from volunteers.models import Community, Member, Skill
from volunteers.selectors import communities_for

from .import_files import ImportFileError, RowError, Sheet, read_sheet
from .member_text import (
    COLUMN_BY_FIELD,
    cell_text,
    footer_line,
    format_value,
    guess_mapping,
    parse_active,
    parse_birth_date,
    parse_caregiving,
    parse_count,
    parse_health,
    parse_name,
    parse_phone,
    parse_skills,
)

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- the plan

@dataclass
class RowPlan:
    row: int
    action: str  # "create", "update", "unchanged", or "ask" (same name as a member: the secretary decides)
    name: str
    member_id: int | None
    values: dict
    changes: list[str] = field(default_factory=list)  # readable headers of the columns that change
    # Members of the same name the row could be (pk, description); set whenever the row was asked about.
    same_name: list[tuple[int, str]] = field(default_factory=list)
    about: str = ""  # the row's own birth date and phone, to compare with same_name
    # Earlier rows of the same file with the same name (row number, description): asked about like same_name.
    same_name_rows: list[tuple[int, str]] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # "出生日期：1946-12-30 → 1946-11-01", one per change

    @property
    def asked(self) -> bool:
        return bool(self.same_name or self.same_name_rows)

@dataclass
class ImportPlan:
    headers: list[str]
    header_row: int
    mapping: dict[int, str]
    rows: list[RowPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notes: list[RowError] = field(default_factory=list)  # what was read in a way worth saying (not an error)
    skipped: list[RowError] = field(default_factory=list)  # lines that are not members (footers, no name)
    file_error: str = ""
    used_columns: list[int] = field(default_factory=list)  # columns with a header or any value

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.errors

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def ignored_columns(self) -> list[str]:
        return [h for i, h in enumerate(self.headers) if h and i not in self.mapping]

    @property
    def fingerprint(self) -> str:
        """Identifies what would be written; confirming checks the plan did not change since the preview."""
        digest = hashlib.sha256()
        for r in self.rows:
            if r.asked:  # the same whatever the secretary answers: the question is what was confirmed
                digest.update(repr((r.row, "ask", [pk for pk, _label in r.same_name],
                                    [n for n, _label in r.same_name_rows])).encode())
            elif r.action != "unchanged":
                digest.update(repr((r.row, r.action, r.member_id, sorted(r.changes))).encode())
        return digest.hexdigest()[:32]


def member_import_plan(*, user, community: Community, data: bytes = b"", filename: str = "",
                       mapping: dict[int, str] | None = None, sheet: Sheet | None = None,
                       decisions: dict | None = None) -> ImportPlan:
    """Read and validate every row; write nothing. `mapping` (column index → field) overrides the guess.
    `sheet`: the file already read (read_sheet_isolated); else `data` is read here. `decisions`: the secretary's
    answers for same-name rows ({row number: "new" or member pk}, keys and values as text or int)."""
    try:
        sheet = sheet if sheet is not None else read_sheet(data, filename)
    except ImportFileError as exc:
        return ImportPlan(headers=[], header_row=0, mapping={}, file_error=str(exc))
    plan = ImportPlan(headers=sheet.headers, header_row=sheet.header_row,
                      mapping=_checked_mapping(sheet.headers, mapping), used_columns=used_columns(sheet))
    missing = [COLUMN_BY_FIELD[f].header for f in ("name", "birth_date", "health") if f not in plan.mapping.values()]
    if missing:
        plan.file_error = _("No column is mapped to %(fields)s.") % {"fields": "、".join(missing)}
        return plan
    if len(sheet.rows) > settings.IMPORT_MAX_ROWS:
        plan.file_error = _("The file has more than %(n)d rows.") % {"n": settings.IMPORT_MAX_ROWS}
        return plan
    _plan_rows(plan, sheet, user=user, community=community,
               decisions={str(k): str(v) for k, v in (decisions or {}).items()})
    return plan


def used_columns(sheet: Sheet) -> list[int]:
    """The columns that have a header or a value in some row (a sheet read with 60 columns often uses 7)."""
    used = {i for i, header in enumerate(sheet.headers) if header}
    for _number, cells in sheet.rows:
        used.update(i for i, cell in enumerate(cells) if i < len(sheet.headers) and not _blank(cell))
    return sorted(used)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _checked_mapping(headers: list[str], mapping: dict[int, str] | None) -> dict[int, str]:
    if mapping is None:
        return guess_mapping(headers)
    clean, seen = {}, set()
    for index, field_name in mapping.items():
        if field_name in COLUMN_BY_FIELD and 0 <= index < len(headers) and field_name not in seen:
            clean[index] = field_name
            seen.add(field_name)
    return clean


class _Context:
    """Everything the rows are checked against, loaded once (a 10,000-row file must not run 10,000 queries)."""

    def __init__(self, user, community):
        self.community = community
        self.communities = {c.name: c for c in communities_for(user)}
        self.skills = {}
        for s in Skill.objects.all():
            self.skills[s.code.lower()] = s
            self.skills[s.name.lower()] = s
        members = (Member.objects.filter(community__in=self.communities.values(), anonymised_at__isnull=True)
                   .prefetch_related("skills", "caregiving"))
        self.by_phone, self.by_name_birth, self.by_name, self.state = {}, {}, {}, {}
        self.by_name_month = {}
        self.community_names = {c.pk: c.name for c in self.communities.values()}
        self.skill_names = {s.pk: s.name for s in self.skills.values()}
        for m in members:
            if m.phone:
                self.by_phone.setdefault(_digits(m.phone), []).append(m)
            self.by_name_birth.setdefault((m.name, m.birth_date), []).append(m)
            self.by_name_month.setdefault((m.name, m.birth_date.year, m.birth_date.month), []).append(m)
            self.by_name.setdefault((m.community_id, m.name), []).append(m)
            self.state[m.pk] = (m, member_state(m))


def _digits(phone) -> str:
    return re.sub(r"\D", "", str(phone or ""))


def member_state(member: Member) -> dict:
    """The importable fields of a member, in the form the parser produces (for comparison and export)."""
    return {
        "name": member.name, "phone": str(member.phone or ""), "email": member.email, "birth_date": member.birth_date,
        "health": member.health, "community": member.community_id, "active": member.active,
        "max_shifts_per_week": member.max_shifts_per_week,
        "skills": frozenset(s.pk for s in member.skills.all()),
        "caregiving": frozenset((w.weekdays, w.start, w.end, w.label) for w in member.caregiving.all()),
    }


def _skip_reason(plan: ImportPlan, sheet: Sheet, number: int, cells: list) -> str:
    """Why a line is not a member (it is then skipped and listed), or "" for a member's line. A name cell holding
    a formula is not blank: the row reports the formula."""
    name_index = next(i for i, f in plan.mapping.items() if f == "name")
    if (number, name_index) in sheet.formula_cells:
        return ""
    name = cells[name_index] if name_index < len(cells) else None
    first = next((c for c in cells if not _blank(c)), None)
    if first is not None and footer_line(str(first)) and (_blank(name) or name is first):
        return _("A note under the list (%(text)s), not a member: skipped.") % {"text": str(first).strip()[:40]}
    if _blank(name):
        return _("No name on this line: skipped.")
    return ""


def _plan_rows(plan: ImportPlan, sheet: Sheet, *, user, community: Community, decisions: dict[str, str]) -> None:
    ctx = _Context(user, community)
    claimed: dict = {}  # identity key or member id → first row number
    in_file: dict = {}  # (community pk, name) → [(row number, values)] of the rows planned so far
    for number, cells in sheet.rows:
        skip = _skip_reason(plan, sheet, number, cells)
        if skip:
            plan.skipped.append(RowError(number, "", skip))
            continue
        values, errors, month_only = _parse_row(plan, sheet, ctx, number, cells)
        if errors:
            plan.errors.extend(errors)
            continue
        existing, error = _match(ctx, values, month_only)
        if error:
            plan.errors.append(RowError(number, COLUMN_BY_FIELD["phone"].header, error))
            continue
        if month_only:
            _month_only_date(plan, sheet, number, values, existing)
        name_key = (values.get("community", ctx.community.pk), values["name"])
        same_name = [] if existing else ctx.by_name.get(name_key, [])
        answer = decisions.get(str(number), "")
        if same_name:
            existing = next((m for m in same_name if str(m.pk) == answer), None)
            if existing is None and answer != "new":
                plan.rows.append(_question(number, values, same_name, in_file.get(name_key, [])))
                in_file.setdefault(name_key, []).append((number, values))
                continue
        earlier = [] if existing else [(n, v) for n, v in in_file.get(name_key, []) if _differs(v, values)]
        if earlier and answer != "new":
            plan.rows.append(_question(number, values, [], earlier))
            in_file.setdefault(name_key, []).append((number, values))
            continue
        key = existing.pk if existing else ("phone", _digits(values["phone"])) if values.get("phone") \
            else ("name", values["name"], values["birth_date"])
        if key in claimed:
            plan.errors.append(RowError(number, COLUMN_BY_FIELD["name"].header,
                                        _("Duplicate of row %(row)d.") % {"row": claimed[key]}))
            continue
        claimed[key] = number
        in_file.setdefault(name_key, []).append((number, values))
        row_error = _validate_model(values, existing)
        if row_error:
            plan.errors.append(RowError(number, *row_error))
            continue
        row = _row_plan(number, values, existing, ctx)
        if same_name or earlier:
            asked = _question(number, values, same_name, earlier)
            row.same_name, row.same_name_rows, row.about = asked.same_name, asked.same_name_rows, asked.about
        plan.rows.append(row)


def _differs(one: dict, other: dict) -> bool:
    """Two rows of one name that may be two people: different birth dates or phones (the same birth date and
    phone is the same person twice, which the duplicate check reports)."""
    return one["birth_date"] != other["birth_date"] or _digits(one.get("phone")) != _digits(other.get("phone"))


def _month_only_date(plan, sheet, number, values, existing) -> None:
    """Year and month only (1946.12): the stored date of the matched member when its year and month are the same
    (1946-12-30 stays), else the 1st of the month, which the preview says."""
    if existing is not None and (existing.birth_date.year, existing.birth_date.month) == \
            (values["birth_date"].year, values["birth_date"].month):
        values["birth_date"] = existing.birth_date
        return
    index = next(i for i, f in plan.mapping.items() if f == "birth_date")
    plan.notes.append(RowError(number, sheet.headers[index] or COLUMN_BY_FIELD["birth_date"].header, _(
        "Only the year and month are given; the 1st of the month is used (%(date)s).")
        % {"date": values["birth_date"].isoformat()}))


def _describe(birth_date, phone) -> str:
    """A birth date and the phone's last four digits, enough for a secretary to tell two namesakes apart."""
    tail = _digits(phone)[-4:]
    if tail:
        return _("born %(birth)s, phone ending %(tail)s") % {"birth": birth_date.isoformat(), "tail": tail}
    return _("born %(birth)s, no phone") % {"birth": birth_date.isoformat()}


def _question(number: int, values: dict, same_name: list[Member], earlier_rows=()) -> RowPlan:
    """A row that may be a member the community already has, or the person of an earlier row of the file: the
    secretary says which (or a new member)."""
    options = [(m.pk, _describe(m.birth_date, m.phone)) for m in sorted(same_name, key=lambda m: m.pk)]
    rows = [(n, _describe(v["birth_date"], v.get("phone", ""))) for n, v in earlier_rows]
    return RowPlan(number, "ask", values["name"], None, values, [], same_name=options, same_name_rows=rows,
                   about=_describe(values["birth_date"], values.get("phone", "")))


def _parse_row(plan, sheet, ctx, number, cells) -> tuple[dict, list[RowError], bool]:
    values, errors, month_only = {}, [], False
    for index, field_name in plan.mapping.items():
        header = sheet.headers[index] or COLUMN_BY_FIELD[field_name].header
        if (number, index) in sheet.formula_cells:
            errors.append(RowError(number, header, _("A formula without a saved result; open the file in Excel "
                                                     "or WPS, save it, and upload again.")))
            continue
        raw = cells[index] if index < len(cells) else None
        try:
            if field_name == "birth_date":
                values[field_name], month_only = parse_birth_date(raw)
            else:
                values[field_name] = _parse_cell(field_name, raw, ctx)
        except ValidationError as exc:
            errors.append(RowError(number, header, " ".join(exc.messages)))
    return values, errors, month_only


def _parse_cell(field_name: str, raw, ctx: _Context):
    if field_name == "name":
        return parse_name(raw)
    if field_name == "phone":
        return parse_phone(raw)
    if field_name == "email":
        return cell_text(raw)
    if field_name == "health":
        return parse_health(raw)
    if field_name == "skills":
        return parse_skills(raw, ctx.skills)
    if field_name == "caregiving":
        return parse_caregiving(raw)
    if field_name == "active":
        return parse_active(raw)
    if field_name == "max_shifts_per_week":
        return parse_count(raw)
    if field_name == "community":
        name = cell_text(raw)
        if not name:
            return ctx.community.pk
        if name not in ctx.communities:
            raise ValidationError(_("“%(value)s” is not one of your communities.") % {"value": name[:40]})
        return ctx.communities[name].pk
    raise ValueError(field_name)


def _match(ctx: _Context, values: dict, month_only: bool = False) -> tuple[Member | None, str]:
    """The existing member a row describes: same phone, else same name and birth date (the same year and month
    when the file gives no day)."""
    candidates = ctx.by_phone.get(_digits(values.get("phone", "")), []) if values.get("phone") else []
    if not candidates and month_only:
        birth = values["birth_date"]
        candidates = ctx.by_name_month.get((values["name"], birth.year, birth.month), [])
    if not candidates:
        candidates = ctx.by_name_birth.get((values["name"], values["birth_date"]), [])
    if len(candidates) > 1:
        return None, _("%(n)d members already match this phone or name and birth date; fix them first.") % {
            "n": len(candidates)}
    return (candidates[0] if candidates else None), ""


def _validate_model(values: dict, existing: Member | None) -> tuple[str, str] | None:
    member = Member(pk=existing.pk if existing else None)
    if existing:
        for name in ("name", "phone", "email", "birth_date", "health", "max_shifts_per_week"):
            setattr(member, name, getattr(existing, name))
        member.community_id = existing.community_id
    for name in ("name", "phone", "email", "birth_date", "health", "max_shifts_per_week"):
        if name in values:
            setattr(member, name, values[name])
    member.community_id = values.get("community", member.community_id)
    try:
        member.full_clean(exclude=["community", "user", "skills", "extra_communities"], validate_unique=False)
    except ValidationError as exc:
        field_name, messages = next(iter(exc.message_dict.items()))
        column = COLUMN_BY_FIELD.get(field_name)
        return (column.header if column else field_name), " ".join(messages)
    return None


def _row_plan(number: int, values: dict, existing: Member | None, ctx: _Context) -> RowPlan:
    if existing is None:
        values.setdefault("community", ctx.community.pk)
        return RowPlan(number, "create", values["name"], None, values, [])
    _member, state = ctx.state[existing.pk]
    changed = [name for name, new in values.items()
               if not (name == "active" and new is None) and state.get(name) != new]
    names = {"community_names": ctx.community_names, "skill_names": ctx.skill_names}
    details = [f"{COLUMN_BY_FIELD[name].header}：{format_value(name, state.get(name), **names)} → "
               f"{format_value(name, values[name], **names)}" for name in changed]
    return RowPlan(number, "update" if changed else "unchanged", values["name"], existing.pk, values,
                   [COLUMN_BY_FIELD[name].header for name in changed], details=details)

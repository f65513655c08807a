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
"new", or the pk of the member to update), and nothing is imported until every such row is answered.

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

@dataclass
class ImportPlan:
    headers: list[str]
    header_row: int
    mapping: dict[int, str]
    rows: list[RowPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notes: list[RowError] = field(default_factory=list)  # what was read in a way worth saying (not an error)
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
            if r.same_name:  # the same whatever the secretary answers: the question is what was confirmed
                digest.update(repr((r.row, "ask", [pk for pk, _label in r.same_name])).encode())
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
        for m in members:
            if m.phone:
                self.by_phone.setdefault(_digits(m.phone), []).append(m)
            self.by_name_birth.setdefault((m.name, m.birth_date), []).append(m)
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


def _plan_rows(plan: ImportPlan, sheet: Sheet, *, user, community: Community, decisions: dict[str, str]) -> None:
    ctx = _Context(user, community)
    claimed: dict = {}  # identity key or member id → first row number
    for number, cells in sheet.rows:
        values, errors = _parse_row(plan, sheet, ctx, number, cells)
        if errors:
            plan.errors.extend(errors)
            continue
        existing, error = _match(ctx, values)
        if error:
            plan.errors.append(RowError(number, COLUMN_BY_FIELD["phone"].header, error))
            continue
        same_name = [] if existing else ctx.by_name.get((values.get("community", ctx.community.pk), values["name"]), [])
        if same_name:
            answer = decisions.get(str(number), "")
            existing = next((m for m in same_name if str(m.pk) == answer), None)
            if existing is None and answer != "new":
                plan.rows.append(_question(number, values, same_name))
                continue
        key = existing.pk if existing else ("phone", _digits(values["phone"])) if values.get("phone") \
            else ("name", values["name"], values["birth_date"])
        if key in claimed:
            plan.errors.append(RowError(number, COLUMN_BY_FIELD["name"].header,
                                        _("Duplicate of row %(row)d.") % {"row": claimed[key]}))
            continue
        claimed[key] = number
        row_error = _validate_model(values, existing)
        if row_error:
            plan.errors.append(RowError(number, *row_error))
            continue
        row = _row_plan(number, values, existing, ctx)
        if same_name:
            asked = _question(number, values, same_name)
            row.same_name, row.about = asked.same_name, asked.about
        plan.rows.append(row)


def _describe(birth_date, phone) -> str:
    """A birth date and the phone's last four digits, enough for a secretary to tell two namesakes apart."""
    tail = _digits(phone)[-4:]
    if tail:
        return _("born %(birth)s, phone ending %(tail)s") % {"birth": birth_date.isoformat(), "tail": tail}
    return _("born %(birth)s, no phone") % {"birth": birth_date.isoformat()}


def _question(number: int, values: dict, same_name: list[Member]) -> RowPlan:
    """A row that may be a member the community already has: the secretary says which (or a new member)."""
    options = [(m.pk, _describe(m.birth_date, m.phone)) for m in sorted(same_name, key=lambda m: m.pk)]
    return RowPlan(number, "ask", values["name"], None, values, [],
                   same_name=options, about=_describe(values["birth_date"], values.get("phone", "")))


def _parse_row(plan, sheet, ctx, number, cells) -> tuple[dict, list[RowError]]:
    values, errors = {}, []
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
                if month_only:
                    plan.notes.append(RowError(number, header, _(
                        "Only the year and month are given; the 1st of the month is used (%(date)s).")
                        % {"date": values[field_name].isoformat()}))
            else:
                values[field_name] = _parse_cell(field_name, raw, ctx)
        except ValidationError as exc:
            errors.append(RowError(number, header, " ".join(exc.messages)))
    return values, errors


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


def _match(ctx: _Context, values: dict) -> tuple[Member | None, str]:
    """The existing member a row describes: same phone, else same name and birth date."""
    candidates = ctx.by_phone.get(_digits(values.get("phone", "")), []) if values.get("phone") else []
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
    changes = [COLUMN_BY_FIELD[name].header for name, new in values.items()
               if not (name == "active" and new is None) and state.get(name) != new]
    return RowPlan(number, "update" if changes else "unchanged", values["name"], existing.pk, values, changes)

"""The 名册's text: its columns and the headers that name them, parsing one cell (name, phone, birth date,
health, skills, caregiving times, status, counts) and formatting values back the way a 名册 writes them.

Used by the member import, the attendance import and the member's own self-service page."""

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import to_python

from volunteers.models import CaregivingWindow, HealthLevel, Member, Skill
from volunteers.validators import WEEKDAY_CODES

from .import_files import header_synonyms, mapping_from_headers

MAX_CELL_CHARS = 500


# --------------------------------------------------------------------------- fields and their headers

@dataclass(frozen=True)
class Column:
    field: str
    header: str  # the header written on export
    synonyms: tuple[str, ...]
    required: bool = False


COLUMNS = (
    Column("name", "姓名", ("姓名", "名字", "成员姓名", "志愿者姓名", "name"), required=True),
    Column("phone", "手机", ("手机", "手机号", "手机号码", "电话", "联系电话", "联系方式", "phone", "mobile")),
    Column("birth_date", "出生日期", ("出生日期", "出生年月日", "出生年月", "生日", "birthdate", "birthday"),
           required=True),
    Column("health", "健康", ("健康", "健康状况", "身体状况", "身体情况", "health"), required=True),
    Column("skills", "技能", ("技能", "特长", "专长", "skills")),
    Column("caregiving", "接送时间", ("接送时间", "接送", "照护时间", "家庭照护", "不便时间", "caregiving")),
    Column("community", "所属社区", ("所属社区", "社区", "community")),
    Column("email", "邮箱", ("邮箱", "电子邮箱", "电子邮件", "email")),
    Column("max_shifts_per_week", "每周最多班次", ("每周最多班次", "每周最多", "每周班次上限", "maxshiftsperweek")),
    Column("active", "状态", ("状态", "在册状态", "active")),
)
COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}
FIELD_CHOICES = [(c.field, c.header) for c in COLUMNS]

HEALTH_WORDS = {
    HealthLevel.GOOD: ("良好", "好", "健康", "良", "good"),
    HealthLevel.LIMITED: ("一般", "较弱", "有限", "中", "limited"),
    HealthLevel.FRAIL: ("体弱", "差", "较差", "弱", "frail"),
}
HEALTH_EXPORT = {HealthLevel.GOOD: "良好", HealthLevel.LIMITED: "一般", HealthLevel.FRAIL: "体弱"}
ACTIVE_WORDS = {True: ("在册", "是", "正常", "在职", "active", "yes", "1"),
                False: ("停用", "否", "离开", "退出", "inactive", "no", "0")}

DAY_CHARS = {"一": "mon", "二": "tue", "三": "wed", "四": "thu", "五": "fri", "六": "sat", "日": "sun", "天": "sun",
             "七": "sun"}
DAY_NAMES_ZH = {code: f"周{ch}" for ch, code in DAY_CHARS.items() if ch not in "天七"}
DEFAULT_CARE_LABEL = CaregivingWindow._meta.get_field("label").default


# {normalised header: field} of the member columns; the reader child gets it as data (read_sheet_isolated).
MEMBER_SYNONYMS = header_synonyms({c.field: c.synonyms for c in COLUMNS})


def guess_mapping(headers: list[str]) -> dict[int, str]:
    """The member columns a sheet's headers name."""
    return mapping_from_headers(headers, MEMBER_SYNONYMS)


# --------------------------------------------------------------------------- parsing one cell

# A line under the list that is not a member: "填表人：王书记", "制表：李四", "合计 52 人", "审核：…".
FOOTER = re.compile(r"^\s*(填表人|填表日期|填表|制表人|制表日期|制表|合计|总计|小计|共计|审核人|审核|填报人|填报日期|"
                     r"统计人|统计日期|经办人)")


def footer_line(text: str) -> bool:
    """A line under the list that is not a member (its first cell), e.g. 填表人：王书记, 合计 52 人."""
    return bool(FOOTER.match(text))



def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if len(text) > MAX_CELL_CHARS:
        raise ValidationError(_("The cell is longer than %(n)d characters.") % {"n": MAX_CELL_CHARS})
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        raise ValidationError(_("The cell contains control characters."))
    return text


def parse_name(value) -> str:
    text = re.sub(r"\s+", " ", cell_text(value))
    if not text:
        raise ValidationError(_("The name is missing."))
    if text[0] in "=+-@":
        raise ValidationError(_("The name starts with %(char)s and looks like a formula.") % {"char": text[0]})
    if len(text) > Member._meta.get_field("name").max_length:
        raise ValidationError(_("The name is too long."))
    return text


def parse_phone(value) -> str:
    """E.164 (+8613912345678) when the cell is a valid number, read as mainland China without a country code;
    otherwise the cleaned text, which the member validation then names as a bad phone."""
    text = re.sub(r"[\s\-–()（）]", "", cell_text(value).replace("\u3000", " "))
    number = to_python(text, region="CN") if text else None
    return number.as_e164 if number is not None and number.is_valid() else text


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if not text:
        raise ValidationError(_("The birth date is missing."))
    text = text.split(" ")[0].split("T")[0]
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                break
    raise ValidationError(_("“%(value)s” is not a date; write it like 1956-03-21.") % {"value": text[:40]})


# Forms a 名册 gives only the year and month in: 1951.03, 1951年3月, 1951-3, 1951/03, 195103.
_MONTH_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)


def parse_birth_date(value) -> tuple[dt.date, bool]:
    """(birth date, month only): every full form parse_date reads, and the year-and-month forms common in a 名册
    (1951.03, 1951年3月, 1951-3), which are read as the 1st of that month.

    A spreadsheet number such as 1951.03 arrives as a float; 1951.10 arrives as 1951.1, so a float is read with two
    decimals (October, not January)."""
    if isinstance(value, float) and not value.is_integer():
        value = f"{value:.2f}"
    try:
        return parse_date(value), False
    except ValidationError:
        text = cell_text(value).split(" ")[0]
        for pattern in _MONTH_PATTERNS:
            match = pattern.match(text)
            if match:
                year, month = (int(part) for part in match.groups())
                if 1 <= month <= 12:
                    return dt.date(year, month, 1), True
        if not text:
            raise
        raise ValidationError(_("“%(value)s” is not a date; write it like 1956-03-21 or 1956.03.")
                              % {"value": text[:40]}) from None


def parse_health(value) -> str:
    text = cell_text(value).lower()
    for level, words in HEALTH_WORDS.items():
        if text in words:
            return level
    if not text:
        raise ValidationError(_("The health level is missing; write 良好, 一般 or 体弱."))
    raise ValidationError(_("Unknown health level “%(value)s”; write 良好, 一般 or 体弱.") % {"value": text[:40]})


def parse_skills(value, skills_by_word: dict[str, Skill]) -> frozenset[int]:
    words = [w for w in re.split(r"[、,，;；/\s]+", cell_text(value)) if w]
    unknown = [w for w in words if w.lower() not in skills_by_word]
    if unknown:
        known = "、".join(sorted({s.name for s in skills_by_word.values()})) or "—"
        raise ValidationError(_("Unknown skill %(skills)s; known skills: %(known)s.")
                              % {"skills": "、".join(unknown[:5]), "known": known})
    return frozenset(skills_by_word[w.lower()].pk for w in words)


_DAY = r"(?:周|星期|礼拜)([一二三四五六日天七])"
_TIME = r"(\d{1,2})[:：](\d{2})"
_WINDOW = re.compile(rf"^(?P<days>.*?)\s*{_TIME}\s*[-–—~～至到]\s*{_TIME}\s*(?P<label>.*)$")
_DAY_RANGE = re.compile(rf"^{_DAY}\s*[至到\-–—~～]\s*{_DAY}$")
_DAY_WORDS = {"每天": WEEKDAY_CODES, "每日": WEEKDAY_CODES, "天天": WEEKDAY_CODES,
              "工作日": WEEKDAY_CODES[:5], "周末": WEEKDAY_CODES[5:]}


def parse_caregiving(value) -> frozenset[tuple[str, dt.time, dt.time, str]]:
    """'周一至周五 07:00-08:30；周六 09:00-10:00 买菜' → {(weekdays, start, end, label), ...}."""
    text = cell_text(value)
    if not text:
        return frozenset()
    pieces = re.split(r"[;；\n]+|[,，](?=\s*(?:周|星期|礼拜|每|工作日))", text)
    windows = set()
    for piece in (p.strip() for p in pieces):
        if not piece:
            continue
        match = _WINDOW.match(piece)
        if not match:
            raise ValidationError(_("“%(value)s” is not a time like 周一至周五 07:00-08:30.") % {"value": piece[:40]})
        days = _parse_days(match.group("days").strip(), piece)
        h1, m1, h2, m2 = (int(match.group(i)) for i in (2, 3, 4, 5))
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            raise ValidationError(_("“%(value)s” has an impossible time.") % {"value": piece[:40]})
        start = dt.time(h1, m1)
        end = dt.time(23, 59) if h2 == 24 else dt.time(h2, m2)
        if m1 % 15 or m2 % 15:
            raise ValidationError(_("“%(value)s”: use times on the quarter hour (:00, :15, :30, :45).")
                                  % {"value": piece[:40]})
        if end <= start:
            raise ValidationError(_("“%(value)s”: the end must be after the start.") % {"value": piece[:40]})
        label = match.group("label").strip(" ()（）") or DEFAULT_CARE_LABEL
        windows.add((",".join(days), start, end, label[:40]))
    return frozenset(windows)


def _parse_days(text: str, piece: str) -> list[str]:
    if not text:
        raise ValidationError(_("“%(value)s”: say which days, e.g. 周一至周五.") % {"value": piece[:40]})
    if text in _DAY_WORDS:
        return list(_DAY_WORDS[text])
    match = _DAY_RANGE.match(text)
    if match:
        first, last = (WEEKDAY_CODES.index(DAY_CHARS[ch]) for ch in match.groups())
        if last < first:
            raise ValidationError(_("“%(value)s”: the day range runs backwards.") % {"value": piece[:40]})
        return list(WEEKDAY_CODES[first:last + 1])
    rest = re.sub(r"[、,，\s和及]+", "", text)
    days = re.findall(_DAY, rest)
    if not days or re.sub(_DAY, "", rest):
        raise ValidationError(_("“%(value)s”: unknown days; write e.g. 周一至周五 or 周二、周四.")
                              % {"value": piece[:40]})
    return sorted({DAY_CHARS[ch] for ch in days}, key=WEEKDAY_CODES.index)


def parse_active(value) -> bool | None:
    text = cell_text(value).lower()
    if not text:
        return None
    for flag, words in ACTIVE_WORDS.items():
        if text in words:
            return flag
    raise ValidationError(_("Unknown status “%(value)s”; write 在册 or 停用.") % {"value": text[:40]})


def parse_count(value) -> int | None:
    text = cell_text(value)
    if not text:
        return None
    if not text.isdigit() or int(text) > 50:
        raise ValidationError(_("“%(value)s” is not a number of shifts from 0 to 50.") % {"value": text[:40]})
    return int(text)


# --------------------------------------------------------------------------- formatting for export

def format_days(codes: list[str]) -> str:
    indexes = [WEEKDAY_CODES.index(c) for c in codes]
    if indexes == list(range(7)):
        return "每天"
    if len(indexes) >= 3 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return f"{DAY_NAMES_ZH[codes[0]]}至{DAY_NAMES_ZH[codes[-1]]}"
    return "、".join(DAY_NAMES_ZH[c] for c in codes)


def format_caregiving(windows) -> str:
    parts = []
    for weekdays, start, end, label in sorted(windows, key=lambda w: (w[1], w[0], w[2], w[3])):
        text = f"{format_days(weekdays.split(','))} {start:%H:%M}-{end:%H:%M}"
        if label and label != DEFAULT_CARE_LABEL:
            text += f" {label}"
        parts.append(text)
    return "；".join(parts)


def format_value(name: str, value, *, community_names: dict, skill_names: dict) -> str:
    """A value the way the 名册 writes it, for the preview's old → new."""
    if value in (None, "", frozenset()):
        return "—"
    if name == "birth_date":
        return value.isoformat()
    if name == "phone":
        digits = re.sub(r"\D", "", str(value))
        return f"{digits[2:5]} {digits[5:9]} {digits[9:]}" if len(digits) == 13 and digits.startswith("86") \
            else str(value)
    if name == "health":
        return HEALTH_EXPORT.get(value, str(value))
    if name == "active":
        return "在册" if value else "停用"
    if name == "community":
        return community_names.get(value, str(value))
    if name == "skills":
        return "、".join(sorted(skill_names.get(pk, str(pk)) for pk in value))
    if name == "caregiving":
        return format_caregiving(value)
    return str(value)

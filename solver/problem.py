"""The roster problem document (roster-problem/1, written out in docs/roster-problem.md): dataclasses and a strict
reader. A change to what this reads is a change to that contract: update the page with it.

Every error raised while reading is a ``ProblemError`` whose message is one line
that starts with the JSON path of the offending field, e.g.
``shifts[3].end: must be after start``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from solver.eligibility import HEALTH_RANK, is_night_interval

FORMAT = "roster-problem/1"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
GRID = 15                      # the one 15-minute grid of times and of the fairness units u; defined only here
TERMS = ("unfilled", "stability", "continuity", "preference", "fairness")   # the objective's terms

# Limits that keep every objective term far below 2**62 (CP-SAT's integer range).
MAX_COUNT = 100_000
MAX_MINUTES = 10_000_000
MAX_WEIGHT = 1_000_000
MAX_AGE = 200
MAX_OBJECTIVE = 2**53
MAX_HORIZON_DAYS = 400

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
_CLOCK_RE = re.compile(r"^\d{2}:\d{2}$")


class ProblemError(ValueError):
    """An invalid problem document; ``str()`` is a single line naming the field."""

    def __init__(self, path: str, message: str):
        self.path = path
        self.detail = message
        super().__init__(f"{path}: {message}" if path else message)


# ----------------------------------------------------------------- dataclasses

@dataclass(frozen=True)
class Duty:
    id: str
    name: str | None = None
    min_age: int | None = None
    max_age: int | None = None
    night_max_age: int | None = None
    min_health: str = "frail"
    required_skills: tuple[str, ...] = ()
    lead_skill: str | None = None
    max_per_member: int | None = None


@dataclass(frozen=True)
class Caregiving:
    days: tuple[int, ...]          # weekday numbers, 0 = monday
    start: int                     # minutes after midnight
    end: int


@dataclass(frozen=True)
class Period:
    start: int                     # minutes from horizon start
    end: int


@dataclass(frozen=True)
class Member:
    id: str
    communities: tuple[str, ...]
    birth_date: date
    health: str
    name: str | None = None
    skills: frozenset[str] = frozenset()
    max_shifts: int | None = None
    max_minutes: int | None = None
    min_rest_minutes: int = 0
    max_consecutive_days: int = 7
    caregiving: tuple[Caregiving, ...] = ()
    unavailable: tuple[Period, ...] = ()
    duty_preferences: tuple[tuple[str, int], ...] = ()
    weekday_preferences: tuple[tuple[int, int], ...] = ()
    history_minutes: int = 0

    def preference_cost(self, duty_id: str, weekday: int) -> int:
        cost = 0
        for key, value in self.duty_preferences:
            if key == duty_id:
                cost += value
        for key, value in self.weekday_preferences:
            if key == weekday:
                cost += value
        return cost


@dataclass(frozen=True)
class Shift:
    id: str
    community: str
    duty: str
    start: int                     # minutes from horizon start (naive wall clock)
    end: int
    start_date: date
    weekday: int                   # of the start date, 0 = monday
    night: bool
    min_staff: int
    max_staff: int
    visit_target: str | None = None
    location: str | None = None
    name: str | None = None
    start_text: str = ""
    end_text: str = ""

    @property
    def minutes(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class VisitTarget:
    id: str
    preferred_visitors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pair:
    shift: str
    member: str


@dataclass(frozen=True)
class Rules:
    night_start: int = 20 * 60
    night_end: int = 6 * 60
    min_rest_minutes: int = 0
    max_consecutive_days: int = 7


@dataclass(frozen=True)
class Weights:
    unfilled: int = 10000
    stability: int = 500
    continuity: int = 200
    preference: int = 20
    fairness: int = 1

    def objective(self, terms: Mapping[str, int]) -> int:
        """The objective of a roster whose unweighted terms are ``terms``: each term times its weight."""
        return sum(getattr(self, name) * terms[name] for name in TERMS)


DEFAULT_WEIGHTS = asdict(Weights())


@dataclass(frozen=True)
class Options:
    """``options`` (an extension of roster-problem/1, see solver/README.md): how the solve stops."""
    gap: float | None = None       # relative gap of the non-constant objective; None = the solver's default


@dataclass(frozen=True)
class Problem:
    timezone: str
    horizon_start: date
    horizon_end: date
    rules: Rules
    weights: Weights
    duties: tuple[Duty, ...]
    members: tuple[Member, ...]
    shifts: tuple[Shift, ...]
    visit_targets: tuple[VisitTarget, ...] = ()
    pins: tuple[Pair, ...] = ()
    forbid: tuple[Pair, ...] = ()
    previous: tuple[Pair, ...] = ()
    options: Options = Options()
    duty_by_id: dict = field(default_factory=dict, compare=False, repr=False)
    member_index: dict = field(default_factory=dict, compare=False, repr=False)
    shift_index: dict = field(default_factory=dict, compare=False, repr=False)
    target_by_id: dict = field(default_factory=dict, compare=False, repr=False)
    shift_units: list = field(default_factory=list, compare=False, repr=False)   # shift -> its load u, in GRIDs

    def __post_init__(self):
        self.shift_units[:] = [s.minutes // GRID for s in self.shifts]
        self.duty_by_id.update({d.id: d for d in self.duties})
        self.member_index.update({m.id: i for i, m in enumerate(self.members)})
        self.shift_index.update({s.id: i for i, s in enumerate(self.shifts)})
        self.target_by_id.update({t.id: t for t in self.visit_targets})

    @property
    def horizon_days(self) -> int:
        return (self.horizon_end - self.horizon_start).days

    def duty_of(self, shift: Shift) -> Duty:
        return self.duty_by_id[shift.duty]

    def member(self, member_id: str) -> Member:
        return self.members[self.member_index[member_id]]

    def shift(self, shift_id: str) -> Shift:
        return self.shifts[self.shift_index[shift_id]]

    def fairness_floor(self, members: Iterable[int] | None = None) -> int:
        """Sum of (history_minutes // GRID)^2 over ``members`` (indices; all by default): their fairness
        term, unweighted, when the roster gives them nothing."""
        chosen = self.members if members is None else (self.members[m] for m in members)
        return sum((m.history_minutes // GRID) ** 2 for m in chosen)

    def fairness_constant(self, members: Iterable[int] | None = None) -> int:
        """W.fairness times ``fairness_floor``: what these members pay whatever the roster, the part of
        the objective no roster can change."""
        return self.weights.fairness * self.fairness_floor(members)

    def minute_of_date(self, day: date) -> int:
        """Minutes from the horizon start to midnight of ``day``."""
        return (day - self.horizon_start).days * 1440

    def preferred_visitors(self, shift: Shift) -> frozenset[str]:
        if shift.visit_target is None:
            return frozenset()
        return frozenset(self.target_by_id[shift.visit_target].preferred_visitors)


# ---------------------------------------------------------------- read helpers

def field_name(key) -> str:
    """An unknown key as an error names it: plain names as they are, anything else JSON-quoted (one line)."""
    return key if isinstance(key, str) and key.isidentifier() else json.dumps(str(key), ensure_ascii=False)


def _fail(path: str, message: str):
    raise ProblemError(path, message)


def _object(value, path: str, required: tuple[str, ...], optional: tuple[str, ...]) -> dict:
    if not isinstance(value, dict):
        _fail(path or "document", "must be an object")
    for key in value:
        if not isinstance(key, str) or (key not in required and key not in optional):
            _fail(_join(path, field_name(key)), "unknown field")
    for key in required:
        if key not in value:
            _fail(_join(path, key), "required field is missing")
    return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _list(value, path: str) -> list:
    if not isinstance(value, list):
        _fail(path, "must be a list")
    return value


def _string(value, path: str, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        _fail(path, "must be a string")
    if not allow_empty and value == "":
        _fail(path, "must not be empty")
    if len(value) > 10_000:
        _fail(path, "string is too long")
    return value


def _opt_string(value, path: str) -> str | None:
    return None if value is None else _string(value, path, allow_empty=True)


def _int(value, path: str, lo: int = 0, hi: int = MAX_COUNT) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(path, "must be an integer")
    if value < lo:
        _fail(path, f"must be at least {lo}")
    if value > hi:
        _fail(path, f"must be at most {hi}")
    return value


def _opt_int(value, path: str, lo: int = 0, hi: int = MAX_COUNT) -> int | None:
    return None if value is None else _int(value, path, lo, hi)


def _date(value, path: str) -> date:
    return _parsed(value, path, _DATE_RE, "a date YYYY-MM-DD", "date", date.fromisoformat)


def _local_time(value, path: str) -> datetime:
    return _parsed(value, path, _TIME_RE, "a local time YYYY-MM-DDTHH:MM", "time",
                   lambda text: datetime.strptime(text, "%Y-%m-%dT%H:%M"))


def _parsed(value, path: str, pattern: re.Pattern, shape: str, kind: str, parse):
    """``parse`` of the string ``value`` written as ``pattern``; either failure names ``path``."""
    text = _string(value, path)
    if not pattern.match(text):
        _fail(path, f"must be {shape}")
    try:
        return parse(text)
    except ValueError:
        _fail(path, f"not a valid {kind} '{text}'")


def _clock(value, path: str) -> int:
    text = _string(value, path)
    if not _CLOCK_RE.match(text):
        _fail(path, "must be a clock time HH:MM")
    hours, minutes = int(text[:2]), int(text[3:])
    if hours > 23 or minutes > 59:
        _fail(path, f"not a valid clock time '{text}'")
    return hours * 60 + minutes


def _on_grid(minutes: int, path: str) -> None:
    if minutes % GRID:
        _fail(path, "not on the 15-minute grid")


def _unique_ids(items: list, path: str) -> None:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.id in seen:
            _fail(f"{path}[{index}].id", f"duplicate id '{item.id}'")
        seen.add(item.id)


# ---------------------------------------------------------------- sections

def _read_rules(value, path: str = "rules") -> Rules:
    data = _object(value, path, (), ("night", "min_rest_minutes", "max_consecutive_days"))
    night_start, night_end = Rules.night_start, Rules.night_end
    if "night" in data:
        night = _object(data["night"], f"{path}.night", ("start", "end"), ())
        night_start = _clock(night["start"], f"{path}.night.start")
        night_end = _clock(night["end"], f"{path}.night.end")
    rest = _int(data.get("min_rest_minutes", 0), f"{path}.min_rest_minutes", 0, MAX_MINUTES)
    consecutive = _int(data.get("max_consecutive_days", 7), f"{path}.max_consecutive_days")
    return Rules(night_start, night_end, rest, consecutive)


def _read_weights(value, path: str = "weights") -> Weights:
    data = _object(value, path, (), tuple(DEFAULT_WEIGHTS))
    values = {key: _int(data.get(key, default), f"{path}.{key}", 0, MAX_WEIGHT)
              for key, default in DEFAULT_WEIGHTS.items()}
    return Weights(**values)


def _read_options(value, path: str = "options") -> Options:
    data = _object(value, path, (), ("gap",))
    gap = data.get("gap")
    if gap is not None:
        if isinstance(gap, bool) or not isinstance(gap, (int, float)) or not 0 <= gap <= 1:
            _fail(f"{path}.gap", "must be a number from 0 to 1 (0.001 means 0.1%)")
        gap = float(gap)
    return Options(gap=gap)


def _health(value, path: str) -> str:
    # Checked for str first: an unhashable value (a list or object) must fail as a field error, not a TypeError.
    if not isinstance(value, str) or value not in HEALTH_RANK:
        _fail(path, "must be one of good, limited, frail")
    return value


def _read_duty(value, path: str) -> Duty:
    data = _object(value, path, ("id",), ("name", "min_age", "max_age", "night_max_age",
                                         "min_health", "required_skills", "lead_skill",
                                         "max_per_member"))
    min_age = _opt_int(data.get("min_age"), f"{path}.min_age", 0, MAX_AGE)
    max_age = _opt_int(data.get("max_age"), f"{path}.max_age", 0, MAX_AGE)
    if min_age is not None and max_age is not None and max_age < min_age:
        _fail(f"{path}.max_age", "must not be below min_age")
    health = _health(data.get("min_health", "frail"), f"{path}.min_health")
    skills = tuple(_string(s, f"{path}.required_skills[{i}]")
                   for i, s in enumerate(_list(data.get("required_skills", []),
                                               f"{path}.required_skills")))
    lead = data.get("lead_skill")
    return Duty(
        id=_string(data["id"], f"{path}.id"),
        name=_opt_string(data.get("name"), f"{path}.name"),
        min_age=min_age, max_age=max_age,
        night_max_age=_opt_int(data.get("night_max_age"), f"{path}.night_max_age", 0, MAX_AGE),
        min_health=health, required_skills=skills,
        lead_skill=None if lead is None else _string(lead, f"{path}.lead_skill"),
        max_per_member=_opt_int(data.get("max_per_member"), f"{path}.max_per_member"),
    )


def _read_caregiving(value, path: str) -> Caregiving:
    data = _object(value, path, ("days", "start", "end"), ())
    days = []
    for i, day in enumerate(_list(data["days"], f"{path}.days")):
        if day not in WEEKDAYS:
            _fail(f"{path}.days[{i}]", "must be one of mon tue wed thu fri sat sun")
        days.append(WEEKDAYS.index(day))
    start = _clock(data["start"], f"{path}.start")
    end = _clock(data["end"], f"{path}.end")
    _on_grid(start, f"{path}.start")
    _on_grid(end, f"{path}.end")
    if end <= start:
        _fail(f"{path}.end", "must be after start")
    return Caregiving(tuple(sorted(set(days))), start, end)


def _read_period(value, path: str, origin: datetime) -> Period:
    data = _object(value, path, ("start", "end"), ())
    start = _local_time(data["start"], f"{path}.start")
    end = _local_time(data["end"], f"{path}.end")
    if end <= start:
        _fail(f"{path}.end", "must be after start")
    return Period(_minutes_between(origin, start), _minutes_between(origin, end))


def _minutes_between(origin: datetime, moment: datetime) -> int:
    return int((moment - origin).total_seconds()) // 60


def _read_preferences(value, path: str, duty_ids: set[str]):
    data = _object(value, path, (), ("duties", "weekdays"))
    duties = _object(data.get("duties", {}), f"{path}.duties", (), tuple(duty_ids))
    weekdays = _object(data.get("weekdays", {}), f"{path}.weekdays", (), WEEKDAYS)
    duty_prefs = tuple((key, _int(v, f"{path}.duties.{key}", -10, 10))
                       for key, v in duties.items())
    day_prefs = tuple((WEEKDAYS.index(key), _int(v, f"{path}.weekdays.{key}", -10, 10))
                      for key, v in weekdays.items())
    return duty_prefs, day_prefs


_MEMBER_FIELDS = ("name", "skills", "max_shifts", "max_minutes", "min_rest_minutes",
                  "max_consecutive_days", "caregiving", "unavailable", "preferences",
                  "history_minutes")


def _read_member(value, path: str, rules: Rules, duty_ids: set[str], origin: datetime) -> Member:
    data = _object(value, path, ("id", "communities", "birth_date", "health"), _MEMBER_FIELDS)
    communities = tuple(_string(c, f"{path}.communities[{i}]")
                        for i, c in enumerate(_list(data["communities"], f"{path}.communities")))
    health = _health(data["health"], f"{path}.health")
    skills = frozenset(_string(s, f"{path}.skills[{i}]")
                       for i, s in enumerate(_list(data.get("skills", []), f"{path}.skills")))
    caregiving = tuple(_read_caregiving(c, f"{path}.caregiving[{i}]")
                       for i, c in enumerate(_list(data.get("caregiving", []), f"{path}.caregiving")))
    unavailable = tuple(_read_period(p, f"{path}.unavailable[{i}]", origin)
                        for i, p in enumerate(_list(data.get("unavailable", []),
                                                    f"{path}.unavailable")))
    duty_prefs, day_prefs = _read_preferences(data.get("preferences", {}),
                                              f"{path}.preferences", duty_ids)
    history = _int(data.get("history_minutes", 0), f"{path}.history_minutes", 0, MAX_MINUTES)
    _on_grid(history, f"{path}.history_minutes")
    return Member(
        id=_string(data["id"], f"{path}.id"),
        communities=communities,
        birth_date=_date(data["birth_date"], f"{path}.birth_date"),
        health=health,
        name=_opt_string(data.get("name"), f"{path}.name"),
        skills=skills,
        max_shifts=_opt_int(data.get("max_shifts"), f"{path}.max_shifts"),
        max_minutes=_opt_int(data.get("max_minutes"), f"{path}.max_minutes", 0, MAX_MINUTES),
        min_rest_minutes=_int(data.get("min_rest_minutes", rules.min_rest_minutes),
                              f"{path}.min_rest_minutes", 0, MAX_MINUTES),
        max_consecutive_days=_int(data.get("max_consecutive_days", rules.max_consecutive_days),
                                  f"{path}.max_consecutive_days"),
        caregiving=caregiving, unavailable=unavailable,
        duty_preferences=duty_prefs, weekday_preferences=day_prefs,
        history_minutes=history,
    )


_SHIFT_FIELDS = ("max_staff", "visit_target", "location", "name")


def _read_shift(value, path: str, ctx: dict) -> Shift:
    data = _object(value, path, ("id", "community", "duty", "start", "end", "min_staff"),
                   _SHIFT_FIELDS)
    duty = _string(data["duty"], f"{path}.duty")
    if duty not in ctx["duty_ids"]:
        _fail(f"{path}.duty", f"unknown duty '{duty}'")
    start = _local_time(data["start"], f"{path}.start")
    end = _local_time(data["end"], f"{path}.end")
    _on_grid(start.minute, f"{path}.start")
    _on_grid(end.minute, f"{path}.end")
    if end <= start:
        _fail(f"{path}.end", "must be after start")
    if not ctx["origin"] <= start < ctx["limit"]:
        _fail(f"{path}.start", "must lie inside the horizon")
    if end - start > timedelta(days=31):
        _fail(f"{path}.end", "shift is longer than 31 days")
    min_staff = _int(data["min_staff"], f"{path}.min_staff", 0, 10_000)
    max_staff = _int(data.get("max_staff", min_staff), f"{path}.max_staff", 0, 10_000)
    if max_staff < min_staff:
        _fail(f"{path}.max_staff", "must be at least min_staff")
    target = data.get("visit_target")
    if target is not None:
        target = _string(target, f"{path}.visit_target")
        if target not in ctx["target_ids"]:
            _fail(f"{path}.visit_target", f"unknown visit target '{target}'")
    start_min = _minutes_between(ctx["origin"], start)
    end_min = _minutes_between(ctx["origin"], end)
    rules: Rules = ctx["rules"]
    return Shift(
        id=_string(data["id"], f"{path}.id"),
        community=_string(data["community"], f"{path}.community"),
        duty=duty, start=start_min, end=end_min,
        start_date=start.date(), weekday=start.weekday(),
        night=is_night_interval(start_min, end_min, rules.night_start, rules.night_end),
        min_staff=min_staff, max_staff=max_staff, visit_target=target,
        location=_opt_string(data.get("location"), f"{path}.location"),
        name=_opt_string(data.get("name"), f"{path}.name"),
        start_text=data["start"], end_text=data["end"],
    )


def _read_target(value, path: str, member_ids: set[str]) -> VisitTarget:
    data = _object(value, path, ("id",), ("preferred_visitors",))
    visitors = []
    for i, m in enumerate(_list(data.get("preferred_visitors", []), f"{path}.preferred_visitors")):
        m = _string(m, f"{path}.preferred_visitors[{i}]")
        if m not in member_ids:
            _fail(f"{path}.preferred_visitors[{i}]", f"unknown member '{m}'")
        visitors.append(m)
    return VisitTarget(_string(data["id"], f"{path}.id"), tuple(visitors))


def _read_pairs(value, path: str, shift_ids: set[str], member_ids: set[str],
                *, allow_unknown_shift: bool = False) -> tuple[Pair, ...]:
    pairs: list[Pair] = []
    seen: set[Pair] = set()
    for i, item in enumerate(_list(value, path)):
        data = _object(item, f"{path}[{i}]", ("shift", "member"), ())
        shift = _string(data["shift"], f"{path}[{i}].shift")
        member = _string(data["member"], f"{path}[{i}].member")
        if shift not in shift_ids and not allow_unknown_shift:
            _fail(f"{path}[{i}].shift", f"unknown shift '{shift}'")
        if member not in member_ids:
            _fail(f"{path}[{i}].member", f"unknown member '{member}'")
        pair = Pair(shift, member)
        if pair in seen:
            _fail(f"{path}[{i}]", f"duplicate pair ({shift}, {member})")
        seen.add(pair)
        pairs.append(pair)
    return tuple(pairs)


# ---------------------------------------------------------------- entry points

_TOP_REQUIRED = ("format", "timezone", "horizon", "duties", "members", "shifts")
_TOP_OPTIONAL = ("rules", "weights", "visit_targets", "pins", "forbid", "previous", "options")


def _read_timezone(value) -> str:
    name = _string(value, "timezone")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        _fail("timezone", f"unknown IANA time zone '{name}'")
    return name


def _read_horizon(value) -> tuple[date, date]:
    data = _object(value, "horizon", ("start", "end"), ())
    start = _date(data["start"], "horizon.start")
    end = _date(data["end"], "horizon.end")
    if end <= start:
        _fail("horizon.end", "must be after start")
    if (end - start).days > MAX_HORIZON_DAYS:
        _fail("horizon.end", f"horizon is longer than {MAX_HORIZON_DAYS} days")
    return start, end


def load_problem(data: dict) -> Problem:
    """Validate a problem document (parsed JSON) and return a ``Problem``."""
    data = _object(data, "", _TOP_REQUIRED, _TOP_OPTIONAL)
    if data["format"] != FORMAT:
        _fail("format", f"must be '{FORMAT}'")
    timezone = _read_timezone(data["timezone"])
    horizon_start, horizon_end = _read_horizon(data["horizon"])
    rules = _read_rules(data.get("rules", {}))
    weights = _read_weights(data.get("weights", {}))
    options = _read_options(data.get("options", {}))
    origin = datetime.combine(horizon_start, datetime.min.time())
    duties = [_read_duty(d, f"duties[{i}]") for i, d in enumerate(_list(data["duties"], "duties"))]
    _unique_ids(duties, "duties")
    duty_ids = {d.id for d in duties}
    members = [_read_member(m, f"members[{i}]", rules, duty_ids, origin)
               for i, m in enumerate(_list(data["members"], "members"))]
    _unique_ids(members, "members")
    member_ids = {m.id for m in members}
    targets = [_read_target(t, f"visit_targets[{i}]", member_ids)
               for i, t in enumerate(_list(data.get("visit_targets", []), "visit_targets"))]
    _unique_ids(targets, "visit_targets")
    ctx = {"duty_ids": duty_ids, "target_ids": {t.id for t in targets}, "origin": origin,
           "limit": datetime.combine(horizon_end, datetime.min.time()), "rules": rules}
    shifts = [_read_shift(s, f"shifts[{i}]", ctx)
              for i, s in enumerate(_list(data["shifts"], "shifts"))]
    _unique_ids(shifts, "shifts")
    shift_ids = {s.id for s in shifts}
    pins = _read_pairs(data.get("pins", []), "pins", shift_ids, member_ids)
    forbid = _read_pairs(data.get("forbid", []), "forbid", shift_ids, member_ids)
    # The spec counts only previous pairs "whose shift is in the problem": others are ignored.
    previous = _read_pairs(data.get("previous", []), "previous", shift_ids, member_ids,
                           allow_unknown_shift=True)
    problem = Problem(timezone, horizon_start, horizon_end, rules, weights, tuple(duties),
                      tuple(members), tuple(shifts), tuple(targets), pins, forbid, previous, options)
    _check_magnitude(problem)
    return problem


def _check_magnitude(problem: Problem) -> None:
    """Reject documents whose objective could leave the exact integer range."""
    total_units = sum(s.minutes // GRID * s.max_staff for s in problem.shifts)
    worst_u = max((m.history_minutes // GRID for m in problem.members), default=0) + total_units
    w = problem.weights
    worst = (w.fairness * len(problem.members) * worst_u * worst_u
             + w.unfilled * sum(s.min_staff for s in problem.shifts)
             + w.stability * len(problem.previous)
             + w.continuity * len(problem.shifts)
             + w.preference * 20 * sum(s.max_staff for s in problem.shifts))
    if worst > MAX_OBJECTIVE:
        _fail("weights", "objective could exceed the exact integer range; lower the weights "
                         "or history_minutes")


def load_problem_file(path) -> Problem:
    """Read and validate a problem file; decoding errors become a field-less ProblemError."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise ProblemError("", f"cannot read {path}: {exc.strerror or exc}") from None
    return load_problem(parse_json_bytes(raw, str(path)))


def parse_json_bytes(raw: bytes, name: str):
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProblemError("", f"{name}: not valid UTF-8 (byte {exc.start})") from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (json.JSONDecodeError, ValueError, RecursionError) as exc:
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        raise ProblemError("", f"{name}: not valid JSON{where}") from None


def _reject_constant(name: str):
    raise ValueError(f"invalid JSON constant {name}")

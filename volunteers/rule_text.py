"""A member's scheduling rules in plain words, e.g. "Not available Mon–Fri 07:00–08:30 (school run)".

These sentences are what the optimizer will respect, shown where the secretary edits them so nobody has to read
JSON or remember what a number means.
"""

from django.utils.translation import gettext as _

from .periods import period_words
from .validators import WEEKDAY_CODES, WEEKDAY_LABELS


def weekdays_in_words(codes: list[str]) -> str:
    """['mon','tue','wed','thu','fri'] → 'Mon–Fri'; ['mon','wed'] → 'Mon, Wed'; all seven → 'every day'."""
    indexes = sorted(WEEKDAY_CODES.index(c) for c in codes)
    if len(indexes) == 7:
        return _("every day")
    runs, run = [], [indexes[0]] if indexes else []
    for i in indexes[1:]:
        if i == run[-1] + 1:
            run.append(i)
        else:
            runs.append(run)
            run = [i]
    if run:
        runs.append(run)
    parts = []
    for r in runs:
        first, last = str(WEEKDAY_LABELS[WEEKDAY_CODES[r[0]]]), str(WEEKDAY_LABELS[WEEKDAY_CODES[r[-1]]])
        if len(r) >= 3:
            parts.append(f"{first}–{last}")
        else:
            parts.extend(str(WEEKDAY_LABELS[WEEKDAY_CODES[i]]) for i in r)
    return _(", ").join(parts)


def caregiving_in_words(window) -> str:
    text = _("Not available %(days)s %(start)s–%(end)s") % {
        "days": weekdays_in_words(window.weekday_list), "start": window.start.strftime("%H:%M"),
        "end": window.end.strftime("%H:%M")}
    notes = [window.label] if window.label else []
    if window.applies == window.Applies.SCHOOL_DAYS:
        notes.append(_("school days only"))
    return text + _(" (%(notes)s)") % {"notes": _(", ").join(notes)} if notes else text


def school_week_in_words(week) -> list[str]:
    """What the calendar does to school runs this week (a volunteers.calendars.SchoolWeek)."""
    if week.holidays:
        return [_("School holidays: no school runs this week")]
    out = []
    if week.days_off:
        out.append(_("No school on %(days)s this week: no school runs then") % {
            "days": weekdays_in_words(list(week.days_off))})
    for day, timetable in week.make_up:
        out.append(_("Make-up school day %(date)s: school runs as on %(weekday)s") % {
            "date": day.strftime("%m-%d"), "weekday": WEEKDAY_LABELS[timetable]})
    return out


def _preference_words(mapping: dict, names: dict) -> list[str]:
    out = []
    for key, weight in sorted(mapping.items(), key=lambda item: item[1]):
        name = names.get(key, key)
        if weight < 0:
            out.append(_("Prefers %(name)s") % {"name": name})
        elif weight > 0:
            out.append(_("Rather not %(name)s") % {"name": name})
    return out


def member_rules(member, *, sensitive: bool, duty_names: dict, caregiving=(), absences=(),
                 school_week=None) -> list[str]:
    """Every rule the optimizer applies to this member, as sentences; health and caregiving only if sensitive.

    school_week: this week's school days of the member's district, said when a window follows them."""
    rules = []
    if not member.active:
        rules.append(_("Inactive: gets no shifts"))
    if sensitive:
        rules.extend(caregiving_in_words(w) for w in caregiving)
        if school_week is not None and any(w.applies == w.Applies.SCHOOL_DAYS for w in caregiving):
            rules.extend(school_week_in_words(school_week))
        if member.health != "good":
            rules.append(_("Health: %(level)s — only duties that allow it") % {"level": member.get_health_display()})
    for absence in absences:
        when = {"when": period_words(absence.start, absence.end)}  # whole days as days: 12月7日至12月8日
        if sensitive:  # the reason (illness, hospital) is health information
            rules.append(_("Away %(when)s (%(reason)s)") % {**when, "reason": absence.get_reason_display()})
        else:
            rules.append(_("Away %(when)s") % when)
    if member.max_shifts_per_week is not None:
        rules.append(_("At most %(n)s shifts a week") % {"n": member.max_shifts_per_week})
    if member.max_minutes_per_week is not None:
        rules.append(_("At most %(h)s hours a week") % {"h": round(member.max_minutes_per_week / 60, 1)})
    if member.max_consecutive_days is not None:
        rules.append(_("At most %(n)s days in a row") % {"n": member.max_consecutive_days})
    if member.min_rest_minutes:
        rules.append(_("At least %(h)s hours of rest between shifts") % {"h": round(member.min_rest_minutes / 60, 1)})
    rules.extend(_preference_words(member.duty_preferences or {}, duty_names))
    weekday_names = {code: str(WEEKDAY_LABELS[code]) for code in WEEKDAY_CODES}
    rules.extend(_preference_words(member.weekday_preferences or {}, weekday_names))
    return rules

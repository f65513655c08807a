"""What a solution says, per community of the problem: its pairs, and its unfilled shifts explained in words."""

import datetime as dt
from collections import defaultdict

from django.utils import translation

from shifts.rostering.problem_docs import pk_of
from shifts.rostering.reasons import unfilled_in_words
from volunteers.calendars import school_week
from volunteers.models import Community
from volunteers.rule_text import school_week_in_words
from volunteers.validators import WEEKDAY_CODES


def solution_split(bundle, problem, solution):
    """Assignments and unfilled entries (each explained in both languages) per community pk."""
    pairs = defaultdict(set)
    for shift_id, member_id in solution.assignments:
        shift_pk = pk_of(shift_id)
        pairs[bundle.shift_community[shift_pk]].add((shift_pk, pk_of(member_id)))
    unfilled = defaultdict(list)
    school_note = school_notes(bundle)
    for entry in solution.unfilled:
        shift_pk = pk_of(entry.shift)
        item = entry.to_dict()
        item["shift_id"] = shift_pk
        item["explanation"] = {language: _unfilled_words(entry, language) for language in ("zh-hans", "en")}
        note = school_note(bundle.shift_community[shift_pk], problem.shift(entry.shift).start_date)
        if note:
            item["explanation"] = {language: _with_note(text, note[language], language)
                                   for language, text in item["explanation"].items()}
        unfilled[bundle.shift_community[shift_pk]].append(item)
    return pairs, unfilled


def school_notes(bundle):
    """note(community pk, shift date) -> {language: text} or None: why school runs do not hold that day."""
    districts = dict(Community.objects.filter(pk__in=set(bundle.shift_community.values()))
                     .values_list("pk", "district"))
    weeks = {district: school_week(district, bundle.week_start) for district in set(districts.values())}

    def note(community_pk: int, day: dt.date):
        week = weeks.get(districts.get(community_pk))
        if week is None or not (week.holidays or WEEKDAY_CODES[day.weekday()] in week.days_off):
            return None
        text = {}
        for language in ("zh-hans", "en"):
            with translation.override(language):
                text[language] = school_week_in_words(week)[0]
        return text

    return note


def _with_note(text: str, note: str, language: str) -> str:
    return f"{text}; {note}" if language == "en" else f"{text}；{note}"


def _unfilled_words(entry, language: str) -> str:
    with translation.override(language):
        return unfilled_in_words(missing=entry.missing, eligible=entry.eligible, excluded=dict(entry.excluded))

import datetime as dt

import pytest

from shifts.weeks import parse_week, week_start_of, weeks_overlapping


@pytest.mark.parametrize("text", ["2026-W48", "2026W48", "2026-w48", "2026-11-23", "2026-11-25", "2026-11-29"])
def test_parse_week_reads_iso_weeks_and_any_date_in_the_week(text):
    assert parse_week(text) == dt.date(2026, 11, 23)


@pytest.mark.parametrize("text, words", [("", "give a date"), ("2026-W54", "not a week of 2026"),
                                         ("2026-02-30", "not a real date"), ("next week", "cannot read")])
def test_parse_week_names_the_problem(text, words):
    with pytest.raises(ValueError, match=words):
        parse_week(text)


def test_week_start_of_is_monday():
    assert week_start_of(dt.date(2026, 11, 29)) == dt.date(2026, 11, 23)
    assert week_start_of(dt.date(2026, 11, 30)) == dt.date(2026, 11, 30)


def test_weeks_overlapping_excludes_the_end_instant():
    tz = dt.timezone(dt.timedelta(hours=8))
    start = dt.datetime(2026, 11, 27, 12, tzinfo=tz)
    assert weeks_overlapping(start, dt.datetime(2026, 11, 30, 0, tzinfo=tz)) == [dt.date(2026, 11, 23)]
    assert weeks_overlapping(start, dt.datetime(2026, 11, 30, 1, tzinfo=tz)) == [dt.date(2026, 11, 23),
                                                                               dt.date(2026, 11, 30)]

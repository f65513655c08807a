"""A solved roster's short shift is explained from the one table of reasons (shifts.rostering.reasons.REASONS), in
the reader's language, as generic as any colleague may read: family care and absences are both "not free"."""

from django.utils import translation

from shifts.rostering.reasons import unfilled_in_words
from solver import solve
from tests.solver.factory import at, duty, member, problem, shift


def _night_patrol_nobody_can_take():
    school = [{"days": ["mon"], "start": "19:00", "end": "20:00"}]
    people = [member(f"s{i}", caregiving=school) for i in range(5)]
    people += [member(f"o{i}", birth="1945-01-01") for i in range(3)]
    people += [member("far", communities=["c2"])]
    p = problem(duties=[duty("patrol", name="巡逻", night_max_age=75)], members=people,
                shifts=[shift("night", at(0, "19:00"), at(0, "21:00"))])
    entry = solve(p, time_limit=2).unfilled[0]
    return dict(missing=entry.missing, eligible=entry.eligible, excluded=dict(entry.excluded))


def test_a_short_shift_is_explained_from_the_one_reasons_table():
    facts = _night_patrol_nobody_can_take()
    with translation.override("zh-hans"):
        assert unfilled_in_words(**facts) == "缺 1 人：5 人那时没空；3 人超过夜班年龄上限"
    with translation.override("en"):
        assert unfilled_in_words(**facts) == "1 place unfilled: 5 are not available then; 3 are over the age limit " \
                                             "for night shifts"


def test_colleagues_booked_elsewhere_come_first_and_other_communities_only_when_nothing_else_explains():
    with translation.override("zh-hans"):
        assert unfilled_in_words(missing=2, eligible=4, excluded={"skill": 1, "community": 9}) == (
            "缺 2 人：4 名符合条件者已有安排或已达上限；1 人缺少这个岗位需要的技能")
        assert unfilled_in_words(missing=1, eligible=0, excluded={"community": 3}).startswith("缺 1 人：3 人")
        assert unfilled_in_words(missing=1, eligible=0, excluded={}) == "缺 1 人：无人可排"

"""The one words table for reasons (shifts.rostering.reasons.REASONS): the swap form's "nobody can take it" counts
colleagues by the table's `counted` phrases, Chinese first. Sensitive reasons are counted with the generic ones
they are said like, and no code's colleagues drop out of the count (the swap form's own table used to leave out
"inactive", "pin_missing" and codes it did not know)."""

from django.utils import translation

from shifts.rostering.reasons import REASON_ORDER, REASONS, first_reason, reasons_counted


def test_counted_in_chinese_with_sensitive_reasons_folded_into_generic_ones():
    codes = ["caregiving", "unavailable", "overlap", "health", "inactive", "full", "a_code_from_a_newer_solver"]
    with translation.override("zh-hans"):
        assert reasons_counted(codes) == ("1 人那个时间有其他班次；3 人那时没空；"
                                          "1 人不符合这个岗位的年龄或健康要求；2 人因其他规则不能接")
    with translation.override("en"):
        assert reasons_counted(["pin_missing", "forbidden"]) == "2 are not available then"
        assert reasons_counted(["night_age", "health"]) == ("1 is outside this duty's age or health limits; "
                                                            "1 is over the age limit for night shifts")


def test_every_code_is_said_every_way_and_ranked():
    assert set(REASONS) == set(REASON_ORDER)
    for code, words in REASONS.items():
        assert str(words.detail) and str(words.sentence) and words.counted % {"n": 2}, code
    assert first_reason(["a_code_from_a_newer_solver", "skill", "limit"]) == "limit"
    assert first_reason([]) is None

"""Plain-language sentences for the ``unfilled`` report, for the web pages."""

from __future__ import annotations

from solver.problem import Problem

_EN = {
    "community": "{n} belong to other communities",
    "forbidden": "{n} are excluded by the secretary",
    "age": "{n} are outside the age range for {duty}",
    "night_age": "{n} are over the age limit for night {duty}",
    "health": "{n} are not fit enough for {duty}",
    "skill": "{n} lack the skills for {duty}",
    "caregiving": "{n} are caring for family (e.g. school runs)",
    "unavailable": "{n} are away or unavailable",
}
_ZH = {
    "community": "{n}人属于其他社区",
    "forbidden": "{n}人被书记排除",
    "age": "{n}人不在{duty}年龄范围内",
    "night_age": "{n}人超过夜间{duty}年龄上限",
    "health": "{n}人身体状况不适合{duty}",
    "skill": "{n}人缺少{duty}所需技能",
    "caregiving": "{n}人照看家人（如接送孙辈）",
    "unavailable": "{n}人外出或不便",
}
_ORDER = ("forbidden", "age", "night_age", "health", "skill", "caregiving", "unavailable")


def _entry_fields(entry):
    if isinstance(entry, dict):
        return entry["shift"], entry["missing"], entry["eligible"], entry.get("excluded", {})
    return entry.shift, entry.missing, entry.eligible, entry.excluded


def explain_unfilled(entry, problem: Problem, language: str = "zh-hans") -> str:
    """One sentence for one ``unfilled`` entry (dict or ``Unfilled``), in zh-hans or en."""
    shift_id, missing, eligible, excluded = _entry_fields(entry)
    duty = problem.duty_by_id[problem.shift(shift_id).duty]
    duty_name = duty.name or duty.id
    english = language.lower().startswith("en")
    phrases = _EN if english else _ZH
    reasons = [phrases[k].format(n=excluded[k], duty=duty_name) for k in _ORDER if excluded.get(k)]
    if not reasons and excluded.get("community"):
        reasons.append(phrases["community"].format(n=excluded["community"], duty=duty_name))
    if english:
        head = f"{missing} missing: "
        if eligible:
            head += f"{eligible} eligible {'is' if eligible == 1 else 'are'} already booked or at their limits"
            return head + ("; " + ", ".join(reasons) if reasons else "")
        return head + "no one free" + (": " + ", ".join(reasons) if reasons else "")
    head = f"缺{missing}人："
    if eligible:
        head += f"{eligible}名符合条件者已有安排或已达上限"
        return head + ("；" + "，".join(reasons) if reasons else "")
    return head + ("，".join(reasons) if reasons else "无人可排")

"""A secretary's week on the deployed service: generate → publish → messages, a swap, a re-plan after an absence
that finds nobody.

Every step is a queue task a real qcluster runs: the solve, the publish messages, the swap's messages, the
re-plan and the secretary's text that it found nobody. State is read back from pages, the outbox and
`manage.py roster status --json`.
"""

import datetime as dt

import pytest

from .harness import as_member, member_ids, outbox, week_rows
from .operator import nobody_may_take, secretary_phone

pytestmark = [pytest.mark.real_queue, pytest.mark.slow]

COMMUNITY = 1  # 幸福里社区, secretary1's
SOLVE_DEADLINE = 150  # seconds; a solve is limited to 6 s, the rest is the queue and a busy machine


def roster_status(deployment, week: str, community=COMMUNITY) -> dict:
    return deployment.manage_json("roster", "status", "--community", str(community), "--week", week)


def finished_run(deployment, week: str, kind: str, community=COMMUNITY):
    """The week's latest solve when it is of `kind` and finished; a failed run fails the test at once."""
    status = roster_status(deployment, week, community)
    run = status.get("run") or {}
    if run.get("kind") != kind or run.get("status") in ("queued", "running"):
        return None
    assert run["status"] == "succeeded", f"{kind} run failed: {run.get('error')}"
    return status


@pytest.fixture(scope="package")
def published(deployment, secretary, weeks):
    """The week generated on the queue and published by secretary1; returns the week (YYYY-MM-DD)."""
    week = weeks[0]
    page = secretary.get(f"/communities/{COMMUNITY}/weeks/{week}/")
    # From the community's draft moment on (Thursday 18:00 by default) the weekly job has already drafted next
    # week, and the page's button solves that draft again (kind "resolve"); before it, it generates the week.
    kind = page.form("/generate/").fields.get("kind") or "generate"
    secretary.submit(page, "/generate/")
    drafted = deployment.wait_until(lambda: finished_run(deployment, week, kind), SOLVE_DEADLINE,
                                    f"the draft of week {week} ({kind})")
    assert drafted["status"] == "draft" and drafted["roster"]["assignments"] > 0, drafted
    landed = secretary.submit(secretary.get(f"/communities/{COMMUNITY}/weeks/{week}/publish/"), "/publish/")
    assert landed.path == f"/communities/{COMMUNITY}/weeks/{week}/", landed.text[:500]
    assert roster_status(deployment, week)["status"] == "published"
    return week


def week_label(week: str) -> str:
    return dt.date.fromisoformat(week).strftime("%m-%d")


def test_publish_asks_every_member_on_the_roster_to_confirm_by_text(deployment, secretary, outbox_readers,
                                                                     published):
    on_roster = {row["Member"] for row in week_rows(secretary, COMMUNITY, published) if row["Member"]}
    assert len(on_roster) >= 5

    def asked():
        return {sms.recipient for sms in outbox(outbox_readers)
                if sms.template == "yure-confirm_request" and week_label(published) in sms.text}

    deployment.wait_until(lambda: asked() >= on_roster, 60, "a confirm-your-week text to everyone on the roster",
                          detail=lambda: f"not asked yet: {on_roster - asked()}")
    assert asked() == on_roster, f"asked though not on the roster: {asked() - on_roster}"


def _swap_form(secretary, week: str):
    """The first member on the week's roster with a shift a colleague could take under the roster rules, and
    the cover request's form for it (a shift early on Monday may have nobody free)."""
    ids = member_ids(secretary, COMMUNITY)
    names = list(dict.fromkeys(row["Member"] for row in week_rows(secretary, COMMUNITY, week) if row["Member"] in ids))
    for name in names[:8]:
        asking = as_member(secretary, ids[name])
        for link in asking.get("/swaps/").links_matching(r"^/swaps/new/\d+/$"):
            form_page = asking.get(link, kind="cover")
            colleagues = next((f.choices["invited"] for f in form_page.forms if "invited" in f.choices), None)
            if colleagues:
                return name, asking, form_page, colleagues
    pytest.fail(f"no colleague could take any shift of {names[:8]}")


def _as_member_with_own_staff(staff: list, member_id: int):
    """Logged in as the member with a code from their own community's secretary (only they may make one)."""
    for secretary in staff:
        if secretary.get(f"/accounts/members/{member_id}/login-link/", expect=(200, 404)).status == 200:
            return as_member(secretary, member_id)
    pytest.fail(f"no secretary may make a login code for member {member_id}")


def test_a_swap_done_is_told_to_the_requester_by_text(deployment, secretary, outbox_readers, published):
    requester, asking, form_page, colleagues = _swap_form(secretary, published)
    sent = asking.submit(form_page, has="invited", invited=colleagues[0], kind="cover", expires="0")
    assert sent.path == "/swaps/", sent.text[:500]

    taker = _as_member_with_own_staff(outbox_readers, int(colleagues[0]))  # a colleague may serve a neighbour
    offers = taker.get("/swaps/")
    taker.submit(offers, "/accept/")
    inbox = secretary.get("/swaps/inbox/")
    if any("/approve/" in form.action for form in inbox.forms):  # approval by the secretary (the default)
        secretary.submit(inbox, "/approve/")

    def told():
        return [sms for sms in outbox(outbox_readers)
                if sms.template == "yure-swap_outcome" and sms.recipient == requester]

    deployment.wait_until(told, 60, f"the swap outcome text to {requester}")


def _lone_shift(deployment, week: str) -> dict:
    """A shift of the week (not a home visit) with one person on it: a member of COMMUNITY (the secretary makes
    their login code) who has no other shift that week: {"shift", "member", "name", "assignment"}."""
    code = f"""
import json
from django.db.models import Count
from shifts.models import Assignment
week = Assignment.objects.filter(roster__status='published', roster__week_start='{week}')
once = list(week.values('member_id').annotate(n=Count('id')).filter(n=1).values_list('member_id', flat=True))
mine = week.filter(roster__community_id={COMMUNITY})
lone = list(mine.values('shift_id').annotate(n=Count('id')).filter(n=1).values_list('shift_id', flat=True))
a = (mine.filter(shift_id__in=lone, member_id__in=once, member__community_id={COMMUNITY},
                 shift__visit_target__isnull=True).select_related('member').order_by('shift__start').first())
print(json.dumps(a and {{"shift": a.shift_id, "member": a.member_id, "name": a.member.name, "assignment": a.pk}}))
"""
    found = deployment.shell_json(code)
    assert found, f"no shift of week {week} with one member of community {COMMUNITY} who has no other shift on it"
    return found


# What the secretary's text says (shifts/mail/cover_replan_short.txt), in Chinese or English.
FOUND_NOBODY = ("重新安排没有找到人接这些班次", "The re-plan found nobody to take these shifts")


def test_an_absence_the_re_plan_cannot_cover_is_told_to_the_secretary(deployment, secretary, admin, published):
    """A member cannot come to the only shift they have, which nobody else may take; the re-plan on the
    queue finds nobody (shifts.roster.replan_unchanged) and gives the member no other shift instead, and the
    secretary is texted at once that a shift is short (cover_replan_short_send on the queue)."""
    before = roster_status(deployment, published)
    lone = _lone_shift(deployment, published)
    nobody_may_take(deployment, admin, lone["shift"])
    secretary_phone(deployment, admin, "secretary1", "+8613700000001")
    told_before = {sms.text for sms in outbox([secretary]) if any(words in sms.text for words in FOUND_NOBODY)}

    # The member says 我来不了 for that one shift, from My shifts. The re-plan gives them no other shift of the week
    # in its place (shifts.rostering.problem: a member who cannot come gets no new shift that week), so it finds
    # nobody rather than moving them.
    member = as_member(secretary, lone["member"])
    page = member.get(f"/me/shifts/{lone['assignment']}/cant-come/")
    done = member.submit(page, has="reason", reason="family")
    assert done.path.startswith("/me/"), done.text[:800]

    replanned = deployment.wait_until(lambda: finished_run(deployment, published, "repair"), SOLVE_DEADLINE,
                                      f"the re-plan of week {published} after {lone['name']}'s absence")
    assert replanned["run"]["id"] != (before.get("run") or {}).get("id")

    def told():
        return [sms for sms in outbox([secretary]) if sms.template == "yure-replan"
                and any(words in sms.text for words in FOUND_NOBODY) and sms.text not in told_before]

    deployment.wait_until(told, 60, "the text to secretary1 that the re-plan found nobody",
                          detail=lambda: f"secretary1's texts: {[s.text for s in outbox([secretary])][:4]}")
    week = secretary.get(f"/communities/{COMMUNITY}/weeks/{published}/")
    assert f'class="slot is-short" id="shift-{lone["shift"]}"' in week.html  # still short: nobody may take it
    booked = deployment.shell_json(
        "import json; from shifts.models import Assignment; print(json.dumps(list(Assignment.objects.filter("
        f"member_id={lone['member']}, roster__week_start='{published}', roster__status__in=['published', "
        "'proposal']).values_list('shift_id', flat=True))))")
    assert booked == [], f"{lone['name']} said they cannot come and was given {booked} instead"

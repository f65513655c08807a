"""A secretary's week on the deployed service: generate → publish → messages, a swap, a re-plan after an absence.

Every step is a queue task a real qcluster runs: the solve, the publish messages, the swap's messages, the
re-plan. State is read back from pages, the outbox and `manage.py roster status --json`.
"""

import datetime as dt

import pytest

from .harness import as_member, member_ids, outbox, week_rows

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
    secretary.submit(page, "/generate/")
    drafted = deployment.wait_until(lambda: finished_run(deployment, week, "generate"), SOLVE_DEADLINE,
                                    f"the draft of week {week}")
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


def _member_with_shift(secretary, week: str) -> tuple[int, str]:
    """The last member listed on the week's roster (the swap test takes the first ones)."""
    ids = member_ids(secretary, COMMUNITY)
    name = [row["Member"] for row in week_rows(secretary, COMMUNITY, week) if row["Member"] in ids][-1]
    return ids[name], name


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


def test_a_swap_done_is_told_to_the_requester_by_text(deployment, secretary, outbox_readers, published):
    requester, asking, form_page, colleagues = _swap_form(secretary, published)
    sent = asking.submit(form_page, has="invited", invited=colleagues[0], kind="cover", expires="0")
    assert sent.path == "/swaps/", sent.text[:500]

    taker = as_member(secretary, int(colleagues[0]))
    offers = taker.get("/swaps/")
    taker.submit(offers, "/accept/")
    inbox = secretary.get("/swaps/inbox/")
    if any("/approve/" in form.action for form in inbox.forms):  # approval by the secretary (the default)
        secretary.submit(inbox, "/approve/")

    def told():
        return [sms for sms in outbox(outbox_readers)
                if sms.template == "yure-swap_outcome" and sms.recipient == requester]

    deployment.wait_until(told, 60, f"the swap outcome text to {requester}")


def _days(week: str) -> list[str]:
    start = dt.date.fromisoformat(week)
    days = [start + dt.timedelta(days=n) for n in range(7)]
    return [f"{d:%B} {d.day}" for d in days] + [f"{d.month}月{d.day}日" for d in days]


def test_an_absence_is_replanned_on_the_queue(deployment, secretary, published):
    before = roster_status(deployment, published)
    member_id, name = _member_with_shift(secretary, published)
    member = as_member(secretary, member_id)
    for link in member.get("/me/").links_matching(r"^/me/shifts/\d+/cant-come/$"):
        page = member.get(link)
        if any(day in page.text for day in _days(published)):
            break
    else:
        pytest.fail(f"{name} has no shift of week {published} to say they cannot come to")
    reason = page.form(has="reason").choices["reason"][0]
    done = member.submit(page, has="reason", reason=reason)
    assert done.path == "/me/", done.text[:500]

    replanned = deployment.wait_until(lambda: finished_run(deployment, published, "repair"), SOLVE_DEADLINE,
                                      f"the re-plan of week {published} after {name}'s absence")
    assert replanned["run"]["id"] != (before.get("run") or {}).get("id")

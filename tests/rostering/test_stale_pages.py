"""A page made from a version of the week that was solved again (or published) since it was opened says so in
words, with the way back; never a raw 404 nor an internal state name."""

from django.urls import reverse

from shifts.models import Assignment, Roster

STALE = "这个排班已经重新计算过，请回到本周排班再看一次。"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _re_solved(site, old: Roster) -> Roster:
    """What a re-solve does to the draft: the old one is discarded, a new one takes its place."""
    old.status = Roster.Status.DISCARDED
    old.save(update_fields=["status"])
    return site.roster(pairs=[(site.shifts[0], site.members[1])])


def test_who_could_take_this_on_a_re_solved_draft_says_so_and_links_to_the_current_one(staff, site):
    old = site.roster(pairs=[(site.shifts[0], site.members[0])])
    url = reverse("shift_candidates", args=[old.pk, site.shifts[0].pk])
    assert staff.get(url, **ZH).status_code == 200
    new = _re_solved(site, old)
    page = staff.get(url, **ZH)
    assert page.status_code == 409
    text = page.content.decode()
    assert STALE in text and "discarded" not in text and "已作废" not in text
    assert reverse("roster_week", args=[site.community.pk, site.week]) in text
    assert reverse("shift_candidates", args=[new.pk, site.shifts[0].pk]) in text
    added = staff.post(reverse("shift_add_member", args=[old.pk, site.shifts[0].pk]),
                       {"member": site.members[2].pk}, **ZH)
    assert added.status_code == 409 and STALE in added.content.decode()
    assert not Assignment.objects.filter(member=site.members[2]).exists()


def test_pin_and_remove_on_a_stale_grid_go_back_to_the_week_with_words(staff, site):
    old = site.roster(pairs=[(site.shifts[0], site.members[0])])
    assignment = Assignment.objects.get(roster=old)
    _re_solved(site, old)
    for name, data in (("assignment_pin", {"pinned": "1"}), ("assignment_remove", {"reason": ""})):
        response = staff.post(reverse(name, args=[assignment.pk]), data, **ZH)
        assert response.status_code == 302
        assert "show=discarded" not in response["Location"]
        page = staff.get(response["Location"], **ZH).content.decode()
        assert STALE in page and "已作废" not in page
    assignment.refresh_from_db()
    assert not assignment.pinned


def test_a_published_roster_is_refused_in_words(staff, site):
    roster = site.roster(status=Roster.Status.PUBLISHED, pairs=[(site.shifts[0], site.members[0])])
    page = staff.get(reverse("shift_candidates", args=[roster.pk, site.shifts[0].pk]), **ZH)
    assert page.status_code == 409
    assert "这个排班已经发布" in page.content.decode()


def test_deciding_on_a_proposal_already_decided_is_refused_in_words(staff, site):
    proposal = site.roster(status=Roster.Status.DISCARDED, pairs=[(site.shifts[0], site.members[0])])
    response = staff.post(reverse("proposal_decide", args=[proposal.pk]), {"decision": "apply"}, **ZH)
    assert response.status_code == 302
    assert "这不是待处理的重排方案" in staff.get(response["Location"], **ZH).content.decode()

"""Issue #25: a swap's messages address each reader as themselves, not by their own name."""

from shifts.models import Notification, SwapRequest
from shifts.swaps.requests import swap_request_accept, swap_request_approve, swap_request_create


def test_the_taker_is_told_you_agreed_the_giver_who_agreed_and_the_secretary_both_names(
        world, django_capture_on_commit_callbacks):
    giver, taker = world.members["王秀英"], world.members["张桂兰"]
    for member in (giver, taker):
        member.language = "zh-hans"
        member.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        swap = swap_request_create(requester=giver, kind=SwapRequest.Kind.GIVE_AWAY,
                                   assignment=world.holder("tue", "王秀英"))
    with django_capture_on_commit_callbacks(execute=True):
        swap = swap_request_accept(swap=swap, member=taker)
    waiting = {n.member_id or "staff": n.body for n in Notification.objects.filter(kind="swaps/awaiting_approval")}
    assert "您已同意接替 王秀英 的" in waiting[taker.pk] and "张桂兰 同意" not in waiting[taker.pk]
    assert "张桂兰 同意接替您的" in waiting[giver.pk]
    assert "张桂兰 同意接替 王秀英 的" in waiting["staff"]
    with django_capture_on_commit_callbacks(execute=True):
        swap_request_approve(swap=swap, by=world.secretary)
    done = {n.member_id or "staff": n.body for n in Notification.objects.filter(kind="swaps/applied")}
    assert "已完成：您代替 王秀英 值" in done[taker.pk]
    assert "已完成：张桂兰 代替您值" in done[giver.pk]
    assert "张桂兰 代替 王秀英 值" in done["staff"]


def test_a_notice_is_worded_in_the_language_the_member_reads_in_now(
        client, world, django_capture_on_commit_callbacks):
    from django.urls import reverse

    from shifts.models import MemberNotice
    from tests import factories

    giver, colleague = world.members["王秀英"], world.members["张桂兰"]
    colleague.language = "zh-hans"
    colleague.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        swap = swap_request_create(requester=giver, kind=SwapRequest.Kind.COVER,
                                   assignment=world.holder("tue", "王秀英"), invited=[colleague])
    assert MemberNotice.objects.filter(member=colleague, read_at__isnull=True).exists()
    client.force_login(factories.member_login(colleague))
    chinese = client.get(reverse("my_shifts"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    notice = MemberNotice.objects.get(member=colleague)
    assert notice.params["swap_id"] == swap.pk and notice.url.endswith(f"#offer-{swap.pk}")
    assert "王秀英 请您代一个班" in chinese
    colleague.language = "en"
    colleague.save(update_fields=["language"])
    client.post(reverse("set_language"), {"language": "en", "next": reverse("my_shifts")})
    english = client.get(reverse("my_shifts"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "王秀英 asks you to take a shift" in english

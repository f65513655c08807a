"""The subscribe pages: a member's own, a secretary's view of a member, and the community's calendars."""

from tests import factories


def test_member_sees_webcal_button_copy_link_and_phone_steps_but_no_qr_on_their_own_screen(world, client):
    member = world.members["王秀英"]
    client.force_login(factories.member_login(member))
    page = client.get("/feeds/subscribe/")
    assert page.status_code == 200
    html = page.content.decode()
    token = world.token("王秀英")
    assert 'href="webcal://' in html and f"/feeds/{token}.ics" in html
    assert 'value="http' in html and 'data-copy-target="feed-link"' in html
    assert "<svg" not in html  # a QR code on the member's own phone cannot be scanned by that phone
    assert "日历" in html and "Google" not in html  # the phone's own calendar app, per brand
    assert "js/copy.js" in html
    assert "<script>" not in html  # CSP: script-src 'self' only


def test_member_reset_kills_the_old_link(world, client):
    member = world.members["王秀英"]
    client.force_login(factories.member_login(member))
    old = world.token("王秀英")
    assert client.post("/feeds/subscribe/").status_code == 302
    assert client.get(f"/feeds/{old}.ics").status_code == 404
    assert client.get(f"/feeds/{world.token('王秀英')}.ics").status_code == 200


def test_secretary_shows_own_members_link_but_not_another_communitys(world, client):
    client.force_login(world.secretary)
    member = world.members["李建国"]
    page = client.get(f"/feeds/member/{member.pk}/")
    assert page.status_code == 200
    assert world.token("李建国") in page.content.decode()
    assert "<svg" in page.content.decode() and "<path" in page.content.decode()  # the QR code, for the member to scan
    stranger = factories.member(factories.community(name="别的社区"), name="外人")
    assert client.get(f"/feeds/member/{stranger.pk}/").status_code == 404


def test_secretary_community_calendars_and_reset(world, client):
    client.force_login(world.secretary)
    url = f"/feeds/community/{world.community.pk}/"
    html = client.get(url).content.decode()
    old_community, old_duty = world.community_token(), world.duty_token("patrol")
    assert old_community in html and old_duty in html
    assert client.post(url).status_code == 302
    assert client.get(f"/feeds/{old_community}.ics").status_code == 404
    assert client.get(f"/feeds/{old_duty}.ics").status_code == 404
    assert client.get(f"/feeds/{world.duty_token('patrol')}.ics").status_code == 200
    other = factories.community(name="别的社区")
    assert client.get(f"/feeds/community/{other.pk}/").status_code == 404


def test_a_member_cannot_open_staff_pages(world, client):
    client.force_login(factories.member_login(world.members["王秀英"]))
    assert client.get(f"/feeds/member/{world.members['李建国'].pk}/").status_code == 404
    assert client.get(f"/feeds/community/{world.community.pk}/").status_code == 404

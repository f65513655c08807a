"""HTTP behaviour of /feeds/<token>.ics: checks 1, 12, 13, 20, 22 and 24 of the feed spec."""

import base64
import datetime as dt

from django.utils.http import http_date

from shifts.feeds.services import feed_link_reset_member
from tests import factories
from tests.feeds.conftest import events, fetch


def test_get_and_head_are_200_text_calendar_without_attachment(world, client):  # check 1
    token = world.token("王秀英")
    got = fetch(client, token)
    head = fetch(client, token, "head")
    for response in (got, head):
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert "attachment" not in response.get("Content-Disposition", "")
    assert head.content == b""
    assert head["Content-Length"] == str(len(got.content))
    assert head["ETag"] == got["ETag"]


def test_post_is_refused(world, client):
    assert client.post(f"/feeds/{world.token('王秀英')}.ics").status_code == 405


def test_if_none_match_current_is_304_and_stale_is_200(world, client):  # check 12
    token = world.token("王秀英")
    first = fetch(client, token)
    again = fetch(client, token, If_None_Match=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"].startswith("private")
    stale = fetch(client, token, If_None_Match='"0123456789abcdef"')
    assert stale.status_code == 200
    assert stale.content == first.content


def test_if_modified_since_only_when_fresh(world, client):  # check 13
    token = world.token("王秀英")
    first = fetch(client, token)
    assert fetch(client, token, If_Modified_Since=first["Last-Modified"]).status_code == 304
    modified = dt.datetime.strptime(first["Last-Modified"], "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=dt.UTC)
    older = http_date((modified - dt.timedelta(seconds=1)).timestamp())
    assert fetch(client, token, If_Modified_Since=older).status_code == 200
    assert fetch(client, token, If_Modified_Since="yesterday, after lunch").status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110): a stale ETag is 200 whatever the date says.
    assert fetch(client, token, If_None_Match='"stale"', If_Modified_Since=first["Last-Modified"]).status_code == 200


def test_member_without_shifts_gets_a_valid_empty_calendar(world, client):  # check 20
    response = fetch(client, world.token("刘德明"))
    assert response.status_code == 200
    assert events(response.content) == {}
    assert b"BEGIN:VCALENDAR" in response.content and b"VERSION:2.0" in response.content
    assert response["Last-Modified"]


def test_bad_tokens_get_a_bare_404_and_a_reset_kills_the_old_link(world, client):  # check 22
    member = world.members["王秀英"]
    old = world.token("王秀英")
    other = factories.member(world.community, name="外人")
    flipped = old[:-2] + ("AA" if old[-2:] != "AA" else "BB")
    bodies = set()
    for token in (flipped, "A" * 32, "not-a-token-at-all", old[:-4], old.replace(old[1:8], "zzzzzzz")):
        response = fetch(client, token)
        assert response.status_code == 404
        assert response["Cache-Control"].startswith("private")
        assert token.encode() not in response.content
        bodies.add(response.content)
    assert len(bodies) == 1, "every failure looks the same"
    assert fetch(client, old).status_code == 200
    new = feed_link_reset_member(member=member)
    assert new != old
    assert fetch(client, old).status_code == 404
    assert fetch(client, new).status_code == 200
    # This member's MAC under someone else's id unlocks nothing.
    raw = base64.urlsafe_b64decode(new + "=" * (-len(new) % 4))
    forged = raw[:1] + other.pk.to_bytes(5, "big") + raw[6:]
    assert fetch(client, base64.urlsafe_b64encode(forged).decode().rstrip("=")).status_code == 404


def test_privacy_and_cache_headers(world, client):  # check 24
    for token in (world.token("王秀英"), world.community_token(), world.duty_token("patrol")):
        response = fetch(client, token)
        assert response.status_code == 200
        assert "private" in [d.strip() for d in response["Cache-Control"].split(",")]
        assert response["Referrer-Policy"] == "no-referrer"
        assert "noindex" in response["X-Robots-Tag"]

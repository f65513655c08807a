"""Feed links: checks 22, 23 and 25 of the feed spec, and the feed_link command."""

import base64
import io
import logging

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from shifts.feeds.tokens import MAC_BYTES, community_token, member_token, resolve_token
from tests.feeds.conftest import fetch


def test_tokens_carry_at_least_128_secret_bits_and_differ_per_member(world):  # check 25
    tokens = {member_token(m) for m in world.members.values()}
    assert len(tokens) == len(world.members)
    assert MAC_BYTES * 8 >= 128
    for token in tokens:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) - 6 == MAC_BYTES
        assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_database_never_holds_a_token(world, client):  # check 25
    tokens = [world.token(name) for name in world.members] + [world.community_token(), world.duty_token("patrol")]
    for token in tokens:
        assert fetch(client, token).status_code == 200
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names come from introspection
            dump = repr(cursor.fetchall())
            for token in tokens:
                assert token not in dump, table


def test_token_changes_with_secret_key_and_old_key_works_as_fallback(world, settings):
    member = world.members["王秀英"]
    old = member_token(member)
    settings.SECRET_KEY = "another-key-" + "x" * 50
    assert member_token(member) != old
    assert resolve_token(old) is None
    settings.SECRET_KEY_FALLBACKS = ["dev-only-insecure-key-never-use-in-production-0123456789abcdef"]
    if resolve_token(old) is None:  # the suite ran with a SECRET_KEY from the environment
        pytest.skip("SECRET_KEY set by the environment")
    assert resolve_token(old).member == member


def test_a_token_unlocks_only_its_own_feed(world):
    member_scope = resolve_token(member_token(world.members["王秀英"]))
    assert member_scope.kind == "member" and member_scope.member == world.members["王秀英"]
    community_scope = resolve_token(community_token(world.community))
    assert community_scope.kind == "community" and community_scope.member is None


def test_token_never_in_logs_or_body(world, client, settings):  # check 23
    token = world.token("王秀英")
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console"
                   or any(type(f).__name__ == "RedactFeedTokens" for f in h.filters))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        body = fetch(client, token).content
        fetch(client, token + "x")  # a 404: django.request logs "Not Found: <path>"
        fetch(client, token[:-3] + "abc")
        # The development server's access line, in the shape runserver logs it.
        logging.getLogger("django.server").info('"%s" %s %s', f"GET /feeds/{token}.ics HTTP/1.1", "200",
                                                len(body))
        logging.getLogger("django.server").info(f'"GET /feeds/{token}.ics?x=1 HTTP/1.1" 304 0')
    finally:
        handler.setStream(previous)
    logged = stream.getvalue()
    assert "Not Found" in logged and "/feeds/[redacted]" in logged
    assert token not in logged
    assert token[:-3] not in logged
    assert token.encode() not in body


def test_feed_link_prints_the_same_link_again_and_reset_revokes_it(world, client):
    member = world.members["王秀英"]
    out = io.StringIO()
    call_command("feed_link", "--member", str(member.pk), stdout=out, stderr=io.StringIO())
    first = out.getvalue().strip()
    out = io.StringIO()
    call_command("feed_link", "--member", str(member.pk), stdout=out, stderr=io.StringIO())
    assert out.getvalue().strip() == first
    path = first.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200
    out = io.StringIO()
    call_command("feed_link", "--member", str(member.pk), "--reset", stdout=out, stderr=io.StringIO())
    second = out.getvalue().strip()
    assert second != first
    assert client.get("/" + path).status_code == 404
    assert client.get("/" + second.split("://", 1)[1].split("/", 1)[1]).status_code == 200


@pytest.mark.parametrize("value, message", [("abc", "--member: expected a member id"), ("999999", "no member")])
def test_feed_link_names_the_bad_argument(db, value, message):
    with pytest.raises(CommandError, match=message):
        call_command("feed_link", "--member", value, stdout=io.StringIO(), stderr=io.StringIO())

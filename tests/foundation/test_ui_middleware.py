"""The member's stored language and the remembered text size (scheduler_site.middleware)."""

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_client():
    community = factories.community(name="幸福里社区")
    member = factories.member(community, name="王芳")
    factories.member_login(member)
    client = Client()
    client.force_login(member.user)
    return member, client


def test_the_language_stored_in_my_details_sets_the_interface(member_client):
    member, client = member_client
    assert '<html lang="zh-hans"' in client.get("/accounts/me/").content.decode()
    member.language = "en"
    member.save(update_fields=["language"])
    page = client.get("/accounts/me/").content.decode()
    assert '<html lang="en"' in page and "My details" in page


def test_the_header_language_button_also_stores_the_members_choice(member_client):
    member, client = member_client
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/me/"})
    member.refresh_from_db()
    assert member.language == "en"
    assert '<html lang="en"' in client.get("/accounts/me/").content.decode()


def test_staff_keep_the_browser_language():
    community = factories.community(name="幸福里社区")
    client = Client()
    client.force_login(factories.secretary(community))
    client.cookies["django_language"] = "en"
    assert '<html lang="en"' in client.get("/members/").content.decode()


def test_the_text_size_is_remembered_and_rendered_by_the_server(member_client):
    _member, client = member_client
    response = client.get("/accounts/me/", {"text_size": "xlarge", "next": "/accounts/me/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/me/"
    page = client.get("/accounts/me/").content.decode()
    assert 'class="text-xlarge elder"' in page  # a member page: the largest size is 长辈模式
    assert 'value="xlarge" aria-pressed="true"' in page


def test_the_text_size_switch_never_redirects_off_site(member_client):
    _member, client = member_client
    response = client.get("/accounts/me/", {"text_size": "large", "next": "https://evil.example/"})
    assert response["Location"] == "/accounts/me/"
    assert client.get("/accounts/me/", {"text_size": "huge"}).status_code == 200


def test_choosing_chinese_again_in_my_details_beats_a_stale_english_cookie(member_client):
    member, client = member_client
    client.cookies["django_language"] = "en"  # left from before, e.g. the header button
    member.language = "zh-hans"
    member.save(update_fields=["language"])
    assert '<html lang="zh-hans"' in client.get("/accounts/me/").content.decode()

"""A member's stored language changes only by a POST that passed the CSRF check: a forged cross-site form
(no token, or a wrong one) is refused with 403 and leaves the stored language as it was."""

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_and_client():
    member = factories.member(factories.community(name="幸福里社区"), name="王芳")
    factories.member_login(member)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    return member, client


@pytest.mark.parametrize("token", [None, "forged-token-forged-token-forged-token-forged-token-1234"])
def test_language_is_not_stored_when_the_csrf_check_refuses_the_post(member_and_client, token):
    member, client = member_and_client
    data = {"language": "en", "next": "/accounts/me/"}
    if token is not None:
        data["csrfmiddlewaretoken"] = token
    response = client.post("/i18n/setlang/", data, HTTP_REFERER="https://evil.example/")
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.language == "zh-hans"


def test_language_is_stored_when_the_csrf_check_passes(member_and_client):
    member, client = member_and_client
    client.get("/accounts/me/")  # the page sets the CSRF cookie, as a browser's would
    token = client.cookies["csrftoken"].value
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/me/",
                                              "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.language == "en"

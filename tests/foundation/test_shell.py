"""The shell's page guards know no app: volunteers hands them who is staff and which member a login is at start-up
(scheduler_site.access.use_people in volunteers.apps), and without that the guards refuse to guess."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from scheduler_site import access
from volunteers.access import PEOPLE


@pytest.fixture
def no_people():
    access.use_people(None)
    yield
    access.use_people(PEOPLE)


def test_volunteers_tells_the_shell_at_start_up():
    assert access.people() is PEOPLE


def test_without_volunteers_the_guards_refuse_to_guess(no_people):
    with pytest.raises(ImproperlyConfigured):
        access.people()


def test_the_guards_ask_whoever_was_handed_over(no_people):
    request = RequestFactory().get("/")
    request.user = type("Login", (), {"is_authenticated": True})()
    access.use_people(access.People(is_staff_member=lambda user: user is request.user,
                                    is_district_admin=lambda user: False, member_of=lambda user: None,
                                    acting_for=lambda user: (None, None), proxy_acted=lambda *args, **kwargs: None))
    assert access.staff_required(lambda request: HttpResponse("ok"))(request).content == b"ok"
    with pytest.raises(Http404):
        access.member_required(lambda request, member: HttpResponse("ok"))(request)
    request.user = AnonymousUser()
    assert access.staff_required(lambda request: HttpResponse("ok"))(request).status_code == 302  # to the login

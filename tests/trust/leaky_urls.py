"""A URL configuration with deliberate mistakes, to prove the permission matrix catches them."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from volunteers.models import Member
from volunteers.selectors import member_for


@login_required
def leaky_member(request, member_id):
    return HttpResponse(Member.objects.get(pk=member_id).name)  # forgot the selector


@login_required
def scoped_member(request, member_id):
    return HttpResponse(member_for(request.user, member_id).name)


def mystery(request, mystery_id):
    return HttpResponse("?")


@login_required
def leaky_list(request):
    return HttpResponse(", ".join(Member.objects.values_list("name", flat=True)))


urlpatterns = [
    path("accounts/login/", lambda request: HttpResponse("login"), name="login"),
    path("leaky/<int:member_id>/", leaky_member, name="leaky_member"),
    path("scoped/<int:member_id>/", scoped_member, name="scoped_member"),
    path("mystery/<int:mystery_id>/", mystery, name="mystery"),
    path("everyone/", leaky_list, name="leaky_list"),
]

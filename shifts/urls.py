"""Secretary and member pages for rosters and shifts."""

from django.urls import include, path

from .views import dashboard, member

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("me/", member.my_shifts, name="my_shifts"),
    path("swaps/", include("shifts.urls_swaps")),
    path("", include("shifts.urls_web")),
]

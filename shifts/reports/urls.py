"""Report URLs: /reports/ picks the reader's report; a month is written 2026-11."""

from django.urls import path

from shifts.reports import views

app_name = "reports"

COMMUNITY = "communities/<int:community_id>/<str:month>"
DISTRICT = "districts/<str:district>/<str:month>"

urlpatterns = [
    path("", views.report_home, name="home"),
    path(COMMUNITY + "/", views.community_view, name="community"),
    path(COMMUNITY + ".<str:fmt>", views.community_view, name="community_export"),
    path(DISTRICT + "/", views.district_view, name="district"),
    path(DISTRICT + ".<str:fmt>", views.district_view, name="district_export"),
]

"""URL map. Each app owns its own URL module; this file only mounts them."""

from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("volunteers.urls")),
    path("feeds/", include("shifts.feeds.urls")),
    path("", include("shifts.urls")),
]

"""Feed URLs. The token is the first path segment after /feeds/, which the logging filter redacts."""

from django.urls import path, re_path

from shifts.feeds import views

app_name = "feeds"

urlpatterns = [
    re_path(r"^(?P<token>[A-Za-z0-9_-]{16,64})\.ics$", views.feed, name="feed"),
    path("subscribe/", views.my_subscription, name="mine"),
    path("member/<int:pk>/", views.member_link, name="member"),
    path("community/<int:pk>/", views.community_links, name="community"),
]

"""Swap pages, mounted under /swaps/ by shifts.urls."""

from django.urls import path

from .views import swaps

urlpatterns = [
    path("", swaps.swap_home, name="swap_home"),
    path("new/<int:assignment_id>/", swaps.swap_new, name="swap_new"),
    path("<int:pk>/accept/", swaps.swap_accept, name="swap_accept"),
    path("<int:pk>/decline/", swaps.swap_decline, name="swap_decline"),
    path("<int:pk>/withdraw/", swaps.swap_withdraw, name="swap_withdraw"),
    path("inbox/", swaps.swap_inbox, name="swap_inbox"),
    path("<int:pk>/approve/", swaps.swap_approve, name="swap_approve"),
    path("<int:pk>/reject/", swaps.swap_reject, name="swap_reject"),
]

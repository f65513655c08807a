"""The secretary's week pages, printouts, exports and fairness view, and the member's absence pages."""

from django.urls import path

from .views import exports, fairness, member, roster
from .views import print as printouts

WEEK = "communities/<int:community_id>/weeks/<str:week>/"

urlpatterns = [
    path(WEEK, roster.roster_week, name="roster_week"),
    path(WEEK + "generate/", roster.roster_generate, name="roster_generate"),
    path(WEEK + "publish/", roster.roster_publish, name="roster_publish"),
    path(WEEK + "print/", printouts.print_week, name="print_week"),
    path(WEEK + "export.<str:fmt>", exports.export_week, name="export_week"),
    path("communities/<int:community_id>/fairness/", fairness.fairness, name="fairness"),
    path("runs/<int:run_id>/progress/", roster.solve_progress, name="solve_progress"),
    path("assignments/<int:assignment_id>/pin/", roster.assignment_pin, name="assignment_pin"),
    path("assignments/<int:assignment_id>/remove/", roster.assignment_remove, name="assignment_remove"),
    path("rosters/<int:roster_id>/shifts/<int:shift_id>/candidates/", roster.shift_candidates,
         name="shift_candidates"),
    path("rosters/<int:roster_id>/shifts/<int:shift_id>/add/", roster.shift_add_member, name="shift_add_member"),
    path("rosters/<int:roster_id>/decide/", roster.proposal_decide, name="proposal_decide"),
    path("members/<int:member_id>/weeks/<str:week>/print/", printouts.print_member, name="print_member"),
    path("me/shifts/<int:assignment_id>/cant-come/", member.cant_come, name="cant_come"),
    path("me/away/", member.absence_period, name="absence_period"),
]

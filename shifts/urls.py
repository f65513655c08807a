"""Secretary and member pages for rosters, shifts and swaps."""

from django.urls import include, path

from shifts import dashboard, member_home
from shifts.delivered.views import attendance, certificates, fairness, hours, kiosk, patrol, sign_in, welfare
from shifts.messaging import views as outbox
from shifts.messaging import voice_callback
from shifts.rostering.views import cards, confirm, cover, district, exports, member, members, phone, roster, setup
from shifts.rostering.views import print as printouts
from shifts.swaps import views as swaps

WEEK = "communities/<int:community_id>/weeks/<str:week>/"
MEMBER = "members/<int:member_id>/"
SETUP = "communities/<int:community_id>/setup/"

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("district/next-week/", district.district_generate_next_week, name="district_generate_next_week"),
    # The monthly report of a community and of the district (shifts.reports).
    path("reports/", include("shifts.reports.urls")),
    # The secretary's week: grid, solve, publish, print, export.
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
    # Paper and phone (issue #27): the month's large-print card, and answers a secretary takes by phone.
    path("members/<int:member_id>/card/<str:month>/", cards.member_card, name="member_card"),
    path("communities/<int:community_id>/cards/<str:month>/", cards.community_cards, name="community_cards"),
    path("members/<int:member_id>/by-phone/", phone.phone_answers, name="member_phone_answers"),
    # A member's own pages, for a phone.
    path("me/", member_home.my_shifts, name="my_shifts"),
    path("me/home/", member_home.member_home, name="member_home"),
    path("me/shifts/<int:assignment_id>/cant-come/", member.cant_come, name="cant_come"),
    path("me/away/", member.absence_period, name="absence_period"),
    # Service delivered: attendance, posters, the back-fill sheet and its import.
    path("me/shifts/<int:assignment_id>/check-<str:action>/", attendance.attendance_check, name="attendance_check"),
    path("me/shifts/<int:assignment_id>/presence/<int:member_id>/", attendance.attendance_presence,
         name="attendance_presence"),
    path("me/shifts/<int:assignment_id>/team-<str:action>/", attendance.attendance_team, name="attendance_team"),
    path("me/gatherings/<int:shift_id>/check-<str:action>/", attendance.gathering_check, name="gathering_check"),
    path("here/<str:token>/", attendance.poster_scan, name="poster_scan"),
    path("communities/<int:community_id>/posters/", attendance.posters_print, name="posters_print"),
    # The kiosk at the community centre: the secretary opens it once; the tablet is never logged in.
    path("communities/<int:community_id>/kiosk/", kiosk.kiosk_setup, name="kiosk_setup"),
    path("communities/<int:community_id>/kiosk/open/", kiosk.kiosk_open, name="kiosk_open"),
    path("communities/<int:community_id>/kiosk/close/", kiosk.kiosk_close, name="kiosk_close"),
    path("kiosk/", kiosk.kiosk_home, name="kiosk_home"),
    path("kiosk/find/", kiosk.kiosk_find, name="kiosk_find"),
    path("kiosk/member/", kiosk.kiosk_member, name="kiosk_member"),
    path("kiosk/check/", kiosk.kiosk_check, name="kiosk_check"),
    path("kiosk/away/", kiosk.kiosk_away, name="kiosk_away"),
    path(WEEK + "attendance/", attendance.attendance_week, name="attendance_week"),
    path(WEEK + "sign-in-sheet/", sign_in.sign_in_sheet, name="sign_in_sheet"),
    path(WEEK + "sign-in-sheet.<str:fmt>", sign_in.sign_in_sheet_export, name="sign_in_sheet_export"),
    path("communities/<int:community_id>/attendance/import/", attendance.attendance_import_view,
         name="attendance_import"),
    path("communities/<int:community_id>/attendance/import/<int:job_id>/", attendance.attendance_import_job,
         name="attendance_import_job"),
    path("communities/<int:community_id>/attendance/import/<int:job_id>/confirm/",
         attendance.attendance_import_confirm, name="attendance_import_confirm"),
    path("communities/<int:community_id>/hours/", hours.hours_ledger, name="hours_ledger"),
    path("communities/<int:community_id>/hours/export/", hours.hours_export_view, name="hours_export"),
    path("welfare/<int:ladder_id>/answer/", welfare.welfare_record, name="welfare_answer"),
    path("communities/<int:community_id>/members/<int:member_id>/certificate/", certificates.certificate_new,
         name="certificate_new"),
    path("certificates/<int:certificate_id>/print/", certificates.certificate_print, name="certificate_print"),
    path("verify/<str:token>/", certificates.certificate_verify, name="certificate_verify"),
    path("me/patrol-log/", patrol.patrol_note_new, name="patrol_note_new"),
    path("communities/<int:community_id>/patrol-log/", patrol.patrol_log_view, name="patrol_log"),
    path("communities/<int:community_id>/patrol-log.<str:fmt>", patrol.patrol_log_export_view,
         name="patrol_log_export"),
    path("patrol-log/<int:entry_id>/handed-over/", patrol.patrol_hand_over, name="patrol_hand_over"),
    # Swaps between members, and the secretary's inbox.
    path("swaps/", swaps.swap_home, name="swap_home"),
    path("swaps/new/<int:assignment_id>/", swaps.swap_new, name="swap_new"),
    path("swaps/<int:pk>/accept/", swaps.swap_accept, name="swap_accept"),
    path("swaps/<int:pk>/decline/", swaps.swap_decline, name="swap_decline"),
    path("swaps/<int:pk>/withdraw/", swaps.swap_withdraw, name="swap_withdraw"),
    path("swaps/inbox/", swaps.swap_inbox, name="swap_inbox"),
    path("swaps/<int:pk>/approve/", swaps.swap_approve, name="swap_approve"),
    path("swaps/<int:pk>/reject/", swaps.swap_reject, name="swap_reject"),
    # Notices and confirmations; the no-login link is short because it goes in a text message.
    path("me/notices/<int:notice_id>/", confirm.notice_view, name="notice_open"),
    path("me/confirmations/<int:confirmation_id>/", confirm.confirm_week, name="confirm_week"),
    path("me/confirmations/<int:confirmation_id>/cant-come/", confirm.confirm_decline, name="confirm_decline"),
    path("me/confirmations/<int:confirmation_id>/undo/", confirm.confirm_undo, name="confirm_undo"),
    path("c/<str:token>/", confirm.confirm_link, name="confirm_link"),
    path("c/<str:token>/no/", confirm.confirm_link_decline, name="confirm_link_decline"),
    path("c/<str:token>/undo/", confirm.confirm_link_undo, name="confirm_link_undo"),
    # The cover call-down: the member's answer (a signed no-login link, short: it goes in a text message) and
    # the secretary's stop.
    path("k/<str:token>/", cover.cover_answer_page, name="cover_answer"),
    path("me/cover/<int:ask_id>/", cover.my_cover_answer, name="my_cover_answer"),
    path("cover/<int:call_id>/stop/", cover.cover_stop, name="cover_stop"),
    # PAGES: the secretary's set-up pages (duties, weekly shifts, households, one member, one published shift).
    path("setup/", setup.setup_home, name="setup_home"),
    path(SETUP, setup.setup_home, name="setup_community"),
    path(SETUP + "duties/", setup.duty_list, name="setup_duties"),
    path(SETUP + "duties/new/", setup.duty_edit, name="setup_duty_new"),
    path(SETUP + "duties/<int:duty_id>/", setup.duty_edit, name="setup_duty_edit"),
    path(SETUP + "duties/<int:duty_id>/delete/", setup.duty_delete, name="setup_duty_delete"),
    path(SETUP + "weekly/new/", setup.template_edit, name="setup_template_new"),
    path(SETUP + "weekly/<int:template_id>/", setup.template_edit, name="setup_template_edit"),
    path(SETUP + "weekly/<int:template_id>/delete/", setup.template_delete, name="setup_template_delete"),
    path(SETUP + "households/new/", setup.household_edit, name="setup_household_new"),
    path(SETUP + "households/<int:target_id>/", setup.household_edit, name="setup_household_edit"),
    path(SETUP + "households/<int:target_id>/delete/", setup.household_delete, name="setup_household_delete"),
    path(SETUP + "members/new/", setup.member_add, name="setup_member_add"),
    path(SETUP + "shifts/<int:shift_id>/", setup.shift_edit, name="setup_shift_edit"),
    # Text messages: the demo outbox and the provider's callbacks.
    path("sms/outbox/", outbox.sms_outbox, name="sms_outbox"),
    path("sms/replies/", confirm.sms_reply_webhook, name="sms_reply_webhook"),
    path("sms/status/", confirm.sms_status_webhook, name="sms_status_webhook"),
    # Voice calls: how a call ended and the key pressed, posted by the provider relay (signed, single-use).
    path("voice/callback/", voice_callback.voice_callback, name="voice_callback"),
    # The secretary's member list and profile editor (people as the rosters see them).
    path("members/", members.member_list, name="member_list"),
    path(MEMBER, members.member_edit, name="member_edit"),
    path(MEMBER + "caregiving/", members.caregiving_create, name="caregiving_create"),
    path(MEMBER + "caregiving/<int:window_id>/delete/", members.caregiving_delete, name="caregiving_delete"),
    path(MEMBER + "absences/", members.absence_create, name="member_absence_create"),
    path(MEMBER + "absences/<int:absence_id>/delete/", members.absence_delete, name="member_absence_delete"),
]

"""Logins, a member's own details and relatives, member import/export, and the calendars."""

from django.contrib.auth import views as auth_views
from django.urls import path

from .views import audit, calendars, imports, member_identity, my_caregiving, my_data, proxies
from .views import login as member_login

MEMBER = "members/<int:member_id>/"

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/logout/confirm/", member_login.logout_confirm, name="logout_confirm"),
    # One-time member logins; the /login/link/ prefix is what the log filter redacts.
    path("accounts/login/link/<str:token>/", member_login.link_login, name="member_link_login"),
    path("accounts/login/code/", member_login.code_login, name="member_code_login"),
    path("accounts/" + MEMBER + "login-link/", member_login.issue_login_link, name="member_login_link_issue"),
    # A member's own details, to see and correct.
    path("accounts/me/", my_data.my_data, name="my_data"),
    # PAGES: a member's own caregiving times, with weekday boxes and time pickers.
    path("accounts/me/family-times/", my_caregiving.my_caregiving, name="my_caregiving"),
    path("accounts/me/family-times/<int:window_id>/remove/", my_caregiving.my_caregiving_remove,
         name="my_caregiving_remove"),
    # Member import and export (名册).
    path("accounts/communities/<int:community_id>/import/", imports.import_upload, name="member_import"),
    path("accounts/communities/<int:community_id>/import/confirm/", imports.import_confirm,
         name="member_import_confirm"),
    path("accounts/communities/<int:community_id>/import/<int:job_id>/", imports.import_job,
         name="member_import_job"),
    path("accounts/communities/<int:community_id>/export.<str:fmt>", imports.member_export_view,
         name="member_export"),
    # A member's relatives (proxies); the member list and profile editor are shifts' (shifts/urls.py).
    # The secretary corrects a member's name, phone and birth date (the card on the member page).
    path(MEMBER + "identity/", member_identity.member_identity, name="member_identity"),
    # 操作记录: the audit log, for staff (their communities) and the district administrator (the district).
    path("audit/", audit.audit_page, name="audit_log"),
    path(MEMBER + "relatives/", proxies.proxies, name="member_proxies"),
    path(MEMBER + "relatives/<int:proxy_id>/login/", proxies.proxy_login, name="member_proxy_login"),
    path(MEMBER + "relatives/<int:proxy_id>/revoke/", proxies.proxy_revoke_view, name="member_proxy_revoke"),
    # Public holidays, make-up workdays and school terms (district administrator).
    path("calendar/", calendars.calendar_page, name="calendar"),
    path("calendar/<int:year>/", calendars.calendar_year_page, name="calendar_year"),
    path("calendar/<int:year>/load/", calendars.calendar_year_load, name="calendar_year_load"),
    path("calendar/<int:year>/mark/", calendars.calendar_year_mark, name="calendar_year_mark"),
    path("calendar/<int:year>/days/", calendars.calendar_day_add, name="calendar_day_add"),
    path("calendar/days/<int:day_id>/delete/", calendars.calendar_day_delete, name="calendar_day_delete"),
    path("calendar/<int:year>/terms/", calendars.school_term_add, name="school_term_add"),
    path("calendar/terms/<int:term_id>/delete/", calendars.school_term_delete, name="school_term_delete"),
]

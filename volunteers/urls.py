from django.contrib.auth import views as auth_views
from django.urls import path

from .views import imports, my_data
from .views import login as member_login

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # One-time member logins; the /login/link/ prefix is what the log filter redacts.
    path("login/link/<str:token>/", member_login.link_login, name="member_link_login"),
    path("login/code/", member_login.code_login, name="member_code_login"),
    path("members/<int:member_id>/login-link/", member_login.issue_login_link, name="member_login_link_issue"),
    # A member's own details, to see and correct.
    path("me/", my_data.my_data, name="my_data"),
    # Member import and export (名册).
    path("communities/<int:community_id>/import/", imports.import_upload, name="member_import"),
    path("communities/<int:community_id>/import/confirm/", imports.import_confirm, name="member_import_confirm"),
    path("communities/<int:community_id>/export.<str:fmt>", imports.member_export_view, name="member_export"),
]

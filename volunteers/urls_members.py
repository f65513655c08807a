"""The secretary's member pages."""

from django.urls import path

from .views import members

urlpatterns = [
    path("", members.member_list, name="member_list"),
    path("<int:member_id>/", members.member_edit, name="member_edit"),
    path("<int:member_id>/caregiving/", members.caregiving_create, name="caregiving_create"),
    path("<int:member_id>/caregiving/<int:window_id>/delete/", members.caregiving_delete, name="caregiving_delete"),
    path("<int:member_id>/absences/", members.absence_create, name="member_absence_create"),
    path("<int:member_id>/absences/<int:absence_id>/delete/", members.absence_delete, name="member_absence_delete"),
]

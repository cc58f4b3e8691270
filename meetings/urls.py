from django.urls import path

from . import views

app_name = "meetings"

M = "challenges/<int:pk>/meetings/"
ONE = f"{M}<int:meeting_id>/"

urlpatterns = [
    path(M, views.meeting_list, name="list"),
    path(ONE, views.meeting_detail, name="meeting"),
    path(f"{ONE}pick/", views.meeting_pick, name="pick"),
    path(f"{ONE}cancel/", views.meeting_cancel, name="cancel"),
    path(f"{ONE}minutes/", views.minutes_add, name="minutes"),
    path(f"{ONE}minutes/<int:minutes_id>/", views.minutes_download, name="minutes-download"),
    path(f"{ONE}invitation.ics", views.meeting_ics, name="ics"),
]

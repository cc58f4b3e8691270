from django.urls import path

from . import log_views, views
from .page_cache import cached_public_page

app_name = "challenges"

urlpatterns = [
    path("", views.home, name="home"),
    path("criteria/", views.criteria, name="criteria"),
    path("challenges/", views.challenge_list, name="list"),
    path("challenges/new/", views.challenge_start, name="start"),
    path("challenges/mine/", views.my_challenges, name="mine"),
    path("challenges/<int:pk>/", views.challenge_detail, name="detail"),
    path("challenges/<int:pk>/plan/<slug:step>/", views.challenge_step, name="step"),
    path("challenges/<int:pk>/review/", views.challenge_review, name="review"),
    path("challenges/<int:pk>/delete/", views.challenge_delete, name="delete"),
    path("challenges/<int:pk>/invite/", views.challenge_invite, name="invite"),
    path("challenges/<int:pk>/addition/", views.challenge_addition, name="addition"),
    path("challenges/<int:pk>/transition/", views.challenge_transition, name="transition"),
    path("challenges/<int:pk>/attachments/", views.challenge_attachments, name="attachments"),
    path(
        "challenges/<int:pk>/attachments/<int:attachment_id>/download/",
        views.attachment_download,
        name="attachment-download",
    ),
    path(
        "challenges/<int:pk>/attachments/<int:attachment_id>/visibility/",
        views.attachment_visibility,
        name="attachment-visibility",
    ),
    path(
        "challenges/<int:pk>/attachments/<int:attachment_id>/delete/",
        views.attachment_delete,
        name="attachment-delete",
    ),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("log/", views.public_log, name="log"),
    path("log/feed/", cached_public_page(views.LogFeed()), name="log-feed"),
    path("log/head.json", log_views.head_json, name="log-head"),
    path("log/export.json", log_views.export_json, name="log-export-json"),
    path("log/export.csv", log_views.export_csv, name="log-export-csv"),
]

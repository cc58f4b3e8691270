from django.urls import path, re_path

from . import views
from .errors import not_found

app_name = "api"

urlpatterns = [
    path("", views.docs, name="docs"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("v1/", views.ApiRootView.as_view(), name="root"),
    path("v1/challenges/", views.ChallengeListView.as_view(), name="challenge-list"),
    # str, not int: any id reaches the view and gets the API's JSON 404.
    path("v1/challenges/<str:pk>/", views.ChallengeDetailView.as_view(), name="challenge-detail"),
    path(
        "v1/challenges/<str:pk>/timeline/",
        views.ChallengeTimelineView.as_view(),
        name="challenge-timeline",
    ),
    path("v1/log/", views.LogView.as_view(), name="log"),
    path("v1/log/head/", views.LogHeadView.as_view(), name="log-head"),
    path("v1/criteria/", views.CriterionListView.as_view(), name="criterion-list"),
    path("v1/tasks/", views.TaskListView.as_view(), name="task-list"),
    path("v1/neighbourhoods/", views.NeighbourhoodListView.as_view(), name="neighbourhood-list"),
    path("v1/statistics/", views.StatisticsView.as_view(), name="statistics"),
    # Anything else under the API is a JSON 404 too, not the site's HTML page.
    re_path(r"^v1/", not_found),
]

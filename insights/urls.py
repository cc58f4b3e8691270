from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<slug:table>.csv", views.dashboard_csv, name="dashboard-csv"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/<slug:table>.csv", views.statistics_csv, name="statistics-csv"),
    path("open-data/", views.open_data, name="open-data"),
    path("open-data/challenges.csv", views.challenges_csv, name="challenges-csv"),
    path("open-data/challenges.json", views.challenges_json, name="challenges-json"),
    path("open-data/catalog.jsonld", views.catalog, name="catalog"),
]

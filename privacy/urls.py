from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.my_data, name="my-data"),
    path("download/", views.export, name="export"),
    path("delete/", views.AccountDeleteView.as_view(), name="delete"),
]

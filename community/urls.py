from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("challenges/<int:pk>/support/", views.support, name="support"),
    path("challenges/<int:pk>/support/withdraw/", views.support_withdraw, name="withdraw"),
    path("challenges/<int:pk>/supporters/", views.supporters, name="supporters"),
    path(
        "challenges/<int:pk>/supporters/<int:support>/message/",
        views.supporter_message,
        name="message",
    ),
    path("challenges/<int:pk>/questions/", views.questions, name="questions"),
    path("challenges/<int:pk>/questions/ask/", views.ask, name="ask"),
    path("challenges/<int:pk>/questions/<int:question>/answer/", views.answer, name="answer"),
    path("challenges/<int:pk>/<slug:kind>/<int:post>/report/", views.report, name="report"),
    path("challenges/<int:pk>/<slug:kind>/<int:post>/hide/", views.hide, name="hide"),
]

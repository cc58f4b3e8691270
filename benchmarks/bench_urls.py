"""The portal's URLs plus /bench/baseline/: a fixed short response from the same
server, the yardstick every page is measured against."""

from django.http import HttpResponse
from django.urls import path

from rtc_portal.urls import urlpatterns as portal


def baseline(request):
    return HttpResponse(b"ok\n", content_type="text/plain")


urlpatterns = [path("bench/baseline/", baseline), *portal]

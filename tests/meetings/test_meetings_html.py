"""The meeting pages are valid HTML (Nu Html Checker), in Dutch and in English, in
their interesting states: the list with the proposal form (and its errors), a
proposal with the pick form, a scheduled meeting with minutes, a cancelled one, and
the challenge page with the meetings box."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings import services
from tests.core.upload_samples import pdf
from tests.meetings.factories import propose

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["nl", "en"])
def test_meeting_pages_are_valid_html(client, side, vnu, tmp_path, clock, language):
    proposed = propose(side.challenge, side.challenger)
    online = propose(side.challenge, side.municipality, online_url="https://meet.example.org/a")
    held = propose(side.challenge, side.municipality)
    services.meeting_pick(meeting=held, slot_id=held.slots.first().pk, actor=side.challenger)
    cancelled = propose(side.challenge, side.challenger)
    services.meeting_cancel(meeting=cancelled, actor=side.challenger, reason="Ziek.\nSorry.")
    clock.set(held.slots.first().ends_at + timedelta(hours=1))
    services.minutes_add(
        meeting=held, actor=side.municipality, file=SimpleUploadedFile("notulen.pdf", pdf())
    )
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    listing = reverse("meetings:list", kwargs={"pk": side.challenge.pk})
    client.force_login(side.municipality)
    pages = {
        "list": client.get(listing, **headers),
        "list-errors": client.post(listing, {"slot_1_date": "2020-01-01"}, **headers),
        "proposed": client.get(proposed.get_absolute_url(), **headers),
        "online": client.get(online.get_absolute_url(), **headers),
        "held": client.get(held.get_absolute_url(), **headers),
        "cancelled": client.get(cancelled.get_absolute_url(), **headers),
        "pick-errors": client.post(
            reverse("meetings:pick", kwargs={"pk": side.challenge.pk, "meeting_id": proposed.pk}),
            {},
            **headers,
        ),
        "minutes-errors": client.post(
            reverse("meetings:minutes", kwargs={"pk": side.challenge.pk, "meeting_id": held.pk}),
            {},
            **headers,
        ),
        "challenge": client.get(side.challenge.get_absolute_url(), **headers),
    }
    files = []
    for name, response in pages.items():
        assert response.status_code in (200, 400), (name, response.status_code)
        path = tmp_path / f"{name}-{language}.html"
        path.write_bytes(response.content)
        files.append(path)
    assert vnu(files) == []

"""The download of a person's data: everything the portal holds about them, nothing
of anybody else, no secrets, streamed as an attachment."""

import json

from django.http import StreamingHttpResponse
from django.urls import reverse

from challenges.models import Invitation
from partnerships.models import Document
from tests.challenges.factories import DEFAULT_PASSWORD, UserFactory

URL = reverse("privacy:export")


def download(client, user) -> tuple[StreamingHttpResponse, str, dict]:
    client.force_login(user)
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    text = b"".join(response.streaming_content).decode("utf-8")
    return response, text, json.loads(text)


def test_the_download_is_a_streamed_json_attachment(client, world):
    response, _text, data = download(client, world.life.person)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert data["format"] == "rtc-portal-personal-data/1"


def test_the_download_holds_the_persons_data_from_every_app(client, world):
    person, life = world.life.person, world.life
    _response, _text, data = download(client, person)

    assert data["account"]["id"] == person.pk
    assert data["account"]["email"] == person.email
    assert data["account"]["display_name"] == "Anna Weergavenaam"
    assert [row["email"] for row in data["email_addresses"]] == [person.email]
    assert [row["title"] for row in data["challenges_initiated"]] == ["Buurtpark van Anna"]
    # The invitation sent to the co-initiator: the address masked.
    assert [row["email"] for row in data["invitations_sent"]] == [
        life.mate.email[0] + "…@example.org"
    ]
    assert [row["challenge_id"] for row in data["invitations_received"]] == [life.invited_to.pk]
    codes = {row["code"] for row in data["timeline_events"]}
    assert {"submitted", "addition", "message_posted", "contact_person_handed_over"} <= codes
    addition = next(row for row in data["timeline_events"] if row["code"] == "addition")
    assert addition["data"] == {"text": "Aanvulling van Anna"}
    assert all(
        row["data"] is None for row in data["timeline_events"] if row["visibility"] != "public"
    )
    assert data["notifications"], "the reviewer's note reached the person"
    assert {row["event__code"] for row in data["notifications"]} >= {"note"}
    assert data["notification_preferences"] == [{"kind": "progress", "frequency": "daily"}]
    assert [row["challenge_id"] for row in data["follows"]] == [world.other.challenge.pk]
    assert [row["organisation__name"] for row in data["organisation_memberships"]] == [
        "Stichting Anna"
    ]
    roles = data["contact_person_roles"]
    assert [(row["side"], row["ended_at"] is not None) for row in roles] == [("challenger", True)]
    assert [row["text"] for row in data["workspace_messages"]] == [life.secret]
    assert [row["original_name"] for row in data["documents_uploaded"]] == ["begroting-Anna.pdf"]
    assert [row["title"] for row in data["milestones_created"]] == ["Mijlpaal van Anna"]
    assert [row["question"] for row in data["knots"]] == ["Vraag van Anna?"]
    assert data["knots"][0]["raised_by_you"] is True
    assert [row["reason"] for row in data["reflections_opened"]] == ["Reflectie van Anna"]
    answers = data["reflection_answers"]
    assert [row["right_things_comment"] for row in answers] == ["Antwoord van Anna"]
    # As initiator and contact person the person signed the agreement.
    assert [row["side"] for row in data["agreement_signatures"]] == ["challenger"]
    assert "security log" in data["security_log"]


def test_the_download_holds_nothing_of_anybody_else(client, world):
    _response, text, _data = download(client, world.life.person)
    for someone in (world.other.person, world.other.mate, world.life.mate, world.reviewer):
        for trace in (someone.email, someone.first_name, someone.last_name):
            assert trace not in text, f"{trace!r} of someone else is in the download"
    assert "Bert" not in text.replace("Buurtpark van Bert", "")  # only the followed title
    assert world.other.secret not in text


def test_the_download_holds_no_password_hash_and_no_tokens(client, world):
    person = world.life.person
    _response, text, data = download(client, person)
    assert person.password not in text
    assert "password" not in data["account"]
    assert "md5$" not in text and "pbkdf2" not in text
    for token in Invitation.objects.values_list("token", flat=True):
        assert token not in text
    # The files themselves are not in it, nor their stored name.
    for stored in Document.objects.values_list("file", flat=True):
        assert stored not in text
    assert DEFAULT_PASSWORD not in text


def test_a_person_without_anything_gets_empty_sections(client, db):
    person = UserFactory()
    _response, _text, data = download(client, person)
    assert data["account"]["email"] == person.email
    assert data["challenges_initiated"] == [] and data["timeline_events"] == []


def test_the_download_is_audited_by_account_number_only(client, world, caplog):
    person = world.life.person
    with caplog.at_level("INFO", logger="rtc.audit"):
        download(client, person)
    lines = [r.getMessage() for r in caplog.records if r.name == "rtc.audit"]
    assert f"data export user={person.pk}" in lines
    assert not any(person.email in line or "Anna" in line for line in lines)


def test_anonymous_is_sent_to_the_login_page(client, db):
    for name in ("privacy:export", "privacy:my-data", "privacy:delete"):
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("account_login")), name


def test_the_download_answers_get_only(client, world):
    client.force_login(world.life.person)
    assert client.post(URL).status_code == 405


def test_an_unconfirmed_address_does_not_bring_in_someone_elses_invitations(client, world):
    """Adding somebody else's address to one's account (never confirming it) must not
    show their invitations in the download, nor delete them with the account."""
    from allauth.account.models import EmailAddress

    from challenges import services
    from privacy import services as privacy_services
    from tests.challenges.factories import ChallengeFactory

    person = world.life.person
    draft = ChallengeFactory(title="Geheim concept van iemand anders")
    invitation = services.invitation_create(
        challenge=draft, actor=draft.initiator, email="slachtoffer@example.org"
    )
    EmailAddress.objects.create(
        user=person, email="slachtoffer@example.org", verified=False, primary=False
    )
    _response, text, data = download(client, person)
    assert "Geheim concept" not in text
    assert invitation.pk not in [row.get("id") for row in data["invitations_received"]]

    privacy_services.account_delete(user=person, password=DEFAULT_PASSWORD)
    assert Invitation.objects.filter(pk=invitation.pk).exists()

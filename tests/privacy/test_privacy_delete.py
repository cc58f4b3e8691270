"""Deleting one's account: the password again, refusals that change nothing, and a
deletion that leaves the person's data nowhere while the log still verifies."""

import io
import re

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import models
from django.urls import reverse

from accounts.models import User
from challenges.models import Invitation, TimelineEvent
from notifications.models import Follow, Notification, Preference
from partnerships import services as partnership_services
from partnerships.constants import Side
from partnerships.models import ContactPerson, Message, OrganisationMember
from privacy.relations import user_relations
from tests.challenges.factories import DEFAULT_PASSWORD, ReviewerFactory, UserFactory
from tests.privacy.conftest import personal_traces

URL = reverse("privacy:delete")


def counts() -> dict[str, int]:
    """Rows per model of every app: a refusal must leave each the same (sessions
    aside: logging the test client in makes one)."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed and model is not Session
    }


def post_delete(client, user, password=DEFAULT_PASSWORD, language="en"):
    client.force_login(user)
    return client.post(URL, {"password": password}, HTTP_ACCEPT_LANGUAGE=language)


def text_fields(model):
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
    ]


def rows_mentioning(traces: list[str]) -> list[str]:
    """Every row of every model with one of the traces in a text or JSON column."""
    found = []
    pattern = re.compile("|".join(re.escape(trace) for trace in traces))
    for model in apps.get_models():
        fields = text_fields(model)
        if not fields:
            continue
        for row in model._default_manager.values_list("pk", *(f.name for f in fields)):
            for field, value in zip(fields, row[1:], strict=True):
                if value is not None and pattern.search(str(value)):
                    found.append(f"{model._meta.label}.{field.name} (pk {row[0]})")
    return found


def test_the_page_asks_for_the_password(client, world):
    client.force_login(world.life.person)
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="password"' in html and 'autocomplete="current-password"' in html
    assert "What stays, without your name" in html


def test_a_wrong_password_changes_nothing(client, world):
    person = world.life.person
    before = counts()
    response = post_delete(client, person, password="not-my-password")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert "The password is not correct. Nothing has been deleted." in html
    assert counts() == before
    person.refresh_from_db()
    assert person.is_active and person.check_password(DEFAULT_PASSWORD)
    assert person.email.endswith("@example.org")
    assert client.get(reverse("privacy:my-data")).status_code == 200  # still logged in


def test_an_empty_password_is_a_clear_error(client, world):
    before = counts()
    response = post_delete(client, world.life.person, password="")
    assert "Type your password to confirm." in response.content.decode()
    assert counts() == before


def test_an_active_contact_person_is_refused_and_told_whom_to_ask(client, world):
    # The co-initiator is now the challenger's active fixed contact person.
    mate = world.life.mate
    mate.set_password(DEFAULT_PASSWORD)
    mate.save()
    page = (client.force_login(mate), client.get(URL, HTTP_ACCEPT_LANGUAGE="en"))[1]
    html = page.content.decode()
    assert "fixed contact person of the challenger" in html
    assert world.life.challenge.reference in html
    assert 'type="password"' not in html  # the form is not offered

    before = counts()
    response = post_delete(client, mate)
    html = response.content.decode()
    assert response.status_code == 200
    assert "hand the role over" in html
    assert counts() == before
    mate.refresh_from_db()
    assert mate.is_active and EmailAddress.objects.filter(user=mate).exists()


def test_the_municipalitys_contact_person_and_staff_are_refused(client, world):
    reviewer = world.reviewer  # the municipality's contact person of both challenges
    before = counts()
    html = post_delete(client, reviewer).content.decode()
    assert "managed by the municipality" in html
    assert counts() == before
    assert User.objects.get(pk=reviewer.pk).is_active


def test_after_a_handover_the_former_contact_person_may_delete(client, world):
    mate = world.life.mate
    newcomer = UserFactory()
    from tests.challenges.factories import add_co_initiator

    add_co_initiator(world.life.challenge, newcomer)
    partnership_services.contact_person_hand_over(
        challenge=world.life.challenge,
        side=Side.CHALLENGER,
        user=newcomer,
        mandate="Beslist over de uitvoering.",
        reason="Wisseling.",
        actor=mate,
    )
    response = post_delete(client, mate)
    assert response.status_code == 302
    assert not User.objects.get(pk=mate.pk).is_active


def test_deletion_leaves_the_persons_data_nowhere(
    client, world, caplog, django_capture_on_commit_callbacks
):
    person, life = world.life.person, world.life
    traces = personal_traces(person)
    assert rows_mentioning(traces), "the world holds the person's data to begin with"
    other_before = {
        "emails": EmailAddress.objects.filter(user=world.other.person).count(),
        "notifications": set(
            Notification.objects.filter(recipient=world.other.person).values_list("pk", flat=True)
        ),
        "messages": Message.objects.filter(author=world.other.person).count(),
    }
    # A second session of the person, on another device.
    other_device = type(client)()
    other_device.force_login(person)

    with (
        caplog.at_level("INFO", logger="rtc.audit"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = post_delete(client, person)
    assert response.status_code == 302
    assert response.url == reverse("challenges:home")

    assert rows_mentioning(traces) == []
    person = User.objects.get(pk=person.pk)
    assert not person.is_active and not person.has_usable_password()
    assert person.email == f"deleted-{person.pk}@deleted.invalid"
    assert not EmailAddress.objects.filter(user=person).exists()
    assert not Notification.objects.filter(recipient=person).exists()
    assert not Preference.objects.filter(user=person).exists()
    assert not Follow.objects.filter(user=person).exists()
    assert not OrganisationMember.objects.filter(user=person).exists()
    assert not Invitation.objects.filter(user=person).exists()
    assert not Invitation.objects.filter(challenge=life.invited_to).exists()
    assert not ContactPerson.objects.filter(user=person).exists()
    # Every event of the person keeps its place, with its content erased.
    theirs = TimelineEvent.objects.filter(erased_at__isnull=False)
    assert theirs.exists() and not TimelineEvent.objects.filter(actor=person).exists()
    # No session of the person is left, on any device.
    for session in Session.objects.all():
        assert str(session.get_decoded().get("_auth_user_id")) != str(person.pk)
    assert other_device.get(reverse("privacy:my-data")).status_code == 302
    # The challenge stays, the public record of the municipality.
    life.challenge.refresh_from_db()
    assert life.challenge.initiator_id == person.pk and life.challenge.reference

    # Nothing of the other person was removed (they may have heard of the erasure).
    assert other_before["emails"] == EmailAddress.objects.filter(user=world.other.person).count()
    assert other_before["notifications"] <= set(
        Notification.objects.filter(recipient=world.other.person).values_list("pk", flat=True)
    )
    assert other_before["messages"] == Message.objects.filter(author=world.other.person).count()
    assert world.other.secret in Message.objects.values_list("text", flat=True)

    lines = [r.getMessage() for r in caplog.records if r.name == "rtc.audit"]
    assert f"account deleted user={person.pk}" in lines
    assert not any(trace in line for line in lines for trace in traces)


def test_the_log_still_verifies_after_a_deletion(client, world):
    post_delete(client, world.life.person)
    erased = TimelineEvent.objects.filter(erased_at__isnull=False).count()
    assert erased >= 10  # the person's steps, additions, messages, signature, ...
    out = io.StringIO()
    # A broken chain raises (CommandError); an intact one says so.
    call_command("verify_log", "--jobs", "1", stdout=out)
    assert "The log verifies" in out.getvalue()


def test_the_person_is_logged_out_and_told_on_the_home_page(client, world):
    response = post_delete(client, world.life.person)
    assert "_auth_user_id" not in client.session
    home = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en")
    assert "Your account has been deleted." in home.content.decode()
    # The old address and password no longer open the account.
    login = client.post(
        reverse("account_login"),
        {"login": world.life.person.email, "password": DEFAULT_PASSWORD},
    )
    assert "_auth_user_id" not in client.session
    assert login.status_code == 200


def test_the_timeline_shows_a_former_participant(client, world):
    person, challenge = world.life.person, world.life.challenge
    post_delete(client, person)
    client.force_login(world.reviewer)  # a party: sees who did what
    html = client.get(challenge.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "(former participant)" in html
    assert "Aanvulling van Anna" not in html
    assert "Anna Weergavenaam" not in html
    client.logout()
    public = client.get(challenge.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Anna Weergavenaam" not in public and "former participant" not in public


def test_a_deleted_account_cannot_be_deleted_twice(world):
    from privacy import services

    person = world.life.person
    services.account_delete(user=person, password=DEFAULT_PASSWORD)
    with pytest.raises(services.ServiceError):
        services.account_delete(user=User.objects.get(pk=person.pk), password=DEFAULT_PASSWORD)


def test_a_reviewer_without_any_part_is_still_staff_and_refused(db):
    from privacy import selectors

    assert "managed by the municipality" in selectors.deletion_refusal(ReviewerFactory())
    assert selectors.deletion_refusal(UserFactory()) == ""


def test_every_relation_the_walker_sees_is_real(db):
    # The coverage tests rely on this walker: it must find the relations we know of.
    found = user_relations()
    assert {
        "challenges.Challenge.initiator",
        "challenges.TimelineEvent.actor",
        "notifications.Follow.user",
        "partnerships.Document.uploaded_by",
        "account.EmailAddress.user",
    } <= found


def test_entries_others_wrote_that_name_the_person_are_erased_too(client, world):
    """The municipality's contact person hands the challenger side over: that entry,
    written by someone else, names the person who left. Deleting that person's account
    erases it too, and the chain still verifies."""
    from tests.challenges.factories import add_co_initiator

    mate, challenge = world.life.mate, world.life.challenge
    municipality = ContactPerson.objects.get(
        challenge=challenge, side=Side.MUNICIPALITY, ended_at__isnull=True
    ).user
    newcomer = UserFactory(display_name="Nieuwe Contactpersoon")
    add_co_initiator(challenge, newcomer)
    partnership_services.contact_person_hand_over(
        challenge=challenge,
        side=Side.CHALLENGER,
        user=newcomer,
        mandate="Beslist over de uitvoering.",
        reason="Wisseling.",
        actor=municipality,
    )
    names = {mate.name, mate.email}
    mentioning = [
        e
        for e in TimelineEvent.objects.filter(challenge=challenge)
        if names & set(map(str, e.data.values()))
    ]
    assert any(e.actor_id != mate.pk for e in mentioning), "an entry by someone else names them"

    assert post_delete(client, mate).status_code == 302
    for event in TimelineEvent.objects.filter(challenge=challenge):
        assert not names & set(map(str, event.data.values())), event.code
    out = io.StringIO()
    call_command("verify_log", stdout=out)
    assert "verifies" in out.getvalue()

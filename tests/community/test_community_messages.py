"""The team writes to one supporter through the portal: a parties event that names
its recipient (notifications.recipients: data["recipient_ids"]); the supporter is
told in the notification centre and by e-mail, with the reason "addressed"; nobody
outside the parties and the supporter hears of it."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from challenges.constants import Status
from community import services
from community.constants import CommunityEvent
from core.errors import ServiceError
from notifications import recipients
from notifications import services as notification_services
from notifications.constants import Reason
from notifications.models import Notification
from tests.challenges.factories import ReviewerFactory, UserFactory
from tests.community.factories import public_challenge, support

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def world(db):
    reviewer = ReviewerFactory()
    challenge = public_challenge(Status.INTAKE, reviewer=reviewer)
    supporter = UserFactory()
    other_supporter = UserFactory()
    follower = UserFactory()
    notification_services.follow_create(challenge=challenge, user=follower)
    own = support(challenge, supporter, offer="Ik kan zaterdag maaien", show_name=True)
    support(challenge, other_supporter, offer="Ik breng koffie")
    return challenge, reviewer, supporter, other_supporter, follower, own


def test_the_team_writes_to_one_supporter(world, django_capture_on_commit_callbacks):
    challenge, reviewer, supporter, other_supporter, follower, own = world
    mail.outbox.clear()
    team = Client()
    team.force_login(challenge.initiator)
    url = reverse("community:message", kwargs={"pk": challenge.pk, "support": own.pk})
    assert team.get(url, **EN).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = team.post(url, {"text": "Dank je wel! Zaterdag om tien uur?"}, **EN)
    assert response.status_code == 302
    event = challenge.events.get(code=CommunityEvent.SUPPORTER_MESSAGED)
    assert event.visibility == "parties"
    assert event.data["recipient_ids"] == [supporter.pk]
    by_id = {row[0]: row[1] for row in recipients.recipients_for(event)}
    told = set(by_id)
    assert by_id[supporter.pk] == Reason.ADDRESSED
    assert other_supporter.pk not in told and follower.pk not in told
    assert challenge.initiator.pk not in told  # the writer hears nothing
    # In the supporter's notification centre, and by e-mail to their address.
    assert Notification.objects.filter(recipient=supporter, event=event).exists()
    reader = Client()
    reader.force_login(supporter)
    assert (
        "Zaterdag om tien uur?" in reader.get(reverse("notifications:list"), **EN).content.decode()
    )
    to_supporter = [m for m in mail.outbox if m.to == [supporter.email]]
    assert to_supporter and "Zaterdag om tien uur?" in to_supporter[0].body
    assert not [m for m in mail.outbox if m.to in ([other_supporter.email], [follower.email])]
    # The public never sees it.
    public = Client().get(challenge.get_absolute_url(), **EN).content.decode()
    assert "Zaterdag om tien uur?" not in public


def test_only_the_team_writes_to_supporters(world):
    challenge, reviewer, supporter, other_supporter, follower, own = world
    url = reverse("community:message", kwargs={"pk": challenge.pk, "support": own.pk})
    for user in (other_supporter, follower, reviewer):
        client = Client()
        client.force_login(user)
        assert client.post(url, {"text": "Hallo"}).status_code == 403
        with pytest.raises(ServiceError):
            services.supporter_message(support=own, actor=user, text="Hallo")
    assert not challenge.events.filter(code=CommunityEvent.SUPPORTER_MESSAGED).exists()


def test_a_withdrawn_supporter_cannot_be_written_to(world):
    challenge, _reviewer, supporter, _o, _f, own = world
    services.support_withdraw(challenge=challenge, user=supporter)
    with pytest.raises(ServiceError):
        services.supporter_message(support=own, actor=challenge.initiator, text="Hallo")


def test_the_team_sees_every_supporter_the_public_only_offers(world):
    challenge, _reviewer, supporter, other_supporter, _f, _own = world
    support(challenge, UserFactory())  # no offer
    url = reverse("community:supporters", kwargs={"pk": challenge.pk})
    public = Client().get(url, **EN).content.decode()
    assert public.count('class="rtc-support__offer"') == 2
    assert supporter.name in public and other_supporter.name not in public
    assert "Write to this supporter" not in public
    team = Client()
    team.force_login(challenge.initiator)
    page = team.get(url, **EN).content.decode()
    assert page.count("Write to this supporter") == 3
    assert other_supporter.name not in page  # no consent: not even for the team


def test_recipient_ids_are_ignored_on_a_draft_and_when_malformed():
    from challenges.models import TimelineEvent

    event = TimelineEvent(data={"recipient_ids": ["1", -3, True, 0, 7, 7]})
    assert recipients.addressed_to(event) == [7]
    assert recipients.addressed_to(TimelineEvent(data={"recipient_ids": "12"})) == []
    assert recipients.addressed_to(TimelineEvent(data={})) == []

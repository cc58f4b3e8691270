"""Digests: the events of one period in one message per person, grouped per challenge
in time order; never empty; once per period."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from challenges import services
from challenges.constants import Status
from notifications import tasks
from notifications.constants import Channel, DeliveryStatus, Frequency
from notifications.digests import last_period
from notifications.models import Digest, Notification
from notifications.services import follow_create, preferences_update
from tests.challenges.factories import ReviewerFactory, UserFactory, challenge_in

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=AMS)


@pytest.fixture
def world(clock):
    clock.set(_at(2026, 3, 2, 8, 0))  # a Monday
    reviewer = ReviewerFactory()
    first = challenge_in(Status.INTAKE, reviewer=reviewer, title="Buurtpark")
    second = challenge_in(Status.INTAKE, reviewer=reviewer, title="Buurthuis")
    reader = UserFactory(language="en")
    quiet = UserFactory()
    for person in (reader, quiet):
        preferences_update(
            user=person,
            frequencies={"progress": Frequency.DAILY, "conversation": Frequency.DAILY},
        )
    follow_create(user=reader, challenge=first)
    follow_create(user=reader, challenge=second)
    # Before the period: nothing pending for anyone we look at.
    Notification.objects.filter(status=DeliveryStatus.PENDING).update(status=DeliveryStatus.SKIPPED)
    mail.outbox.clear()
    return {
        "reviewer": reviewer,
        "first": first,
        "second": second,
        "reader": reader,
        "quiet": quiet,
    }


def _note(world, challenge, text, clock, when):
    clock.set(when)
    return services.challenge_add_note(
        challenge=challenge, actor=world["reviewer"], text=text, visibility="public"
    )


def test_one_message_per_person_grouped_per_challenge_in_time_order(world, clock):
    _note(world, world["second"], "Tweede-een", clock, _at(2026, 3, 3, 9, 0))
    _note(world, world["first"], "Eerste-een", clock, _at(2026, 3, 3, 10, 0))
    _note(world, world["second"], "Tweede-twee", clock, _at(2026, 3, 3, 23, 30))
    _note(world, world["first"], "Next day", clock, _at(2026, 3, 4, 0, 30))

    clock.set(_at(2026, 3, 4, 7, 0))
    tasks.send_digests.delay("daily").get()

    assert [m.to for m in mail.outbox] == [[world["reader"].email]]  # the quiet one: nothing
    message = mail.outbox[0]
    body = message.body
    assert message.subject == "Daily digest: 3 updates"  # in the reader's language
    # Per challenge (the one with the earliest news first), each in time order.
    order = [
        body.index(world["second"].reference),
        body.index("Tweede-een"),
        body.index("Tweede-twee"),
        body.index(world["first"].reference),
        body.index("Eerste-een"),
    ]
    assert order == sorted(order)
    assert "Next day" not in body  # that belongs to the next day's digest
    assert body.count(world["second"].reference) == 1
    assert "/notifications/preferences/" in body
    assert message.extra_headers["Message-ID"].startswith("<digest-")

    # Once per period: running it again sends nothing.
    tasks.send_digests.delay("daily").get()
    assert len(mail.outbox) == 1
    assert Digest.objects.filter(recipient=world["reader"]).count() == 1

    # The next day's digest holds only the next day.
    clock.set(_at(2026, 3, 5, 7, 0))
    tasks.send_digests.delay("daily").get()
    assert len(mail.outbox) == 2
    assert "Next day" in mail.outbox[1].body and "Tweede-een" not in mail.outbox[1].body
    assert mail.outbox[1].subject == "Daily digest: 1 update"


def test_a_person_with_nothing_new_gets_nothing(world, clock):
    clock.set(_at(2026, 3, 4, 7, 0))
    assert tasks.send_digests.delay("daily").get() == 0
    assert mail.outbox == []
    assert not Digest.objects.exists()


def test_weekly_digest_holds_the_week(world, clock):
    preferences_update(user=world["reader"], frequencies={"conversation": Frequency.WEEKLY})
    _note(world, world["first"], "Dinsdag", clock, _at(2026, 3, 3, 12, 0))
    _note(world, world["second"], "Zondag", clock, _at(2026, 3, 8, 22, 0))
    _note(world, world["first"], "Maandag erna", clock, _at(2026, 3, 9, 6, 0))

    clock.set(_at(2026, 3, 4, 7, 0))
    tasks.send_digests.delay("daily").get()
    assert mail.outbox == []  # weekly rows wait for the weekly digest

    clock.set(_at(2026, 3, 9, 7, 0))  # Monday
    tasks.send_digests.delay("weekly").get()
    tasks.send_digests.delay("weekly").get()
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Dinsdag" in body and "Zondag" in body and "Maandag erna" not in body
    assert mail.outbox[0].subject == "Weekly digest: 2 updates"
    assert set(
        Notification.objects.filter(channel=Channel.EMAIL, recipient=world["reader"])
        .exclude(event__data__text="Maandag erna")
        .exclude(status=DeliveryStatus.SKIPPED)
        .values_list("status", flat=True)
    ) == {DeliveryStatus.SENT}


def test_digests_are_built_in_batches(world, clock, settings):
    settings.NOTIFICATION_BATCH_SIZE = 2
    people = [UserFactory() for _ in range(5)]
    for person in people:
        preferences_update(user=person, frequencies={"conversation": Frequency.DAILY})
        follow_create(user=person, challenge=world["first"])
    _note(world, world["first"], "Voor iedereen", clock, _at(2026, 3, 3, 12, 0))
    clock.set(_at(2026, 3, 4, 7, 0))
    batches = []
    original = tasks.send_digest_batch.delay
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            tasks.send_digest_batch,
            "delay",
            lambda *args: batches.append(args) or original(*args),
        )
        assert tasks.send_digests.delay("daily").get() == 6  # five people and the reader
    assert [len(args[3]) for args in batches] == [2, 2, 2]
    assert len(mail.outbox) == 6


def test_periods_are_local_days_and_weeks(clock):
    clock.set(_at(2026, 3, 29, 7, 0))  # the morning daylight saving time started
    start, end = last_period("daily")
    assert (start, end) == (_at(2026, 3, 28), _at(2026, 3, 29))
    clock.set(_at(2026, 3, 30, 7, 0))
    start, end = last_period("daily")
    assert end - start == (_at(2026, 3, 30) - _at(2026, 3, 29))  # 23 hours that day
    start, end = last_period("weekly")
    assert (start, end) == (_at(2026, 3, 23), _at(2026, 3, 30))

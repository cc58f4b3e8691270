"""What Celery beat records and sends for a challenge: "no progress" and deadline
reminders, each once per period, in the recipient's language, with a controlled
clock. (Reflection rounds: tests/partnerships/test_reflection_beat.py.)"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from challenges import services, tasks
from challenges.constants import EventCode, Status, Visibility
from challenges.models import StageTarget
from notifications.services import follow_create
from tests.challenges.factories import ReviewerFactory, UserFactory, challenge_in

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run a beat task as a worker would: its deliveries go out when it commits."""

    def run(task, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return task.delay(*args, **kwargs).get()

    return run


@pytest.fixture
def intake(clock):
    """A challenge that entered intake on 5 January 2026 at 09:00 (due in 28 days),
    the reviewer Dutch, a follower English."""
    clock.set(datetime(2026, 1, 5, 9, 0, tzinfo=AMS))
    reviewer = ReviewerFactory(language="nl")
    challenge = challenge_in(Status.INTAKE, reviewer=reviewer)
    follower = UserFactory(language="en")
    follow_create(user=follower, challenge=challenge)
    mail.outbox.clear()
    return challenge, reviewer, follower


def _events(challenge, code):
    return list(challenge.events.filter(code=code).order_by("created_at", "pk"))


def test_no_progress_is_said_once_per_silent_period(intake, clock, run_on_commit, settings):
    challenge, reviewer, follower = intake
    assert settings.NO_PROGRESS_DAYS == 21
    clock.advance(days=20)
    assert run_on_commit(tasks.record_no_progress) == 0
    clock.advance(days=1, hours=1)
    assert run_on_commit(tasks.record_no_progress) == 1
    assert run_on_commit(tasks.record_no_progress) == 0  # the same day again: nothing

    [event] = _events(challenge, EventCode.NO_PROGRESS)
    assert event.visibility == Visibility.PUBLIC and event.actor is None
    assert event.data["next"] == Status.ASSESSMENT
    told = {m.to[0]: m for m in mail.outbox}
    # The parties (team and the reviewer on it) and the follower, once each.
    assert set(told) == {challenge.initiator.email, reviewer.email, follower.email}
    english = told[follower.email].body
    assert "There has been no news on this challenge for 21 days." in english
    assert "It has been in the stage “Intake” since 5 January 2026." in english
    assert "Next step: “Assessment”." in english
    assert "The municipality's response is due on 2 February 2026." in english
    dutch = told[reviewer.email]
    assert "Intake" in dutch.body and "Beoordeling" in dutch.body  # stage names in Dutch
    assert "Assessment" not in dutch.body

    # The message itself ends the silence: the next one comes 21 days later.
    mail.outbox.clear()
    clock.advance(days=20)
    assert run_on_commit(tasks.record_no_progress) == 0
    clock.advance(days=1)
    assert run_on_commit(tasks.record_no_progress) == 1
    assert len(mail.outbox) == 3


def test_news_resets_the_silence_but_reminders_do_not(intake, clock, run_on_commit):
    challenge, reviewer, _follower = intake
    clock.advance(days=15)
    services.challenge_add_note(
        challenge=challenge, actor=reviewer, text="Gesprek gepland.", visibility="parties"
    )
    services.challenge_add_note(
        challenge=challenge, actor=reviewer, text="Intern.", visibility="internal"
    )
    clock.advance(days=16)  # 31 days in the stage, 16 since the parties heard something
    assert run_on_commit(tasks.record_no_progress) == 0
    clock.advance(days=5)
    run_on_commit(tasks.record_deadline_reminders)  # the deadline passed: internal events
    assert _events(challenge, EventCode.DEADLINE_PASSED)
    assert run_on_commit(tasks.record_no_progress) == 1


def test_closed_or_draft_challenges_get_no_no_progress_message(clock, run_on_commit):
    challenge_in(Status.COMPLETED)
    challenge_in(Status.DRAFT)
    clock.advance(days=100)
    assert run_on_commit(tasks.record_no_progress) == 0


def test_deadline_reminders_go_to_the_municipality_once_per_due_date(intake, clock, run_on_commit):
    challenge, reviewer, _follower = intake
    reviewer.language = "en"
    reviewer.save()
    due = challenge.due_at  # 2 February 09:00
    clock.advance(days=20)
    assert run_on_commit(tasks.record_deadline_reminders) == 0  # 8 days before
    clock.advance(days=1, hours=1)  # 6 days 23 hours before
    assert run_on_commit(tasks.record_deadline_reminders) == 1
    assert run_on_commit(tasks.record_deadline_reminders) == 0
    [reminder] = _events(challenge, EventCode.DEADLINE_REMINDER)
    assert reminder.visibility == Visibility.INTERNAL
    assert [m.to for m in mail.outbox] == [[reviewer.email]]  # staff only
    assert "Response deadline approaching" in mail.outbox[0].subject
    assert "is due on 2 February 2026, 09:00" in mail.outbox[0].body

    mail.outbox.clear()
    clock.set(due)
    assert run_on_commit(tasks.record_deadline_reminders) == 1
    clock.advance(days=3)
    assert run_on_commit(tasks.record_deadline_reminders) == 0
    assert len(_events(challenge, EventCode.DEADLINE_PASSED)) == 1
    assert [m.to for m in mail.outbox] == [[reviewer.email]]
    assert "Response deadline passed" in mail.outbox[0].subject

    # A new stage brings a new due date, and so new reminders.
    StageTarget.objects.filter(status=Status.ASSESSMENT).update(days=10)
    challenge = services.challenge_transition(
        challenge=challenge, to_status=Status.ASSESSMENT, actor=reviewer
    )
    clock.advance(days=4)
    assert run_on_commit(tasks.record_deadline_reminders) == 1
    assert len(_events(challenge, EventCode.DEADLINE_REMINDER)) == 2


def test_the_beat_schedule_runs_the_tasks_in_amsterdam_time(settings):
    from rtc_portal.celery import app

    schedule = settings.CELERY_BEAT_SCHEDULE
    names = {entry["task"] for entry in schedule.values()}
    assert names >= {
        "notifications.tasks.sweep_pending",
        "notifications.tasks.send_digests",
        "challenges.tasks.record_no_progress",
        "challenges.tasks.record_deadline_reminders",
        "partnerships.tasks.open_due_reflections",
    }
    # What a worker and beat do at start: import every app's tasks module.
    app.loader.import_default_modules()
    for name in names:
        assert name in app.tasks  # every scheduled task is registered, others' too
    assert schedule["notifications-sweep"]["schedule"] == 60.0
    assert app.conf.timezone == "Europe/Amsterdam"


def test_tasks_go_to_their_queues():
    from rtc_portal.celery import app

    def queue(name: str) -> str:
        return app.amqp.router.route({}, name)["queue"].name

    assert queue("notifications.tasks.deliver_event") == "notifications"
    for name in (
        "notifications.tasks.sweep_pending",
        "notifications.tasks.send_digests",
        "notifications.tasks.send_digest_batch",
        "challenges.tasks.record_no_progress",
        "challenges.tasks.record_deadline_reminders",
        "partnerships.tasks.open_due_reflections",
    ):
        assert queue(name) == "periodic"
    assert queue("challenges.tasks.send_invitation_email") == "default"

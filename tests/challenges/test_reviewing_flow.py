"""The reviewer's side in the admin: one save of the assessment is one event, the
scores stay internal until published, six rows offered, rejection at intake,
assignment and "my queue", the contact-persons refusal, stage target order, and a
timeline shown as text with translated headers."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise

from challenges import selectors, services
from challenges.constants import STAGE_LINE, EventCode, Status, Visibility
from challenges.events import ReviewingEvent
from challenges.models import Assessment, Challenge, Criterion, StageTarget, TimelineEvent
from notifications.constants import Channel
from notifications.models import Notification
from tests.challenges.factories import ReviewerFactory, StaffUserFactory, challenge_in

pytestmark = pytest.mark.django_db


def change_url(challenge):
    return reverse("admin:challenges_challenge_change", args=[challenge.pk])


def _post_data(response, **overrides) -> dict:
    """The POST data of an admin change form as the browser would send it."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, field in formset.management_form.fields.items():
            data[f"{formset.prefix}-{name}"] = formset.management_form.initial.get(
                name, field.initial
            )
        for form in formset.forms:
            for name in form.fields:
                value = form.initial.get(name)
                if value is not None and hasattr(value, "pk"):
                    value = value.pk
                if value is not None:
                    data[f"{form.prefix}-{name}"] = value
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _scores_for_every_row(page, score="4") -> dict:
    """Fill every offered assessment row (score and motivation)."""
    formset = next(
        i.formset for i in page.context["inline_admin_formsets"] if i.formset.model is Assessment
    )
    filled = {}
    for form in formset.forms:
        filled[f"{form.prefix}-score"] = score
        filled[f"{form.prefix}-motivation"] = f"Motivatie {form.prefix}."
    return filled


def _assess_everything(client, challenge, score="4"):
    page = client.get(change_url(challenge))
    response = client.post(
        change_url(challenge), _post_data(page, **_scores_for_every_row(page, score))
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    return response


# -- 1. one save, one event, one message; internal until published -------------------


def test_one_save_of_six_criteria_is_one_event_and_one_mail_per_person(
    client, reviewer, coordinator, django_capture_on_commit_callbacks
):
    challenge = challenge_in(Status.ASSESSMENT, reviewer=reviewer)
    # The coordinator has acted on the challenge, so is one of its municipality people.
    services.challenge_assign_reviewer(challenge=challenge, actor=coordinator, reviewer=reviewer)
    criteria = Criterion.objects.filter(is_active=True).count()
    assert criteria == 6
    before = challenge.events.count()
    client.force_login(reviewer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        _assess_everything(client, challenge)

    assert Assessment.objects.filter(challenge=challenge).count() == 6
    assert challenge.events.count() == before + 1
    event = challenge.events.get(code=EventCode.ASSESSMENT_RECORDED)
    assert event.visibility == Visibility.INTERNAL
    assert len(event.data["criteria"]) == 6
    assert {row["score"] for row in event.data["criteria"]} == {4}
    # One e-mail for the one person concerned (the reviewer caused it), not six.
    assert [m.to[0] for m in mail.outbox] == [coordinator.email]
    assert Notification.objects.filter(event=event, channel=Channel.EMAIL).count() == 1


def test_scores_are_internal_until_published_and_then_shown_to_the_parties(
    client, resident, reviewer, django_capture_on_commit_callbacks
):
    challenge = challenge_in(Status.ASSESSMENT, initiator=resident, reviewer=reviewer)
    client.force_login(reviewer)
    _assess_everything(client, challenge, score="2")
    challenge.refresh_from_db()
    assert challenge.assessment_published_at is None
    assert not challenge.published_assessments().exists()
    recorded = challenge.events.get(code=EventCode.ASSESSMENT_RECORDED)
    assert recorded not in selectors.timeline_for(resident, challenge)

    # The change page offers the step; publishing records one event for the parties.
    page = client.get(change_url(challenge))
    publish_url = reverse("admin:challenges_challenge_publish_assessment", args=[challenge.pk])
    assert publish_url in page.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(publish_url, {})
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.assessment_published_at is not None
    published = challenge.events.get(code=ReviewingEvent.ASSESSMENT_PUBLISHED)
    assert published.visibility == Visibility.PARTIES
    assert [row["score"] for row in published.data["criteria"]] == [2] * 6
    assert published in selectors.timeline_for(resident, challenge)
    assert resident.email in [m.to[0] for m in mail.outbox]
    assert challenge.published_assessments().count() == 6

    # The team reads the scores on the timeline; the public does not.
    client.force_login(resident)
    with translation.override("en"):
        team_page = client.get(challenge.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert "Assessment published" in team_page.content.decode()
    assert "2 out of 5" in team_page.content.decode()
    client.logout()
    public_page = client.get(challenge.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert "2 out of 5" not in public_page.content.decode()


def test_publishing_needs_every_criterion_and_a_later_change_unpublishes(reviewer):
    challenge = challenge_in(Status.ASSESSMENT, reviewer=reviewer)
    active = list(Criterion.objects.filter(is_active=True))
    services.assessment_record_many(
        challenge=challenge, actor=reviewer, scores=[(c, 3, "Goed.") for c in active[:5]]
    )
    with pytest.raises(services.ServiceError) as refused:
        services.assessment_publish(challenge=challenge, actor=reviewer)
    with translation.override("en"):
        assert "Still missing" in " ".join(refused.value.messages)
    assert not challenge.events.filter(code=ReviewingEvent.ASSESSMENT_PUBLISHED).exists()

    services.assessment_record(
        challenge=challenge, criterion=active[5], actor=reviewer, score=5, motivation="Top."
    )
    services.assessment_publish(challenge=challenge, actor=reviewer)
    services.assessment_record(
        challenge=challenge, criterion=active[0], actor=reviewer, score=1, motivation="Toch niet."
    )
    challenge.refresh_from_db()
    assert challenge.assessment_published_at is None
    assert not challenge.published_assessments().exists()
    latest = challenge.events.filter(code=EventCode.ASSESSMENT_RECORDED).first()
    assert latest.data["unpublished"] is True


def test_the_old_per_criterion_events_still_render():
    event = TimelineEvent(
        code=EventCode.ASSESSMENT_RECORDED,
        data={
            "criterion_nl": "Draagvlak",
            "criterion_en": "Support",
            "score": 3,
            "motivation": "Redelijk.",
            "revised": False,
        },
    )
    from challenges import rendering

    with translation.override("en"):
        html = rendering.render(event, show_parties=True)
    assert "“Support” assessed" in html and "3 out of 5" in html


def test_the_challenge_page_shows_no_scores_before_publication(client, resident, reviewer):
    challenge = challenge_in(Status.ASSESSMENT, initiator=resident, reviewer=reviewer)
    services.assessment_record(
        challenge=challenge,
        criterion=Criterion.objects.filter(is_active=True).first(),
        actor=reviewer,
        score=4,
        motivation="Nog bezig.",
    )
    client.force_login(resident)
    page = client.get(challenge.get_absolute_url())
    assert not list(page.context.get("assessments") or [])


# -- 2. one row per active criterion --------------------------------------------------


def test_the_inline_offers_one_prefilled_row_per_active_criterion(client, reviewer):
    challenge = challenge_in(Status.ASSESSMENT, reviewer=reviewer)
    first = Criterion.objects.filter(is_active=True).first()
    services.assessment_record(
        challenge=challenge, criterion=first, actor=reviewer, score=3, motivation="Al gedaan."
    )
    client.force_login(reviewer)
    with translation.override("en"):
        page = client.get(change_url(challenge), HTTP_ACCEPT_LANGUAGE="en")
    formset = next(
        i.formset for i in page.context["inline_admin_formsets"] if i.formset.model is Assessment
    )
    active = list(Criterion.objects.filter(is_active=True))
    assert len(formset.forms) == len(active) == 6
    offered = [
        form.instance.criterion_id or form.initial.get("criterion") for form in formset.forms
    ]
    assert sorted(offered) == sorted(c.pk for c in active)
    assert all(form.fields["criterion"].widget.is_hidden for form in formset.forms)
    html = page.content.decode()
    for criterion in active:
        assert criterion.name_en in html
    # No drop-down to pick a criterion, and no "add another" row.
    assert 'name="assessments-0-criterion"' in html
    assert '<select name="assessments-1-criterion"' not in html
    assert formset.max_num == 6


def test_untouched_rows_are_not_saved(client, reviewer):
    challenge = challenge_in(Status.ASSESSMENT, reviewer=reviewer)
    client.force_login(reviewer)
    page = client.get(change_url(challenge))
    response = client.post(
        change_url(challenge),
        _post_data(page, **{"assessments-0-score": "5", "assessments-0-motivation": "Sterk."}),
    )
    assert response.status_code == 302
    assert Assessment.objects.filter(challenge=challenge).count() == 1
    assert challenge.events.filter(code=EventCode.ASSESSMENT_RECORDED).count() == 1


# -- 3. rejection at intake -------------------------------------------------------------


def test_a_challenge_is_rejected_at_intake_as_not_admissible(client, resident, reviewer):
    challenge = challenge_in(Status.INTAKE, initiator=resident, reviewer=reviewer)
    url = reverse("admin:challenges_challenge_transition", args=[challenge.pk])
    client.force_login(reviewer)
    data = {"to_status": Status.REJECTED, "expected_status": Status.INTAKE, "motivation": " "}
    refused = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200
    assert "required" in refused.content.decode()
    challenge.refresh_from_db()
    assert challenge.status == Status.INTAKE

    data["motivation"] = "Dit is geen taak van de gemeente."
    assert client.post(url, data).status_code == 302
    challenge.refresh_from_db()
    assert challenge.status == Status.REJECTED
    assert challenge.decision_motivation == "Dit is geen taak van de gemeente."
    event = challenge.events.filter(code=EventCode.STATUS_CHANGED).first()
    assert event.visibility == Visibility.PUBLIC
    assert event.data["reason"] == "not_admissible"
    client.logout()
    page = client.get(challenge.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert "not admissible" in page.content.decode()


def test_the_challenger_cannot_reject_at_intake(resident, reviewer):
    challenge = challenge_in(Status.INTAKE, initiator=resident, reviewer=reviewer)
    with pytest.raises(services.ServiceError):
        services.challenge_transition(
            challenge=challenge, to_status=Status.REJECTED, actor=resident, motivation="Weg."
        )
    challenge.refresh_from_db()
    assert challenge.status == Status.INTAKE


# -- 4. assignment and my queue ------------------------------------------------------


def test_a_coordinator_assigns_a_reviewer_and_the_reviewer_finds_it(client, coordinator, reviewer):
    mine = challenge_in(Status.INTAKE, reviewer=reviewer)
    other = challenge_in(Status.INTAKE)
    url = reverse("admin:challenges_challenge_assign_reviewer", args=[mine.pk])

    client.force_login(reviewer)  # a reviewer who is no coordinator may not assign
    assert client.get(url).status_code == 403

    client.force_login(coordinator)
    assert client.post(url, {"reviewer": "999999"}).status_code == 200
    assert client.post(url, {"reviewer": reviewer.pk}).status_code == 302
    mine.refresh_from_db()
    assert mine.assigned_reviewer == reviewer
    event = mine.events.get(code=ReviewingEvent.REVIEWER_ASSIGNED)
    assert event.visibility == Visibility.INTERNAL
    assert event.data["reviewer"] == reviewer.pk

    client.force_login(reviewer)
    changelist = reverse("admin:challenges_challenge_changelist")
    listed = client.get(changelist, {"assigned": "me"}).context["cl"].result_list
    assert list(listed) == [mine]
    assert other not in listed


def test_my_queue_lists_my_open_challenges_oldest_target_first(client, coordinator, reviewer):
    late, early, closed = (
        challenge_in(s, reviewer=reviewer) for s in ("intake",) * 2 + ("rejected",)
    )
    for challenge in (late, early, closed):
        services.challenge_assign_reviewer(
            challenge=challenge, actor=coordinator, reviewer=reviewer
        )
    now = timezone.now()
    Challenge.objects.filter(pk=late.pk).update(due_at=now + timedelta(days=9))
    Challenge.objects.filter(pk=early.pk).update(due_at=now + timedelta(days=1))
    someone_else = challenge_in(Status.INTAKE)
    services.challenge_assign_reviewer(
        challenge=someone_else, actor=coordinator, reviewer=ReviewerFactory()
    )
    client.force_login(reviewer)
    response = client.get(reverse("admin:challenges_challenge_changelist"), {"assigned": "queue"})
    assert list(response.context["cl"].result_list) == [early, late]
    assert response.context["my_queue_count"] == 2


# -- 5. the contact-persons refusal links to where they are set ------------------------


def test_the_contact_persons_refusal_links_to_the_workspace(client, reviewer):
    challenge = challenge_in(Status.INTAKE, reviewer=reviewer, contact_persons=False)
    url = reverse("admin:challenges_challenge_transition", args=[challenge.pk])
    client.force_login(reviewer)
    link = reverse("partnerships:workspace-contact-persons", kwargs={"pk": challenge.pk})
    assert link not in client.get(url).content.decode()
    response = client.post(
        url,
        {"to_status": Status.ASSESSMENT, "expected_status": Status.INTAKE, "motivation": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "fixed contact person" in html
    assert f'href="{link}"' in html
    challenge.refresh_from_db()
    assert challenge.status == Status.INTAKE


# -- 6. stage targets in process order ---------------------------------------------


def test_stage_targets_are_listed_in_process_order(client):
    client.force_login(StaffUserFactory(is_superuser=True))
    response = client.get(reverse("admin:challenges_stagetarget_changelist"))
    listed = [t.status for t in response.context["cl"].result_list]
    assert len(listed) == StageTarget.objects.count() > 1
    positions = [STAGE_LINE.index(s) if s in STAGE_LINE else len(STAGE_LINE) for s in listed]
    assert positions == sorted(positions)


# -- 7. the timeline as text, with translated headers ------------------------------


def test_the_timeline_shows_events_as_text_not_json(client, reviewer):
    challenge = challenge_in(Status.INTAKE, reviewer=reviewer)
    client.force_login(reviewer)
    with translation.override("en"):
        html = client.get(change_url(challenge), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "From “Submitted” to “Intake”" in html
    assert "&quot;from&quot;" not in html and '"from":' not in html

    event = challenge.events.filter(code=EventCode.STATUS_CHANGED).first()
    detail = reverse("admin:challenges_timelineevent_change", args=[event.pk])
    with translation.override("en"):
        html = client.get(detail, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "From “Submitted” to “Intake”" in html
    assert "&quot;from&quot;" not in html


def test_the_timeline_headers_are_translatable_verbose_names(client, reviewer):
    for name in ("created_at", "code", "data", "visibility", "actor", "actor_role", "salt"):
        assert isinstance(TimelineEvent._meta.get_field(name).verbose_name, Promise), name
    challenge_in(Status.SUBMITTED, reviewer=reviewer)
    client.force_login(reviewer)
    with translation.override("en"):
        html = client.get(
            reverse("admin:challenges_timelineevent_changelist"), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    for header in ("Created at", "Event", "Visibility", "Role", "What happened"):
        assert header in html, header
    for raw in ("CREATED AT", ">Created_at<", ">Actor_role<", ">Data<"):
        assert raw not in html


@pytest.mark.parametrize("object_id", ["abc", "999999"])
def test_an_unknown_or_invalid_challenge_id_is_no_error(client, reviewer, object_id):
    client.force_login(reviewer)
    response = client.get(f"/admin/challenges/challenge/{object_id}/change/")
    assert response.status_code == 302  # the admin's "does not exist" redirect


def test_the_team_sees_the_scores_once_published_and_the_reviewer_always(
    client, resident, reviewer
):
    challenge = challenge_in(Status.ASSESSMENT, initiator=resident, reviewer=reviewer)
    services.assessment_record(
        challenge=challenge,
        criterion=Criterion.objects.filter(is_active=True).first(),
        actor=reviewer,
        score=4,
        motivation="Nog bezig.",
    )
    client.force_login(reviewer)
    assert len(list(client.get(challenge.get_absolute_url()).context["assessments"])) == 1
    challenge.assessment_published_at = challenge.submitted_at
    challenge.save(update_fields=["assessment_published_at"])
    client.force_login(resident)
    assert len(list(client.get(challenge.get_absolute_url()).context["assessments"])) == 1

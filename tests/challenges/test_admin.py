"""The civil servants' admin: review, transition form, assessments, read-only status."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from challenges.constants import EventCode, Status
from challenges.models import Assessment, Challenge, Criterion, StageTarget
from tests.challenges.factories import (
    ChallengeFactory,
    StaffUserFactory,
    UserFactory,
    challenge_in,
)

pytestmark = pytest.mark.django_db


def change_url(challenge):
    return reverse("admin:challenges_challenge_change", args=[challenge.pk])


def transition_url(challenge):
    return reverse("admin:challenges_challenge_transition", args=[challenge.pk])


def _inline_post_data(response, **overrides) -> dict:
    """The POST data of an admin change form as the browser would send it."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, field in formset.management_form.fields.items():
            key = f"{formset.prefix}-{name}"
            data[key] = formset.management_form.initial.get(name, field.initial)
        for form in formset.forms:
            for name in form.fields:
                value = form.initial.get(name)
                if value is not None and hasattr(value, "pk"):
                    value = value.pk
                if value is not None:
                    data[f"{form.prefix}-{name}"] = value
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_resident_cannot_enter_the_admin(client):
    client.force_login(UserFactory())
    response = client.get("/admin/challenges/challenge/")
    assert response.status_code == 302
    assert "login" in response.url


def test_staff_without_a_role_sees_no_challenges(client):
    client.force_login(StaffUserFactory())
    assert client.get("/admin/challenges/challenge/").status_code == 403


def test_groups_have_exactly_the_permissions_they_need():
    for name in ("Reviewer", "Coordinator"):
        codenames = set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))
        assert {
            "view_challenge",
            "change_challenge",
            "add_assessment",
            "change_assessment",
            "view_timelineevent",
        } <= codenames
        assert not any(c.startswith("delete_") for c in codenames)
        assert "add_challenge" not in codenames
        assert "change_timelineevent" not in codenames
        assert "change_task" not in codenames and "change_stagetarget" not in codenames


def test_changelist_filters_search_and_hides_drafts(client, reviewer):
    intake = challenge_in(Status.INTAKE, title="Speeltuin Noord", reviewer=reviewer)
    late = challenge_in(Status.SUBMITTED, title="Buurthuis Zuid")
    Challenge.objects.filter(pk=late.pk).update(due_at=timezone.now() - timezone.timedelta(1))
    ChallengeFactory(title="Concept West")
    client.force_login(reviewer)
    url = "/admin/challenges/challenge/"

    def shown(**params):
        return set(client.get(url, params).context["cl"].result_list)

    assert shown() == {intake, late}
    assert shown(status__exact="intake") == {intake}
    assert shown(overdue="yes") == {late}
    assert shown(overdue="no") == {intake}
    assert shown(q=intake.reference) == {intake}
    assert shown(q="Buurthuis") == {late}
    assert shown(neighbourhood__id__exact=intake.neighbourhood_id) == {intake}
    assert shown(task__id__exact=late.task_id) == {late}
    draft = Challenge.objects.get(title="Concept West")
    assert client.get(change_url(draft)).status_code == 302  # not found: back to the list


def test_reviewer_moves_a_challenge_through_the_transition_form(client, reviewer):
    challenge = challenge_in(Status.SUBMITTED)
    client.force_login(reviewer)
    page = client.get(transition_url(challenge), HTTP_ACCEPT_LANGUAGE="en")
    choices = dict(page.context["form"].fields["to_status"].choices)
    assert set(choices) == {"intake", "on_hold"}  # not withdrawn: that is the challenger's
    response = client.post(
        transition_url(challenge),
        {
            "to_status": "intake",
            "motivation": "Verkennend gesprek gepland.",
            "expected_status": "submitted",
        },
    )
    assert response.status_code == 302
    assert response.url == change_url(challenge)
    challenge.refresh_from_db()
    assert challenge.status == Status.INTAKE
    event = challenge.events.get(code=EventCode.STATUS_CHANGED)
    assert event.actor == reviewer
    assert event.data["motivation"] == "Verkennend gesprek gepland."
    public = client.get(challenge.get_absolute_url()).content.decode()
    assert "Verkennend gesprek gepland." in public


def test_a_stale_transition_form_is_refused(client, reviewer):
    challenge = challenge_in(Status.INTAKE, reviewer=reviewer)
    client.force_login(reviewer)
    response = client.post(
        transition_url(challenge),
        {
            "to_status": "intake",
            "motivation": "",
            "expected_status": "submitted",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    challenge.refresh_from_db()
    assert challenge.status == Status.INTAKE
    assert challenge.events.filter(code=EventCode.STATUS_CHANGED).count() == 1


def test_only_a_coordinator_completes(client, reviewer, coordinator):
    challenge = challenge_in(Status.EVALUATION, reviewer=reviewer)
    client.force_login(reviewer)
    client.post(
        transition_url(challenge),
        {"to_status": "completed", "motivation": "", "expected_status": "evaluation"},
    )
    challenge.refresh_from_db()
    assert challenge.status == Status.EVALUATION
    client.force_login(coordinator)
    client.post(
        transition_url(challenge),
        {"to_status": "completed", "motivation": "", "expected_status": "evaluation"},
    )
    challenge.refresh_from_db()
    assert challenge.status == Status.COMPLETED


def test_rejection_needs_a_public_motivation(client, reviewer):
    challenge = challenge_in(Status.DECISION, reviewer=reviewer)
    client.force_login(reviewer)
    response = client.post(
        transition_url(challenge),
        {
            "to_status": "rejected",
            "motivation": "",
            "expected_status": "decision",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "required" in response.content.decode()
    challenge.refresh_from_db()
    assert challenge.status == Status.DECISION
    client.post(
        transition_url(challenge),
        {
            "to_status": "rejected",
            "motivation": "De kosten zijn hoger dan nu.",
            "expected_status": "decision",
        },
    )
    challenge.refresh_from_db()
    assert challenge.status == Status.REJECTED
    assert challenge.decision_motivation == "De kosten zijn hoger dan nu."
    assert "De kosten zijn hoger dan nu." in client.get("/log/").content.decode()


def test_the_status_cannot_be_edited_in_the_change_form(client, reviewer):
    challenge = challenge_in(Status.SUBMITTED)
    client.force_login(reviewer)
    page = client.get(change_url(challenge))
    assert "status" not in page.context["adminform"].form.fields
    data = _inline_post_data(page, status="completed", title="Gewijzigd")
    client.post(change_url(challenge), data)
    challenge.refresh_from_db()
    assert challenge.status == Status.SUBMITTED
    assert challenge.title != "Gewijzigd"


def test_assessments_are_recorded_inline_through_the_service(client, reviewer):
    challenge = challenge_in(Status.ASSESSMENT, reviewer=reviewer)
    criterion = Criterion.objects.filter(is_active=True).first()
    client.force_login(reviewer)
    page = client.get(change_url(challenge))
    data = _inline_post_data(
        page,
        **{
            "assessments-0-criterion": criterion.pk,
            "assessments-0-score": "4",
            "assessments-0-motivation": "Sterk plan.",
        },
    )
    response = client.post(change_url(challenge), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assessment = Assessment.objects.get(challenge=challenge, criterion=criterion)
    assert (assessment.score, assessment.reviewer) == (4, reviewer)
    assert challenge.events.filter(code=EventCode.ASSESSMENT_RECORDED).count() == 1


@pytest.mark.parametrize("score", ["0", "6", "x"])
def test_invalid_scores_are_refused(client, reviewer, score):
    challenge = challenge_in(Status.ASSESSMENT, reviewer=reviewer)
    criterion = Criterion.objects.filter(is_active=True).first()
    client.force_login(reviewer)
    page = client.get(change_url(challenge))
    data = _inline_post_data(
        page,
        **{
            "assessments-0-criterion": criterion.pk,
            "assessments-0-score": score,
            "assessments-0-motivation": "x",
        },
    )
    response = client.post(change_url(challenge), data)
    assert response.status_code == 200
    assert not Assessment.objects.exists()


def test_no_assessment_outside_the_assessment_stages(client, reviewer):
    challenge = challenge_in(Status.INTAKE, reviewer=reviewer)
    criterion = Criterion.objects.filter(is_active=True).first()
    client.force_login(reviewer)
    page = client.get(change_url(challenge))
    data = _inline_post_data(
        page,
        **{
            "assessments-TOTAL_FORMS": "1",
            "assessments-0-criterion": criterion.pk,
            "assessments-0-score": "3",
            "assessments-0-motivation": "x",
        },
    )
    response = client.post(change_url(challenge), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "assessment and decision stages" in response.content.decode()
    assert not Assessment.objects.exists()


def test_notes_from_the_admin(client, reviewer):
    challenge = challenge_in(Status.INTAKE, reviewer=reviewer)
    client.force_login(reviewer)
    url = reverse("admin:challenges_challenge_note", args=[challenge.pk])
    response = client.post(url, {"text": "Alleen intern", "visibility": "internal"})
    assert response.status_code == 302
    event = challenge.events.get(code=EventCode.NOTE)
    assert event.visibility == "internal"
    assert "Alleen intern" not in client.get("/log/").content.decode()


def test_timeline_is_read_only_in_the_admin(client, reviewer):
    challenge = challenge_in(Status.INTAKE, reviewer=reviewer)
    event = challenge.events.first()
    client.force_login(reviewer)
    base = "/admin/challenges/timelineevent/"
    assert client.get(f"{base}{event.pk}/change/").status_code == 200  # view only
    assert client.post(f"{base}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{base}add/").status_code == 403
    assert challenge.events.filter(pk=event.pk).exists()


def test_changing_a_stage_target_recomputes_due_dates(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    challenge = challenge_in(Status.INTAKE)
    old_due = challenge.due_at
    target = StageTarget.objects.get(status=Status.INTAKE)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:challenges_stagetarget_change", args=[target.pk]),
        {"status": "intake", "days": target.days + 10, "basis": target.basis},
    )
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert (challenge.due_at - old_due).days == 10

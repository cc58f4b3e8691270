"""The resident's submission flow, end to end through the views: drafts keep what was
typed, amounts are read the way people write them, a draft resumes where it stopped
and can be deleted, an empty addition is refused on the page, the withdrawal's
motivation is required, and the pages count the same steps as the README."""

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from challenges import services
from challenges.chain import ERASURE_CODE
from challenges.constants import EventCode, Status
from challenges.forms import AMOUNT_MAX, AMOUNT_MAX_RATIO, parse_euro_amount
from challenges.models import Challenge, Invitation, TimelineEvent
from tests.challenges.factories import (
    ChallengeFactory,
    NeighbourhoodFactory,
    TaskFactory,
    UserFactory,
    challenge_in,
)

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def step_url(challenge, step):
    return reverse("challenges:step", args=[challenge.pk, step])


def empty_draft(initiator, **fields):
    return Challenge.objects.create(initiator=initiator, status=Status.DRAFT, **fields)


# -- 1. A draft saves whatever was typed ----------------------------------------------


def test_save_and_finish_later_keeps_a_half_filled_step(client, resident):
    draft = empty_draft(resident)
    client.force_login(resident)
    response = client.post(
        step_url(draft, "task"),
        {"title": "Bewoners beheren park De Horsten", "summary": "", "save_and_stop": "1"},
        **EN,
    )
    assert response.status_code == 302
    assert response.url == reverse("challenges:mine")
    draft.refresh_from_db()
    # Nothing lost: the text typed in the half-filled step is in the draft.
    assert draft.title == "Bewoners beheren park De Horsten"
    assert draft.task is None and draft.summary == ""
    assert draft.status == Status.DRAFT


def test_next_also_saves_a_half_filled_step_and_moves_on(client, resident):
    draft = empty_draft(resident)
    client.force_login(resident)
    response = client.post(
        step_url(draft, "plan"),
        {"approach": "Een vaste ploeg vrijwilligers.", "save_and_continue": "1"},
    )
    assert response.status_code == 302
    assert response.url == step_url(draft, "budget")
    draft.refresh_from_db()
    assert draft.approach == "Een vaste ploeg vrijwilligers."
    assert draft.social_value == ""


def test_an_answer_cleared_on_a_step_is_saved_empty(client, complete_draft):
    client.force_login(complete_draft.initiator)
    response = client.post(
        step_url(complete_draft, "team"),
        {"legal_form": complete_draft.legal_form, "team_description": "", "support_evidence": ""},
    )
    assert response.status_code == 302
    complete_draft.refresh_from_db()
    assert complete_draft.team_description == ""
    assert complete_draft.support_evidence == ""


def test_the_review_lists_what_a_half_filled_draft_misses_and_refuses_it(client, resident):
    draft = empty_draft(resident)
    client.force_login(resident)
    client.post(step_url(draft, "task"), {"title": "Park De Horsten", "save_and_stop": "1"})
    review = reverse("challenges:review", args=[draft.pk])
    body = client.get(review, **EN).content.decode()
    assert "Before you can submit, answer these questions:" in body
    assert "summary" in body and "approach" in body
    assert "Submit my challenge" not in body
    response = client.post(review, **EN)
    assert "The plan is not complete yet" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.reference is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "Park"}, "at least 5 characters"),
        ({"title": "Park \u202eDe Horsten"}, "change the direction of the text"),
        ({"title": "x" * 151}, "at most 150 characters"),
    ],
)
def test_a_malformed_answer_is_refused_on_save_with_the_typed_text_kept(
    client, resident, fields, message
):
    draft = empty_draft(resident, summary="Eerder getypt.")
    client.force_login(resident)
    typed = {"summary": "Nieuw getypt, nog niet bewaard.", **fields, "save_and_stop": "1"}
    response = client.post(step_url(draft, "task"), typed, **EN)
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert 'id="error-summary"' in body
    assert "Nieuw getypt, nog niet bewaard." in body
    draft.refresh_from_db()
    assert draft.summary == "Eerder getypt." and draft.title == ""


def test_step_fields_are_not_labelled_optional(client, resident):
    draft = empty_draft(resident)
    client.force_login(resident)
    body = client.get(step_url(draft, "task"), **EN).content.decode()
    assert "(optional)" not in body
    assert "partly answered" in body


# -- 2. Amounts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("80000", "80000"),
        ("80.000", "80000"),
        ("€ 80.000", "80000"),
        ("€80.000", "80000"),
        ("80 000", "80000"),
        ("80.000,50", "80000.50"),
        ("80,000.50", "80000.50"),
        ("80,000", "80000"),
        ("80000,5", "80000.50"),
        ("42500.50", "42500.50"),
        ("1.250.000", "1250000"),
        ("EUR 80.000,-", "80000"),
        ("80.000 euro", "80000"),
        ("0", "0"),
        ("", None),
        ("   ", None),
    ],
)
def test_parse_euro_amount_reads_dutch_and_english(typed, amount):
    expected = None if amount is None else Decimal(amount)
    assert parse_euro_amount(typed) == expected


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("1e9", "exponent"),
        ("1E+9", "exponent"),
        ("8e4", "exponent"),
        ("-5", "negative"),
        ("€ -80.000", "negative"),
        ("80.0000", "decimals"),
        ("80000,505", "invalid"),
        ("12.34.56", "invalid"),
        ("80.000.00,5,0", "invalid"),
        ("abc", "invalid"),
        ("inf", "invalid"),
        ("NaN", "invalid"),
        ("٨٠٠٠٠", "invalid"),
        ("80$", "invalid"),
    ],
)
def test_parse_euro_amount_refuses_exponents_and_nonsense(typed, code):
    with pytest.raises(ValidationError) as refusal:
        parse_euro_amount(typed)
    assert refusal.value.code == code


@given(
    whole=st.integers(min_value=0, max_value=int(AMOUNT_MAX)),
    cents=st.integers(min_value=0, max_value=99),
    euro_sign=st.booleans(),
)
def test_every_grouped_amount_reads_back_in_both_languages(whole, cents, euro_sign):
    expected = Decimal(whole) + Decimal(cents) / 100
    english = f"{whole:,}.{cents:02d}"
    dutch = f"{whole:,}".replace(",", ".") + f",{cents:02d}"
    prefix = "€ " if euro_sign else ""
    assert parse_euro_amount(prefix + english) == expected
    assert parse_euro_amount(prefix + dutch) == expected
    assert parse_euro_amount(str(whole)) == Decimal(whole)


@given(st.floats(min_value=1, max_value=1e12, allow_nan=False, allow_infinity=False))
def test_no_exponent_notation_is_ever_taken_as_an_amount(value):
    with pytest.raises(ValidationError):
        parse_euro_amount(f"{value:e}")


@pytest.mark.parametrize("typed", ["80.000", "€ 80.000", "80000", "80.000,50", "80,000.50"])
def test_the_budget_step_saves_amounts_as_people_write_them(client, resident, typed):
    draft = ChallengeFactory(initiator=resident, budget_requested=None)
    client.force_login(resident)
    response = client.post(step_url(draft, "budget"), {"budget_requested": typed})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.budget_requested in (Decimal("80000"), Decimal("80000.50"))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1e9", "exponents are not accepted"),
        ("12.000.001", f"at most {AMOUNT_MAX_RATIO} times, € 12,000,000"),
        ("80.0000", "at most two decimals"),
        ("€ abc", "Write the amount as a number"),
    ],
)
def test_the_budget_step_refuses_exponents_and_absurd_amounts(client, resident, typed, message):
    task = TaskFactory(current_yearly_cost=Decimal("120000"))
    draft = ChallengeFactory(initiator=resident, task=task, budget_requested=Decimal("95000"))
    client.force_login(resident)
    response = client.post(step_url(draft, "budget"), {"budget_requested": typed}, **EN)
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert f'value="{typed}"' in body
    draft.refresh_from_db()
    assert draft.budget_requested == Decimal("95000")


def test_an_amount_above_the_portal_maximum_is_refused_without_a_task(client, resident):
    draft = empty_draft(resident)
    client.force_login(resident)
    response = client.post(step_url(draft, "budget"), {"budget_requested": "100.000.001"}, **EN)
    assert "at most € 100,000,000 per year" in response.content.decode()
    draft.refresh_from_db()
    assert draft.budget_requested is None


def test_the_ratio_to_the_current_cost_is_shown(client, resident):
    task = TaskFactory(current_yearly_cost=Decimal("100000"))
    draft = ChallengeFactory(initiator=resident, task=task, budget_requested=None)
    client.force_login(resident)
    response = client.post(
        step_url(draft, "budget"), {"budget_requested": "€ 80.000"}, follow=True, **EN
    )
    assert "You ask 80% of what the task costs the municipality today." in (
        response.content.decode()
    )
    body = client.get(step_url(draft, "budget"), **EN).content.decode()
    assert "80% of that" in body


# -- 3. Resuming a draft -------------------------------------------------------------


@pytest.mark.parametrize(
    ("blank", "step"),
    [
        ({"title": ""}, "task"),
        ({"social_value": ""}, "plan"),
        ({"budget_requested": None}, "budget"),
        ({"support_evidence": "", "approach": ""}, "plan"),
        ({"legal_form": ""}, "team"),
    ],
)
def test_continue_opens_the_first_step_with_a_missing_answer(client, resident, blank, step):
    draft = ChallengeFactory(initiator=resident, **blank)
    client.force_login(resident)
    expected = f'href="{step_url(draft, step)}"'
    detail = client.get(draft.get_absolute_url(), **EN).content.decode()
    assert re.search(rf"{re.escape(expected)}>Continue with the plan<", detail)
    mine = client.get(reverse("challenges:mine"), **EN).content.decode()
    assert expected in mine


def test_continue_opens_the_review_when_the_plan_is_complete(client, complete_draft):
    client.force_login(complete_draft.initiator)
    review = reverse("challenges:review", args=[complete_draft.pk])
    detail = client.get(complete_draft.get_absolute_url(), **EN).content.decode()
    assert f'href="{review}">Continue with the plan<' in detail
    assert f'href="{review}"' in client.get(reverse("challenges:mine")).content.decode()


# -- 4. Deleting a draft -------------------------------------------------------------


def invite_and_join(draft):
    invitation = services.invitation_create(
        challenge=draft, actor=draft.initiator, email="co@example.org"
    )
    co = UserFactory(email="co@example.org")
    services.invitation_accept(invitation=invitation, user=co)
    pending = services.invitation_create(
        challenge=draft, actor=draft.initiator, email="later@example.org"
    )
    return co, pending


def verify_log() -> str:
    out = io.StringIO()
    call_command("verify_log", stdout=out)
    return out.getvalue()


def test_the_delete_page_asks_first_with_a_post_form(client, complete_draft):
    client.force_login(complete_draft.initiator)
    detail = client.get(complete_draft.get_absolute_url(), **EN).content.decode()
    url = reverse("challenges:delete", args=[complete_draft.pk])
    assert f'href="{url}"' in detail
    body = client.get(url, **EN).content.decode()
    assert '<form method="post">' in body and "csrfmiddlewaretoken" in body
    assert "Yes, delete this draft" in body
    assert Challenge.objects.filter(pk=complete_draft.pk).exists()


def test_the_initiator_deletes_a_draft_without_events(client, complete_draft):
    client.force_login(complete_draft.initiator)
    head_before = verify_log()
    response = client.post(reverse("challenges:delete", args=[complete_draft.pk]), **EN)
    assert response.status_code == 302
    assert response.url == reverse("challenges:mine")
    assert not Challenge.objects.filter(pk=complete_draft.pk).exists()
    assert verify_log() == head_before
    mine = client.get(reverse("challenges:mine"), follow=True, **EN).content.decode()
    assert "Your draft has been deleted." in mine


def test_a_draft_with_chained_events_is_erased_and_the_log_still_verifies(client, complete_draft):
    co, pending = invite_and_join(complete_draft)
    event_seqs = set(complete_draft.events.values_list("seq", flat=True))
    assert len(event_seqs) == 3
    client.force_login(complete_draft.initiator)
    response = client.post(reverse("challenges:delete", args=[complete_draft.pk]))
    assert response.status_code == 302

    draft = Challenge.objects.get(pk=complete_draft.pk)
    assert draft.title == "" and draft.summary == "" and draft.task is None
    assert draft.budget_requested is None and draft.support_evidence == ""
    assert not Invitation.objects.filter(challenge=draft).exists()
    events = TimelineEvent.objects.filter(seq__in=event_seqs)
    assert all(event.erased_at and event.data == {"erased": True} for event in events)
    named = {
        seq for event in draft.events.filter(code=ERASURE_CODE) for seq in event.data["erased_seqs"]
    }
    assert named == event_seqs
    verify_log()  # raises CommandError when the log does not verify

    # Gone for everyone: the initiator, the co-initiator, the list.
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(step_url(draft, "task")).status_code == 404
    assert f"/challenges/{draft.pk}/" not in client.get(reverse("challenges:mine")).content.decode()
    client.force_login(co)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_only_the_initiator_may_delete(client, complete_draft, other_resident):
    co, _pending = invite_and_join(complete_draft)
    url = reverse("challenges:delete", args=[complete_draft.pk])
    client.force_login(co)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    client.force_login(other_resident)
    assert client.post(url).status_code == 404
    client.logout()
    assert client.post(url).status_code == 302  # to the login page
    complete_draft.refresh_from_db()
    assert complete_draft.title and complete_draft.invitations.count() == 2


def test_only_a_draft_can_be_deleted(client, db):
    challenge = challenge_in(Status.SUBMITTED)
    client.force_login(challenge.initiator)
    response = client.post(reverse("challenges:delete", args=[challenge.pk]))
    assert response.status_code == 302 and response.url == challenge.get_absolute_url()
    challenge.refresh_from_db()
    assert challenge.status == Status.SUBMITTED and challenge.title
    with pytest.raises(services.ServiceError):
        services.challenge_delete_draft(challenge=challenge, actor=challenge.initiator)


def test_deleting_needs_the_csrf_token(complete_draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(complete_draft.initiator)
    response = client.post(reverse("challenges:delete", args=[complete_draft.pk]))
    assert response.status_code == 403
    assert Challenge.objects.filter(pk=complete_draft.pk).exists()


# -- 5. An empty addition ------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_an_empty_addition_shows_an_error_on_the_page(client, db, text):
    challenge = challenge_in(Status.SUBMITTED)
    client.force_login(challenge.initiator)
    events_before = challenge.events.count()
    response = client.post(
        reverse("challenges:addition", args=[challenge.pk]),
        {"text": text, "visibility": "public"},
        **EN,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in body
    assert "Write the addition first." in body
    assert "<title>Error: " in body
    assert challenge.events.count() == events_before


def test_a_refused_addition_keeps_the_typed_text(client, db):
    challenge = challenge_in(Status.SUBMITTED)
    client.force_login(challenge.initiator)
    response = client.post(
        reverse("challenges:addition", args=[challenge.pk]),
        {"text": "Onze begroting is bijgewerkt.", "visibility": "everyone"},
        **EN,
    )
    body = response.content.decode()
    assert "Choose who may read this addition." in body
    assert "Onze begroting is bijgewerkt." in body
    assert not challenge.events.filter(code=EventCode.ADDITION).exists()


# -- 6. The withdrawal's motivation --------------------------------------------------


def test_the_withdraw_motivation_is_required_and_labelled_so(client, db):
    challenge = challenge_in(Status.SUBMITTED)
    client.force_login(challenge.initiator)
    body = client.get(challenge.get_absolute_url(), **EN).content.decode()
    section = body[body.index('id="withdraw-title"') :]
    section = section[: section.index("</section>")]
    assert "(optional)" not in section
    assert re.search(r'<textarea[^>]*name="motivation"[^>]*required', section)
    response = client.post(
        reverse("challenges:transition", args=[challenge.pk]),
        {"to_status": Status.WITHDRAWN, "motivation": "  ", "expected_status": challenge.status},
        follow=True,
        **EN,
    )
    assert "Write a motivation for this step; it is required." in response.content.decode()
    challenge.refresh_from_db()
    assert challenge.status == Status.SUBMITTED


# -- 7. The steps are counted the same everywhere --------------------------------------


def test_pages_and_readme_count_five_steps(client, complete_draft):
    client.force_login(complete_draft.initiator)
    for number, step in enumerate(["task", "plan", "budget", "team"], start=1):
        body = client.get(step_url(complete_draft, step), **EN).content.decode()
        assert f"Step {number} of 5" in body
    review = client.get(reverse("challenges:review", args=[complete_draft.pk]), **EN)
    assert "Step 5 of 5" in review.content.decode()
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("### Submitting a challenge") :]
    assert "five\nsteps" in section or "five steps" in section
    assert "four\nsteps" not in section and "four steps" not in section


def test_an_empty_draft_can_be_started_and_resumed(client, resident):
    NeighbourhoodFactory()
    client.force_login(resident)
    response = client.post(reverse("challenges:start"))
    draft = Challenge.objects.get(initiator=resident)
    assert response.url == step_url(draft, "task")
    assert (
        f'href="{step_url(draft, "task")}"'
        in client.get(reverse("challenges:mine")).content.decode()
    )


@pytest.mark.parametrize("typed", ["1" * 30, "9" * 40, "1.000.000.000.000.000.000.000.000.000"])
def test_a_huge_number_is_too_large_not_a_crash(typed):
    with pytest.raises(ValidationError) as refusal:
        parse_euro_amount(typed)
    assert refusal.value.code == "max_value"


def test_every_step_can_be_opened_from_the_step_list_of_an_untitled_draft(client, resident):
    draft = empty_draft(resident)
    client.force_login(resident)
    body = client.get(step_url(draft, "task"), **EN).content.decode()
    nav = body[body.index('<nav aria-label="Steps">') :]
    nav = nav[: nav.index("</nav>")]
    for step in ("task", "plan", "budget", "team"):
        assert f'href="{step_url(draft, step)}"' in nav
    assert f'href="{reverse("challenges:review", args=[draft.pk])}"' in nav

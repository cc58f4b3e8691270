"""Every section of the workspace runs the same number of queries with 10 and with
1,000 of what it lists (events, messages, documents, contact persons, versions,
milestones, knots, reflections, members), and the timeline shows the latest with a
way to read older ones."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from challenges.constants import LegalForm, Role, Visibility
from challenges.models import TimelineEvent
from partnerships import selectors, services
from partnerships.constants import MemberRole, PartnershipEvent, Side, VersionStatus
from partnerships.models import (
    CONTENT_FIELDS,
    AgreementVersion,
    ContactPerson,
    Document,
    Knot,
    Message,
    Milestone,
    OrganisationMember,
    ReflectionAnswer,
    ReflectionRound,
)

pytestmark = pytest.mark.django_db

SIDES = [Side.CHALLENGER, Side.MUNICIPALITY]


def _events(p, start: int, stop: int) -> None:
    TimelineEvent.objects.bulk_create(
        [
            TimelineEvent(
                challenge=p.challenge,
                actor=p.challenger,
                actor_role=Role.CHALLENGER,
                code=PartnershipEvent.MESSAGE_POSTED,
                visibility=Visibility.PARTIES,
                data={"side": "challenger", "text": f"Bericht {i}"},
            )
            for i in range(start, stop)
        ]
    )


def _messages(p, start, stop):
    Message.objects.bulk_create(
        [
            Message(
                challenge=p.challenge,
                author=p.challenger if i % 2 else p.municipality,
                side=SIDES[i % 2],
                text=f"Bericht {i}",
            )
            for i in range(start, stop)
        ]
    )


def _documents(p, start, stop):
    Document.objects.bulk_create(
        [
            Document(
                challenge=p.challenge,
                uploaded_by=p.challenger,
                side=Side.CHALLENGER,
                file=f"documents/{i}.pdf",
                original_name=f"stuk-{i}.pdf",
                kind="pdf",
                content_type="application/pdf",
                size=1000 + i,
                sha256="0" * 64,
            )
            for i in range(start, stop)
        ]
    )


def _contact_persons(p, start, stop):
    now = timezone.now()
    ContactPerson.objects.bulk_create(
        [
            ContactPerson(
                challenge=p.challenge,
                side=SIDES[i % 2],
                user=p.co_initiator if i % 2 == 0 else p.colleague,
                mandate="Alles.",
                reason="Verlof.",
                assigned_by=p.coordinator,
                started_at=now - datetime.timedelta(days=2 * i + 2),
                ended_at=now - datetime.timedelta(days=2 * i + 1),
            )
            for i in range(start, stop)
        ]
    )


def _versions(p, start, stop):
    v1 = AgreementVersion.objects.get(challenge=p.challenge, number=1)
    content = {name: getattr(v1, name) for name in CONTENT_FIELDS}
    # Older superseded versions below the one in force would not happen; numbers
    # above it, superseded, cost the page the same as real ones.
    AgreementVersion.objects.bulk_create(
        [
            AgreementVersion(
                challenge=p.challenge,
                number=100 + i,
                status=VersionStatus.SUPERSEDED,
                created_by=p.challenger,
                proposed_by=p.challenger,
                proposed_at=timezone.now(),
                **content,
            )
            for i in range(start, stop)
        ]
    )


def _milestones(p, start, stop):
    today = timezone.localdate()
    Milestone.objects.bulk_create(
        [
            Milestone(
                challenge=p.challenge,
                title=f"Mijlpaal {i}",
                owner_side=SIDES[i % 2],
                due_date=today + datetime.timedelta(days=i - 5),
                created_by=p.challenger,
            )
            for i in range(start, stop)
        ]
    )


def _knots(p, start, stop):
    today = timezone.localdate()
    Knot.objects.bulk_create(
        [
            Knot(
                challenge=p.challenge,
                question=f"Vraag {i}?",
                decision_needed="Besluit.",
                needed_by=today + datetime.timedelta(days=i - 5),
                raised_by=p.challenger,
                raised_by_side=Side.CHALLENGER,
                status="resolved" if i % 2 else "open",
                decision="Ja." if i % 2 else "",
                resolved_by=p.coordinator if i % 2 else None,
                resolved_at=timezone.now() if i % 2 else None,
            )
            for i in range(start, stop)
        ]
    )


def _reflections(p, start, stop):
    now = timezone.now()
    rounds = ReflectionRound.objects.bulk_create(
        [
            ReflectionRound(
                challenge=p.challenge,
                reason=f"Ronde {i}",
                opened_by=p.challenger,
                opened_at=now - datetime.timedelta(days=stop - i),
                revealed_at=now - datetime.timedelta(days=stop - i),
            )
            for i in range(start, stop)
        ]
    )
    ReflectionAnswer.objects.bulk_create(
        [
            ReflectionAnswer(
                round=round_,
                side=side,
                respondent=p.challenger if side == Side.CHALLENGER else p.municipality,
                right_things=1 + i % 5,
                right_things_comment="Ja.",
                doing_right=3,
                doing_right_comment="Redelijk.",
                together=4,
                together_comment="Goed.",
            )
            for i, round_ in enumerate(rounds)
            for side in SIDES
        ]
    )


def _members(p, start, stop):
    if start == 0:
        services.partnership_register_organisation(
            challenge=p.challenge,
            actor=p.challenger,
            name="Stichting Groen",
            legal_form=LegalForm.INFORMAL_GROUP,
        )
    organisation = selectors.partnership_of(p.challenge).organisation
    users = User.objects.bulk_create(
        [
            User(username=f"lid{i}", email=f"lid{i}@example.org", display_name=f"Lid {i}")
            for i in range(start, stop)
        ]
    )
    OrganisationMember.objects.bulk_create(
        [
            OrganisationMember(organisation=organisation, user=user, role=MemberRole.MEMBER)
            for user in users
        ]
    )


def _everything(p, start, stop):
    for fill in (_events, _messages, _documents, _milestones, _knots):
        fill(p, start, stop)


SECTIONS = [
    ("workspace", _everything),
    ("workspace-timeline", _events),
    ("workspace-messages", _messages),
    ("workspace-documents", _documents),
    ("workspace-contact-persons", _contact_persons),
    ("workspace-agreement", _versions),
    ("workspace-milestones", _milestones),
    ("workspace-knots", _knots),
    ("reflections", _reflections),
    ("organisation", _members),
]


def _count(client, url) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize(("name", "fill"), SECTIONS, ids=[name for name, _fill in SECTIONS])
def test_each_section_costs_the_same_at_10_and_1000_rows(client, in_execution, name, fill):
    p = in_execution
    url = reverse(f"partnerships:{name}", kwargs={"pk": p.challenge.pk})
    client.force_login(p.challenger)
    fill(p, 0, 10)
    small, response = _count(client, url)
    fill(p, 10, 1000)
    many, response = _count(client, url)
    assert many == small, f"{name}: {small} queries at 10 rows, {many} at 1,000"


def test_the_timeline_costs_the_same_at_10_and_1000_events(client, in_agreement):
    p = in_agreement
    url = reverse("partnerships:workspace-timeline", kwargs={"pk": p.challenge.pk})
    client.force_login(p.challenger)
    existing = p.challenge.events.count()
    _events(p, 0, max(0, 10 - existing))
    small, _response = _count(client, url)
    _events(p, 0, 990)
    assert p.challenge.events.count() >= 1000
    many, response = _count(client, url)
    assert many == small
    events = response.context["events"]
    assert len(events) == 50 and events.older is not None
    # The oldest page costs the same, and ends with the very first event.
    oldest, response = _count(client, f"{url}?before={p.challenge.events.order_by('seq')[3].seq}")
    assert oldest == small
    assert response.context["events"].older is None


def test_an_old_timeline_page_link_on_the_workspace_goes_to_the_timeline(client, in_agreement):
    p = in_agreement
    client.force_login(p.challenger)
    base = reverse("partnerships:workspace", kwargs={"pk": p.challenge.pk})
    response = client.get(f"{base}?before=12")
    assert response.status_code == 302
    assert response.url == (
        reverse("partnerships:workspace-timeline", kwargs={"pk": p.challenge.pk}) + "?before=12"
    )
    # Not for an outsider: the workspace is not there for them.
    client.force_login(p.outsider)
    assert client.get(f"{base}?before=12").status_code == 404

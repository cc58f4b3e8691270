"""The versions of the agreement: the one on the table, the draft, the one in force,
and what changed from one version to the next, field by field."""

import datetime
import difflib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.formats import date_format, number_format

from challenges.models import Challenge

from ..constants import VersionStatus
from ..models import CONTENT_FIELDS, AgreementVersion


def agreement_versions(challenge: Challenge) -> QuerySet[AgreementVersion]:
    return (
        AgreementVersion.objects.filter(challenge=challenge)
        .select_related("created_by", "proposed_by")
        .prefetch_related("signatures__signer")
        .order_by("-number")
    )


def current_version(challenge: Challenge) -> AgreementVersion | None:
    """The version on the table: proposed (awaiting signatures) or signed (in force)."""
    return (
        AgreementVersion.objects.filter(
            challenge=challenge, status__in=[VersionStatus.PROPOSED, VersionStatus.SIGNED]
        )
        .prefetch_related("signatures__signer")
        .first()
    )


def draft_version(challenge: Challenge) -> AgreementVersion | None:
    return AgreementVersion.objects.filter(challenge=challenge, status=VersionStatus.DRAFT).first()


def agreement_in_force(challenge: Challenge) -> AgreementVersion | None:
    """The version in force: the current version, once both contact persons signed it."""
    return AgreementVersion.objects.filter(challenge=challenge, status=VersionStatus.SIGNED).first()


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # (" " | "-" | "+", text)


def _date(value) -> str:
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            return value
    return date_format(value, "j F Y")


def _display(version: AgreementVersion, name: str) -> str:
    """A content field as people read it, in the language of the page: amounts in
    euros with the local separators, dates written out ("18 september 2026")."""
    value = getattr(version, name)
    if name == "reporting_rhythm":
        return str(version.get_reporting_rhythm_display())
    if name == "evaluation_dates":
        return "\n".join(_date(item) for item in value or [])
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return "€ " + number_format(value, 2, use_l10n=True, force_grouping=True)
    if isinstance(value, datetime.date):
        return _date(value)
    return str(value)


def version_changes(old: AgreementVersion | None, new: AgreementVersion) -> list[FieldChange]:
    """What changed from `old` to `new`, field by field; every field when there is no old."""
    changes = []
    for name in CONTENT_FIELDS:
        label = str(AgreementVersion._meta.get_field(name).verbose_name)
        after = _display(new, name)
        before = _display(old, name) if old is not None else ""
        if old is not None and before == after:
            continue
        lines = []
        for line in difflib.ndiff(before.splitlines(), after.splitlines()):
            marker = line[:1]
            if marker in ("-", "+", " "):
                lines.append((marker, line[2:]))
        changes.append(FieldChange(name=name, label=label, old=before, new=after, lines=lines))
    return changes


def previous_version(version: AgreementVersion) -> AgreementVersion | None:
    return (
        AgreementVersion.objects.filter(
            challenge_id=version.challenge_id, number__lt=version.number
        )
        .exclude(status=VersionStatus.DRAFT)
        .order_by("-number")
        .first()
    )

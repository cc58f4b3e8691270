"""Template helpers of the partnerships: labels for stored codes, dates stored as
text, the reflection chart, and the public progress block for the challenge page."""

from datetime import date

from django import template
from django.utils.translation import gettext_lazy as _

from ..constants import REFLECTION_QUESTIONS, MilestoneStatus, Side
from ..models import AgreementVersion

register = template.Library()


@register.filter
def person(user) -> str:
    """A person's name, also after they deleted their account."""
    return user.name if user is not None else _("(account deleted)")


@register.filter
def side_label(value: str) -> str:
    try:
        return Side(value).label
    except ValueError:
        return value or ""


@register.filter
def milestone_status_label(value: str) -> str:
    try:
        return MilestoneStatus(value).label
    except ValueError:
        return value or ""


@register.filter
def question_label(key: str) -> str:
    return dict(REFLECTION_QUESTIONS).get(key, key)


@register.filter
def agreement_field_label(name: str) -> str:
    try:
        return AgreementVersion._meta.get_field(name).verbose_name
    except Exception:  # noqa: BLE001 - an unknown name is shown as it is
        return name


@register.filter
def isodate(value):
    """A date stored as "2026-01-31" in event data, as a date (or "" when empty)."""
    if not value:
        return ""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return value


@register.filter
def short_digest(value: str) -> str:
    return (value or "")[:12]


@register.simple_tag
def reflection_questions():
    return REFLECTION_QUESTIONS


@register.inclusion_tag("partnerships/_public_progress.html")
def public_progress(challenge, show_empty=False):
    """The public milestones of a challenge and their progress, for its public page.

    Renders nothing when there are no public milestones, unless `show_empty`.
    """
    from ..selectors import milestones, progress

    items = list(milestones(challenge, public_only=True))
    return {
        "challenge": challenge,
        "milestones": items,
        "progress": progress(items),
        "show_empty": show_empty,
    }


@register.inclusion_tag("partnerships/_trend_chart.html")
def reflection_chart(points, question_key: str, question_label_text: str = ""):
    """An accessible line chart (inline SVG) of one question's scores over time."""
    from ..charts import trend_chart

    return {"chart": trend_chart(points, question_key, question_label_text)}


@register.filter
def get(mapping, key):
    """mapping[key] in a template, or "" when it is not there."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def legal_form_label(value: str) -> str:
    from challenges.constants import LegalForm

    try:
        return LegalForm(value).label
    except ValueError:
        return value or ""

"""Reads of a partnership shared by the workspace pages, the admin, the guards of the
transition table and the demo data, so that they never disagree.

One module per sub-domain: `organisations`, `contact_persons`, `agreement`,
`milestones`, `reflections`, `knots`, `workspace` (messages, documents, the parties
timeline) and `readiness` (what a stage change still needs). This package re-exports
every selector, so callers write `selectors.active_contact_persons(challenge)`.

Two selectors share the name of their module: `selectors.milestones` and
`selectors.knots` are the functions; the modules are `partnerships.selectors.milestones`
and `partnerships.selectors.knots` (import them by that full name).
"""

from .agreement import (
    FieldChange,
    agreement_in_force,
    agreement_versions,
    current_version,
    draft_version,
    previous_version,
    version_changes,
)
from .contact_persons import (
    active_contact_persons,
    contact_person_history,
    eligible_contact_persons,
    missing_contact_persons,
)
from .knots import knots, open_knots
from .milestones import Progress, milestones, progress
from .organisations import partnership_of
from .readiness import missing_for_assessment, missing_for_execution
from .reflections import RoundView, TrendPoint, open_reflection, reflection_trend, reflections_for
from .workspace import documents, messages, parties_timeline, workspace_challenges

__all__ = [
    "FieldChange",
    "Progress",
    "RoundView",
    "TrendPoint",
    "active_contact_persons",
    "agreement_in_force",
    "agreement_versions",
    "contact_person_history",
    "current_version",
    "documents",
    "draft_version",
    "eligible_contact_persons",
    "knots",
    "messages",
    "milestones",
    "missing_contact_persons",
    "missing_for_assessment",
    "missing_for_execution",
    "open_knots",
    "open_reflection",
    "parties_timeline",
    "partnership_of",
    "previous_version",
    "progress",
    "reflection_trend",
    "reflections_for",
    "version_changes",
    "workspace_challenges",
]

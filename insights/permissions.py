"""Who may see the coordinator's dashboard."""

from challenges.constants import Role
from challenges.permissions import staff_roles


def can_see_dashboard(user) -> bool:
    """The Coordinator group (a superuser holds the role too)."""
    return Role.COORDINATOR in staff_roles(user)


def knows_dashboard(user) -> bool:
    """Staff know the dashboard exists (403 for those without the role); anybody else
    gets a 404."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_staff)

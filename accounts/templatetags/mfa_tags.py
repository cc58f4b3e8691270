"""Template tags for the second-factor pages (templates/mfa/)."""

from django import template

from accounts import mfa

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_continue_url(context) -> str:
    """Where a staff member continues after enrolment: the admin URL they were sent
    away from, or the admin's index; "" for anybody who is not staff."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not getattr(user, "is_staff", False):
        return ""
    return mfa.continue_url(request)

"""`{% load insights %}`: whether the reader may open the coordinator's dashboard (the
main menu and the admin index link to it for coordinators only)."""

from django import template

from insights.permissions import can_see_dashboard

register = template.Library()


@register.filter
def sees_dashboard(user) -> bool:
    return can_see_dashboard(user)

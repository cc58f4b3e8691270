"""Which rows of the installed apps point at a person: every foreign key and one-to-one
field to the user model, as "app_label.Model.field".

The export (`exporters.SECTIONS`) and the deletion (`services.DELETION`) each declare
which of these relations they handle; tests/privacy/test_privacy_coverage.py fails
when a model gains a relation to the user that neither declares, so a new app cannot
forget the person's data.
"""

from django.apps import apps
from django.conf import settings


def relation_label(model, field_name: str) -> str:
    return f"{model._meta.label}.{field_name}"


def user_relations() -> set[str]:
    """Every concrete relation to the user model in the installed models (the
    auto-created tables of many-to-many fields, such as the user's groups, included)."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    found = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if (
                field.is_relation
                and field.concrete
                and (field.many_to_one or field.one_to_one)
                and field.related_model is user_model
            ):
                found.add(relation_label(model, field.name))
    return found


def installed_model(label: str):
    """The model "app_label.Model" when its app is installed, else None (for apps the
    portal may or may not run, such as allauth's MFA)."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None

"""The staff groups get what they need for partnerships in the admin: viewing
everything, and adding or changing what the admin's forms hand to the services.
Nothing is ever deleted; reflection answers are not listed on their own (they are
shown on the reflection, and only once both sides have answered)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMS = [
    ("view", "organisation"),
    ("add", "organisation"),
    ("change", "organisation"),
    ("view", "organisationmember"),
    ("view", "partnership"),
    ("view", "contactperson"),
    ("add", "contactperson"),
    ("view", "agreementversion"),
    ("add", "agreementversion"),
    ("change", "agreementversion"),
    ("view", "agreementsignature"),
    ("view", "milestone"),
    ("add", "milestone"),
    ("change", "milestone"),
    ("view", "reflectionround"),
    ("add", "reflectionround"),
    ("change", "reflectionround"),
    ("view", "knot"),
    ("add", "knot"),
    ("change", "knot"),
    ("view", "message"),
    ("add", "message"),
    ("view", "document"),
    ("add", "document"),
]


def forwards(apps, schema_editor):
    app_config = apps.get_app_config("partnerships")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = [
        Permission.objects.get(content_type__app_label="partnerships", codename=f"{action}_{model}")
        for action, model in PERMS
    ]
    for name in ("Reviewer", "Coordinator"):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def backwards(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=["Reviewer", "Coordinator"]):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="partnerships")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0001_initial"),
        ("challenges", "0002_groups_criteria_targets"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

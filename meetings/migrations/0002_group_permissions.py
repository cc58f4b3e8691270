"""The staff groups may look at meetings and their minutes in the admin (read-only:
every change goes through the meeting pages and their services)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMS = [("view", "meeting"), ("view", "meetingslot"), ("view", "minutes")]


def forwards(apps, schema_editor):
    app_config = apps.get_app_config("meetings")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = [
        Permission.objects.get(content_type__app_label="meetings", codename=f"{action}_{model}")
        for action, model in PERMS
    ]
    for name in ("Reviewer", "Coordinator"):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def backwards(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=["Reviewer", "Coordinator"]):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="meetings"))


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0001_meetings_slots_minutes"),
        ("challenges", "0002_groups_criteria_targets"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

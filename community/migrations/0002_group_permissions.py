"""The staff groups may view support, questions, answers and reports in the admin.
Nothing is changed or deleted there: a post is hidden through its own page, by the
service, with a reason."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["support", "question", "answer", "report"]


def forwards(apps, schema_editor):
    app_config = apps.get_app_config("community")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = [
        Permission.objects.get(content_type__app_label="community", codename=f"view_{model}")
        for model in MODELS
    ]
    for name in ("Reviewer", "Coordinator"):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def backwards(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=["Reviewer", "Coordinator"]):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="community"))


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_support_and_questions"),
        ("challenges", "0002_groups_criteria_targets"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

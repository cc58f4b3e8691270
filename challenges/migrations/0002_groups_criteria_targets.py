"""Staff groups with exactly the permissions they need, the published criteria and
the default stage targets. Functional administrators change criteria and targets
in the admin afterwards."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REVIEWER_PERMS = [
    ("challenges", "view_challenge"),
    ("challenges", "change_challenge"),  # needed for the transition and note forms
    ("challenges", "view_assessment"),
    ("challenges", "add_assessment"),
    ("challenges", "change_assessment"),
    ("challenges", "view_timelineevent"),
    ("challenges", "view_task"),
    ("challenges", "view_neighbourhood"),
    ("challenges", "view_criterion"),
    ("challenges", "view_stagetarget"),
    ("challenges", "view_invitation"),
]
COORDINATOR_PERMS = REVIEWER_PERMS

CRITERIA = [
    ("Maatschappelijke meerwaarde", "Social value",
     "Wat levert het plan op voor de wijk en haar bewoners, naast de taak zelf?",
     "What does the plan add for the neighbourhood and its residents, beyond the task itself?"),
    ("Kwaliteit en uitvoerbaarheid", "Quality and feasibility",
     "Kan het team de taak minstens even goed uitvoeren, met de mensen en middelen die het heeft?",
     "Can the team do the task at least as well, with the people and means it has?"),
    ("Kosten tegenover de huidige kosten", "Cost compared with the current cost",
     "Hoe verhoudt het gevraagde budget zich tot wat de taak de gemeente nu kost?",
     "How does the budget asked compare with what the task costs the municipality today?"),
    ("Draagvlak in de wijk", "Support in the neighbourhood",
     "Steunen buurtbewoners en betrokken organisaties het plan aantoonbaar?",
     "Do residents and organisations involved demonstrably support the plan?"),
    ("Continuïteit en risico's", "Continuity and risks",
     "Blijft de taak goed uitgevoerd als er iets tegenzit, en wie draagt welk risico?",
     "Will the task still be done well when things go wrong, and who carries which risk?"),
    ("Ruimte in de regels", "Legal room",
     "Past de overdracht binnen de regels voor aanbesteding en staatssteun?",
     "Does the handover fit the rules on procurement and state aid?"),
]

TARGETS = [
    ("submitted", 14, "stage_start"),
    ("intake", 28, "stage_start"),
    ("assessment", 42, "stage_start"),
    ("decision", 56, "submission"),
    ("accepted", 28, "stage_start"),
    ("agreement", 84, "stage_start"),
    ("evaluation", 56, "stage_start"),
]


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in (("Reviewer", REVIEWER_PERMS), ("Coordinator", COORDINATOR_PERMS)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            [Permission.objects.get(content_type__app_label=app, codename=code)
             for app, code in perms]
        )
    Criterion = apps.get_model("challenges", "Criterion")
    for order, (nl, en, dnl, den) in enumerate(CRITERIA, start=1):
        Criterion.objects.get_or_create(
            name_en=en,
            defaults={"name_nl": nl, "description_nl": dnl, "description_en": den,
                      "order": order},
        )
    StageTarget = apps.get_model("challenges", "StageTarget")
    for status, days, basis in TARGETS:
        StageTarget.objects.get_or_create(status=status, defaults={"days": days, "basis": basis})


class Migration(migrations.Migration):
    dependencies = [
        ("challenges", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

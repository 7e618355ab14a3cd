"""Give the default milestones already created (by their default title) the key of their method
step, so that method events close them."""

from django.db import migrations

DEFAULT_TITLES = {
    "Signature de la lettre de cadrage": "lettre-de-cadrage",
    "Plénière de lancement": "pleniere-de-lancement",
    "Validation du diagnostic partagé par le COPIL": "diagnostic",
    "Validation de la feuille de route par le COPIL": "feuille-de-route",
    "Signature des lettres d'engagement": "engagements",
    "Validation du bilan à 6 mois par le COPIL": "bilan-6-mois",
    "Bilan de la démarche": "bilan-final",
}


def set_keys(apps, schema_editor):
    Milestone = apps.get_model("projects", "Milestone")
    taken = set(Milestone.objects.exclude(key="").values_list("project_id", "key"))
    for milestone in Milestone.objects.filter(key="", title__in=DEFAULT_TITLES).order_by("pk"):
        key = DEFAULT_TITLES[milestone.title]
        if (milestone.project_id, key) in taken:
            continue  # a copy of a default milestone keeps no key: one milestone per step
        taken.add((milestone.project_id, key))
        milestone.key = key
        milestone.save(update_fields=["key"])


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_method_steps")]

    operations = [migrations.RunPython(set_keys, migrations.RunPython.noop)]

"""The directory's « usagers et familles » organisations represent people with lived experience
or their families: pre-fill the new flag from their ANAP category and sub-type (the rule of
`categories.default_represents`, copied here as a migration must not change with the code)."""

from django.db import migrations

BY_SUB_TYPE = {
    "unafam": "proches",
    "gem": "personnes_concernees",
    "pair_aidance": "personnes_concernees",
    "representant_usagers": "personnes_concernees_proches",
}


def prefill(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    users = Organisation.objects.filter(category="usagers_familles", represents="")
    for sub_type, represents in BY_SUB_TYPE.items():
        users.filter(sub_type=sub_type).update(represents=represents)
    users.exclude(sub_type__in=list(BY_SUB_TYPE)).update(
        represents="personnes_concernees_proches"
    )


class Migration(migrations.Migration):
    dependencies = [("organisations", "0007_organisation_represents")]

    operations = [migrations.RunPython(prefill, migrations.RunPython.noop)]

from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "ptsm.organisations"
    label = "organisations"
    verbose_name = "Acteurs et annuaire"

"""Shared vocabulary of the ANAP method used by several apps."""

from django.db import models


class EntryDoor(models.IntegerChoices):
    """The five entry doors (portes d'entrée) of the ANAP Rosace."""

    ACCESS_TO_CARE = 1, "Accès au diagnostic et aux soins psychiatriques"
    INADEQUATE_SITUATIONS = 2, "Situations inadéquates"
    SOCIAL_SUPPORT = 3, "Accès aux accompagnements sociaux et médico-sociaux"
    SOMATIC_CARE = 4, "Accès aux soins somatiques"
    CRISIS = 5, "Prévention et gestion des situations de crise"


# Decree 2017-1200 priorities each entry door maps to (P5 and P6 are cross-cutting).
ENTRY_DOOR_PRIORITIES = {1: ["P1"], 2: ["P2"], 3: ["P2"], 4: ["P3"], 5: ["P4"]}

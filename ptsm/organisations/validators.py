"""Official identifiers: checked before anything is saved, with messages in French."""

import re

from django.core.exceptions import ValidationError

FINESS_PATTERN = re.compile(r"^[0-9][0-9AB][0-9]{7}$")
LA_POSTE_SIREN = "356000000"  # its SIRET numbers do not follow the Luhn key


def validate_finess(value: str) -> None:
    if value and not FINESS_PATTERN.match(value):
        raise ValidationError(
            "Numéro FINESS invalide : 9 caractères attendus (2 chiffres ou 2A/2B, puis 7 chiffres)."
        )


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = int(char)
        if index % 2 == 1:
            number = number * 2 - 9 if number > 4 else number * 2
        total += number
    return total % 10 == 0


def validate_siret(value: str) -> None:
    if not value:
        return
    if not re.fullmatch(r"[0-9]{14}", value):
        raise ValidationError("Numéro SIRET invalide : 14 chiffres attendus.")
    if not value.startswith(LA_POSTE_SIREN) and not luhn_valid(value):
        raise ValidationError("Numéro SIRET invalide : la clé de contrôle ne correspond pas.")


def normalise_identifier(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()

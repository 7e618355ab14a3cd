"""Input of the API's writes to the directory. The fields are the import's columns
(`organisations.imports.ORGANISATION_COLUMNS`) and a line goes through the import's repairs and
checks (`organisations.imports.save_organisation_line`): one definition of what may be written
and how it is read, whether it comes from a file or from the API."""

from rest_framework import serializers

from ptsm.organisations.imports import ORGANISATION_COLUMNS

from .serializers import StrictSerializer

HELP = {
    "category": "Catégorie ANAP (code ou libellé), sous-type, ou catégorie FINESS (code « 292 » "
    "ou libellé) : comme une cellule de l'import.",
    "commune": "Code INSEE de la commune (ou son nom, avec le code postal).",
    "finess_et": "9 caractères ; un numéro de 8 chiffres dont le zéro initial a été perdu est "
    "réparé quand le code postal ou la commune le confirment.",
    "phone": "Les numéros français sont écrits « 02 98 00 00 00 ».",
    "website": "Une adresse sans « https:// » le reçoit.",
}


def _field(name: str, label: str) -> serializers.Field:
    help_text = f"{label}. {HELP.get(name, '')}".strip()
    if name == "mental_health":
        return serializers.BooleanField(required=False, help_text=label)
    return serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=True, help_text=help_text
    )


class OrganisationInput(StrictSerializer):
    """Every field optional; an absent or empty one leaves the stored value as it is."""

    projet = serializers.SlugField(
        required=False, help_text="Obligatoire en création (POST), refusé en modification."
    )

    def get_fields(self):
        fields = super().get_fields()
        for name, label in ORGANISATION_COLUMNS:
            fields[name] = _field(name, label)
        return fields

    def validate(self, attrs):
        if self.context.get("creating") and not attrs.get("projet"):
            raise serializers.ValidationError({"projet": ["Indiquez le projet (son identifiant)."]})
        return attrs


def as_line(values: dict) -> dict[str, str]:
    """The validated input as the cells of an import line."""
    return {
        name: ("oui" if value else "non") if isinstance(value, bool) else str(value)
        for name, value in values.items()
        if name != "projet"
    }

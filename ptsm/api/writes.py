"""Input of the API's writes to the directory: every field optional, an absent one untouched."""

from rest_framework import serializers

from ptsm.organisations.categories import SUB_TYPE_CHOICES, Category
from ptsm.organisations.models import LegalStatus

from .serializers import StrictSerializer

WRITABLE = [
    "name",
    "category",
    "sub_type",
    "legal_status",
    "finess_et",
    "finess_ej",
    "siret",
    "address",
    "postcode",
    "commune",
    "website",
    "phone",
    "email",
    "mental_health",
]


class OrganisationInput(StrictSerializer):
    projet = serializers.SlugField(
        required=False, help_text="Obligatoire en création (POST), refusé en modification."
    )
    name = serializers.CharField(max_length=255, required=False)
    category = serializers.ChoiceField(Category.choices, required=False)
    sub_type = serializers.ChoiceField(SUB_TYPE_CHOICES, required=False, allow_blank=True)
    legal_status = serializers.ChoiceField(LegalStatus.choices, required=False, allow_blank=True)
    finess_et = serializers.CharField(max_length=20, required=False, allow_blank=True)
    finess_ej = serializers.CharField(max_length=20, required=False, allow_blank=True)
    siret = serializers.CharField(max_length=20, required=False, allow_blank=True)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    postcode = serializers.CharField(max_length=5, required=False, allow_blank=True)
    commune = serializers.CharField(
        max_length=5, required=False, allow_blank=True, help_text="Code INSEE de la commune."
    )
    website = serializers.URLField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    mental_health = serializers.BooleanField(required=False)

    def validate(self, attrs):
        if self.context.get("creating") and not attrs.get("projet"):
            raise serializers.ValidationError({"projet": ["Indiquez le projet (son identifiant)."]})
        return attrs


def apply_organisation(organisation, values: dict) -> None:
    """Set the fields the client sent; the others keep their value."""
    for name in WRITABLE:
        if name not in values:
            continue
        if name == "commune":
            organisation.commune_id = values[name] or None
        else:
            setattr(organisation, name, values[name])

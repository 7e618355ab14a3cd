"""Writes of the accounts app."""

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import ArsAdministration, User


@transaction.atomic
def grant_ars_administration(*, email: str, region, first_name: str = "", last_name: str = ""):
    """Make a person administrateur ARS of a région, creating their account if needed.

    Returns the user and whether the account was created (it then has no password yet: the person
    sets one through « mot de passe oublié »)."""
    email = email.strip().lower()
    if not email:
        raise ValidationError("L'adresse électronique est obligatoire.")
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User.objects.create_user(email, None, first_name=first_name, last_name=last_name)
    ArsAdministration.objects.get_or_create(user=user, region=region)
    return user, created

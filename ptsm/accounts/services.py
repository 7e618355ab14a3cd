"""Writes of the accounts app."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import ArsAdministration, NationalObserver, User
from .security import is_ars_administrator


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


@transaction.atomic
def grant_national_observer(*, email: str, first_name: str = "", last_name: str = ""):
    """Make a person observateur national (reads the cockpit of every région), creating their
    account if needed. Returns the user and whether the account was created."""
    email = email.strip().lower()
    if not email:
        raise ValidationError("L'adresse électronique est obligatoire.")
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User.objects.create_user(email, None, first_name=first_name, last_name=last_name)
    NationalObserver.objects.get_or_create(user=user)
    return user, created


def pending_totp_device(*, user: User) -> TOTPDevice:
    """The device being set up (not confirmed yet): the same key until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="Application d'authentification", confirmed=False
        )
    return device


@transaction.atomic
def confirm_totp_device(*, device: TOTPDevice, code: str) -> bool:
    """Confirm a device with a first code from the application; it replaces any previous one."""
    if not device.verify_token(code):
        return False
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def disable_totp(*, user: User, code: str) -> None:
    """Remove the user's second factor, on a current code from their application (someone at an
    unlocked session cannot remove it). Refused for those who must have one."""
    if is_ars_administrator(user):
        raise ValidationError(
            "La double authentification est obligatoire pour les administrateurs ARS."
        )
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    code = (code or "").strip().replace(" ", "")
    if device is not None and not (code.isdigit() and device.verify_token(code)):
        raise ValidationError(
            "Code incorrect ou expiré : saisissez le code à 6 chiffres affiché en ce moment par "
            "votre application pour désactiver la double authentification."
        )
    TOTPDevice.objects.filter(user=user).delete()


def ensure_confirmed_totp_device(*, user: User) -> TOTPDevice:
    """A confirmed device for the user (created if missing): used by the demo."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="Application d'authentification", confirmed=True
        )
    return device


def set_todo_digest(*, user: User, enabled: bool) -> User:
    """Subscribe to (or leave) the weekly e-mail of one's « À faire »."""
    user.todo_digest = enabled
    user.full_clean(validate_unique=False)
    user.save(update_fields=["todo_digest"])
    return user

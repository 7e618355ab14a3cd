"""Writes of the api app: personal tokens, created (secret shown once) and revoked."""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import ApiToken

TOKEN_PREFIX = "ptsm_"  # noqa: S105  (a marker, not a secret)
MAX_VALIDITY_DAYS = 366
MAX_ACTIVE_TOKENS = 20


def token_sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once to its owner, never stored


@transaction.atomic
def create_token(*, user, name: str, expires_on: dt.date) -> NewToken:
    name = (name or "").strip()
    today = timezone.localdate()
    if not name:
        raise ValidationError({"name": "Donnez un nom au jeton (l'outil qui l'utilisera)."})
    if expires_on is None or expires_on <= today:
        raise ValidationError({"expires_on": "La date d'expiration doit être dans le futur."})
    if expires_on > today + dt.timedelta(days=MAX_VALIDITY_DAYS):
        raise ValidationError(
            {"expires_on": "Un jeton vaut au plus un an : choisissez une date plus proche."}
        )
    active = ApiToken.objects.select_for_update().filter(
        user=user, revoked_at__isnull=True, expires_on__gte=today
    )
    if len(active) >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            f"Vous avez déjà {MAX_ACTIVE_TOKENS} jetons actifs : révoquez-en un d'abord."
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        key_sha256=token_sha256(secret),
        expires_on=expires_on,
    )
    token.full_clean()
    token.save()
    return NewToken(token, secret)


@transaction.atomic
def revoke_token(*, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def active_token(secret: str) -> ApiToken | None:
    """The token this secret opens, when it is neither revoked nor expired and its user active."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_sha256=token_sha256(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or token.expires_on < timezone.localdate() or not token.user.is_active:
        return None
    return token


USE_RECORD_INTERVAL = dt.timedelta(minutes=5)


def note_use(token: ApiToken) -> None:
    """Record when a token was last used (at most every few minutes: no write per request)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > USE_RECORD_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now

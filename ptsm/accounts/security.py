"""Authentication hardening: who must give a second factor, client addresses, reset throttling."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import ArsAdministration, NationalObserver, User


def login_username(request: HttpRequest, credentials: dict | None) -> str:
    """The address typed on a login form, as django-axes counts failures for it.

    Addresses are case-insensitive (« Anne@ARS.fr » is « anne@ars.fr »): counting them as typed
    would give an attacker a new set of attempts per spelling."""
    value = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(value).strip().lower()


def client_ip(request: HttpRequest) -> str:
    """The client's IP address, as seen through TRUSTED_PROXY_COUNT reverse proxies.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For; the
    client can put anything before. So the client is the n-th address from the right, and
    X-Forwarded-For is ignored altogether when no proxy is trusted."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def is_ars_administrator(user: User) -> bool:
    return user.is_superuser or ArsAdministration.objects.filter(user=user).exists()


def second_factor_required(user: User) -> bool:
    """Whether the user must give a TOTP code after their password.

    Administrateurs ARS, observateurs nationaux and superusers always must (they set up their device on first login);
    anyone who enabled the second factor must too."""
    # Asked on every request of a user not verified yet: one query.
    return user.is_superuser or (
        User.objects.filter(pk=user.pk)
        .filter(
            Exists(ArsAdministration.objects.filter(user=OuterRef("pk")))
            | Exists(NationalObserver.objects.filter(user=OuterRef("pk")))
            | Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
        )
        .exists()
    )


PASSWORD_RESET_WINDOW = 60 * 60


def _hit(key: str, limit: int) -> bool:
    """Count one request under key; whether the limit is still respected."""
    cache.add(key, 0, timeout=PASSWORD_RESET_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=PASSWORD_RESET_WINDOW)
        count = 1
    return count <= limit


def allow_password_reset_request(*, email: str, ip: str) -> bool:
    """Whether a password reset e-mail may be sent for this address from this IP address.

    Counts every request, whether the address has an account or not, so the answer discloses
    nothing about accounts."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    per_email = _hit(f"password-reset:email:{digest}", settings.PASSWORD_RESET_LIMIT_PER_EMAIL)
    per_ip = _hit(f"password-reset:ip:{ip}", settings.PASSWORD_RESET_LIMIT_PER_IP)
    return per_email and per_ip

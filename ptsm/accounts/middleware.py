"""Session lifetime and second factor, enforced on every request."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import user_has_device

from .security import second_factor_required

LOGIN_AT_SESSION_KEY = "ptsm_login_at"
LAST_SEEN_SESSION_KEY = "ptsm_last_seen"


def now() -> float:
    return time.time()


def htmx_redirect(url: str) -> HttpResponse:
    """For an htmx request: a fragment cannot show a login form, so the whole page goes there."""
    response = HttpResponse(status=204)
    response["HX-Redirect"] = url
    return response


class SessionLifetimeMiddleware:
    """Ends a session 30 minutes after its last request and 12 hours after login.

    The idle limit is also the session cookie's age (renewed with the session, at most once a
    minute: a session idle for 29 to 30 minutes ends); it is checked here as well so that it holds
    whatever the session backend. The absolute limit counts from the
    first request seen for the login."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session = request.session
            current = now()
            login_at = session.get(LOGIN_AT_SESSION_KEY, current)
            last_seen = session.get(LAST_SEEN_SESSION_KEY, current)
            idle = current - last_seen > settings.SESSION_COOKIE_AGE
            if idle or current - login_at > settings.SESSION_MAX_LIFETIME:
                logout(request)
                messages.info(
                    request,
                    "Votre session a expiré"
                    + (" après 30 minutes d'inactivité" if idle else "")
                    + " : veuillez vous reconnecter.",
                )
                login_url = reverse(settings.LOGIN_URL)
                if request.headers.get("HX-Request"):
                    return htmx_redirect(login_url)
                return redirect(f"{login_url}?{urlencode({'next': request.get_full_path()})}")
            if LOGIN_AT_SESSION_KEY not in session:
                session[LOGIN_AT_SESSION_KEY] = login_at
            # Written (and the session saved, its cookie renewed) once a minute at most.
            if (
                LAST_SEEN_SESSION_KEY not in session
                or current - last_seen >= settings.SESSION_TOUCH_SECONDS
            ):
                session[LAST_SEEN_SESSION_KEY] = current
        response = self.get_response(request)
        # The login request itself: start counting from now.
        if request.user.is_authenticated and LOGIN_AT_SESSION_KEY not in request.session:
            request.session[LOGIN_AT_SESSION_KEY] = request.session[LAST_SEEN_SESSION_KEY] = now()
        return response


# Pages a user who still owes a second factor may see.
SECOND_FACTOR_URL_NAMES = ["accounts:otp_verify", "accounts:otp_setup", "accounts:logout"]


class SecondFactorMiddleware:
    """After the password, users who must give a TOTP code see nothing else until they do.

    Needs django_otp's OTPMiddleware before it (request.user.is_verified)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and request.path not in {reverse(name) for name in SECOND_FACTOR_URL_NAMES}
            and second_factor_required(user)
        ):
            target = "accounts:otp_verify" if user_has_device(user) else "accounts:otp_setup"
            query = urlencode({"next": request.get_full_path()})
            if request.headers.get("HX-Request"):
                return htmx_redirect(reverse(target))
            return redirect(f"{reverse(target)}?{query}")
        return self.get_response(request)

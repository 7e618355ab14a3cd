"""Logins and failed logins go to the journal. Django sends these signals from its
authentication code; they are the only hook there is (no business rule lives here)."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from . import services


@receiver(user_logged_in, dispatch_uid="ptsm.audit.login")
def _logged_in(sender, request, user, **kwargs):
    services.record_login(user=user)


@receiver(user_login_failed, dispatch_uid="ptsm.audit.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # `credentials` holds the address typed (the password is already masked by Django); only
    # the address is kept.
    services.record_failed_login(
        email=str(credentials.get("username") or credentials.get("email") or "")
    )

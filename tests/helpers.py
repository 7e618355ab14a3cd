import html


def page_text(response) -> str:
    """The page's HTML with entities decoded, so that assertions read like what users see."""
    return html.unescape(response.content.decode())


def visible_text(response) -> str:
    """The page's text without its tags (as a screen reader would read it, roughly)."""
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", response.content.decode()))


def login(client, user) -> None:
    """Log the user in as the login form and, when required, the second factor would.

    Users who must give a TOTP code (administrateurs ARS, superusers, users who enabled it) get a
    confirmed device and a session verified with it, exactly as django-otp's `login` records it."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from ptsm.accounts.security import second_factor_required

    client.force_login(user)
    if second_factor_required(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def totp_code(device) -> str:
    """The code the user's authenticator application shows now for this device."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"

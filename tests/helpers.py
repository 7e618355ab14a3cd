import html


def page_text(response) -> str:
    """The page's HTML with entities decoded, so that assertions read like what users see."""
    return html.unescape(response.content.decode())


def visible_text(response) -> str:
    """The page's text without its tags (as a screen reader would read it, roughly)."""
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", response.content.decode()))


def form_data(response, *, action: str | None = None) -> dict:
    """What a browser would submit from a page's form as loaded (inputs, textareas, selected
    options, checked boxes), keyed by name; lists for multiple values. With `action`, the form
    whose action contains that text; otherwise the first form with a csrf token."""
    from html.parser import HTMLParser

    class Forms(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.forms, self.current, self.textarea, self.select = [], None, None, None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "form":
                self.current = {"action": attrs.get("action") or "", "fields": []}
                self.forms.append(self.current)
            elif self.current is None:
                return
            elif tag == "input" and attrs.get("name"):
                kind = attrs.get("type", "text")
                if kind in ("checkbox", "radio") and "checked" not in attrs:
                    return
                if kind in ("submit", "button", "file"):
                    return
                self.current["fields"].append((attrs["name"], attrs.get("value", "")))
            elif tag == "textarea" and attrs.get("name"):
                self.textarea = [attrs["name"], ""]
            elif tag == "select" and attrs.get("name"):
                self.select = attrs["name"]
            elif tag == "option" and self.select and "selected" in attrs:
                self.current["fields"].append((self.select, attrs.get("value", "")))

        def handle_data(self, data):
            if self.textarea is not None:
                self.textarea[1] += data

        def handle_endtag(self, tag):
            if tag == "textarea" and self.textarea is not None:
                name, text = self.textarea
                self.current["fields"].append((name, text.removeprefix("\n")))
                self.textarea = None
            elif tag == "select":
                self.select = None
            elif tag == "form":
                self.current = None

    parser = Forms()
    parser.feed(response.content.decode())
    for form in parser.forms:
        form["action"] = form["action"] or response.request["PATH_INFO"]  # posts to itself
        names = [n for n, _v in form["fields"]]
        if (action is None and "csrfmiddlewaretoken" in names) or (
            action is not None and action in form["action"]
        ):
            data: dict = {}
            for name, value in form["fields"]:
                data.setdefault(name, []).append(value)
            return {k: v[0] if len(v) == 1 else v for k, v in data.items()}
    raise AssertionError(f"No form {action or ''} on the page")


def login(client, user) -> None:
    """Log the user in as the login form and, when required, the second factor would.

    Users who must give a TOTP code (administrateurs ARS, superusers, users who enabled it) get a
    confirmed device and a session verified with it, exactly as django-otp's `login` records it."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from ptsm.accounts.middleware import LAST_SEEN_SESSION_KEY, LOGIN_AT_SESSION_KEY, now
    from ptsm.accounts.security import second_factor_required

    client.force_login(user)
    session = client.session
    # As the login request records them: the next pages do not write the session again (it is
    # renewed once a minute), so that two pages in a row cost the same queries.
    session[LOGIN_AT_SESSION_KEY] = session[LAST_SEEN_SESSION_KEY] = now()
    if second_factor_required(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def totp_code(device) -> str:
    """The code the user's authenticator application shows now for this device."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"

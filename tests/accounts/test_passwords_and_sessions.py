import re
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from ptsm.accounts import middleware
from tests.factories import PASSWORD, UserFactory
from tests.helpers import login, page_text

pytestmark = pytest.mark.django_db

RULE = "Votre mot de passe doit contenir au minimum 12 caractères."


def reset_form_url(client, email) -> str:
    client.post(reverse("accounts:password_reset"), {"email": email})
    path = re.search(r"http://testserver(/comptes/mot-de-passe/nouveau/\S+/)", mail.outbox[-1].body)
    return client.get(path.group(1), follow=True).redirect_chain[-1][0]


def test_the_new_password_form_states_the_rule_and_refuses_short_or_common_passwords(client):
    user = UserFactory(email="pilote@ch-exemple.fr")
    url = reset_form_url(client, "pilote@ch-exemple.fr")
    assert RULE in page_text(client.get(url))

    short = client.post(url, {"new_password1": "Court-2026!", "new_password2": "Court-2026!"})
    assert "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères." in (
        page_text(short)
    )
    common = client.post(
        url, {"new_password1": "telechargement", "new_password2": "telechargement"}
    )
    assert "Ce mot de passe est trop courant." in page_text(common)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    fine = client.post(
        url, {"new_password1": "Lande-bretonne-2026", "new_password2": "Lande-bretonne-2026"}
    )
    assert fine.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Lande-bretonne-2026")


def test_a_user_changes_their_password_from_their_account(client):
    user = UserFactory()
    login(client, user)
    account = client.get(reverse("accounts:account"))
    assert reverse("accounts:password_change") in page_text(account)
    url = reverse("accounts:password_change")
    assert RULE in page_text(client.get(url))
    short = client.post(
        url, {"old_password": PASSWORD, "new_password1": "abc-2026", "new_password2": "abc-2026"}
    )
    assert "trop court" in page_text(short)
    done = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "Lande-bretonne-2026",
            "new_password2": "Lande-bretonne-2026",
        },
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Lande-bretonne-2026")
    # Still logged in after the change.
    assert client.get(reverse("projects:list")).status_code == 200


class Clock:
    """Moves the time the session middleware sees."""

    def __init__(self, start: float = 1_800_000_000.0):
        self.time = start

    def __call__(self) -> float:
        return self.time

    def advance(self, minutes: float) -> None:
        self.time += minutes * 60


@pytest.fixture
def clock():
    clock = Clock()
    with mock.patch.object(middleware, "now", clock):
        yield clock


def log_in_with_the_form(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302


def test_a_session_ends_after_30_minutes_without_a_request(client, clock):
    user = UserFactory()
    log_in_with_the_form(client, user)
    clock.advance(29)
    assert client.get(reverse("projects:list")).status_code == 200
    clock.advance(29)  # 58 minutes after login, 29 after the last request
    assert client.get(reverse("projects:list")).status_code == 200

    clock.advance(31)
    response = client.get(reverse("projects:list"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("accounts:login"))
    assert "Votre session a expiré après 30 minutes d'inactivité" in page_text(response)
    assert "_auth_user_id" not in client.session


def test_an_htmx_request_after_the_idle_limit_sends_the_whole_page_to_login(client, clock):
    log_in_with_the_form(client, UserFactory())
    clock.advance(31)
    response = client.get(reverse("projects:list"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_a_session_ends_12_hours_after_login_even_when_active(client, clock):
    user = UserFactory()
    log_in_with_the_form(client, user)
    for _ in range(35):  # a request every 20 minutes: 11 h 40 min
        clock.advance(20)
        assert client.get(reverse("projects:list")).status_code == 200
    clock.advance(25)
    response = client.get(reverse("projects:list"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("accounts:login"))
    assert "Votre session a expiré : veuillez vous reconnecter." in page_text(response)
    assert "_auth_user_id" not in client.session


def test_the_session_cookie_is_renewed_for_30_minutes_once_a_minute(client, settings):
    """Renewed by a request more than a minute after the last renewal; the requests in between
    write nothing (a page served from the cache costs no database write)."""
    from ptsm.accounts.middleware import LAST_SEEN_SESSION_KEY

    user = UserFactory()
    login(client, user)
    session = client.session
    session[LAST_SEEN_SESSION_KEY] -= 61
    session.save()
    response = client.get(reverse("projects:list"))
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60
    again = client.get(reverse("projects:list"))
    assert settings.SESSION_COOKIE_NAME not in again.cookies

import pytest
from django.core import mail
from django.urls import reverse

from ptsm.accounts.models import User
from ptsm.accounts.security import client_ip
from tests.factories import PASSWORD, UserFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

LOCKED = "Trop de tentatives de connexion ont échoué"


def post_login(client, email, password, **extra):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, **extra
    )


def test_after_ten_failures_even_the_right_password_is_refused(client):
    UserFactory(email="chef.projet@ars.sante.fr")
    for _ in range(9):
        response = post_login(client, "chef.projet@ars.sante.fr", "mauvais-mot-de-passe")
        assert "Adresse électronique ou mot de passe incorrect." in page_text(response)
    tenth = post_login(client, "chef.projet@ars.sante.fr", "mauvais-mot-de-passe")
    assert tenth.status_code == 429
    assert LOCKED in page_text(tenth)

    response = post_login(client, "chef.projet@ars.sante.fr", PASSWORD)
    assert response.status_code == 429
    assert "bloquée pendant 30 minutes" in page_text(response)
    assert "_auth_user_id" not in client.session


def test_nine_failures_then_the_right_password_logs_in(client):
    UserFactory(email="chef.projet@ars.sante.fr")
    for _ in range(9):
        post_login(client, "chef.projet@ars.sante.fr", "mauvais-mot-de-passe")
    assert post_login(client, "chef.projet@ars.sante.fr", PASSWORD).status_code == 302


def test_logging_into_another_account_does_not_wipe_the_failures(client):
    UserFactory(email="chef.projet@ars.sante.fr")
    attacker = UserFactory(email="complice@exemple.fr")
    for _ in range(9):
        post_login(client, "chef.projet@ars.sante.fr", "mauvais-mot-de-passe")
    assert post_login(client, attacker.email, PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    post_login(client, "chef.projet@ars.sante.fr", "mauvais-mot-de-passe")
    assert post_login(client, "chef.projet@ars.sante.fr", PASSWORD).status_code == 429


def test_failures_count_for_the_address_whatever_its_case_and_whatever_the_ip(client):
    UserFactory(email="chef.projet@ars.sante.fr")
    for n in range(10):
        post_login(
            client,
            "Chef.Projet@ARS.sante.fr" if n % 2 else "chef.projet@ars.sante.fr",
            "mauvais-mot-de-passe",
            REMOTE_ADDR=f"203.0.113.{n}",
        )
    response = post_login(client, "chef.projet@ars.sante.fr", PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 429


def test_the_admin_login_is_locked_out_too(client):
    User.objects.create_superuser("admin@ptsm.fr", PASSWORD)
    url = reverse("admin:login")
    for _ in range(10):
        client.post(url, {"username": "admin@ptsm.fr", "password": "mauvais-mot-de-passe"})
    response = client.post(url, {"username": "admin@ptsm.fr", "password": PASSWORD})
    assert response.status_code == 429
    assert LOCKED in page_text(response)
    assert "_auth_user_id" not in client.session


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="192.0.2.66, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    # The client may have forged the first address; the proxy appended the last one.
    assert client_ip(request) == "203.0.113.9"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "192.0.2.66"


def test_behind_a_proxy_one_client_ip_is_locked_out_not_the_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(email="pilote@ch-exemple.fr")
    # A client tries ten addresses through the proxy (10.0.0.2).
    for n in range(10):
        post_login(
            client,
            f"inconnu{n}@exemple.fr",
            "mauvais-mot-de-passe",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    from_attacker = post_login(
        client,
        "pilote@ch-exemple.fr",
        PASSWORD,
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert from_attacker.status_code == 429
    from_colleague = post_login(
        client,
        "pilote@ch-exemple.fr",
        PASSWORD,
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert from_colleague.status_code == 302


def reset(client, email, **extra):
    return client.post(reverse("accounts:password_reset"), {"email": email}, **extra)


def test_password_reset_emails_are_limited_per_address(client):
    UserFactory(email="pilote@ch-exemple.fr")
    for _ in range(3):
        assert reset(client, "pilote@ch-exemple.fr").status_code == 302
    assert len(mail.outbox) == 3
    fourth = reset(client, "Pilote@CH-exemple.fr")
    assert fourth.status_code == 429
    assert "Trop de demandes de nouveau mot de passe" in page_text(fourth)
    assert len(mail.outbox) == 3
    # Another person is not affected.
    UserFactory(email="copil@ch-exemple.fr")
    assert reset(client, "copil@ch-exemple.fr", REMOTE_ADDR="198.51.100.7").status_code == 302
    assert len(mail.outbox) == 4


def test_password_reset_requests_are_limited_per_ip_address(client):
    UserFactory(email="pilote@ch-exemple.fr")
    for n in range(10):
        reset(client, f"inconnu{n}@exemple.fr", REMOTE_ADDR="203.0.113.9")
    response = reset(client, "pilote@ch-exemple.fr", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429
    assert mail.outbox == []
    assert reset(client, "pilote@ch-exemple.fr", REMOTE_ADDR="198.51.100.7").status_code == 302
    assert len(mail.outbox) == 1


def test_the_lockout_ends_after_30_minutes(client):
    import datetime as dt

    from axes.models import AccessAttempt
    from django.db.models import F

    UserFactory(email="chef.projet@ars.sante.fr")
    for _ in range(10):
        post_login(client, "chef.projet@ars.sante.fr", "mauvais-mot-de-passe")
    # 29 minutes later: still locked out (the refused attempt does not count as a failure).
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=29))
    assert post_login(client, "chef.projet@ars.sante.fr", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=2))
    assert post_login(client, "chef.projet@ars.sante.fr", PASSWORD).status_code == 302

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from ptsm.accounts.models import Role, User
from tests.factories import PASSWORD, make_project, member
from tests.helpers import login, page_text, totp_code

pytestmark = pytest.mark.django_db


def log_in_with_the_form(client, user, next_url=""):
    url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    response = client.post(url, {"username": user.email, "password": PASSWORD, "next": next_url})
    assert response.status_code == 302
    return client.get(response.url)


@pytest.fixture
def project():
    return make_project()


@pytest.fixture
def ars_admin(project):
    return member(project, Role.ARS_ADMIN, email="ars@ars.sante.fr")


def test_an_ars_administrator_without_a_device_must_set_one_up_first(client, project, ars_admin):
    response = log_in_with_the_form(client, ars_admin)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:otp_setup"))
    # No other page until the device is set up.
    dashboard = client.get(reverse("projects:dashboard", kwargs={"slug": project.slug}))
    assert dashboard.url.startswith(reverse("accounts:otp_setup"))

    setup = client.get(response.url)
    text = page_text(setup)
    assert "obligatoire pour les administrateurs ARS" in text
    assert "<svg" in text  # the QR code, drawn in the page (no remote service)
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', text).group(1)
    device = TOTPDevice.objects.get(user=ars_admin, confirmed=False)
    assert secret.replace(" ", "") in device.config_url

    wrong = client.post(
        response.url, {"code": "000000" if totp_code(device) != "000000" else "111111"}
    )
    assert "Code incorrect ou expiré" in page_text(wrong)
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()  # django-otp makes one wait a second after a wrong code

    done = client.post(
        response.url,
        {
            "code": totp_code(device),
            "next": reverse("projects:dashboard", kwargs={"slug": project.slug}),
        },
    )
    assert done.status_code == 302
    assert done.url == reverse("projects:dashboard", kwargs={"slug": project.slug})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(done.url).status_code == 200


def test_an_ars_administrator_with_a_device_gives_the_code_after_the_password(
    client, project, ars_admin
):
    device = TOTPDevice.objects.create(user=ars_admin, name="téléphone", confirmed=True)
    dashboard = reverse("projects:dashboard", kwargs={"slug": project.slug})
    response = log_in_with_the_form(client, ars_admin, next_url=dashboard)
    assert response.url.startswith(reverse("accounts:otp_verify"))
    # The setup page cannot be used to replace the device without the code.
    assert client.get(reverse("accounts:otp_setup")).url.startswith(reverse("accounts:otp_verify"))

    verify = client.get(response.url)
    assert "Saisissez le code affiché par votre application" in page_text(verify)
    done = client.post(response.url, {"code": totp_code(device), "next": dashboard})
    assert done.status_code == 302
    assert done.url == dashboard
    assert client.get(dashboard).status_code == 200


def test_a_wrong_code_is_refused(client, project, ars_admin):
    device = TOTPDevice.objects.create(user=ars_admin, name="téléphone", confirmed=True)
    response = log_in_with_the_form(client, ars_admin)
    good = totp_code(device)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    refused = client.post(response.url, {"code": wrong})
    assert refused.status_code == 200
    assert "Code incorrect ou expiré" in page_text(refused)
    assert client.get(reverse("projects:list")).url.startswith(reverse("accounts:otp_verify"))


def test_a_superuser_gives_the_code_before_the_admin(client):
    admin = User.objects.create_superuser("admin@ptsm.fr", PASSWORD)
    TOTPDevice.objects.create(user=admin, name="téléphone", confirmed=True)
    client.post(reverse("admin:login"), {"username": admin.email, "password": PASSWORD})
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:otp_verify"))


def test_an_ordinary_user_without_a_device_logs_in_with_the_password(client, project):
    lead = member(project, Role.PROJECT_LEAD)
    response = log_in_with_the_form(client, lead)
    assert response.status_code == 200
    assert "Mes projets" in page_text(response)


def test_any_user_may_enable_the_second_factor_and_must_then_give_the_code(client, project):
    lead = member(project, Role.PROJECT_LEAD)
    login(client, lead)
    account = client.get(reverse("accounts:account"))
    assert "La double authentification n'est pas activée." in page_text(account)
    client.get(reverse("accounts:otp_setup"))
    device = TOTPDevice.objects.get(user=lead)
    done = client.post(reverse("accounts:otp_setup"), {"code": totp_code(device)}, follow=True)
    assert "La double authentification est activée." in page_text(done)

    client.post(reverse("accounts:logout"))
    response = log_in_with_the_form(client, lead)
    assert response.url.startswith(reverse("accounts:otp_verify"))


def test_an_ordinary_user_may_disable_the_second_factor_an_ars_administrator_may_not(
    client, project, ars_admin
):
    lead = member(project, Role.PROJECT_LEAD)
    device = TOTPDevice.objects.create(user=lead, name="téléphone", confirmed=True)
    login(client, lead)
    # Without the current code (someone at an unlocked session), nothing is disabled.
    response = client.post(reverse("accounts:otp_disable"), follow=True)
    assert "Code incorrect ou expiré" in page_text(response)
    assert TOTPDevice.objects.filter(user=lead).exists()
    response = client.post(
        reverse("accounts:otp_disable"), {"code": totp_code(device)}, follow=True
    )
    assert "La double authentification est désactivée." in page_text(response)
    assert not TOTPDevice.objects.filter(user=lead).exists()

    login(client, ars_admin)
    response = client.post(reverse("accounts:otp_disable"), follow=True)
    assert "obligatoire pour les administrateurs ARS" in page_text(response)
    assert TOTPDevice.objects.filter(user=ars_admin, confirmed=True).exists()


def test_an_htmx_request_without_the_second_factor_reloads_on_the_code_page(
    client, project, ars_admin
):
    TOTPDevice.objects.create(user=ars_admin, name="téléphone", confirmed=True)
    client.force_login(ars_admin)
    response = client.get(
        reverse("projects:dashboard", kwargs={"slug": project.slug}), HTTP_HX_REQUEST="true"
    )
    assert response["HX-Redirect"] == reverse("accounts:otp_verify")

import re

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from tests.helpers import login

pytestmark = pytest.mark.django_db


def test_login_by_email_is_case_insensitive(client):
    UserFactory(email="chef.projet@ars.sante.fr")
    response = client.post(
        reverse("accounts:login"),
        {"username": "Chef.Projet@ARS.sante.fr", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("projects:list")


def test_wrong_password_gives_a_french_message_and_no_session(client):
    UserFactory(email="chef.projet@ars.sante.fr")
    response = client.post(
        reverse("accounts:login"), {"username": "chef.projet@ars.sante.fr", "password": "faux"}
    )
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("projects:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_logout_ends_the_session(client):
    user = UserFactory()
    login(client, user)
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("projects:list")).status_code == 302


def test_password_reset_by_email_through_a_real_smtp_server(client, smtp_server):
    user = UserFactory(email="pilote@ch-exemple.fr")
    response = client.post(reverse("accounts:password_reset"), {"email": "pilote@ch-exemple.fr"})
    assert response.status_code == 302
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "pilote@ch-exemple.fr"
    assert "nouveau mot de passe" in message["Subject"]
    link = re.search(
        r"http://testserver(/comptes/mot-de-passe/nouveau/\S+/)", smtp_server.bodies()[0]
    )
    assert link

    form_page = client.get(link.group(1), follow=True)
    assert "Choisir un mot de passe" in form_page.content.decode()
    new_password = "Un-nouveau-mot-de-passe-2026"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, smtp_server):
    response = client.post(
        reverse("accounts:password_reset"), {"email": "inconnu@exemple.fr"}, follow=True
    )
    assert "Vérifiez votre messagerie" in response.content.decode()
    assert smtp_server.messages == []

"""The weekly « À faire » e-mail: for subscribers only, French text and HTML with working links,
sent through a real SMTP server on loopback, once per week even if cron runs twice."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ptsm.accounts.models import Role
from ptsm.projects.services import set_up_new_project
from tests.factories import make_project, member
from tests.helpers import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    project = make_project(
        departement="29",
        name="PTSM du Finistère",
        start=timezone.localdate() - dt.timedelta(days=120),
    )
    set_up_new_project(project=project)
    return project


def test_a_person_subscribes_from_their_account_page(client, project):
    lead = member(project, Role.PROJECT_LEAD)
    login(client, lead)
    page = client.get(reverse("accounts:account")).content.decode()
    assert "Recevoir chaque semaine mon «&nbsp;À faire&nbsp;» par courriel" in page
    response = client.post(reverse("accounts:todo_digest"), {"todo_digest": "on"}, follow=True)
    assert (
        "Vous recevrez chaque semaine votre « À faire » par courriel." in response.content.decode()
    )
    lead.refresh_from_db()
    assert lead.todo_digest
    client.post(reverse("accounts:todo_digest"), {})
    lead.refresh_from_db()
    assert not lead.todo_digest


def test_send_todo_digest_mails_subscribers_their_own_todo_once_a_week(
    client, project, smtp_server, capsys
):
    lead = member(project, Role.PROJECT_LEAD, first_name="Yann", todo_digest=True)
    member(project, Role.READER, todo_digest=False)  # not subscribed
    pilot = member(project, Role.ACTION_PILOT, todo_digest=True)  # subscribed, nothing to do
    call_command("send_todo_digest", "--base-url", "https://ptsm.exemple.fr/")
    assert "1 récapitulatif envoyé" in capsys.readouterr().out
    assert [m["To"] for m in smtp_server.messages] == [lead.email]
    message = smtp_server.messages[0]
    assert str(message["Subject"]).strip().startswith("[ptsm] Votre « À faire » de la semaine : ")
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert text.startswith("Bonjour Yann,")
    assert "== PTSM du Finistère ==" in text
    assert "Prochaines étapes de la phase « Cadrage »" in text
    assert "- Rédiger la lettre de cadrage" in text
    assert "- Jalon en retard : Signature de la lettre de cadrage (en retard)" in text
    assert "Rédiger la lettre de cadrage</a>" in html
    # Every link is absolute, on the given address, and opens for the lead.
    links = set(re.findall(r"https://ptsm\.exemple\.fr(/[^\s\"<]*)", text + html))
    assert reverse("framing:letter", kwargs={"slug": project.slug}) in links
    login(client, lead)
    for link in links:
        assert client.get(link.split("#")[0]).status_code == 200, link
    assert pilot.email not in [m["To"] for m in smtp_server.messages]

    # Cron started again the same week: nothing more.
    call_command("send_todo_digest", "--base-url", "https://ptsm.exemple.fr")
    assert "0 récapitulatif envoyé" in capsys.readouterr().out
    assert len(smtp_server.messages) == 1

"""Every free text has a maximum length checked on the server, with a French message."""

import pytest
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.diagnostic.models import Finding
from ptsm.framing.models import FramingLetter
from ptsm.organisations.models import Organisation
from tests.factories import make_project, member
from tests.helpers import form_data, login, page_text

pytestmark = pytest.mark.django_db
TOO_LONG = "x" * 20_001


@pytest.fixture
def lead_client(client):
    project = make_project(departement="29")
    login(client, member(project, Role.PROJECT_LEAD))
    client.project = project
    return client


def test_a_letter_section_longer_than_the_limit_is_refused(lead_client):
    project = lead_client.project
    url = reverse("framing:section", kwargs={"slug": project.slug, "key": "preambule"})
    data = form_data(lead_client.get(url), action=url)
    page = page_text(lead_client.post(url, {**data, "text": TOO_LONG}))
    assert "au plus 20000 caractères (actuellement 20001)" in page
    assert "preambule" not in FramingLetter.objects.get(project=project).texts


def test_a_finding_longer_than_the_limit_is_refused(lead_client):
    project = lead_client.project
    finding = Finding.objects.create(project=project, entry_door=1, kind="force", text="Constat")
    url = reverse("diagnostic:finding_edit", kwargs={"slug": project.slug, "pk": finding.pk})
    data = form_data(lead_client.get(url), action=url)
    response = lead_client.post(url, {**data, "text": TOO_LONG})
    assert response.status_code == 200
    assert "caractères" in page_text(response)
    finding.refresh_from_db()
    assert finding.text == "Constat"


def test_short_text_fields_have_their_limit_too(lead_client):
    project = lead_client.project
    organisation = Organisation.objects.create(
        project=project, name="CH", category="sanitaire_public"
    )
    url = reverse("organisations:edit", kwargs={"slug": project.slug, "pk": organisation.pk})
    data = form_data(lead_client.get(url), action=url)
    response = lead_client.post(url, {**data, "name": "N" * 300})
    assert "caractères" in page_text(response)
    organisation.refresh_from_db()
    assert organisation.name == "CH"

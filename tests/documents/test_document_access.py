"""The lecteur (and the signataire d'opérateur) download validated documents, not drafts."""

import pytest
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.documents.services import generate_document
from ptsm.framing import services as framing
from ptsm.framing.models import FramingLetter, LetterStatus
from tests.factories import make_project, member
from tests.helpers import login

pytestmark = pytest.mark.django_db


def _status(client, url) -> int:
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


def test_a_draft_framing_letter_is_not_for_the_lecteur_until_it_is_validated(client):
    project = make_project(departement="29", name="PTSM du Finistère")
    framing.ensure_letter(project=project)
    letter = generate_document(project=project, kind_slug="lettre-de-cadrage", fmt="docx")
    card = generate_document(project=project, kind_slug="carte-identite-territoire", fmt="pdf")
    download = reverse("documents:download", kwargs={"slug": project.slug, "pk": letter.pk})
    history = reverse("documents:history", kwargs={"slug": project.slug, "pk": letter.pk})
    listing = reverse("documents:list", kwargs={"slug": project.slug})
    card_url = reverse("documents:download", kwargs={"slug": project.slug, "pk": card.pk})

    for role in (Role.READER, Role.OPERATOR_SIGNATORY):
        login(client, member(project, role))
        assert _status(client, download) == 404, role
        assert _status(client, history) == 404, role
        assert "lettre-de-cadrage.docx" not in client.get(listing).content.decode()
        assert _status(client, card_url) == 200, role
    login(client, member(project, Role.COPIL_MEMBER))
    assert _status(client, download) == 200

    FramingLetter.objects.filter(project=project).update(status=LetterStatus.VALIDATED)
    login(client, member(project, Role.READER))
    assert _status(client, download) == 200
    assert "lettre-de-cadrage.docx" in client.get(listing).content.decode()

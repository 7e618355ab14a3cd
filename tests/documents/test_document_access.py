"""The lecteur (and the signataire d'opérateur) download validated documents, not drafts."""

import pytest
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.documents.services import generate_document
from ptsm.framing import services as framing
from ptsm.framing.models import FramingLetter, LetterStatus
from tests.factories import make_project, member
from tests.helpers import login, page_text

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


def _stored(document) -> bytes:
    with document.content.open("rb") as handle:
        return handle.read()


def _zip(client, project) -> dict[str, bytes]:
    import io
    import zipfile

    response = client.get(reverse("documents:download_all", kwargs={"slug": project.slug}))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="documents-{project.slug}.zip"'
    )
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_tout_telecharger_zips_the_latest_file_of_each_document_the_viewer_may_download(client):
    from ptsm.audit.models import AuditEntry

    project = make_project(departement="29", name="PTSM du Finistère")
    framing.ensure_letter(project=project)
    listing = reverse("documents:list", kwargs={"slug": project.slug})
    lead = member(project, Role.PROJECT_LEAD)
    login(client, lead)
    # Nothing generated yet: no ZIP button, and the address says so instead of an empty ZIP.
    assert "Tout télécharger (ZIP)" not in client.get(listing).content.decode()
    response = client.get(
        reverse("documents:download_all", kwargs={"slug": project.slug}), follow=True
    )
    assert "Aucun document n'a encore été généré." in page_text(response)

    generate_document(project=project, kind_slug="lettre-de-cadrage", fmt="docx")
    letter = generate_document(project=project, kind_slug="lettre-de-cadrage", fmt="docx")
    card = generate_document(project=project, kind_slug="carte-identite-territoire", fmt="pdf")
    assert "Tout télécharger (ZIP)" in client.get(listing).content.decode()
    files = _zip(client, project)
    assert set(files) == {"lettre-de-cadrage.docx", "carte-identite-territoire.pdf"}
    assert files["lettre-de-cadrage.docx"] == _stored(letter)  # version 2
    assert files["carte-identite-territoire.pdf"] == _stored(card)
    assert AuditEntry.objects.filter(
        project=project, object_repr=f"documents-{project.slug}.zip"
    ).exists()

    # A lecteur's ZIP leaves the draft letter out, as their Documents page does.
    login(client, member(project, Role.READER))
    assert set(_zip(client, project)) == {"carte-identite-territoire.pdf"}


def test_the_documents_page_groups_the_documents_by_step_of_the_method(client):
    import re

    project = make_project(departement="29", name="PTSM du Finistère")
    login(client, member(project, Role.PROJECT_LEAD))
    page = client.get(reverse("documents:list", kwargs={"slug": project.slug})).content.decode()
    headings = re.findall(r'<h2 class="fr-h4 fr-mt-4w" id="section-\d+">([^<]+)</h2>', page)
    assert headings == [
        "Cadrage",
        "Diagnostic partagé",
        "Feuille de route",
        "Engagement",
        "Mise en œuvre et évaluation",
    ]
    cadrage = page.split(">Cadrage</h2>")[1].split("</table>")[0]
    assert "lettre-de-cadrage.docx" in cadrage and "fiche-action" not in cadrage

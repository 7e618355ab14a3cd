"""A signataire d'opérateur sees and signs only their organisation's annex, and downloads only
their organisation's documents and the project-wide documents that are not drafts."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ptsm.accounts.models import Membership, Role
from ptsm.commitments.models import SignatoryStatus
from ptsm.commitments.services import ensure_letter, generate_annex, record_signed_pdf
from ptsm.documents.models import GeneratedDocument
from ptsm.documents.services import generate_document
from tests.commitments.test_commitments import setup_roadmap
from tests.factories import make_project, member
from tests.helpers import login

pytestmark = pytest.mark.django_db
DAY = dt.date(2027, 1, 10)


def _annex_bytes(version) -> bytes:
    with version.pdf.content.open("rb") as handle:
        return handle.read() + b"\n% signee\n"


@pytest.fixture
def campaign():
    """Two operators, each with a generated annex; the first one has signed."""
    project = make_project(departement="29", name="PTSM du Finistère")
    epsm, gem = setup_roadmap(project)
    letter = ensure_letter(project=project)
    epsm_annex = generate_annex(letter=letter, organisation=epsm)
    gem_annex = generate_annex(letter=letter, organisation=gem)
    epsm_signatory = letter.signatories.get(organisation=epsm)
    record_signed_pdf(
        signatory=epsm_signatory,
        upload=SimpleUploadedFile("signe.pdf", _annex_bytes(epsm_annex)),
        signed_on=DAY,
        signed_outside=True,
    )
    return {
        "project": project,
        "epsm": epsm,
        "gem": gem,
        "epsm_annex": epsm_annex,
        "gem_annex": gem_annex,
        "epsm_signatory": epsm_signatory,
        "gem_signatory": letter.signatories.get(organisation=gem),
    }


def signataire(project, organisation):
    user = member(project, Role.OPERATOR_SIGNATORY)
    Membership.objects.filter(user=user).update(organisation=organisation)
    return user


def _url(name, project, **kwargs):
    return reverse(name, kwargs={"slug": project.slug, **kwargs})


def _get(client, url):
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def test_a_signataire_sees_only_their_organisation_on_the_campaign_page(client, campaign):
    project = campaign["project"]
    login(client, signataire(project, campaign["gem"]))
    page = _get(client, _url("commitments:letter", project)).content.decode()
    assert "GEM L&#x27;Escale" in page
    assert "EPSM Finistère Sud" not in page
    assert f"signataire-{campaign['epsm_signatory'].pk}" not in page
    assert _url("commitments:signed", project, pk=campaign["gem_signatory"].pk) in page


def test_a_signataire_gets_404_on_another_operators_annex_and_signed_pdf(client, campaign):
    project = campaign["project"]
    login(client, signataire(project, campaign["gem"]))
    others = [
        _url("commitments:signed_pdf", project, pk=campaign["epsm_signatory"].pk),
        _url("commitments:annex_diff", project, pk=campaign["epsm_annex"].pk),
        _url("documents:download", project, pk=campaign["epsm_annex"].pdf_id),
        _url("documents:download", project, pk=campaign["epsm_annex"].docx_id),
        _url("documents:history", project, pk=campaign["epsm_annex"].pdf_id),
    ]
    for url in others:
        assert _get(client, url).status_code == 404, url
    # Their own annex, in both formats, with its history.
    for pk in (campaign["gem_annex"].pdf_id, campaign["gem_annex"].docx_id):
        response = _get(client, _url("documents:download", project, pk=pk))
        assert response.status_code == 200
    assert _get(client, _url("documents:history", project, pk=campaign["gem_annex"].pdf_id))
    listing = _get(client, _url("documents:list", project)).content.decode()
    assert "annexe-gem-lescale" in listing
    assert "annexe-epsm-finistere-sud" not in listing


def test_a_signataire_downloads_their_own_signed_pdf_and_signs_only_their_annex(client, campaign):
    project = campaign["project"]
    login(client, signataire(project, campaign["epsm"]))
    own = _get(client, _url("commitments:signed_pdf", project, pk=campaign["epsm_signatory"].pk))
    assert own.status_code == 200

    # Signing another operator's annex: 404 and nothing recorded.
    gem = campaign["gem_signatory"]
    response = client.post(
        _url("commitments:signed", project, pk=gem.pk),
        {
            "signed_on": DAY.isoformat(),
            "file": SimpleUploadedFile("x.pdf", _annex_bytes(campaign["gem_annex"])),
        },
    )
    assert response.status_code == 404
    gem.refresh_from_db()
    assert gem.status != SignatoryStatus.SIGNED and not gem.signed_file

    # The GEM's own signataire deposits the GEM's signed annex.
    login(client, signataire(project, campaign["gem"]))
    response = client.post(
        _url("commitments:signed", project, pk=gem.pk),
        {
            "signed_on": DAY.isoformat(),
            "file": SimpleUploadedFile("x.pdf", _annex_bytes(campaign["gem_annex"])),
            "signed_outside": "on",
        },
    )
    assert response.status_code == 302
    gem.refresh_from_db()
    assert gem.status == SignatoryStatus.SIGNED


def test_a_signataire_with_no_organisation_sees_no_annex(client, campaign):
    project = campaign["project"]
    login(client, member(project, Role.OPERATOR_SIGNATORY))
    page = _get(client, _url("commitments:letter", project)).content.decode()
    assert "EPSM Finistère Sud" not in page and "Escale" not in page
    assert "rattaché à aucun opérateur signataire" in page
    for annex in (campaign["epsm_annex"], campaign["gem_annex"]):
        assert _get(client, _url("documents:download", project, pk=annex.pdf_id)).status_code == 404
    assert "annexe-" not in _get(client, _url("documents:list", project)).content.decode()


def test_documents_gathering_every_operator_are_not_for_a_signataire(client, campaign):
    project = campaign["project"]
    territory_card = generate_document(
        project=project, kind_slug="carte-identite-territoire", fmt="pdf"
    )
    sheet = generate_document(project=project, kind_slug="feuille-signature-engagements", fmt="pdf")
    login(client, signataire(project, campaign["gem"]))
    assert (
        _get(client, _url("documents:download", project, pk=territory_card.pk)).status_code == 200
    )
    assert _get(client, _url("documents:download", project, pk=sheet.pk)).status_code == 404
    # Every other role still sees every operator's annex.
    login(client, member(project, Role.COPIL_MEMBER))
    epsm_pdf = campaign["epsm_annex"].pdf_id
    assert _get(client, _url("documents:download", project, pk=epsm_pdf)).status_code == 200
    assert (
        GeneratedDocument.objects.filter(project=project, kind="annexe").count() == 4
    )  # two operators, PDF and DOCX

"""Signed annexes: the unsigned PDF itself, another operator's annex and an unsigned file
without the "signature manuscrite scannée" statement are refused in French."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.commitments.models import SignatoryStatus, SignatureRecord
from ptsm.commitments.services import ensure_letter, generate_annex, record_signed_pdf
from tests.commitments.test_commitments import setup_roadmap
from tests.factories import make_project, member
from tests.helpers import login, visible_text

pytestmark = pytest.mark.django_db
DAY = dt.date(2027, 1, 5)


@pytest.fixture
def campaign():
    project = make_project(departement="29", name="PTSM du Finistère")
    epsm, gem = setup_roadmap(project)
    letter = ensure_letter(project=project)
    return {
        "project": project,
        "epsm": letter.signatories.get(organisation=epsm),
        "epsm_annex": generate_annex(letter=letter, organisation=epsm),
        "gem_annex": generate_annex(letter=letter, organisation=gem),
    }


def _bytes(version) -> bytes:
    with version.pdf.content.open("rb") as handle:
        return handle.read()


def _upload(signatory, data: bytes, **options):
    return record_signed_pdf(
        signatory=signatory,
        upload=SimpleUploadedFile("signee.pdf", data),
        signed_on=DAY,
        **options,
    )


@pytest.mark.parametrize("signed_outside", [False, True])
def test_the_unsigned_annex_itself_is_refused(campaign, signed_outside):
    with pytest.raises(ValidationError) as refusal:
        _upload(campaign["epsm"], _bytes(campaign["epsm_annex"]), signed_outside=signed_outside)
    assert refusal.value.messages == [
        "Ce PDF est exactement l'annexe envoyée (version 1), tel que la plateforme l'a produit : "
        "il ne porte aucune signature. Déposez le PDF signé (signature électronique), ou le "
        "document signé à la main puis numérisé en cochant « Signature manuscrite scannée »."
    ]
    campaign["epsm"].refresh_from_db()
    assert campaign["epsm"].status != SignatoryStatus.SIGNED


@pytest.mark.parametrize("signed_outside", [False, True])
def test_another_operators_annex_is_refused(campaign, signed_outside):
    with pytest.raises(ValidationError) as refusal:
        _upload(campaign["epsm"], _bytes(campaign["gem_annex"]), signed_outside=signed_outside)
    assert refusal.value.messages == [
        "Ce PDF est l'annexe d'un autre opérateur (GEM L'Escale, version 1), pas l'annexe "
        "envoyée (version 1) : il est refusé. Vérifiez le fichier déposé."
    ]
    assert not SignatureRecord.objects.exists()


def test_a_file_without_electronic_signature_needs_the_scanned_statement(client, campaign):
    scanned = _bytes(campaign["epsm_annex"]) + b"\n% imprime, signe, numerise\n"
    with pytest.raises(ValidationError, match="ne porte aucune signature électronique"):
        _upload(campaign["epsm"], scanned)
    signatory = _upload(campaign["epsm"], scanned, signed_outside=True)
    assert signatory.status == SignatoryStatus.SIGNED and signatory.signed_outside
    record = SignatureRecord.objects.get(signatory=signatory)
    assert record.signed_outside  # recorded with the upload
    project = campaign["project"]
    login(client, member(project, Role.PROJECT_LEAD))
    page = visible_text(client.get(reverse("commitments:letter", kwargs={"slug": project.slug})))
    assert "Signature manuscrite scannée (document numérisé)" in page

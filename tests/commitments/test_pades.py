"""Signed annexes: real PAdES signatures made here with pyHanko and a test certificate, forged
files (content changed after signature, another document signed, active content, scans)."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from ptsm.accounts.models import Role
from ptsm.commitments.models import SignatoryStatus
from ptsm.commitments.services import ensure_letter, generate_annex, record_signed_pdf
from ptsm.documents.registry import get_kind
from ptsm.documents.services import render
from ptsm.documents.uploads import verify_pades
from tests.commitments.test_commitments import setup_roadmap
from tests.factories import make_project, member
from tests.helpers import login, page_text, visible_text
from tests.pdf_signing import (
    append_page_content,
    append_text_annotation,
    pades_sign,
)

pytestmark = pytest.mark.django_db

SIGNER = "Directrice EPSM Finistère Sud"


@pytest.fixture
def campaign():
    """A project whose EPSM annex was generated (and so could be sent): (signatory, sent PDF)."""
    project = make_project(departement="29", name="PTSM du Finistère")
    epsm, _gem = setup_roadmap(project)
    letter = ensure_letter(project=project)
    version = generate_annex(letter=letter, organisation=epsm)
    with version.pdf.content.open("rb") as handle:
        sent = handle.read()
    return letter.signatories.get(organisation=epsm), sent


def _upload(signatory, data: bytes, *, signed_outside: bool = False):
    return record_signed_pdf(
        signatory=signatory,
        upload=SimpleUploadedFile("signee.pdf", data),
        signed_on=dt.date(2027, 1, 5),
        signed_outside=signed_outside,
    )


def _refused(signatory, data: bytes, message: str, *, signed_outside: bool = False) -> None:
    with pytest.raises(ValidationError, match=message):
        _upload(signatory, data, signed_outside=signed_outside)
    signatory.refresh_from_db()
    assert signatory.status != SignatoryStatus.SIGNED and not signatory.signed_file


def test_a_pades_signed_annex_shows_its_signer_and_integrity(campaign):
    signatory, sent = campaign
    _upload(signatory, pades_sign(sent, SIGNER))
    assert SIGNER in signatory.digital_signer
    assert signatory.digital_signature_valid is True and signatory.signed_outside is False
    # a self-signed test certificate is not recognised
    assert signatory.digital_signature_trusted is False


def test_a_pdf_altered_after_its_signature_is_reported_as_not_intact():
    project = make_project(departement="29", name="PTSM du Finistère")
    epsm, _gem = setup_roadmap(project)
    annex = render(project, get_kind("annexe"), str(epsm.pk), "pdf", dt.date(2026, 11, 24))
    signed = bytearray(pades_sign(annex, SIGNER))
    position = signed.find(b"Annexe")  # inside the signed byte range
    signed[position] = ord("X")
    result = verify_pades(bytes(signed))
    assert result.intact is False and result.trusted is False
    assert verify_pades(annex).intact is None  # an unsigned PDF carries no electronic signature


def test_an_incremental_update_changing_the_page_after_signature_is_refused(campaign):
    signatory, sent = campaign
    forged = append_page_content(pades_sign(sent, SIGNER))
    assert verify_pades(forged).intact is False  # the signed bytes themselves are untouched
    _refused(signatory, forged, "modifié après signature")
    # Saying it was signed outside the platform does not make a forged signature acceptable.
    _refused(signatory, forged, "modifié après signature", signed_outside=True)


def test_a_page_changed_before_signing_is_not_the_sent_annex(campaign):
    signatory, sent = campaign
    # The operator edits the annex (an incremental update), then signs: the signature is intact
    # and covers the whole file, but what was signed is not what was sent.
    signed = pades_sign(append_page_content(sent), SIGNER)
    assert verify_pades(signed).intact is True
    _refused(signatory, signed, "n'est pas l'annexe envoyée")


def test_a_signed_pdf_of_another_document_is_refused_even_as_signed_outside(campaign):
    signatory, _sent = campaign
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    other = io.BytesIO()
    writer.write(other)
    signed_other = pades_sign(other.getvalue(), SIGNER)
    _refused(signatory, signed_other, "signé électroniquement mais ce n'est pas l'annexe envoyée")
    _refused(
        signatory,
        signed_other,
        "signé électroniquement mais ce n'est pas l'annexe envoyée",
        signed_outside=True,
    )


def test_an_older_annex_version_signed_is_not_the_annex_sent(campaign):
    signatory, sent = campaign
    project = signatory.letter.project
    other_day = render(
        project, get_kind("annexe"), str(signatory.organisation_id), "pdf", dt.date(2020, 1, 2)
    )
    assert other_day != sent  # same annex, other date: other bytes
    _refused(signatory, pades_sign(other_day, SIGNER), "n'est pas l'annexe envoyée")


def test_a_second_signature_after_the_first_is_accepted(campaign):
    signatory, sent = campaign
    both = pades_sign(pades_sign(sent, SIGNER), "Directeur général ARS Bretagne", "Signature2")
    _upload(signatory, both)
    assert signatory.status == SignatoryStatus.SIGNED
    assert signatory.digital_signature_valid is True and SIGNER in signatory.digital_signer


def test_a_comment_added_after_signature_is_accepted_as_pades_allows(campaign):
    signatory, sent = campaign
    _upload(signatory, append_text_annotation(pades_sign(sent, SIGNER)))
    assert signatory.status == SignatoryStatus.SIGNED
    assert signatory.digital_signature_valid is True


def test_an_active_annotation_added_after_signature_is_refused(campaign):
    signatory, sent = campaign
    signed = append_text_annotation(pades_sign(sent, SIGNER), subtype="/Link")
    _refused(signatory, signed, "modifié après signature")


def _with_catalog_entry(pdf: bytes, key: str, value) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer._root_object[NameObject(key)] = value
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _action(kind: str, **entries) -> DictionaryObject:
    action = DictionaryObject(
        {NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject(kind)}
    )
    action.update({NameObject(f"/{k}"): v for k, v in entries.items()})
    return action


@pytest.mark.parametrize(
    "what, hostile",
    [
        (
            "JavaScript",
            lambda pdf: _with_catalog_entry(
                pdf, "/OpenAction", _action("/JavaScript", JS=TextStringObject("app.alert(1)"))
            ),
        ),
        (
            "action de lancement",
            lambda pdf: _with_catalog_entry(
                pdf, "/OpenAction", _action("/Launch", F=TextStringObject("calc.exe"))
            ),
        ),
        ("fichier joint", "embedded"),
        ("fichier joint", "attachment"),
        ("JavaScript", "page-aa"),
    ],
)
def test_a_pdf_with_active_content_is_refused(campaign, what, hostile):
    signatory, sent = campaign
    if hostile == "embedded":
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(sent)))
        writer.add_attachment("facture.exe", b"MZ...")
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    elif hostile == "attachment":
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(sent)))
        from pypdf.annotations import Text

        annotation = Text(rect=(10, 10, 30, 30), text="pièce jointe")
        annotation[NameObject("/Subtype")] = NameObject("/FileAttachment")
        writer.add_annotation(page_number=0, annotation=annotation)
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    elif hostile == "page-aa":
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(sent)))
        writer.pages[0][NameObject("/AA")] = DictionaryObject(
            {NameObject("/O"): _action("/JavaScript", JS=TextStringObject("this.print()"))}
        )
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    else:
        data = hostile(sent)
    _refused(signatory, data, f"contenu actif \\({what}\\)", signed_outside=True)


def test_a_scan_needs_the_statement_and_is_shown_as_signed_outside(client, campaign):
    signatory, _sent = campaign
    project = signatory.letter.project
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)  # a scanned page: an image, no signature
    scan = io.BytesIO()
    writer.write(scan)
    login(client, member(project, Role.PROJECT_LEAD))
    url = reverse("commitments:signed", kwargs={"slug": project.slug, "pk": signatory.pk})
    response = client.post(
        url,
        {"signed_on": "2027-01-10", "file": SimpleUploadedFile("scan.pdf", scan.getvalue())},
        follow=True,
    )
    assert response.status_code == 200
    assert "n'est pas l'annexe envoyée (version 1)" in page_text(response)
    assert "cochez « Signature manuscrite scannée »" in page_text(response)
    signatory.refresh_from_db()
    assert signatory.status != SignatoryStatus.SIGNED
    response = client.post(
        url,
        {
            "signed_on": "2027-01-10",
            "file": SimpleUploadedFile("scan.pdf", scan.getvalue()),
            "signed_outside": "on",
        },
        follow=True,
    )
    assert "Engagement de EPSM Finistère Sud signé." in page_text(response)
    signatory.refresh_from_db()
    assert signatory.status == SignatoryStatus.SIGNED and signatory.signed_outside
    assert signatory.digital_signature_valid is None
    page = visible_text(client.get(reverse("commitments:letter", kwargs={"slug": project.slug})))
    assert "Signature manuscrite scannée (document numérisé)" in page


def test_a_forged_upload_through_the_page_is_a_french_message_not_an_error(client, campaign):
    signatory, sent = campaign
    project = signatory.letter.project
    login(client, member(project, Role.PROJECT_LEAD))
    response = client.post(
        reverse("commitments:signed", kwargs={"slug": project.slug, "pk": signatory.pk}),
        {
            "signed_on": "2027-01-10",
            "file": SimpleUploadedFile("s.pdf", append_page_content(pades_sign(sent, SIGNER))),
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Ce PDF a été modifié après signature" in page_text(response)
    assert "Signature manuscrite scannée (document numérisé)" not in visible_text(response)


def test_a_pdf_that_hits_pypdf_limits_is_a_french_refusal_not_a_server_error(campaign):
    from pypdf.generic import ArrayObject, NumberObject

    signatory, sent = campaign
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(sent)))
    # pypdf refuses arrays this long (LimitReachedError, which is not a PdfReadError)
    writer.pages[0][NameObject("/Objets")] = ArrayObject(NumberObject(n) for n in range(200_000))
    out = io.BytesIO()
    writer.write(out)
    _refused(signatory, out.getvalue(), "Ce PDF est illisible ou endommagé.")


def test_an_unsigned_update_of_the_sent_annex_is_not_the_sent_annex(campaign):
    signatory, sent = campaign
    forged = append_page_content(sent)  # starts with the sent bytes, shows other amounts
    _refused(signatory, forged, "n'est pas l'annexe envoyée")
    _upload(signatory, forged, signed_outside=True)  # as a document signed outside ptsm
    assert signatory.signed_outside and signatory.digital_signature_valid is None

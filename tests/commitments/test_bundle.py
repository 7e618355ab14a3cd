"""The bundle (liasse-engagements.pdf): PDF/A-2b like every PDF, what its cover says, the
validated roadmap after the collective letter, and its own page numbers everywhere."""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from ptsm.accounts.models import Role
from ptsm.commitments.services import ensure_letter, generate_annex, record_signed_pdf
from ptsm.documents.models import GeneratedDocument
from ptsm.documents.registry import get_kind
from ptsm.documents.services import generate_all, render
from ptsm.evaluation.services import ensure_review, save_review_texts
from ptsm.roadmap.selectors import roadmap_lines
from ptsm.roadmap.services import validate_roadmap
from tests.commitments.test_commitments import _signed_pdf, setup_roadmap
from tests.factories import make_project, member

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 24)
NAMES = ("A Opérateur", "B Opérateur", "C Opérateur")


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère")


def pdfa_declaration(data: bytes) -> tuple[str, str, str, str]:
    """(pdfaid:part, pdfaid:conformance, title, language) as the file declares them."""
    reader = PdfReader(io.BytesIO(data))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    part = re.search(r"<pdfaid:part>(\d)</pdfaid:part>", xmp)
    conformance = re.search(r"<pdfaid:conformance>(\w)</pdfaid:conformance>", xmp)
    return (
        part.group(1) if part else "",
        conformance.group(1) if conformance else "",
        reader.metadata.title or "",
        str(reader.trailer["/Root"].get("/Lang", "")),
    )


def _validate_roadmap(project):
    validate_roadmap(
        project=project,
        meeting=None,
        decision="Validée",
        validated_on=dt.date(2027, 3, 12),
        user=member(project, Role.PROJECT_LEAD),
        lines=roadmap_lines(project),
    )


def _sign(project, letter, organisation, day=DAY):
    generate_annex(letter=letter, organisation=organisation)
    record_signed_pdf(
        signatory=letter.signatories.get(organisation=organisation),
        upload=SimpleUploadedFile("signee.pdf", _signed_pdf(project, organisation)),
        signed_on=day,
        signed_outside=True,
    )


def test_every_pdf_the_bundle_included_declares_pdfa_2b_a_title_and_french(project):
    setup_roadmap(project, copil_validated=False)
    _validate_roadmap(project)
    review = ensure_review(project=project, kind="six_mois")
    save_review_texts(review=review, texts={"summary": "Les actions ont démarré."})
    pdfs = [(d, data) for d, data in generate_all(project=project) if d.format == "pdf"]
    assert {d.kind for d, _ in pdfs} >= {"liasse-engagements", "feuille-de-route", "bilan-6-mois"}
    for document, data in pdfs:
        part, conformance, title, language = pdfa_declaration(data)
        assert (part, conformance) == ("2", "B"), document.file_name
        assert title, document.file_name
        assert language.startswith("fr"), document.file_name


def test_a_partly_signed_bundle_says_so_and_numbers_every_page(project):
    orgs = setup_roadmap(project, operator_names=NAMES, copil_validated=False)
    _validate_roadmap(project)
    letter = ensure_letter(project=project)
    _sign(project, letter, orgs[1], day=dt.date(2027, 4, 2))
    data = render(project, get_kind("liasse-engagements"), "", "pdf", DAY)
    reader = PdfReader(io.BytesIO(data))
    texts = [" ".join(page.extract_text().split()) for page in reader.pages]
    total = len(reader.pages)
    assert "Liasse des engagements — 1 signé sur 3" in texts[0]
    assert reader.metadata.title == "Liasse des engagements — 1 signé sur 3"
    assert pdfa_declaration(data)[:2] == ("2", "B")
    # Bookmarks: cover, contents, collective letter, then the validated roadmap, the annexes,
    # the fingerprints.
    titles = [item.title for item in reader.outline]
    assert titles == [
        "Couverture",
        "Sommaire",
        "Lettre d'engagement collective",
        "Feuille de route",
        *[f"Annexe — {name}" for name in NAMES],
        "Empreintes SHA-256",
    ]
    contents = " ".join(texts[1:3])
    assert "Lettre d'engagement collective — en attente de signature" in contents
    assert "Feuille de route — validée par le COPIL le 12 mars 2027" in contents
    assert "Annexe — A Opérateur — en attente de signature" in contents
    assert "Annexe — B Opérateur — signée le 2 avril 2027" in contents
    # The fingerprints page, last, is listed too, at its page.
    assert f"Empreintes SHA-256 des documents page {total}" in contents
    # The roadmap in the bundle is the frozen file of the validation.
    roadmap = (  # the latest validation's (setup_roadmap validated it once already)
        GeneratedDocument.objects.filter(project=project, kind="feuille-de-route", format="pdf")
        .order_by("-version")
        .first()
    )
    roadmap_first = reader.get_destination_page_number(reader.outline[3])
    with roadmap.content.open("rb") as handle:
        frozen_first = " ".join(PdfReader(handle).pages[0].extract_text().split())
    assert frozen_first[:80] in texts[roadmap_first]
    # Every page carries its number in the bundle; the page labels say the same, and so do
    # the contents for each part's first page.
    for index, text in enumerate(texts):
        assert f"Liasse — page {index + 1} sur {total}" in text, index
        assert reader.page_labels[index] == str(index + 1)
    for item in reader.outline[2:]:
        first = reader.get_destination_page_number(item)
        if item.title != "Empreintes SHA-256":
            listed = re.search(rf"{re.escape(item.title)} — [^—]+?page (\d+)", contents)
            assert listed and int(listed.group(1)) == first + 1, item.title
        assert f"Liasse — page {first + 1} sur {total}" in texts[first]
    assert "Empreintes des documents de la liasse" in texts[-1]


def test_a_fully_signed_bundle_is_the_signed_commitments(project):
    orgs = setup_roadmap(project, operator_names=NAMES[:2], copil_validated=False)
    letter = ensure_letter(project=project)
    _sign(project, letter, orgs[0], day=dt.date(2027, 4, 2))
    _sign(project, letter, orgs[1], day=dt.date(2027, 4, 9))
    reader = PdfReader(io.BytesIO(render(project, get_kind("liasse-engagements"), "", "pdf", DAY)))
    texts = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert "Liasse des engagements signés" in texts[0] and "signés sur" not in texts[0]
    assert "Lettre d'engagement collective — signée le 9 avril 2027" in texts[1]
    assert "en attente de signature" not in texts[1]
    # Without a COPIL validation, no roadmap is annexed.
    assert "Feuille de route" not in [item.title for item in reader.outline]

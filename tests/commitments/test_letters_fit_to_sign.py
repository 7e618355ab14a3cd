"""The commitment letters as an ARS director signs them: the seed's letter from « Préambule » on,
a letterhead, the place and date, every signatory's block on one page, true sentences only, and
a readiness check before they go out for signature."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.commitments.models import SignatoryStatus
from ptsm.commitments.sections import ARTICLES, SEED_HEADINGS
from ptsm.commitments.services import ensure_letter, generate_annex, send_for_signature
from ptsm.documents.registry import get_kind
from ptsm.documents.services import render
from ptsm.governance.services import create_default_bodies
from ptsm.organisations.models import Contact
from tests.commitments.test_commitments import COPIL_DAY, setup_roadmap
from tests.documents.test_pipeline import pdf_text
from tests.factories import make_project, member
from tests.helpers import login, visible_text
from tests.letters import (
    assert_clean_letter,
    assert_in_order,
    assert_signature_blocks_each_on_one_page,
    docx_paragraphs,
    flat,
    pdf_pages,
)

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 24)
SIGNATORIES = ["Hervé Le Floc'h", "Jean-Yves Kerhervé", "Prénom EPSM", "Prénom GEM"]


@pytest.fixture
def project():
    project = make_project(departement="29", name="PTSM du Finistère")
    create_default_bodies(project=project)  # the COPIL is co-piloted by the département
    return project


def _text(data: bytes, fmt: str) -> str:
    return flat(docx_paragraphs(data) if fmt == "docx" else pdf_text(data))


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_collective_letter_is_a_letter_with_every_signatory_block(project, fmt):
    setup_roadmap(project)
    ensure_letter(project=project)
    data = render(project, get_kind("lettre-engagement-collective"), "", fmt, DAY)
    text = _text(data, fmt)
    assert_in_order(text, ["Objet", *SEED_HEADINGS])
    assert_clean_letter(text)
    head = text[: text.find("Objet")]
    assert "ARS Bretagne" in head and "Conseil départemental du Finistère" in head
    assert "Aux partenaires du PTSM du Finistère" in text
    assert "Fait à Quimper, le 24 novembre 2026" in text
    # Filled with the project's data, true since the COPIL validated the roadmap.
    assert "validée par le comité de pilotage du 12 novembre 2026" in text
    assert "plan d'actions validé par le comité de pilotage du 12 novembre 2026" in text
    assert "La feuille de route annexée à la présente lettre" in text
    assert "retenu pour le territoire du Finistère" in text
    assert "Réduire les délais (1 fiche-action validée)" in text
    # Requested money is never presented as secured (both lines are only requested here).
    assert "FIR (fonds d'intervention régional) 120 000 € (sollicité)" in text.replace(
        "\u202f", " "
    )
    assert "Total 160 000 € (sollicité)" in text.replace("\u202f", " ")
    assert_in_order(text, ["Fait à Quimper", *SIGNATORIES])
    if fmt == "pdf":
        assert_signature_blocks_each_on_one_page(data, SIGNATORIES)
        assert all("Document généré" not in page for page in pdf_pages(data))


def test_before_the_copil_validation_the_letter_says_so_and_cannot_be_sent(project):
    epsm, _gem = setup_roadmap(project, copil_validated=False)
    letter = ensure_letter(project=project)
    text = flat(pdf_text(render(project, get_kind("lettre-engagement-collective"), "", "pdf", DAY)))
    assert "en cours de validation par le comité de pilotage" in text
    assert "annexée" not in text and "validée par le comité de pilotage du" not in text
    annex = flat(pdf_text(render(project, get_kind("annexe"), str(epsm.pk), "pdf", DAY)))
    assert "en cours de validation par le comité de pilotage" in annex
    # Not to be signed yet, and each document says so at its top.
    sheet = flat(
        pdf_text(render(project, get_kind("feuille-signature-engagements"), "", "pdf", DAY))
    )
    for document in (text, annex, sheet):
        assert (
            "Projet — feuille de route en cours de validation par le comité de pilotage — ne pas signer"
            in document
        )
    generate_annex(letter=letter, organisation=epsm)
    signatory = letter.signatories.get(organisation=epsm)
    with pytest.raises(ValidationError, match="pas encore validée par le comité de pilotage"):
        send_for_signature(signatory=signatory, base_url="http://testserver")
    signatory.refresh_from_db()
    assert signatory.status == SignatoryStatus.TO_PREPARE and signatory.sent_at is None


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_each_annex_is_signed_by_the_regulator_and_its_operator(project, fmt):
    epsm, _gem = setup_roadmap(project)
    ensure_letter(project=project)
    data = render(project, get_kind("annexe"), str(epsm.pk), fmt, DAY)
    text = _text(data, fmt)
    assert_in_order(text, ["Objet", *ARTICLES, "Fait à Quimper"])
    assert_clean_letter(text)
    assert "validée par le comité de pilotage du 12 novembre 2026, comprend 1 fiche-action" in text
    assert "ne pas signer" not in text  # the roadmap is validated: the annex can be signed
    assert "réparties en 1 orientation stratégique" in text
    assert "EPSM Finistère Sud" in text[: text.find("Objet")]  # the addressee
    if fmt == "pdf":
        assert_signature_blocks_each_on_one_page(data, ["Hervé Le Floc'h", "Prénom EPSM"])


def test_signature_sheet_has_a_block_for_every_signatory(project):
    setup_roadmap(project)
    ensure_letter(project=project)
    data = render(project, get_kind("feuille-signature-engagements"), "", "pdf", DAY)
    text = flat(pdf_text(data))
    assert_clean_letter(text)
    assert "Fait à Quimper, le 24 novembre 2026" in text
    assert_signature_blocks_each_on_one_page(data, SIGNATORIES)


def test_readiness_lists_each_missing_item_with_a_link_and_refuses_sending(client, project):
    epsm, gem = setup_roadmap(project)
    letter = ensure_letter(project=project)
    Contact.objects.filter(organisation=gem).update(function="")
    lead = member(project, Role.PROJECT_LEAD)
    login(client, lead)
    page_url = reverse("commitments:letter", kwargs={"slug": project.slug})
    text = visible_text(client.get(page_url))
    assert "Avant la relecture et la signature des lettres d'engagement" in text
    assert "Fonction de Prénom GEM (opérateur GEM L'Escale) manquante dans l'annuaire." in text
    page = client.get(page_url).content.decode()
    gem_contact = gem.contacts.get()
    assert (
        reverse("organisations:contact_edit", kwargs={"slug": project.slug, "pk": gem_contact.pk})
        in page
    )
    # The guidance of seed 001, with its fiches linked to the app's pages.
    assert "Facteurs clés de succès" in page and "Fiche 10" in page
    assert reverse("roadmap:synthesis", kwargs={"slug": project.slug}) in page
    assert reverse("governance:meetings", kwargs={"slug": project.slug}) in page
    # GEM's annex is refused (its signatory has no title); EPSM's goes: only its own items count.
    for organisation in (epsm, gem):
        generate_annex(letter=letter, organisation=organisation)
    refused = client.post(
        reverse(
            "commitments:send",
            kwargs={"slug": project.slug, "pk": letter.signatories.get(organisation=gem).pk},
        ),
        follow=True,
    )
    assert "La lettre n'est pas prête" in visible_text(refused)
    assert letter.signatories.get(organisation=gem).status == SignatoryStatus.TO_PREPARE
    send_for_signature(
        signatory=letter.signatories.get(organisation=epsm), base_url="http://testserver"
    )
    assert letter.signatories.get(organisation=epsm).status == SignatoryStatus.SENT


def test_a_copil_date_comes_from_the_roadmap_validation(project):
    setup_roadmap(project)
    assert dt.date(2026, 11, 12) == COPIL_DAY

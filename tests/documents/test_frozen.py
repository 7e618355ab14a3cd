"""Frozen means frozen: once validated or signed, a document is served from its frozen files."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.documents.models import GeneratedDocument
from ptsm.documents.services import generate_all, generate_document, sha256_hex
from ptsm.evaluation.services import ensure_review, save_review_texts
from ptsm.framing.models import LetterStatus
from ptsm.framing.services import change_status
from ptsm.framing.services import ensure_letter as ensure_framing_letter
from ptsm.roadmap.models import Action
from ptsm.roadmap.selectors import roadmap_lines
from ptsm.roadmap.services import validate_roadmap
from tests.commitments.test_commitments import setup_roadmap
from tests.factories import make_project, member, ready_framing_letter
from tests.helpers import login, visible_text

pytestmark = pytest.mark.django_db
VALIDATED_ON = dt.date(2027, 3, 12)
FROZEN_KINDS = {"feuille-de-route", "credits-mobilises", "presentation-copil", "fiche-action"}


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère")


def _validate_roadmap(project, lead):
    return validate_roadmap(
        project=project,
        meeting=None,
        decision="Feuille de route validée",
        validated_on=VALIDATED_ON,
        user=lead,
        lines=roadmap_lines(project),
    )


def _frozen(project) -> dict[tuple, tuple]:
    return {
        (d.kind, d.variant, d.format): (d.pk, d.sha256, d.version)
        for d in GeneratedDocument.objects.filter(project=project, kind__in=FROZEN_KINDS)
    }


def test_generate_all_and_export_after_a_validation_reuse_the_frozen_files(project, tmp_path):
    setup_roadmap(project, copil_validated=False)
    lead = member(project, Role.PROJECT_LEAD)
    _validate_roadmap(project, lead)
    frozen = _frozen(project)
    # Every file of the validated roadmap is stored at validation time, dated that day.
    assert {kind for kind, _variant, _fmt in frozen} == FROZEN_KINDS
    # Later: the data change, the day changes, "Tout générer" and export_documents run.
    Action.objects.update(title="Plateforme renommée après la validation")
    generate_all(project=project, user=lead, today=dt.date(2027, 6, 1))
    call_command("export_documents", project.slug, str(tmp_path / "export"))
    assert _frozen(project) == frozen  # no new version, same SHA-256
    exported = (tmp_path / "export" / "feuille-de-route.pdf").read_bytes()
    pdf = next(
        sha
        for (kind, _v, fmt), (_pk, sha, _n) in frozen.items()
        if kind == "feuille-de-route" and fmt == "pdf"
    )
    assert sha256_hex(exported) == pdf
    # A single generation returns the frozen file too.
    again = generate_document(project=project, kind_slug="feuille-de-route", fmt="pdf")
    assert again.sha256 == pdf and again.version == 1
    # The live table of the action plan is not frozen: it follows the renaming.
    plan = GeneratedDocument.objects.filter(project=project, kind="plan-actions")
    assert plan.count() == 1


def test_a_new_validation_makes_a_new_version_visible_as_such(client, project):
    setup_roadmap(project, copil_validated=False)
    lead = member(project, Role.PROJECT_LEAD)
    _validate_roadmap(project, lead)
    first = GeneratedDocument.objects.get(project=project, kind="feuille-de-route", format="pdf")
    Action.objects.update(title="Plateforme d'orientation élargie")
    validate_roadmap(
        project=project,
        meeting=None,
        decision="Nouvelle version",
        validated_on=dt.date(2027, 9, 20),
        user=lead,
        lines=roadmap_lines(project),
    )
    second = GeneratedDocument.objects.filter(
        project=project, kind="feuille-de-route", format="pdf"
    ).latest("version")
    assert second.version == 2 and second.sha256 != first.sha256
    login(client, lead)
    page = visible_text(client.get(reverse("documents:list", kwargs={"slug": project.slug})))
    assert "Version 2, figée le 20 septembre 2027" in page
    assert f"SHA-256 {second.sha256}" in page


def test_the_documents_page_says_version_figee_and_offers_no_generate_button(client, project):
    setup_roadmap(project, copil_validated=False)
    lead = member(project, Role.PROJECT_LEAD)
    _validate_roadmap(project, lead)
    document = GeneratedDocument.objects.get(project=project, kind="feuille-de-route", format="pdf")
    login(client, lead)
    response = client.get(reverse("documents:list", kwargs={"slug": project.slug}))
    page = visible_text(response)
    assert "Version 1, figée le 12 mars 2027" in page
    assert f"SHA-256 {document.sha256}" in page
    assert "Générer feuille-de-route.pdf" not in page
    assert "Générer plan-actions.xlsx" in page  # not frozen
    # Posting a generation anyway says it is frozen and makes nothing.
    response = client.post(
        reverse("documents:generate", kwargs={"slug": project.slug}),
        {"kind": "feuille-de-route", "format": "pdf", "variant": ""},
        follow=True,
    )
    assert "feuille-de-route.pdf est figé (version 1" in visible_text(response)
    assert GeneratedDocument.objects.filter(project=project, kind="feuille-de-route").count() == 2


def test_a_validated_framing_letter_is_generated_once_and_kept(client, project):
    lead = member(project, Role.PROJECT_LEAD)
    letter = ensure_framing_letter(project=project)
    ready_framing_letter(letter)  # signatories named: the letter may go to review
    change_status(letter=letter, to_status=LetterStatus.REVIEW, user=lead)
    change_status(letter=letter, to_status=LetterStatus.VALIDATED, user=lead)
    version = letter.versions.first()
    assert version.status == LetterStatus.VALIDATED
    generate_all(project=project, user=lead, today=dt.date(2030, 1, 1))
    latest = GeneratedDocument.objects.filter(
        project=project, kind="lettre-de-cadrage", format="pdf"
    ).latest("version")
    assert latest.pk == version.pdf_id  # the validated version, not a new one dated 2030
    login(client, lead)
    page = visible_text(client.get(reverse("framing:letter", kwargs={"slug": project.slug})))
    assert f"PDF à signer : lettre-de-cadrage.pdf, version {version.number}" in page


def test_review_documents_are_offered_only_once_they_have_content(client, project):
    lead = member(project, Role.PROJECT_LEAD)
    login(client, lead)
    url = reverse("documents:list", kwargs={"slug": project.slug})
    page = visible_text(client.get(url))
    assert (
        "Pas encore disponible : le bilan à 6 mois n'a encore ni texte ni appréciation de "
        "fiche-action" in page
    )
    assert "Générer bilan-6-mois.pdf" not in page
    generated = {d.file_name for d, _data in generate_all(project=project, user=lead)}
    assert "bilan-6-mois.pdf" not in generated
    review = ensure_review(project=project, kind="six_mois")
    save_review_texts(review=review, texts={"summary": "Les actions ont démarré."}, user=lead)
    page = visible_text(client.get(url))
    assert "Générer bilan-6-mois.pdf" in page
    assert "Pas encore disponible : le bilan à 6 mois" not in page
    assert "Pas encore disponible : le bilan final" in page


def test_a_validated_diagnostic_and_review_and_a_signed_annex_stay_frozen(project):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ptsm.commitments.services import ensure_letter, generate_annex, record_signed_pdf
    from ptsm.diagnostic.selectors import report_content
    from ptsm.diagnostic.services import validate_diagnostic
    from ptsm.evaluation.services import validate_review

    epsm, _gem = setup_roadmap(project, copil_validated=False)
    lead = member(project, Role.PROJECT_LEAD)
    validate_diagnostic(
        project=project,
        meeting=None,
        decision="Diagnostic validé",
        validated_on=VALIDATED_ON,
        user=lead,
        content=report_content(project),
    )
    review = ensure_review(project=project, kind="six_mois")
    save_review_texts(review=review, texts={"summary": "Premier bilan."}, user=lead)
    validate_review(review=review, meeting=None, decision="Adopté", validated_on=VALIDATED_ON)
    letter = ensure_letter(project=project)
    annex = generate_annex(letter=letter, organisation=epsm)
    with annex.pdf.content.open("rb") as handle:
        signed = handle.read() + b"\n% signee a la main\n"
    record_signed_pdf(
        signatory=letter.signatories.get(organisation=epsm),
        upload=SimpleUploadedFile("signee.pdf", signed),
        signed_on=VALIDATED_ON,
        signed_outside=True,
    )
    kinds = ["diagnostic", "bilan-6-mois", "annexe", "lettre-engagement-collective"]

    def stored():
        return sorted(
            (d.kind, d.variant, d.format, d.version, d.sha256)
            for d in GeneratedDocument.objects.filter(project=project, kind__in=kinds)
            if d.kind != "annexe" or d.variant == str(epsm.pk)
        )

    before = stored()
    assert {row[0] for row in before} == set(kinds)
    # The data change and days pass: nothing frozen is composed again.
    save_review_texts(review=review, texts={"summary": "Texte changé après."}, user=lead)
    Action.objects.update(title="Renommée")
    generate_all(project=project, user=lead, today=dt.date(2028, 1, 1))
    assert stored() == before
    assert (
        GeneratedDocument.objects.filter(project=project, kind="diagnostic", format="pdf").count()
        == 1
    )

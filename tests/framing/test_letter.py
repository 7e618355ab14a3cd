import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from pptx import Presentation
from pypdf import PdfReader

from ptsm.accounts.models import Role
from ptsm.core.formatting import NARROW_NBSP, NBSP
from ptsm.documents.registry import get_kind
from ptsm.documents.services import render
from ptsm.framing.models import FrozenVersionError, LetterStatus, LetterVersion, SignatureMode
from ptsm.framing.sections import SEED_HEADINGS
from ptsm.framing.services import (
    change_status,
    ensure_letter,
    generate_version,
    sign_version,
    update_section,
    verify_signed_file,
)
from ptsm.governance.models import Body, BodyKind, BodyMember
from ptsm.governance.services import create_default_bodies
from ptsm.organisations.models import Contact, Organisation
from ptsm.territories.models import Commune
from tests.documents.test_pipeline import docx_text, pdf_text
from tests.factories import make_project, member
from tests.helpers import login, page_text, visible_text

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 24)
SEVEN_COMMITMENTS = [
    "S'impliquer dans la réalisation du diagnostic territorial",
    "Apporter son expertise et associer les professionnels",
    "S'impliquer dans la rédaction de la feuille de route partagée au niveau du territoire",
    "Contribuer et appuyer les actions attendues",
    "Participer aux instances de pilotage",
    "Contribuer au suivi et à l'évaluation de la démarche",
    "Prendre part à la diffusion de l'information et soutenir la démarche",
]


def typeset(text: str) -> str:
    return text.replace(" :", NBSP + ":")


@pytest.fixture
def project():
    project = make_project(departement="29", name="PTSM du Finistère", start=dt.date(2026, 1, 15))
    create_default_bodies(project=project)
    ars = Organisation.objects.create(
        project=project, name="ARS Bretagne", category="institutions_financeurs", sub_type="ars"
    )
    cd = Organisation.objects.create(
        project=project,
        name="Conseil départemental du Finistère",
        category="collectivites",
        sub_type="conseil_departemental",
    )
    dg = Contact.objects.create(
        project=project,
        organisation=ars,
        first_name="Hervé",
        last_name="Le Floc'h",
        function="Directeur général",
    )
    president = Contact.objects.create(
        project=project,
        organisation=cd,
        first_name="Jean-Yves",
        last_name="Kerhervé",
        function="Président",
    )
    copil = Body.objects.get(project=project, kind=BodyKind.COPIL)
    BodyMember.objects.create(body=copil, contact=dg, role="co_president")
    BodyMember.objects.create(body=copil, contact=president, role="co_president")
    return project


def _population() -> str:
    total = sum(Commune.objects.filter(departement_id="29").values_list("population", flat=True))
    return f"{total:,}".replace(",", NARROW_NBSP)


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_letter_has_every_seed_section_and_the_projects_data(project, fmt):
    ensure_letter(project=project)
    data = render(project, get_kind("lettre-de-cadrage"), "", fmt, DAY)
    text = docx_text(data) if fmt == "docx" else pdf_text(data)
    flat = " ".join(text.split())
    for heading in SEED_HEADINGS:
        assert typeset(heading) in text, heading
    assert "Finistère" in text and _population() in text
    for commitment in SEVEN_COMMITMENTS:
        assert " ".join(typeset(commitment).split()) in flat, commitment
    assert "18 mois" in text
    assert "Hervé Le Floc'h" in text and "Jean-Yves Kerhervé" in text
    assert "Comité de pilotage (COPIL)" in text
    assert "Hervé Le Floc'h (ARS Bretagne, co-président(e))" in flat
    # Who holds which data, and the CNIL/RGPD formalities to anticipate.
    # (split() above turned the no-break space into a plain one)
    assert "ARS Bretagne : activité et capacités des établissements" in flat
    assert "CNIL" in flat and "RGPD" in flat
    if fmt == "pdf":
        assert "Date et signature" in text
        raw = (
            PdfReader(io.BytesIO(data))
            .trailer["/Root"]["/Metadata"]
            .get_object()
            .get_data()
            .decode()
        )
        assert "<pdfaid:part>2</pdfaid:part>" in raw


def test_annex_slideshow_has_the_annex_sections(project):
    data = render(project, get_kind("lettre-de-cadrage-annexe"), "", "pptx", DAY)
    titles = [slide.shapes[0].text_frame.text for slide in Presentation(io.BytesIO(data)).slides]
    assert titles[1:] == [
        "Axes de travail",
        "Acteurs et prestations concernés",
        typeset("Périmètre géographique — carte d'identité du territoire"),
        "Partage d'informations et de données",
        "Gouvernance (missions et composition)",
        "Calendrier prévisionnel de mise en œuvre",
        "Constitution des groupes de travail",
    ]


def test_export_documents_writes_the_letter_and_its_annex(project, tmp_path):
    call_command("export_documents", project.slug, str(tmp_path))
    names = {p.name for p in tmp_path.iterdir()}
    assert {
        "lettre-de-cadrage.docx",
        "lettre-de-cadrage.pdf",
        "lettre-de-cadrage-annexe.pptx",
    } <= names


def test_section_edits_flow_into_the_next_generation_and_live_data_too(project):
    letter = ensure_letter(project=project)
    update_section(letter=letter, key="faisabilite", text="Les élus du pays de Brest ont délibéré.")
    Body.objects.filter(project=project, kind=BodyKind.COPIL).update(co_piloted=False)
    text = docx_text(render(project, get_kind("lettre-de-cadrage"), "", "docx", DAY))
    assert "Les élus du pays de Brest ont délibéré." in text
    assert "sans copilotage du conseil départemental" in text


def test_dashboard_shows_the_letter_status(client, project):
    login(client, member(project, Role.READER))
    url = reverse("projects:dashboard", kwargs={"slug": project.slug})
    assert "Statut : Pas encore rédigée" in visible_text(client.get(url))
    ensure_letter(project=project)
    assert "Statut : Brouillon" in visible_text(client.get(url))


def test_status_workflow_is_recorded_and_guarded(project):
    lead = member(project, Role.PROJECT_LEAD)
    letter = ensure_letter(project=project)
    with pytest.raises(Exception, match="Passage impossible"):
        change_status(letter=letter, to_status=LetterStatus.VALIDATED, user=lead)
    change_status(
        letter=letter, to_status=LetterStatus.REVIEW, user=lead, comment="Relecture COPIL"
    )
    assert letter.versions.first().status == LetterStatus.REVIEW  # generated in that action
    change_status(letter=letter, to_status=LetterStatus.VALIDATED, user=lead)
    validated = letter.versions.first()
    assert validated.status == LetterStatus.VALIDATED  # one action: validated and its PDF ready
    assert validated.pdf.file_name == "lettre-de-cadrage.pdf"
    history = list(letter.status_changes.values_list("from_status", "to_status", "user_id"))
    assert history == [("relecture", "validee", lead.pk), ("brouillon", "relecture", lead.pk)]
    update_section(letter=letter, key="enjeux", text="Nouveau texte", user=lead)
    assert letter.status == LetterStatus.DRAFT  # editing a validated letter reopens a draft


def test_versions_only_when_something_changed_and_a_visible_diff(client, project):
    lead = member(project, Role.PROJECT_LEAD)
    letter = ensure_letter(project=project)
    first = generate_version(letter=letter, user=lead, today=DAY)
    assert generate_version(letter=letter, user=lead, today=DAY).pk == first.pk
    update_section(
        letter=letter, key="mobilisation", text="Une tournée des CLSM précède la plénière."
    )
    second = generate_version(letter=letter, user=lead, today=DAY)
    assert second.number == 2
    login(client, lead)
    page = visible_text(
        client.get(reverse("framing:diff", kwargs={"slug": project.slug, "number": 2}))
    )
    assert "Ajouté : Une tournée des CLSM précède la plénière." in page
    assert "Retiré : Des contacts préalables avec les acteurs" in page


def _validated_version(project, lead) -> LetterVersion:
    letter = ensure_letter(project=project)
    change_status(letter=letter, to_status=LetterStatus.REVIEW, user=lead)
    generate_version(letter=letter, user=lead, today=DAY)
    change_status(letter=letter, to_status=LetterStatus.VALIDATED, user=lead)
    return generate_version(letter=letter, user=lead, today=DAY)


def _signed_pdf(version) -> bytes:
    with version.pdf.content.open("rb") as handle:
        return handle.read() + b"\n% signatures apposees\n"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("lettre.docx", b"PK", "Déposez le PDF signé (fichier .pdf)."),
        ("lettre.pdf", b"GIF89a", "Ce fichier n'est pas un PDF."),
        ("lettre.pdf", b"%PDF-1.7 tronque", "Ce PDF est illisible ou endommagé."),
        ("lettre.pdf", b"%PDF-" + b"0" * (21 * 1024 * 1024), "Fichier trop volumineux"),
    ],
)
def test_bad_signed_files_are_refused_and_nothing_is_frozen(
    client, project, name, content, message
):
    lead = member(project, Role.PROJECT_LEAD)
    version = _validated_version(project, lead)
    login(client, lead)
    response = client.post(
        reverse("framing:sign", kwargs={"slug": project.slug, "number": version.number}),
        {"mode": "depot", "signed_on": "2026-11-20", "file": SimpleUploadedFile(name, content)},
        follow=True,
    )
    assert message in page_text(response)
    version.refresh_from_db()
    assert not version.signed and version.letter.status == LetterStatus.VALIDATED


def test_signature_freezes_the_version_and_tampering_is_detected(client, project):
    lead = member(project, Role.PROJECT_LEAD)
    version = _validated_version(project, lead)
    login(client, lead)
    signed = _signed_pdf(version)
    response = client.post(
        reverse("framing:sign", kwargs={"slug": project.slug, "number": version.number}),
        {
            "mode": "depot",
            "signed_on": "2026-11-20",
            "file": SimpleUploadedFile("signee.pdf", signed),
            "signed_outside": "on",  # no electronic signature: signed by hand, scanned
        },
        follow=True,
    )
    assert "signée et figée" in page_text(response)
    version.refresh_from_db()
    import hashlib

    assert version.signed and version.signed_sha256 == hashlib.sha256(signed).hexdigest()
    assert version.letter.status == LetterStatus.SIGNED
    assert verify_signed_file(version)
    # Nothing can change a signed version: not the model, not a second signature, not the admin.
    version.signed_on = dt.date(2020, 1, 1)
    with pytest.raises(FrozenVersionError):
        version.save()
    with pytest.raises(FrozenVersionError):
        version.delete()
    with pytest.raises(Exception, match="déjà signée"):
        sign_version(
            version=LetterVersion.objects.get(pk=version.pk),
            user=lead,
            mode=SignatureMode.SESSION,
            signed_on=DAY,
        )
    # Editing a signed letter is refused; an amendment (with its reason) reopens a draft and
    # makes a new version, the signed one is untouched.
    letter = version.letter
    with pytest.raises(ValidationError, match="avenant"):
        update_section(letter=letter, key="enjeux", text="Texte révisé après signature")
    with pytest.raises(ValidationError, match="motif"):
        change_status(letter=letter, to_status=LetterStatus.DRAFT, user=lead)
    change_status(letter=letter, to_status=LetterStatus.DRAFT, user=lead, comment="Avenant n° 1")
    update_section(letter=letter, key="enjeux", text="Texte révisé après signature")
    new = generate_version(letter=version.letter, user=lead, today=DAY)
    assert new.number == version.number + 1 and not new.signed
    stored = LetterVersion.objects.get(pk=version.pk)
    assert stored.signed and stored.signed_on == dt.date(2026, 11, 20)
    # Tampering with the stored file is detected.
    with open(stored.signed_file.path, "ab") as handle:
        handle.write(b"% modifie\n")
    assert not verify_signed_file(stored)


def test_signed_versions_are_read_only_in_the_admin(client, project):
    lead = member(project, Role.PROJECT_LEAD)
    version = _validated_version(project, lead)
    sign_version(version=version, user=lead, mode=SignatureMode.SESSION, signed_on=DAY)
    from ptsm.accounts.models import User

    admin = User.objects.create_superuser("admin@ptsm.fr", "mot-de-passe-admin-2026")
    login(client, admin)
    change_url = reverse("admin:framing_letterversion_change", args=[version.pk])
    page = client.get(change_url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(change_url, {"status": "brouillon"}).status_code == 403
    delete_url = reverse("admin:framing_letterversion_delete", args=[version.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert LetterVersion.objects.get(pk=version.pk).signed


def test_section_edit_by_htmx_returns_the_updated_section(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    url = reverse("framing:section", kwargs={"slug": project.slug, "key": "perimetre_engagement"})
    form = client.get(url, headers={"HX-Request": "true"})
    assert "Un élément par ligne." in page_text(form)
    response = client.post(url, {"text": "S'impliquer\nContribuer"}, headers={"HX-Request": "true"})
    fragment = page_text(response)
    assert fragment.startswith('<div id="section-perimetre_engagement"')
    assert "<li>S'impliquer</li>" in fragment and "Enregistré" in fragment
    reader = member(project, Role.READER)
    login(client, reader)
    assert client.post(url, {"text": "x"}).status_code == 403


def _post_signed(client, project, version, data: bytes, **extra):
    return client.post(
        reverse("framing:sign", kwargs={"slug": project.slug, "number": version.number}),
        {"mode": "depot", "signed_on": "2026-11-20", "file": SimpleUploadedFile("s.pdf", data)}
        | extra,
        follow=True,
    )


def test_a_pades_signed_letter_is_accepted_and_a_letter_changed_after_signature_refused(
    client, project
):
    from tests.pdf_signing import append_page_content, pades_sign

    lead = member(project, Role.PROJECT_LEAD)
    version = _validated_version(project, lead)
    login(client, lead)
    with version.pdf.content.open("rb") as handle:
        signed = pades_sign(pades_sign(handle.read(), "Directeur ARS"), "Président CD", "Sig2")
    response = _post_signed(client, project, version, append_page_content(signed))
    assert "Ce PDF a été modifié après signature" in page_text(response)
    version.refresh_from_db()
    assert not version.signed and version.letter.status == LetterStatus.VALIDATED
    response = _post_signed(client, project, version, signed)
    assert "signée et figée" in page_text(response)
    version.refresh_from_db()
    assert version.signed and not version.signed_outside


def test_a_scanned_letter_needs_the_statement_and_is_shown_as_signed_outside(client, project):
    from pypdf import PdfWriter

    lead = member(project, Role.PROJECT_LEAD)
    version = _validated_version(project, lead)
    login(client, lead)
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    scan = io.BytesIO()
    writer.write(scan)
    response = _post_signed(client, project, version, scan.getvalue())
    assert f"n'est pas la lettre de cadrage générée (version {version.number})" in page_text(
        response
    )
    version.refresh_from_db()
    assert not version.signed
    response = _post_signed(client, project, version, scan.getvalue(), signed_outside="on")
    assert "signée et figée" in page_text(response)
    version.refresh_from_db()
    assert version.signed and version.signed_outside
    page = visible_text(client.get(reverse("framing:letter", kwargs={"slug": project.slug})))
    assert "Signature manuscrite scannée (document numérisé)" in page


def test_a_reader_sees_no_link_to_the_draft_letters_files(client, project):
    lead = member(project, Role.PROJECT_LEAD)
    draft = generate_version(letter=ensure_letter(project=project), user=lead, today=DAY)
    url = reverse("framing:letter", kwargs={"slug": project.slug})
    download = reverse("documents:download", kwargs={"slug": project.slug, "pk": draft.pdf_id})
    login(client, member(project, Role.READER))
    page = page_text(client.get(url))
    assert download not in page and "Fichiers disponibles une fois la lettre validée" in page
    login(client, lead)
    assert download in page_text(client.get(url))

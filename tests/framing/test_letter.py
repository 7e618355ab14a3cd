import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from docx import Document
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
    update_settings,
    verify_signed_file,
)
from ptsm.governance.models import Body, BodyKind, BodyMember
from ptsm.governance.services import create_default_bodies
from ptsm.organisations import services as services_organisations
from ptsm.organisations.models import Contact, Organisation
from ptsm.territories.models import Commune, Departement
from tests.documents.test_pipeline import docx_text, pdf_text
from tests.factories import make_project, member, ready_framing_letter
from tests.helpers import login, page_text, visible_text
from tests.letters import (
    assert_clean_letter,
    assert_in_order,
    assert_signature_blocks_each_on_one_page,
    docx_paragraphs,
    flat,
    pdf_pages,
)
from tests.organisations.test_logo import png_bytes

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 24)
SEVEN_COMMITMENTS = [
    "S'impliquer dans la réalisation du diagnostic territorial",
    "Apporter leur expertise et associer les professionnels",
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
    text = docx_paragraphs(data) if fmt == "docx" else pdf_text(data)
    flat_text = flat(text)
    # The letter starts at « Préambule » and follows the seed; ANAP's guidance is not in it.
    assert_in_order(flat_text, ["Objet", *SEED_HEADINGS])
    assert_clean_letter(flat_text)
    assert "Finistère" in text and _population() in text
    for commitment in SEVEN_COMMITMENTS:
        assert flat(commitment) in flat_text, commitment
    assert "18 mois" in text
    assert "Hervé Le Floc'h" in text and "Jean-Yves Kerhervé" in text
    assert "Comité de pilotage (COPIL)" in text
    assert "Hervé Le Floc'h (ARS Bretagne, coprésidence)" in flat_text
    # Who holds which data, and the CNIL/RGPD formalities to anticipate.
    assert "ARS Bretagne : activité et capacités des établissements" in flat_text
    assert "CNIL" in flat_text and "RGPD" in flat_text
    # A letter: letterhead (the two institutions, before the object), addressees, place and date.
    head = flat_text[: flat_text.find("Objet")]
    assert "ARS Bretagne" in head and "Conseil départemental du Finistère" in head
    assert "RÉPUBLIQUE" not in flat_text  # the State block only with PTSM_LETTERHEAD=etat
    assert "Aux partenaires du PTSM du Finistère" in flat_text
    assert "Fait à Quimper, le 24 novembre 2026" in flat_text
    assert_in_order(flat_text, ["Fait à Quimper", "Hervé Le Floc'h", "Date :"])
    if fmt == "pdf":
        assert_signature_blocks_each_on_one_page(data, ["Hervé Le Floc'h", "Jean-Yves Kerhervé"])
        reader = PdfReader(io.BytesIO(data))
        raw = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
        assert "<pdfaid:part>2</pdfaid:part>" in raw
        assert reader.metadata.title == "Lettre de cadrage"
        assert "ptsm" in raw  # the generator is in the metadata, not on the pages
    else:
        assert Document(io.BytesIO(data)).core_properties.author == "ptsm"


def test_the_state_block_is_a_setting_and_logos_replace_the_names(project, settings):
    settings.PTSM_LETTERHEAD = "etat"
    ensure_letter(project=project)
    ars = Organisation.objects.get(project=project, sub_type="ars")
    services_organisations.set_organisation_logo(
        organisation=ars, upload=SimpleUploadedFile("ars.png", png_bytes(), "image/png")
    )
    pdf = render(project, get_kind("lettre-de-cadrage"), "", "pdf", DAY)
    first_page = pdf_pages(pdf)[0]
    assert "RÉPUBLIQUE" in first_page and "Liberté" in first_page
    # The ARS's logo stands in the letterhead instead of its name (still named as signatory).
    assert "ARS Bretagne" not in first_page[: first_page.find("Objet")]
    assert "Conseil départemental du Finistère" in first_page[: first_page.find("Objet")]
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 1
    docx = render(project, get_kind("lettre-de-cadrage"), "", "docx", DAY)
    assert len(Document(io.BytesIO(docx)).inline_shapes) >= 1
    assert "RÉPUBLIQUE" in docx_paragraphs(docx)


def test_guidance_is_a_help_panel_with_links_and_no_longer_editable(client, project):
    lead = member(project, Role.PROJECT_LEAD)
    login(client, lead)
    response = client.get(reverse("framing:letter", kwargs={"slug": project.slug}))
    page = response.content.decode()
    assert "Facteurs clés de succès" in page and "La rédaction du document incombe" in page
    assert reverse("governance:bodies", kwargs={"slug": project.slug}) in page
    assert reverse("governance:communication", kwargs={"slug": project.slug}) in page
    assert reverse("governance:initiatives", kwargs={"slug": project.slug}) in page
    assert reverse("diagnostic:overview", kwargs={"slug": project.slug}) in page
    assert reverse("diagnostic:import", kwargs={"slug": project.slug}) in page
    url = reverse("framing:section", kwargs={"slug": project.slug, "key": "enjeux"})
    assert client.get(url).status_code == 404
    # A lecteur reads the same fiches, without links to pages their role cannot open.
    login(client, member(project, Role.READER))
    page = client.get(reverse("framing:letter", kwargs={"slug": project.slug})).content.decode()
    assert "la grille MDPH" in page
    assert reverse("diagnostic:import", kwargs={"slug": project.slug}) not in page
    assert reverse("diagnostic:overview", kwargs={"slug": project.slug}) in page


def test_readiness_lists_what_is_missing_and_refuses_the_review(client, project):
    lead = member(project, Role.PROJECT_LEAD)
    letter = ensure_letter(project=project)
    president = letter.cd_signatory
    president.function = ""
    president.save()
    update_section(letter=letter, key="objectifs_demarche", text="  ", user=lead)
    login(client, lead)
    page_url = reverse("framing:letter", kwargs={"slug": project.slug})
    response = client.post(
        reverse("framing:status", kwargs={"slug": project.slug}), {"status": "relecture"}
    )
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT
    assert not letter.status_changes.exists()
    text = visible_text(client.get(page_url))
    assert "La lettre n'est pas prête" in page_text(response) or "pas prête" in text
    assert "Fonction de Jean-Yves Kerhervé (président du conseil départemental)" in text
    assert "Section « Objectifs de la démarche » vide." in text
    page = client.get(page_url).content.decode()
    assert (
        reverse("organisations:contact_edit", kwargs={"slug": project.slug, "pk": president.pk})
        in page
    )
    assert (
        reverse("framing:section", kwargs={"slug": project.slug, "key": "objectifs_demarche"})
        in page
    )
    # Fixed: the letter goes to review.
    president.function = "Président"
    president.save()
    update_section(letter=letter, key="objectifs_demarche", text="Confirmer", user=lead)
    change_status(letter=letter, to_status=LetterStatus.REVIEW, user=lead)
    assert letter.status == LetterStatus.REVIEW


def test_without_a_chef_lieu_the_place_must_be_set(project):
    lead = member(project, Role.PROJECT_LEAD)
    letter = ensure_letter(project=project)
    Departement.objects.filter(code="29").update(chef_lieu="")
    with pytest.raises(ValidationError, match="Lieu de signature"):
        change_status(letter=letter, to_status=LetterStatus.REVIEW, user=lead)
    update_settings(
        letter=letter,
        duration_months=18,
        ars_signatory=letter.ars_signatory,
        cd_signatory=letter.cd_signatory,
        place="Brest",
        user=lead,
    )
    change_status(letter=letter, to_status=LetterStatus.REVIEW, user=lead)
    pdf = render(project, get_kind("lettre-de-cadrage"), "", "pdf", DAY)
    assert "Fait à Brest, le 24 novembre 2026" in flat(pdf_text(pdf))


def test_annex_slideshow_has_the_annex_sections(project):
    data = render(project, get_kind("lettre-de-cadrage-annexe"), "", "pptx", DAY)
    titles = [slide.shapes[0].text_frame.text for slide in Presentation(io.BytesIO(data)).slides]
    # A section too long for one slide continues on « (suite) » slides.
    titles = [title for title in titles if not title.endswith(" (suite)")]
    assert titles[1:] == [
        "Axes de travail",
        "Acteurs et prestations concernés",
        typeset("Périmètre géographique — carte d'identité du territoire"),
        "Partage d'informations et de données",
        "Gouvernance (missions et composition)",
        "Calendrier prévisionnel de mise en œuvre",
        "Constitution des groupes de travail",
    ]
    # Text that presents a table (« rappelés ci-dessous », « Présentation des instances… ») is
    # above it, on the same slide.
    for slide in Presentation(io.BytesIO(data)).slides:
        title = slide.shapes[0].text_frame.text
        if title.startswith(("Périmètre", "Gouvernance")) and not title.endswith("(suite)"):
            text = next(s for s in slide.shapes if s.name == "Texte")
            table = next(s for s in slide.shapes if s.has_table)
            assert text.top + text.height <= table.top, title
            assert text.text_frame.text.startswith(("Le périmètre", "Présentation des instances"))


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
    update_section(letter=letter, key="contexte", text="Les élus du pays de Brest ont délibéré.")
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
    update_section(letter=letter, key="contexte", text="Nouveau texte", user=lead)
    assert letter.status == LetterStatus.DRAFT  # editing a validated letter reopens a draft


def test_versions_only_when_something_changed_and_a_visible_diff(client, project):
    lead = member(project, Role.PROJECT_LEAD)
    letter = ensure_letter(project=project)
    first = generate_version(letter=letter, user=lead, today=DAY)
    assert generate_version(letter=letter, user=lead, today=DAY).pk == first.pk
    update_section(letter=letter, key="contexte", text="Une tournée des CLSM précède la plénière.")
    second = generate_version(letter=letter, user=lead, today=DAY)
    assert second.number == 2
    login(client, lead)
    page = visible_text(
        client.get(reverse("framing:diff", kwargs={"slug": project.slug, "number": 2}))
    )
    assert "Ajouté : Une tournée des CLSM précède la plénière." in page
    assert "Retiré : Cadre : la démarche s'inscrit dans la mise en œuvre" in page


def _validated_version(project, lead) -> LetterVersion:
    letter = ready_framing_letter(ensure_letter(project=project))
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
        update_section(letter=letter, key="contexte", text="Texte révisé après signature")
    with pytest.raises(ValidationError, match="motif"):
        change_status(letter=letter, to_status=LetterStatus.DRAFT, user=lead)
    change_status(letter=letter, to_status=LetterStatus.DRAFT, user=lead, comment="Avenant n° 1")
    update_section(letter=letter, key="contexte", text="Texte révisé après signature")
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

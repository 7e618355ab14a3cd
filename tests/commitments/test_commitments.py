import datetime as dt
import hashlib
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from ptsm.accounts.models import Role
from ptsm.commitments.content import operators
from ptsm.commitments.models import AnnexVersion, SignatoryStatus, SignatureMode
from ptsm.commitments.sections import ARTICLES, SEED_HEADINGS
from ptsm.commitments.selectors import annexes_to_generate, engagement_period
from ptsm.commitments.services import (
    amendment_pending,
    ensure_letter,
    generate_annex,
    record_refusal,
    record_session_signatures,
    record_signed_pdf,
    remind,
    send_for_signature,
    update_settings,
    verify_signed_file,
)
from ptsm.documents.registry import get_kind
from ptsm.documents.services import render
from ptsm.governance.models import Attendance, Body, BodyKind, Invitation, Meeting
from ptsm.governance.services import create_default_bodies
from ptsm.organisations.models import Contact, Organisation
from ptsm.roadmap.models import Action, ActionStatus, FundingLine, Objective, Orientation, Theme
from ptsm.roadmap.services import renumber, validate_roadmap
from tests.documents.test_pipeline import docx_text, pdf_text
from tests.factories import make_project, member
from tests.helpers import login, page_text, visible_text

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 24)


def typeset(text: str) -> str:
    return text.replace(" :", "\u00a0:")


COPIL_DAY = dt.date(2026, 11, 12)


def setup_roadmap(
    project, operator_names=("EPSM Finistère Sud", "GEM L'Escale"), *, copil_validated: bool = True
):
    ars = Organisation.objects.create(
        project=project, name="ARS Bretagne", category="institutions_financeurs", sub_type="ars"
    )
    Contact.objects.create(
        project=project,
        organisation=ars,
        first_name="Hervé",
        last_name="Le Floc'h",
        function="Directeur général",
    )
    cd = Organisation.objects.create(
        project=project,
        name="Conseil départemental du Finistère",
        category="collectivites",
        sub_type="conseil_departemental",
    )
    Contact.objects.create(
        project=project,
        organisation=cd,
        first_name="Jean-Yves",
        last_name="Kerhervé",
        function="Président",
    )
    orgs = []
    for name in operator_names:
        org = Organisation.objects.create(project=project, name=name, category="medico_social")
        Contact.objects.create(
            project=project,
            organisation=org,
            first_name="Prénom",
            last_name=name.split()[0],
            function="Directeur",
            email=f"direction@{org.pk}.exemple.fr",
        )
        orgs.append(org)
    objective = Objective.objects.create(
        theme=Theme.objects.create(
            orientation=Orientation.objects.create(project=project, title="Accès aux soins"),
            title="Soins",
        ),
        title="Réduire les délais",
    )
    validated = Action.objects.create(
        objective=objective,
        title="Plateforme d'orientation",
        status=ActionStatus.VALIDATED,
        conditions=["autorisation"],
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 12, 31),
    )
    validated.operators.set(orgs)
    draft = Action.objects.create(
        objective=objective, title="Idée non validée", status=ActionStatus.DRAFT
    )
    draft.operators.set(
        [Organisation.objects.create(project=project, name="Non engagé", category="social")]
    )
    FundingLine.objects.create(
        action=validated, funder="autofinancement", operator=orgs[0], amount=40000, year=2027
    )
    FundingLine.objects.create(
        action=validated, funder="fir", operator=orgs[0], amount=120000, year=2027
    )
    renumber(project=project)
    if copil_validated:  # the COPIL validated the roadmap: the letters can go out for signature
        validate_roadmap(
            project=project,
            meeting=None,
            decision="Feuille de route validée",
            validated_on=COPIL_DAY,
            user=None,
            lines=["1. Accès aux soins"],
        )
    return orgs


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère")


def test_operators_are_the_organisations_carrying_a_validated_action(project):
    epsm, gem = setup_roadmap(project)
    assert operators(project) == [epsm, gem]


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_collective_letter_has_every_seed_section(project, fmt):
    setup_roadmap(project)
    ensure_letter(project=project)
    data = render(project, get_kind("lettre-engagement-collective"), "", fmt, DAY)
    text = " ".join((docx_text(data) if fmt == "docx" else pdf_text(data)).split())
    for heading in SEED_HEADINGS:
        assert " ".join(typeset(heading).split()) in text, heading
    assert (
        "12 mois" in text
        and "Bilan à 6 mois" in text
        and "Participer aux instances de pilotage" in text
    )
    assert "1.1.1.1 Plateforme d'orientation" in text and "Idée non validée" not in text


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_operator_annex_has_articles_1_to_6_and_the_roadmap_amounts(project, fmt):
    epsm, _gem = setup_roadmap(project)
    ensure_letter(project=project)
    data = render(project, get_kind("annexe"), str(epsm.pk), fmt, DAY)
    text = " ".join((docx_text(data) if fmt == "docx" else pdf_text(data)).split())
    for article in ARTICLES:
        assert " ".join(typeset(article).split()) in text, article
    assert "Plateforme d'orientation" in text and "Autorisation" in text
    # Autofinancement and aide from the funding lines (split() turned no-break spaces into spaces).
    assert "Autofinancement : 40 000 €" in text and "Aide : 120 000 €" in text
    assert "Signature en bilatéral" in text


def test_export_documents_writes_letters_annexes_and_bundle(project, tmp_path):
    setup_roadmap(project)
    call_command("export_documents", project.slug, str(tmp_path))
    names = {p.name for p in tmp_path.iterdir()}
    assert {
        "lettre-engagement-collective.docx",
        "lettre-engagement-collective.pdf",
        "annexe-epsm-finistere-sud.pdf",
        "annexe-epsm-finistere-sud.docx",
        "annexe-gem-lescale.pdf",
        "liasse-engagements.pdf",
    } <= names


def _signed_pdf(project, organisation) -> bytes:
    """The annex version that was sent, as a file carrying no electronic signature returns it."""
    version = (
        AnnexVersion.objects.filter(letter__project=project, organisation=organisation)
        .order_by("-number")
        .first()
    )
    with version.pdf.content.open("rb") as handle:
        return handle.read() + b"\n% signatures\n"


def test_bilateral_campaign_emails_reminders_signatures_and_refusals(project, smtp_server):
    epsm, gem = setup_roadmap(project)
    letter = ensure_letter(project=project)
    epsm_signatory, gem_signatory = letter.signatories.order_by("organisation__name")
    # One action: sending an annex never generated generates and stores it, then sends it.
    send_for_signature(signatory=epsm_signatory, base_url="http://ptsm.test")
    assert epsm_signatory.sent_version.number == 1
    assert epsm_signatory.sent_version.pdf.file_name == "annexe-epsm-finistere-sud.pdf"
    remind(signatory=epsm_signatory, base_url="http://ptsm.test")
    subjects = [" ".join(str(m["Subject"]).split()) for m in smtp_server.messages]
    assert subjects == [
        "[ptsm] Lettre d'engagement à signer — EPSM Finistère Sud",
        "[ptsm] Relance : lettre d'engagement à signer — EPSM Finistère Sud",
    ]
    attachment = next(smtp_server.messages[0].iter_attachments())
    assert attachment.get_filename() == "annexe-epsm-finistere-sud.pdf"
    assert epsm_signatory.reminders == 1
    data = _signed_pdf(project, epsm)
    record_signed_pdf(
        signatory=epsm_signatory,
        upload=SimpleUploadedFile("signe.pdf", data),
        signed_on=dt.date(2027, 1, 10),
        signed_outside=True,
    )
    assert epsm_signatory.status == SignatoryStatus.SIGNED and verify_signed_file(epsm_signatory)
    assert epsm_signatory.digital_signature_valid is None  # no PAdES signature in this file
    generate_annex(letter=letter, organisation=gem)
    record_refusal(
        signatory=gem_signatory,
        refused_on=dt.date(2027, 1, 12),
        comment="Pas de moyens cette année",
    )
    assert gem_signatory.status == SignatoryStatus.REFUSED
    assert engagement_period(project).start is None  # not everyone signed
    # Tampering with the stored signed file is detected.
    with open(epsm_signatory.signed_file.path, "ab") as handle:
        handle.write(b"% altere\n")
    assert not verify_signed_file(epsm_signatory)


def test_start_is_the_last_signature_and_expiry_warns_on_the_dashboard(client, project):
    epsm, gem = setup_roadmap(project)
    letter = ensure_letter(project=project)
    for organisation, day in ((epsm, dt.date(2025, 10, 1)), (gem, dt.date(2025, 12, 20))):
        generate_annex(letter=letter, organisation=organisation)
        signatory = letter.signatories.get(organisation=organisation)
        record_signed_pdf(
            signatory=signatory,
            upload=SimpleUploadedFile("s.pdf", _signed_pdf(project, organisation)),
            signed_on=day,
            signed_outside=True,
        )
    period = engagement_period(project)
    assert (period.start, period.end) == (dt.date(2025, 12, 20), dt.date(2026, 12, 20))
    assert "expirent le 20/12/2026" in period.warning(dt.date(2026, 11, 24))
    login(client, member(project, Role.READER))
    dashboard = visible_text(
        client.get(reverse("projects:dashboard", kwargs={"slug": project.slug}))
    )
    if dt.date.today() <= dt.date(2026, 12, 20):
        assert "Les engagements expirent le 20/12/2026" in dashboard
    else:
        assert "Les engagements ont expiré le 20/12/2026" in dashboard


def test_amendment_makes_a_new_version_with_a_diff_and_a_new_signature(client, project):
    epsm, _gem = setup_roadmap(project)
    letter = ensure_letter(project=project)
    first = generate_annex(letter=letter, organisation=epsm)
    signatory = letter.signatories.get(organisation=epsm)
    record_signed_pdf(
        signatory=signatory,
        upload=SimpleUploadedFile("s.pdf", _signed_pdf(project, epsm)),
        signed_on=DAY,
        signed_outside=True,
    )
    FundingLine.objects.filter(funder="fir").update(amount=150000)
    with pytest.raises(ValidationError, match="établissez un avenant"):
        generate_annex(letter=letter, organisation=epsm)
    with pytest.raises(ValidationError, match="motif"):
        generate_annex(letter=letter, organisation=epsm, amendment=True)
    second = generate_annex(
        letter=letter, organisation=epsm, amendment=True, reason="Financement FIR revu"
    )
    assert (second.number, second.is_amendment) == (2, True)
    signatory.refresh_from_db()
    # Still signed (under version 1) while the amendment awaits its own signature.
    assert signatory.status == SignatoryStatus.SIGNED
    assert signatory.annex_version == first and amendment_pending(signatory)
    first_file = signatory.signed_file.name
    with second.pdf.content.open("rb") as handle:
        amended = handle.read() + b"\n% signature de l'avenant\n"
    record_signed_pdf(
        signatory=signatory,
        upload=SimpleUploadedFile("avenant.pdf", amended),
        signed_on=DAY,
        signed_outside=True,
    )
    signatory.refresh_from_db()
    assert signatory.annex_version == second and not amendment_pending(signatory)
    # Both signatures, and both signed files, are kept.
    kept = list(signatory.signatures.order_by("recorded_at"))
    assert [s.annex_version.number for s in kept] == [1, 2]
    assert kept[0].signed_file.name == first_file and kept[0].signed_file.storage.exists(first_file)
    assert kept[1].sha256 == hashlib.sha256(amended).hexdigest()
    first.refresh_from_db()
    assert first.signed
    first.reason = "modifié"
    with pytest.raises(ValidationError, match="figée"):
        first.save()
    login(client, member(project, Role.PROJECT_LEAD))
    page = " ".join(
        visible_text(
            client.get(
                reverse("commitments:annex_diff", kwargs={"slug": project.slug, "pk": second.pk})
            )
        ).split()
    )
    assert "Retiré : 1.1.1.1 Fonds" not in page
    assert re.search(r"Retiré : 1\.1\.1\.1 FIR .* 120\s000 €", page) and re.search(
        r"Ajouté : 1\.1\.1\.1 FIR .* 150\s000 €", page
    )
    assert AnnexVersion.objects.filter(organisation=epsm).count() == 2


def test_collective_session_signs_for_the_operators_present(project):
    epsm, gem = setup_roadmap(project)
    create_default_bodies(project=project)
    letter = ensure_letter(project=project)
    copil = Body.objects.get(project=project, kind=BodyKind.COPIL)
    from django.utils import timezone

    start = timezone.make_aware(dt.datetime(2027, 2, 1, 14))
    session = Meeting.objects.create(
        body=copil,
        title="COPIL de signature",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    Invitation.objects.create(
        meeting=session, contact=epsm.contacts.get(), attendance=Attendance.PRESENT
    )
    Invitation.objects.create(
        meeting=session, contact=gem.contacts.get(), attendance=Attendance.EXCUSED
    )
    with pytest.raises(ValidationError, match="séance de signature collective"):
        record_session_signatures(letter=letter)
    update_settings(
        letter=letter, signature_mode=SignatureMode.COLLECTIVE, duration_months=12, session=session
    )
    for organisation in (epsm, gem):
        generate_annex(letter=letter, organisation=organisation)
    assert record_session_signatures(letter=letter) == 1
    statuses = dict(letter.signatories.values_list("organisation__name", "status"))
    assert statuses == {"EPSM Finistère Sud": "signe", "GEM L'Escale": "a_preparer"}
    assert letter.signatories.get(organisation=epsm).signed_on == dt.date(2027, 2, 1)
    # The roadmap changes after the session: the bundle keeps the version signed in session,
    # and nothing is regenerated for the operator that signed.
    FundingLine.objects.filter(operator=epsm, funder="fir").update(amount=150000)
    assert annexes_to_generate(project, letter) == []
    bundle = re.sub(
        r"\s", "", pdf_text(render(project, get_kind("liasse-engagements"), "", "pdf", DAY))
    )
    assert "Aide:120000€" in bundle and "Aide:150000€" not in bundle
    # A present operator whose annex is outdated cannot be signed for in session.
    Invitation.objects.filter(contact__organisation=gem).update(attendance=Attendance.PRESENT)
    FundingLine.objects.create(
        action=Action.objects.get(title="Plateforme d'orientation"),
        funder="fir",
        operator=gem,
        amount=5000,
        year=2027,
    )
    with pytest.raises(ValidationError, match="avant de la faire signer en séance"):
        record_session_signatures(letter=letter)
    assert letter.signatories.get(organisation=gem).status == SignatoryStatus.TO_PREPARE


def test_bundle_has_one_bookmark_per_operator_plus_the_letter_and_is_deterministic(project):
    orgs = setup_roadmap(project, operator_names=("A Opérateur", "B Opérateur", "C Opérateur"))
    letter = ensure_letter(project=project)
    generate_annex(letter=letter, organisation=orgs[1])
    signatory = letter.signatories.get(organisation=orgs[1])
    signed = _signed_pdf(project, orgs[1])
    record_signed_pdf(
        signatory=signatory,
        upload=SimpleUploadedFile("s.pdf", signed),
        signed_on=DAY,
        signed_outside=True,
    )
    kind = get_kind("liasse-engagements")
    data = render(project, kind, "", "pdf", DAY)
    reader = PdfReader(io.BytesIO(data))
    assert [o.title for o in reader.outline] == [
        "Couverture",
        "Sommaire",
        "Lettre d'engagement collective",
        "Feuille de route",  # validated by the COPIL: annexed to the collective letter
        "Annexe — A Opérateur",
        "Annexe — B Opérateur",
        "Annexe — C Opérateur",
        "Empreintes SHA-256",
    ]
    assert len(reader.outline) == len(operators(project)) + 5
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Sommaire" in text and "Annexe — A Opérateur — en attente de signature" in text
    assert "Annexe — B Opérateur — signée le 24 novembre 2026" in text
    import hashlib

    assert hashlib.sha256(signed).hexdigest() in text.replace(
        "\n", ""
    )  # the signed file's own digest
    assert render(project, kind, "", "pdf", DAY) == data


def test_a_long_bundle_points_its_contents_and_bookmarks_to_each_annex_first_page(project):
    # 70 operators: the table of contents runs over several pages and shifts every annex.
    names = [f"Opérateur {i:02d}" for i in range(70)]
    setup_roadmap(project, operator_names=names)
    reader = PdfReader(io.BytesIO(render(project, get_kind("liasse-engagements"), "", "pdf", DAY)))
    texts = [page.extract_text() for page in reader.pages]
    contents_pages = [i for i, text in enumerate(texts) if "Sommaire" in text]
    assert contents_pages[0] == 1
    contents = " ".join(texts[1 : 1 + 4])
    # Cover, contents, collective letter, validated roadmap, 70 annexes, fingerprints.
    assert len(reader.outline) == 75
    for item in reader.outline[4:-1]:
        name = item.title.removeprefix("Annexe — ")
        first = reader.get_destination_page_number(item)
        assert f"Annexe à la lettre d'engagement{name}" in texts[first].replace("\n", ""), name
        assert f"Annexe à la lettre d'engagement{name}" not in texts[first - 1].replace("\n", "")
        listed = re.search(rf"Annexe — {name} — en attente de signature\s*page (\d+)", contents)
        assert listed and int(listed.group(1)) == first + 1, name


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("annexe.docx", b"PK", "Déposez le PDF signé (fichier .pdf)."),
        ("annexe.pdf", b"GIF89a", "Ce fichier n'est pas un PDF."),
    ],
)
def test_bad_signed_uploads_are_refused_in_french(client, project, name, content, message):
    epsm, _gem = setup_roadmap(project)
    letter = ensure_letter(project=project)
    generate_annex(letter=letter, organisation=epsm)
    signatory = letter.signatories.get(organisation=epsm)
    login(client, member(project, Role.PROJECT_LEAD))
    response = client.post(
        reverse("commitments:signed", kwargs={"slug": project.slug, "pk": signatory.pk}),
        {"signed_on": "2027-01-10", "file": SimpleUploadedFile(name, content)},
        follow=True,
    )
    assert message in page_text(response)
    signatory.refresh_from_db()
    assert signatory.status == SignatoryStatus.TO_PREPARE and not signatory.signed_file


def test_collective_letter_recalls_the_diagnostic_with_the_map(project):
    setup_roadmap(project)
    from docx import Document

    data = render(project, get_kind("lettre-engagement-collective"), "", "docx", DAY)
    assert len(Document(io.BytesIO(data)).inline_shapes) == 1  # the territory map


def test_signature_sheet_lists_each_operator_and_signatory(project):
    epsm, gem = setup_roadmap(project)
    ensure_letter(project=project)
    text = pdf_text(render(project, get_kind("feuille-signature-engagements"), "", "pdf", DAY))
    assert "Feuille de signature des engagements" in text
    assert "EPSM Finistère Sud" in text and "GEM L'Escale" in text and "Signature" in text


def test_organisation_page_shows_its_actions_and_commitment(client, project):
    epsm, _gem = setup_roadmap(project)
    letter = ensure_letter(project=project)
    generate_annex(letter=letter, organisation=epsm)
    record_signed_pdf(
        signatory=letter.signatories.get(organisation=epsm),
        upload=SimpleUploadedFile("s.pdf", _signed_pdf(project, epsm)),
        signed_on=dt.date(2027, 1, 10),
        signed_outside=True,
    )
    login(client, member(project, Role.READER))
    page = visible_text(
        client.get(reverse("organisations:detail", kwargs={"slug": project.slug, "pk": epsm.pk}))
    )
    assert "1.1.1.1 Plateforme d'orientation" in page
    assert "Lettre d'engagement : Signé, signée le 10 janvier 2027 (annexe version 1)." in " ".join(
        page.split()
    )


def test_the_action_plan_shows_the_commitment_status_of_each_action(project):
    epsm, _gem = setup_roadmap(project)
    letter = ensure_letter(project=project)
    generate_annex(letter=letter, organisation=epsm)
    record_signed_pdf(
        signatory=letter.signatories.get(organisation=epsm),
        upload=SimpleUploadedFile("s.pdf", _signed_pdf(project, epsm)),
        signed_on=DAY,
        signed_outside=True,
    )
    from openpyxl import load_workbook

    sheet = load_workbook(
        io.BytesIO(render(project, get_kind("plan-actions"), "", "xlsx", DAY))
    ).active
    rows = {row[3]: row[12] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Plateforme d'orientation"] == "1 engagement signé sur 2"


def test_the_bundle_is_built_in_the_background_with_visible_progress(client, project, monkeypatch):
    from ptsm.commitments import jobs
    from ptsm.documents.models import GeneratedDocument
    from ptsm.jobs.models import Job

    monkeypatch.setattr(jobs, "ANNEX_BATCH", 5)
    steps = []
    original = jobs.services.prepare_bundle_annexes

    def recorded(**kwargs):
        step = original(**kwargs)
        steps.append((step.done, step.total))
        return step

    monkeypatch.setattr(jobs.services, "prepare_bundle_annexes", recorded)
    names = [f"Opérateur {i:02d}" for i in range(12)]
    orgs = setup_roadmap(project, operator_names=names)
    login(client, member(project, Role.PROJECT_LEAD))
    response = client.post(
        reverse("commitments:bundle", kwargs={"slug": project.slug}), follow=True
    )
    done = page_text(response)
    assert "Constitution de la liasse des engagements" in done
    assert "Liasse prête : liasse-engagements.pdf" in done and "Télécharger la liasse" in done
    # Annexes stored five at a time, each step a progress report the job page shows.
    assert steps == [(0, 12), (5, 12), (10, 12), (12, 12), (12, 12)]
    job = Job.objects.get(project=project)
    assert (job.done, job.total) == (13, 13)
    assert AnnexVersion.objects.filter(letter__project=project).count() == len(orgs)
    bundle = GeneratedDocument.objects.get(project=project, kind="liasse-engagements")
    with bundle.content.open("rb") as handle:  # cover, contents, letter, roadmap, fingerprints
        assert len(PdfReader(handle).outline) == len(orgs) + 5


def test_an_organisation_without_a_validated_action_has_no_annex(project):
    setup_roadmap(project)
    letter = ensure_letter(project=project)
    outsider = Organisation.objects.create(project=project, name="Mairie", category="collectivites")
    with pytest.raises(ValidationError, match="Mairie ne porte aucune fiche-action validée"):
        generate_annex(letter=letter, organisation=outsider)
    assert not AnnexVersion.objects.filter(organisation=outsider).exists()


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_campaign_pages_keep_a_bounded_number_of_queries_with_40_operators(client, project):
    small = make_project(departement="56", name="Petit")
    setup_roadmap(small, operator_names=("Seul opérateur",))
    setup_roadmap(project, operator_names=[f"Opérateur {i:02d}" for i in range(40)])
    for each in (small, project):
        letter = ensure_letter(project=each)
        for signatory in letter.signatories.select_related("organisation")[:3]:
            generate_annex(letter=letter, organisation=signatory.organisation)
    user = member(project, Role.PROJECT_LEAD)
    from ptsm.accounts.models import Membership

    Membership.objects.create(user=user, project=small, role=Role.PROJECT_LEAD)
    login(client, user)
    for name in ("commitments:letter", "documents:list"):
        big = _queries(client, reverse(name, kwargs={"slug": project.slug}))
        tiny = _queries(client, reverse(name, kwargs={"slug": small.slug}))
        # The letter page also reads the COPIL's validation, the co-piloting, the place's
        # chef-lieu and the signatories to choose (readiness); the Documents page asks each kind
        # once whether it is frozen or unavailable.
        assert big == tiny <= (34 if name == "commitments:letter" else 36), (name, big, tiny)


def test_a_failed_bundle_says_why_in_french_and_stops(client, project, monkeypatch):
    from ptsm.commitments import services as commitment_services
    from ptsm.documents.rendering import RenderingError

    setup_roadmap(project)

    def broken(**kwargs):
        raise RenderingError("Échec de la composition du PDF : police introuvable")

    monkeypatch.setattr(commitment_services, "generate_annexes", broken)
    login(client, member(project, Role.PROJECT_LEAD))
    url = reverse("commitments:bundle", kwargs={"slug": project.slug})
    text = page_text(client.post(url, follow=True))
    assert "Échec" in text
    assert "La liasse n'a pas pu être constituée : Échec de la composition du PDF" in text
    assert not AnnexVersion.objects.filter(letter__project=project).exists()


def annex_cell(response, signatory) -> str:
    """What the "Annexe" column says for a signatory (screen-reader text removed)."""
    cell = re.search(rf'id="annexe-{signatory.pk}">(.*?)</td>', page_text(response), re.S)
    text = re.sub(r'<span class="fr-sr-only">.*?</span>', "", cell.group(1))
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


def test_an_annex_outdated_by_the_roadmap_is_flagged_refused_for_sending_and_recomposed(
    client, project, smtp_server
):
    epsm, gem = setup_roadmap(project)
    letter = ensure_letter(project=project)
    first = generate_annex(letter=letter, organisation=epsm)
    generate_annex(letter=letter, organisation=gem)
    login(client, member(project, Role.PROJECT_LEAD))
    url = reverse("commitments:letter", kwargs={"slug": project.slug})
    signatory = letter.signatories.get(organisation=epsm)
    assert annex_cell(client.get(url), signatory) == "Version 1 À jour"
    # The COPIL raises the FIR grant after the annex was generated.
    FundingLine.objects.filter(operator=epsm, funder="fir").update(amount=150000)
    assert annex_cell(client.get(url), signatory) == (
        "Version 1 Périmée Version 1 périmée : la feuille de route a changé depuis, "
        "générez l'annexe de nouveau"
    )
    send_url = reverse("commitments:send", kwargs={"slug": project.slug, "pk": signatory.pk})
    assert send_url not in page_text(client.get(url))  # no "Envoyer" button for it
    with pytest.raises(
        ValidationError, match="générez-la de nouveau et vérifiez-la avant de l'envoyer"
    ):
        send_for_signature(signatory=signatory, base_url="http://ptsm.test")
    assert smtp_server.messages == []
    # The bundle shows the roadmap as it is now, not the outdated version.
    bundle = re.sub(
        r"\s", "", pdf_text(render(project, get_kind("liasse-engagements"), "", "pdf", DAY))
    )
    assert "Aide:150000€" in bundle and "Aide:120000€" not in bundle
    # The step-by-step build regenerates it; then it can be sent.
    assert [o.name for o in annexes_to_generate(project, letter)] == ["EPSM Finistère Sud"]
    second = generate_annex(letter=letter, organisation=epsm)
    assert second.number == first.number + 1
    assert annexes_to_generate(project, letter) == []
    send_for_signature(signatory=signatory, base_url="http://ptsm.test")
    assert len(smtp_server.messages) == 1
    assert annex_cell(client.get(url), signatory) == "Version 2 À jour"
    assert send_url in page_text(client.get(url))


def test_an_operator_name_with_line_breaks_injects_no_mail_header(project, smtp_server):
    epsm, _gem = setup_roadmap(project)
    Organisation.objects.filter(pk=epsm.pk).update(name="EPSM\r\nBcc: x@evil.example")
    epsm.refresh_from_db()
    letter = ensure_letter(project=project)
    generate_annex(letter=letter, organisation=epsm)
    signatory = letter.signatories.get(organisation=epsm)
    send_for_signature(signatory=signatory, base_url="http://ptsm.test")
    remind(signatory=signatory, base_url="http://ptsm.test")
    for message in smtp_server.messages:
        assert message["Bcc"] is None
        assert "Bcc: x@evil.example" in message["Subject"]  # shown as text, on one line
    assert " ".join(smtp_server.messages[0]["Subject"].split()) == (
        "[ptsm] Lettre d'engagement à signer — EPSM Bcc: x@evil.example"
    )


def test_operators_whose_names_slugify_the_same_get_distinct_file_names(project, tmp_path):
    ch, ch_dots, epsm = setup_roadmap(
        project, operator_names=("CH Morlaix", "C.H. Morlaix", "EPSM Finistère Sud")
    )
    letter = ensure_letter(project=project)
    first, second = (generate_annex(letter=letter, organisation=o) for o in (ch, ch_dots))
    assert (first.pdf.file_name, second.pdf.file_name) == (
        "annexe-ch-morlaix.pdf",
        "annexe-ch-morlaix-2.pdf",  # the later organisation gets the suffix
    )
    assert first.docx.file_name == "annexe-ch-morlaix.docx"
    assert second.docx.file_name == "annexe-ch-morlaix-2.docx"
    call_command("export_documents", project.slug, str(tmp_path))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert {
        "annexe-ch-morlaix.pdf",
        "annexe-ch-morlaix-2.pdf",
        "annexe-epsm-finistere-sud.pdf",
    } <= set(names)
    # Each exported annex is its operator's: nothing was overwritten.
    assert "C.H. Morlaix" in pdf_text((tmp_path / "annexe-ch-morlaix-2.pdf").read_bytes())
    assert "C.H. Morlaix" not in pdf_text((tmp_path / "annexe-ch-morlaix.pdf").read_bytes())
    # The bundle names each part after the same rule.
    from ptsm.commitments.selectors import bundle_parts

    parts = {part.file_name for part in bundle_parts(project).parts}
    assert {"annexe-ch-morlaix.pdf", "annexe-ch-morlaix-2.pdf"} <= parts


def test_variants_of_any_kind_never_share_a_file_name():
    from ptsm.documents.registry import Variant, unique_stems

    variants = unique_stems(
        [Variant("1", "fiche-action-1-1", "a"), Variant("2", "fiche-action-1-1", "b")]
        + [Variant("3", "fiche-action-1-1-2", "c")]
    )
    assert [v.file_stem for v in variants] == [
        "fiche-action-1-1",
        "fiche-action-1-1-2",
        "fiche-action-1-1-2-2",
    ]


def test_the_signatory_lists_offer_the_signing_institutions_contacts_only(client, project):
    """A directory holds thousands of contacts: each list offers those of the institution that
    signs (the ARS, the conseil départemental), plus the one already chosen."""
    setup_roadmap(project)
    for index in range(30):
        Contact.objects.create(
            project=project,
            organisation=Organisation.objects.create(
                project=project, name=f"Association {index}", category="social"
            ),
            first_name="Autre",
            last_name=f"Contact {index}",
        )
    login(client, member(project, Role.PROJECT_LEAD))
    page = page_text(client.get(reverse("commitments:letter", kwargs={"slug": project.slug})))
    regulator = re.search(r'name="regulator_signatory".*?</select>', page, re.S).group(0)
    assert "Le Floc&#x27;h" in regulator or "Le Floc'h" in regulator  # the ARS's director
    assert "Contact 1" not in regulator and "Aucun signataire choisi" in regulator
    cd = re.search(r'name="cd_signatory".*?</select>', page, re.S).group(0)
    assert "Contact 1" not in cd


def test_one_annex_reads_only_its_operator_and_says_what_the_bundle_says(
    project, django_assert_max_num_queries
):
    """An annex alone (download, sending) reads its operator's fiches-actions only, in a fixed
    number of queries whatever the roadmap's size, and its text is the one the bundle composes
    from the whole roadmap (the stored version is compared with it)."""
    from ptsm.commitments.content import Snapshot, annex_context, annex_lines

    epsm, gem = setup_roadmap(project)
    objective = Objective.objects.get(title="Réduire les délais")
    for index in range(12):  # the GEM's other commitments: not read for the EPSM's annex
        action = Action.objects.create(
            objective=objective, title=f"Action {index}", status=ActionStatus.VALIDATED
        )
        action.operators.set([gem])
    renumber(project=project)
    with django_assert_max_num_queries(10):
        alone = annex_context(project, epsm)
    assert [a["title"] for a in alone["actions"]] == ["Plateforme d'orientation"]
    assert alone["actions"][0]["conditions"] == "Autorisation"
    assert "comprend 13 fiches-actions" in alone["article1"]
    from_bundle = annex_context(project, epsm, Snapshot(project))
    assert annex_lines(alone) == annex_lines(from_bundle)

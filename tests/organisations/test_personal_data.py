"""RGPD: a contact's data can be exported and erased; pending imports expire; contacts of
organisations no longer involved are purged after the retention period."""

import csv
import datetime as dt
import io
import json

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ptsm.accounts.models import Role
from ptsm.audit.models import AuditEntry, Kind
from ptsm.documents.models import GeneratedDocument
from ptsm.documents.services import generate_document
from ptsm.framing import services as framing
from ptsm.framing.models import LetterStatus
from ptsm.governance import services as governance
from ptsm.governance.models import Body, BodyMember, Meeting
from ptsm.organisations.models import Contact, Organisation, PendingImport
from ptsm.organisations.personal_data import ARCHIVE_MODELS, purgeable_contacts
from ptsm.roadmap.models import Action, Objective, Orientation, Theme
from tests.factories import make_project, member, ready_framing_letter
from tests.helpers import login, page_text

pytestmark = pytest.mark.django_db

NAME, EMAIL, PHONE = "Gwenaëlle Kerjean", "g.kerjean@ars.sante.fr", "02 98 22 33 44"


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère")


@pytest.fixture
def lead(project):
    return member(project, Role.PROJECT_LEAD)


@pytest.fixture
def person(project):
    """The ARS's director, member of the COPIL, invited to a meeting, signatory of the framing
    letter, named in the minutes and in a pending import."""
    ars = Organisation.objects.create(
        project=project, name="ARS Bretagne", category="institutions", sub_type="ars"
    )
    contact = Contact.objects.create(
        project=project,
        organisation=ars,
        civility="Mme",
        first_name="Gwenaëlle",
        last_name="Kerjean",
        function="Directrice générale",
        email=EMAIL,
        phone=PHONE,
    )
    Contact.objects.create(
        project=project, organisation=ars, first_name="Yann", last_name="Le Du", email="y@ars.fr"
    )
    governance.create_default_bodies(project=project)
    copil = Body.objects.get(project=project, kind="copil")
    governance.add_body_member(body=copil, contact=contact, role="president")
    start = timezone.now()
    meeting = Meeting.objects.create(
        body=copil,
        title="COPIL de lancement",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        minutes=f"Ouverture par {NAME} ({EMAIL}). Yann Le Du présente le calendrier.",
    )
    governance.add_invitation(meeting=meeting, contact=contact)
    letter = framing.ensure_letter(project=project)
    letter.ars_signatory = contact
    letter.save()
    PendingImport.objects.create(
        project=project,
        user=member(project, Role.PROJECT_LEAD),
        kind="contacts",
        file_name="contacts.csv",
        rows=[
            {"pk": None, "first_name": "Gwenaëlle", "last_name": "Kerjean", "email": EMAIL},
            {"pk": None, "first_name": "Anne", "last_name": "Morvan", "email": "a@m.fr"},
        ],
    )
    return contact


def _signed_letter(project, lead):
    letter = ready_framing_letter(framing.ensure_letter(project=project))
    framing.change_status(letter=letter, to_status=LetterStatus.REVIEW, user=lead)
    framing.generate_version(letter=letter, user=lead)
    framing.change_status(letter=letter, to_status=LetterStatus.VALIDATED, user=lead)
    version = framing.generate_version(letter=letter, user=lead)
    with version.pdf.content.open("rb") as handle:
        upload = SimpleUploadedFile("signee.pdf", handle.read() + b"\n% signee\n")
    return framing.sign_version(
        version=version,
        user=lead,
        mode="depot",
        signed_on=version.created_at.date(),
        upload=upload,
        signed_outside=True,
    )


def _rows_naming(needles: list[str]) -> list[str]:
    """Every database row of live data (all apps but the territorial referential, archive
    records excluded) whose values mention one of the needles."""
    found = []
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label in {"territories", "contenttypes", "auth", "sessions"}:
            continue
        if label in ARCHIVE_MODELS or not model._meta.managed:  # django-rq's page has no table
            continue
        names = [f.attname for f in model._meta.concrete_fields]
        for values in model._base_manager.values_list(*names):
            text = " ".join(str(v) for v in values).lower()
            for needle in needles:
                if needle.lower() in text:
                    found.append(f"{label}: {needle}")
    return found


def _url(name, project, contact, **kwargs):
    return reverse(
        f"organisations:{name}", kwargs={"slug": project.slug, "pk": contact.pk, **kwargs}
    )


def test_the_export_holds_everything_about_the_person(client, project, lead, person):
    login(client, lead)
    response = client.get(_url("contact_export", project, person, fmt="json"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["contact"]["prénom"] == "Gwenaëlle"
    assert data["contact"]["adresse électronique professionnelle"] == EMAIL
    assert data["contact"]["téléphone professionnel"] == PHONE
    assert data["organisation"]["raison sociale"] == "ARS Bretagne"
    references = {(r["rubrique"], r["rôle"]) for r in data["références"]}
    assert ("membre d'instance", "contact") in references
    assert ("invitation", "contact") in references
    assert ("lettre de cadrage", "signataire pour l'ARS (directeur général)") in references
    invitation = next(r for r in data["références"] if r["rubrique"] == "invitation")
    assert invitation["détails"]["séance"] == "COPIL de lancement"
    assert invitation["détails"]["présence"] == "Invité(e)"
    assert "Yann" not in response.content.decode()

    response = client.get(_url("contact_export", project, person, fmt="csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert ["Contact", "nom", "Kerjean"] in rows
    assert ["Organisation", "raison sociale", "ARS Bretagne"] in rows
    assert AuditEntry.objects.filter(kind=Kind.EXPORT, project=project).count() == 2


@pytest.mark.parametrize("role", [Role.COPIL_MEMBER, Role.READER, Role.OPERATOR_SIGNATORY])
def test_only_the_chef_de_projet_exports_or_erases_a_contact(client, project, person, role):
    login(client, member(project, role))
    assert client.get(_url("contact_export", project, person, fmt="json")).status_code == 403
    assert client.post(_url("contact_erase", project, person)).status_code == 403
    person.refresh_from_db()
    assert person.last_name == "Kerjean"


def test_erasure_anonymises_the_person_everywhere_and_keeps_signed_documents(
    client, project, lead, person
):
    signed = _signed_letter(project, lead)  # names her as the ARS's signatory
    assert any(NAME in line for line in signed.lines)
    letter = framing.ensure_letter(project=project)
    # A signed letter changes only through an amendment: reopen it, then name her in a section.
    framing.change_status(letter=letter, to_status="brouillon", user=lead, comment="Avenant")
    # (While signed, the letter's files are the frozen ones: the draft comes after reopening.)
    draft = generate_document(project=project, kind_slug="lettre-de-cadrage", fmt="docx")
    framing.update_section(
        letter=letter,
        key="contexte",
        text=f"Copilotage assuré par {NAME}.",
        user=lead,
    )
    # A draft of the amendment (a generation of the signed letter itself is the signed file).
    draft = generate_document(project=project, kind_slug="lettre-de-cadrage", fmt="docx")
    kept_pdf = signed.pdf_id
    assert _rows_naming([NAME, EMAIL])  # the fixture does name her

    login(client, lead)
    confirmation = page_text(client.get(_url("contact_erase", project, person)))
    assert "Effacer définitivement" in confirmation
    assert "imports en attente qui le mentionnent : 1" in confirmation
    person.refresh_from_db()
    assert person.email == EMAIL  # the confirmation page changes nothing

    response = client.post(_url("contact_erase", project, person))
    assert response.status_code == 302

    person.refresh_from_db()
    assert person.full_name == "Contact supprimé"
    assert person.email == person.phone == person.function == ""
    assert _rows_naming([NAME, "Kerjean", EMAIL, PHONE]) == []
    # Her roles stay, anonymous; the other contact is untouched.
    assert BodyMember.objects.get(contact=person).role == "president"
    assert Contact.objects.filter(last_name="Le Du", email="y@ars.fr").exists()
    minutes = Meeting.objects.get().minutes
    assert minutes.startswith("Ouverture par Contact supprimé (Contact supprimé).")
    assert "Yann Le Du" in minutes
    texts = framing.ensure_letter(project=project).texts
    assert texts["contexte"] == "Copilotage assuré par Contact supprimé."
    # Her pending-import row is gone, the other one remains.
    assert [r["last_name"] for r in PendingImport.objects.get().rows] == ["Morvan"]
    # The draft that named her is gone; the signed letter stays and its access is logged.
    assert not GeneratedDocument.objects.filter(pk=draft.pk).exists()
    assert GeneratedDocument.objects.filter(pk=kept_pdf).exists()
    download = client.get(
        reverse("framing:signed_pdf", kwargs={"slug": project.slug, "number": signed.number})
    )
    assert download.status_code == 200
    b"".join(download.streaming_content)
    assert AuditEntry.objects.filter(kind=Kind.DOWNLOAD, project=project).exists()
    assert AuditEntry.objects.filter(kind=Kind.ERASURE, project=project, actor=lead).exists()
    page = page_text(client.get(reverse("audit:journal", kwargs={"slug": project.slug})))
    assert "Effacement de données personnelles" in page and "Kerjean" not in page


def test_a_pending_import_expires_after_seven_days(client, project, lead, settings):
    settings.PTSM_PENDING_IMPORT_RETENTION_DAYS = 7
    organisation = Organisation.objects.create(project=project, name="CMP", category="social")
    rows = [
        {
            "pk": None,
            "organisation": organisation.pk,
            "organisation_name": "CMP",
            "civility": "",
            "first_name": "Anne",
            "last_name": "Morvan",
            "function": "",
            "email": "anne.morvan@cmp.fr",
            "phone": "",
            "legal_basis": "mission_interet_public",
            "notice_date": "",
        }
    ]
    old = PendingImport.objects.create(
        project=project, user=lead, kind="contacts", file_name="vieux.csv", rows=rows
    )
    PendingImport.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    login(client, lead)
    response = client.post(
        reverse("organisations:import_confirm", kwargs={"slug": project.slug, "pk": old.pk}),
        follow=True,
    )
    assert "a expiré" in page_text(response)
    assert not Contact.objects.filter(email="anne.morvan@cmp.fr").exists()

    recent = PendingImport.objects.create(
        project=project, user=lead, kind="contacts", file_name="recent.csv", rows=rows
    )
    PendingImport.objects.filter(pk=recent.pk).update(
        created_at=timezone.now() - dt.timedelta(days=6)
    )
    # An indicator table uploaded and never mapped goes with the same retention.
    from ptsm.diagnostic.imports import save_pending
    from ptsm.diagnostic.models import PendingIndicatorImport

    table = save_pending(
        project=project, user=lead, file_name="odisse.csv", headers=["annee"], rows=[["2024"]]
    )
    PendingIndicatorImport.objects.filter(pk=table.pk).update(
        created_at=timezone.now() - dt.timedelta(days=8)
    )
    out = io.StringIO()
    call_command("purge_personal_data", stdout=out)
    assert (
        "2 imports en attente expirés supprimés (au-delà de 7 jours, dont 1 tableau d’indicateurs)"
        in out.getvalue()
    )
    assert list(PendingImport.objects.values_list("file_name", flat=True)) == ["recent.csv"]
    assert not PendingIndicatorImport.objects.exists()


def _age(*objects, days: int) -> None:
    when = timezone.now() - dt.timedelta(days=days)
    for obj in objects:
        type(obj).objects.filter(pk=obj.pk).update(updated_at=when)


def test_contacts_of_organisations_no_longer_involved_are_purged_after_the_period(
    project, lead, settings
):
    settings.PTSM_CONTACT_RETENTION_DAYS = 3 * 365
    old = 3 * 365 + 10

    def contact(org_name: str, last_name: str) -> Contact:
        org = Organisation.objects.create(project=project, name=org_name, category="social")
        return Contact.objects.create(
            project=project, organisation=org, first_name="Prénom", last_name=last_name
        )

    idle = contact("Association dissoute", "Inactif")
    recent = contact("Association récente", "Récent")
    pilot = contact("Opérateur pilote", "Pilote")
    orientation = Orientation.objects.create(project=project, title="O", number=1)
    objective = Objective.objects.create(
        theme=Theme.objects.create(orientation=orientation, title="T"), title="Obj"
    )
    Action.objects.create(
        objective=objective, title="Action", pilot_organisation=pilot.organisation
    )
    governance.create_default_bodies(project=project)
    copil = Body.objects.get(project=project, kind="copil")
    member_of_copil = contact("Membre du COPIL", "Copil")
    colleague = Contact.objects.create(
        project=project,
        organisation=member_of_copil.organisation,
        first_name="Prénom",
        last_name="Collègue",
    )
    governance.add_body_member(body=copil, contact=member_of_copil, role="member")
    invited = contact("Invitée l'an dernier", "Invitée")
    last_year = timezone.now() - dt.timedelta(days=365)
    meeting = Meeting.objects.create(
        body=copil, title="COPIL", starts_at=last_year, ends_at=last_year + dt.timedelta(hours=1)
    )
    governance.add_invitation(meeting=meeting, contact=invited)
    # Named in a signed letter (as a COPIL member then), no longer referred to since.
    archived = contact("Ancien membre", "Archivée")
    governance.add_body_member(body=copil, contact=archived, role="member")
    _signed_letter(project, lead)
    BodyMember.objects.filter(contact=archived).delete()

    everyone = [idle, pilot, member_of_copil, colleague, invited, archived]
    _age(*everyone, *(c.organisation for c in everyone), days=old)
    _age(recent, recent.organisation, days=old - 30)

    assert [c.last_name for c in purgeable_contacts()] == ["Inactif"]
    dry = io.StringIO()
    call_command("purge_personal_data", "--dry-run", stdout=dry)
    assert "1 contact à supprimer" in dry.getvalue()
    assert Contact.objects.filter(last_name="Inactif").exists()
    out = io.StringIO()
    call_command("purge_personal_data", stdout=out)
    assert "1 contact supprimé" in out.getvalue()
    remaining = set(Contact.objects.filter(project=project).values_list("last_name", flat=True))
    # "Signataire": the signed letter's two signatories, kept with it.
    assert remaining == {
        "Récent",
        "Pilote",
        "Copil",
        "Collègue",
        "Invitée",
        "Archivée",
        "Signataire",
    }
    assert Organisation.objects.filter(name="Association dissoute").exists()
    entry = AuditEntry.objects.get(kind=Kind.ERASURE, project=project)
    assert entry.object_repr == "1 contact supprimé au terme de la durée de conservation"
    assert (
        not AuditEntry.objects.filter(object_repr__icontains="Inactif")
        .exclude(action=AuditEntry.Action.CREATE)
        .exists()
    )

"""Nothing lost: signed and validated records are kept, repeated requests do their work once,
and files follow the transaction that records them."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.commitments import services as commitments
from ptsm.commitments.models import Signatory, SignatoryStatus, SignatureRecord
from ptsm.documents.models import GeneratedDocument
from ptsm.framing import services as framing
from ptsm.framing.models import LetterVersion
from ptsm.organisations import services as directory
from ptsm.organisations.models import Contact, Organisation
from ptsm.projects.models import Project
from tests.commitments.test_commitments import setup_roadmap
from tests.factories import make_project, member
from tests.framing.test_letter import _validated_version as validated_version
from tests.helpers import login, page_text

pytestmark = pytest.mark.django_db
DAY = dt.date(2027, 3, 12)


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère")


def _annex_upload(version) -> SimpleUploadedFile:
    with version.pdf.content.open("rb") as handle:
        return SimpleUploadedFile("annexe-signee.pdf", handle.read() + b"\n% signature\n")


def _signed(project):
    epsm, gem = setup_roadmap(project)
    letter = commitments.ensure_letter(project=project)
    version = commitments.generate_annex(letter=letter, organisation=epsm)
    signatory = letter.signatories.get(organisation=epsm)
    commitments.record_signed_pdf(
        signatory=signatory, upload=_annex_upload(version), signed_on=DAY, signed_outside=True
    )
    return epsm, gem, signatory


def _files(prefix: str) -> list[str]:
    if not default_storage.exists(prefix):
        return []
    return default_storage.listdir(prefix)[1]


# Signed means kept -----------------------------------------------------------------------------


def test_an_organisation_with_a_signed_commitment_cannot_be_deleted_only_archived(client, project):
    epsm, _gem, signatory = _signed(project)
    login(client, member(project, Role.PROJECT_LEAD))
    delete = reverse("organisations:delete", kwargs={"slug": project.slug, "pk": epsm.pk})
    confirmation = page_text(client.get(delete))
    assert "Suppression impossible" in confirmation and "un engagement signé" in confirmation
    assert "Archiver" in confirmation
    response = client.post(delete, follow=True)
    assert "ne peut pas être supprimée" in page_text(response)
    assert "un engagement signé" in page_text(response)
    assert Organisation.objects.filter(pk=epsm.pk).exists()
    assert Signatory.objects.get(pk=signatory.pk).signed_file  # the signed PDF is still there

    archive = reverse("organisations:archive", kwargs={"slug": project.slug, "pk": epsm.pk})
    client.post(archive, {"archived": "1"}, follow=True)  # the message is shown there
    directory_page = page_text(client.get(reverse("organisations:list", args=[project.slug])))
    assert "EPSM Finistère Sud" not in directory_page
    with_archived = page_text(
        client.get(reverse("organisations:list", args=[project.slug]), {"archived": "on"})
    )
    assert "EPSM Finistère Sud" in with_archived and "Archivée" in with_archived


def test_an_operator_of_a_validated_fiche_action_cannot_be_deleted(project):
    _epsm, gem = setup_roadmap(project)
    with pytest.raises(ValidationError, match="fiche-action validée"):
        directory.delete_organisation(organisation=gem)


def test_an_organisation_that_signed_nothing_is_deleted_after_a_confirmation(client, project):
    lonely = Organisation.objects.create(project=project, name="Mairie", category="collectivites")
    Contact.objects.create(project=project, organisation=lonely, first_name="A", last_name="B")
    login(client, member(project, Role.PROJECT_LEAD))
    url = reverse("organisations:delete", kwargs={"slug": project.slug, "pk": lonely.pk})
    confirmation = page_text(client.get(url))
    assert "Cette suppression est définitive" in confirmation and "1 contact" in confirmation
    assert Organisation.objects.filter(pk=lonely.pk).exists()  # a GET deletes nothing
    assert client.post(url).status_code == 302
    assert not Organisation.objects.filter(pk=lonely.pk).exists()


def test_a_contact_named_by_a_sent_commitment_cannot_be_deleted(project, smtp_server):
    epsm, _gem = setup_roadmap(project)
    letter = commitments.ensure_letter(project=project)
    commitments.generate_annex(letter=letter, organisation=epsm)
    signatory = letter.signatories.get(organisation=epsm)
    commitments.send_for_signature(signatory=signatory, base_url="http://ptsm.test")
    with pytest.raises(ValidationError, match="engagement envoyé ou signé"):
        directory.delete_contact(contact=signatory.contact)
    directory.set_contact_archived(contact=signatory.contact, archived=True)
    assert Contact.objects.get(pk=signatory.contact_id).archived


def test_a_signed_commitment_never_goes_back_to_sent_and_its_letter_text_is_frozen(
    project, smtp_server
):
    epsm, _gem, signatory = _signed(project)
    with pytest.raises(ValidationError, match="déjà signé"):
        commitments.send_for_signature(signatory=signatory, base_url="http://ptsm.test")
    signatory.refresh_from_db()
    assert signatory.status == SignatoryStatus.SIGNED
    assert smtp_server.messages == []
    with pytest.raises(ValidationError, match="figé"):
        commitments.update_text(letter=signatory.letter, key="preambule", text="Nouveau")


def test_signatures_cannot_be_deleted_or_rewritten(project):
    _epsm, _gem, signatory = _signed(project)
    record = SignatureRecord.objects.get(signatory=signatory)
    with pytest.raises(ValidationError):
        record.delete()
    record.sha256 = "0" * 64
    with pytest.raises(ValidationError):
        record.save()


# Deleting a project ----------------------------------------------------------------------------


def test_only_the_ars_administrator_deletes_a_project_after_typing_its_name(
    client, project, django_capture_on_commit_callbacks
):
    url = reverse("projects:delete", kwargs={"slug": project.slug})
    login(client, member(project, Role.PROJECT_LEAD))
    assert client.get(url).status_code == 403
    assert client.post(url, {"nom": project.name}).status_code == 403

    framing.generate_version(letter=framing.ensure_letter(project=project))  # a draft version
    Organisation.objects.create(project=project, name="Mairie", category="collectivites")
    login(client, member(project, Role.ARS_ADMIN))
    page = page_text(client.get(url))
    assert "Cette suppression est définitive" in page
    assert "1 organisation" in page
    response = client.post(url, {"nom": "autre nom"})
    assert response.status_code == 400 and "Recopiez exactement" in page_text(response)
    assert Project.objects.filter(pk=project.pk).exists()

    stored = list(
        GeneratedDocument.objects.filter(project=project).values_list("content", flat=True)
    )
    assert stored and all(default_storage.exists(name) for name in stored)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"nom": project.name})
    assert response.status_code == 302
    assert not Project.objects.filter(pk=project.pk).exists()
    assert not any(default_storage.exists(name) for name in stored)


def test_a_project_with_a_signed_framing_letter_cannot_be_deleted(client, project):
    lead = member(project, Role.PROJECT_LEAD)
    version = validated_version(project, lead)
    framing.sign_version(version=version, user=lead, mode="seance", signed_on=DAY)
    login(client, member(project, Role.ARS_ADMIN))
    url = reverse("projects:delete", kwargs={"slug": project.slug})
    page = page_text(client.get(url))
    assert "ne peut pas être supprimé" in page
    assert "1 version signée de la lettre de cadrage" in page
    response = client.post(url, {"nom": project.name})
    assert response.status_code == 400
    assert LetterVersion.objects.filter(pk=version.pk, signed=True).exists()


# Double submits --------------------------------------------------------------------------------


def test_uploading_the_same_signed_annex_twice_records_it_once(client, project):
    epsm, _gem = setup_roadmap(project)
    letter = commitments.ensure_letter(project=project)
    version = commitments.generate_annex(letter=letter, organisation=epsm)
    signatory = letter.signatories.get(organisation=epsm)
    login(client, member(project, Role.PROJECT_LEAD))
    url = reverse("commitments:signed", kwargs={"slug": project.slug, "pk": signatory.pk})
    with version.pdf.content.open("rb") as handle:
        data = handle.read() + b"\n% signature\n"
    for _ in range(2):
        response = client.post(
            url,
            {
                "signed_on": "2027-03-12",
                "file": SimpleUploadedFile("s.pdf", data),
                "signed_outside": "on",
            },
            follow=True,
        )
        assert response.status_code == 200
    assert "déjà enregistré" in page_text(response)
    assert SignatureRecord.objects.filter(signatory=signatory).count() == 1
    assert len(_files("commitments/signed")) == 1


def test_sending_an_annex_twice_sends_one_message(client, project, smtp_server):
    epsm, _gem = setup_roadmap(project)
    letter = commitments.ensure_letter(project=project)
    commitments.generate_annex(letter=letter, organisation=epsm)
    signatory = letter.signatories.get(organisation=epsm)
    login(client, member(project, Role.PROJECT_LEAD))
    url = reverse("commitments:send", kwargs={"slug": project.slug, "pk": signatory.pk})
    client.post(url)
    response = client.post(url, follow=True)
    assert "a déjà été envoyée" in page_text(response)
    assert len(smtp_server.messages) == 1
    remind = reverse("commitments:remind", kwargs={"slug": project.slug, "pk": signatory.pk})
    client.post(remind)
    response = client.post(remind, follow=True)
    assert "aucune nouvelle relance" in page_text(response)
    assert len(smtp_server.messages) == 2  # the annex, then one reminder


def test_signing_the_framing_letter_twice_freezes_one_version(client, project):
    lead = member(project, Role.PROJECT_LEAD)
    version = validated_version(project, lead)
    letter = version.letter
    with version.pdf.content.open("rb") as handle:
        data = handle.read() + b"\n% signature\n"
    login(client, lead)
    url = reverse("framing:sign", kwargs={"slug": project.slug, "number": version.number})
    for _ in range(2):
        response = client.post(
            url,
            {
                "mode": "depot",
                "signed_on": "2027-03-12",
                "file": SimpleUploadedFile("s.pdf", data),
                "signed_outside": "on",
            },
            follow=True,
        )
    assert "déjà enregistré" in page_text(response)
    assert LetterVersion.objects.filter(letter=letter, signed=True).count() == 1
    assert len(_files("framing/signed")) == 1


def test_generating_a_document_twice_keeps_one_version(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    url = reverse("documents:list", kwargs={"slug": project.slug})
    from ptsm.documents.services import generate_document

    first = generate_document(project=project, kind_slug="carte-identite-territoire", fmt="pdf")
    second = generate_document(project=project, kind_slug="carte-identite-territoire", fmt="pdf")
    assert first.pk == second.pk
    assert GeneratedDocument.objects.filter(project=project).count() == 1
    assert client.get(url).status_code == 200


# Files follow the transaction --------------------------------------------------------------------


def test_a_failure_after_the_signed_file_was_written_leaves_no_file(project, monkeypatch):
    epsm, _gem = setup_roadmap(project)
    letter = commitments.ensure_letter(project=project)
    version = commitments.generate_annex(letter=letter, organisation=epsm)
    signatory = letter.signatories.get(organisation=epsm)

    def broken(*args, **kwargs):
        raise ValidationError("Panne simulée après l'écriture du fichier.")

    monkeypatch.setattr(commitments, "_keep_signature", broken)
    with pytest.raises(ValidationError, match="Panne simulée"):
        commitments.record_signed_pdf(
            signatory=signatory, upload=_annex_upload(version), signed_on=DAY, signed_outside=True
        )
    assert _files("commitments/signed") == []
    signatory.refresh_from_db()
    assert signatory.status != SignatoryStatus.SIGNED and not signatory.signed_file


def test_purge_orphan_files_lists_then_removes_only_unreferenced_files(project, capsys):
    from ptsm.documents.services import generate_document

    kept = generate_document(project=project, kind_slug="carte-identite-territoire", fmt="pdf")
    stray = default_storage.save("documents/perdu.pdf", SimpleUploadedFile("x.pdf", b"%PDF-1.7"))
    call_command("purge_orphan_files", older_than_hours=0)
    listed = capsys.readouterr().out
    assert stray in listed and kept.content.name not in listed
    assert default_storage.exists(stray)
    call_command("purge_orphan_files", older_than_hours=0, delete=True)
    assert not default_storage.exists(stray)
    assert default_storage.exists(kept.content.name)


def test_sending_the_invitations_twice_sends_each_message_once(client, project, smtp_server):
    from django.utils import timezone

    from ptsm.governance.models import Body, Meeting
    from ptsm.governance.services import add_invitation, create_default_bodies

    create_default_bodies(project=project)
    organisation = Organisation.objects.create(
        project=project, name="EPSM", category="sanitaire_public"
    )
    contact = Contact.objects.create(
        project=project, organisation=organisation, first_name="A", last_name="B", email="a@b.fr"
    )
    start = timezone.now() + dt.timedelta(days=3)
    meeting = Meeting.objects.create(
        body=Body.objects.filter(project=project).first(),
        title="COPIL",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    add_invitation(meeting=meeting, contact=contact)
    login(client, member(project, Role.PROJECT_LEAD))
    url = reverse("governance:meeting_send", kwargs={"slug": project.slug, "pk": meeting.pk})
    client.post(url)
    response = client.post(url, follow=True)
    assert "aucun courriel n'est envoyé une seconde fois" in page_text(response)
    assert len(smtp_server.messages) == 1


def test_confirming_an_import_twice_writes_it_once(client, project):
    lead = member(project, Role.PROJECT_LEAD)
    login(client, lead)
    csv = "Nom;Catégorie\nMairie de Brest;Collectivités\n"
    upload = reverse("organisations:import", kwargs={"slug": project.slug})
    client.post(
        upload,
        {"kind": "organisations", "file": SimpleUploadedFile("annuaire.csv", csv.encode())},
    )
    from ptsm.organisations.models import PendingImport

    pending = PendingImport.objects.get(project=project)
    confirm = reverse(
        "organisations:import_confirm", kwargs={"slug": project.slug, "pk": pending.pk}
    )
    assert client.post(confirm).status_code == 302
    response = client.post(confirm, follow=True)
    assert response.status_code == 200
    assert "déjà été enregistré" in page_text(response)
    assert Organisation.objects.filter(project=project, name="Mairie de Brest").count() == 1

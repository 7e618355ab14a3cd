"""The demo project, with every document generated and a signed framing letter, exported then
restored under a new slug and into a database emptied of it: every record and every file
comes back (0 differences, see `comparison` for what legitimately changes)."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from ptsm.accounts.models import User
from ptsm.archives.scope import exported_models, project_records
from ptsm.archives.services import export_project, import_project
from ptsm.audit.models import AuditEntry, Kind
from ptsm.demo.loader import DEMO_SLUG, load_demo
from ptsm.documents.models import GeneratedDocument
from ptsm.documents.services import generate_all
from ptsm.framing.models import LetterStatus, LetterVersion, SignatureMode
from ptsm.framing.services import change_status, ensure_letter, generate_version, sign_version
from ptsm.projects.models import Project
from tests.archives.comparison import differences, snapshot

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 24)


def _sign_the_framing_letter(project) -> LetterVersion:
    from tests.pdf_signing import pades_sign

    lead = User.objects.get(email="chef.projet@demo.ptsm.fr")
    letter = ensure_letter(project=project)
    # The demo's letter was signed in session at the launch COPIL: an amendment reopens it, and
    # its new version is signed electronically (a signed file to carry over).
    change_status(
        letter=letter, to_status=LetterStatus.DRAFT, user=lead, comment="Avenant : calendrier"
    )
    change_status(letter=letter, to_status=LetterStatus.REVIEW, user=lead)
    generate_version(letter=letter, user=lead, today=DAY)
    change_status(letter=letter, to_status=LetterStatus.VALIDATED, user=lead)
    version = generate_version(letter=letter, user=lead, today=DAY)
    with version.pdf.content.open("rb") as handle:
        signed = pades_sign(handle.read(), "Directeur ARS")
    return sign_version(
        version=version,
        user=lead,
        mode=SignatureMode.UPLOAD,
        signed_on=DAY,
        upload=SimpleUploadedFile("signee.pdf", signed, "application/pdf"),
    )


def _empty_the_database_of(project) -> None:
    """What a fresh instance holds of the project: nothing (referential and users apart)."""
    scoped = exported_models()
    pks = {s.label: list(project_records(s, project).values_list("pk", flat=True)) for s in scoped}
    files = []
    for s in reversed(scoped):
        for m2m in s.model._meta.many_to_many:
            through = m2m.remote_field.through
            through._base_manager.filter(**{f"{m2m.m2m_field_name()}__in": pks[s.label]}).delete()
        queryset = s.model._base_manager.filter(pk__in=pks[s.label])
        for f in s.model._meta.concrete_fields:
            if f.get_internal_type() == "FileField":
                files += [
                    (f.storage, n)
                    for n in queryset.exclude(**{f.name: ""}).values_list(f.name, flat=True)
                ]
        queryset._raw_delete(connection.alias)
    for storage, name in files:
        storage.delete(name)


def test_the_demo_project_round_trips_with_every_record_and_file(tmp_path):
    load_demo(today=DAY)
    project = Project.objects.get(slug=DEMO_SLUG)
    generate_all(project=project, today=DAY)
    version = _sign_the_framing_letter(project)
    assert version.signed and version.signed_file
    before = snapshot(project)
    documents = GeneratedDocument.objects.filter(project=project).count()
    assert documents > 20

    archive_path = tmp_path / "demo.zip"
    exported = export_project(project=project, target=archive_path)
    with zipfile.ZipFile(archive_path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = set(archive.namelist())
        data = archive.read("data.json").decode()
    assert manifest["format_version"] == 1 and manifest["project"] == DEMO_SLUG
    assert manifest["counts"]["documents.generateddocument"] == documents
    assert manifest["counts"]["audit.auditentry"] > 0
    assert {f["path"] for f in manifest["files"]} | {"manifest.json"} == names
    # Every stored file (each document version and the signed PDF), once per content.
    stored = {v["content"] for v in before["documents.generateddocument"].values()}
    stored.add(before["framing.letterversion"][version.pk]["signed_file"])
    # The annex Fondation Ildys signed in the demo (its signatory and its signature record).
    for label, field in (
        ("commitments.signatory", "signed_file"),
        ("commitments.signaturerecord", "signed_file"),
    ):
        stored |= {row[field] for row in before.get(label, {}).values() if row.get(field)}
    assert len(names) - 2 == exported.files == len(stored)
    # No database id travels: the demo's users are named by e-mail, communes by INSEE code.
    assert "chef.projet@demo.ptsm.fr" in data and '"29019"' in data
    records = json.loads(data)["records"]
    assert not any("id" in row or "pk" in row for rows in records.values() for row in rows)
    memberships = records["accounts.membership"]
    assert {m["user"] for m in memberships} >= {"chef.projet@demo.ptsm.fr"}
    assert {m["project"] for m in memberships} == {1}  # the archive's own reference

    restored = import_project(source=archive_path, slug="demo-restauree")
    after = snapshot(restored.project)
    assert restored.project.slug == "demo-restauree"
    assert (
        differences(before, after, refs=exported.refs, ids=restored.ids, new_slug="demo-restauree")
        == []
    )
    assert restored.missing_users == []
    # The comparison does see a change (a name, the bytes of a file).
    document = GeneratedDocument.objects.filter(project=restored.project).first()
    document.content.storage.delete(document.content.name)
    document.content.storage.save(document.content.name, io.BytesIO(b"autre contenu"))
    restored.project.organisations.filter(pk=restored.project.organisations.first().pk).update(
        name="Autre nom"
    )
    changed = differences(
        before,
        snapshot(restored.project),
        refs=exported.refs,
        ids=restored.ids,
        new_slug="demo-restauree",
    )
    assert sorted(d.split(":")[0].rsplit(".", 1)[-1] for d in changed) == ["content", "name"]
    entry = AuditEntry.objects.filter(project=restored.project, kind=Kind.IMPORT).get()
    assert entry.additional_data["restauration"]["projet_d_origine"] == DEMO_SLUG

    # Into a database emptied of the project: the same slug, the same content.
    original_pk = project.pk
    _empty_the_database_of(project)
    assert not Project.objects.filter(pk=original_pk).exists()
    again = import_project(source=io.BytesIO(archive_path.read_bytes()))
    assert again.project.slug == DEMO_SLUG
    assert differences(before, snapshot(again.project), refs=exported.refs, ids=again.ids) == []
    signed = LetterVersion.objects.get(letter__project=again.project, number=version.number)
    with signed.signed_file.open("rb") as handle:
        assert handle.read() == before["framing.letterversion"][version.pk]["signed_file"]

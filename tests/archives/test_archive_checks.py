"""What the archive covers, and what an import refuses (French message, nothing written)."""

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from ptsm.accounts.models import Membership, Role, User
from ptsm.archives import services
from ptsm.archives.manifest import ArchiveError
from ptsm.archives.scope import (
    GENERIC_REFERENCES,
    OWNED_SHARED,
    SHARED_KEYS,
    SKIPPED,
    exported_models,
)
from ptsm.archives.services import export_project, import_project
from ptsm.audit.models import AuditEntry, Kind
from ptsm.audit.services import record_event
from ptsm.documents.models import GeneratedDocument
from ptsm.documents.registry import all_kinds
from ptsm.documents.services import store_document
from ptsm.projects.models import Project
from tests.factories import make_project, member

pytestmark = pytest.mark.django_db


def _closure_of_project_models() -> set[str]:
    """Every model with a chain of foreign keys to Project (or owned by it: its territory),
    found from the other side than `scope`: each model's own foreign keys."""
    found = {"projects.project", "territories.territory"}
    changed = True
    while changed:
        changed = False
        for model in apps.get_models(include_auto_created=False):
            label = model._meta.label_lower
            if label in found or (label in SHARED_KEYS and label not in OWNED_SHARED):
                continue
            if any(
                f.is_relation and f.related_model._meta.label_lower in found
                for f in model._meta.concrete_fields
            ):
                found.add(label)
                changed = True
    return found


def test_every_model_hanging_on_a_project_is_exported_or_deliberately_skipped():
    exported = {s.label for s in exported_models()}
    assert exported | set(SKIPPED) == _closure_of_project_models()
    assert not exported & set(SKIPPED)
    assert {"audit.auditentry", "documents.generateddocument", "territories.territory"} <= exported


def test_every_reference_of_an_exported_record_is_exported_or_shared():
    exported = {s.label for s in exported_models()}
    for scoped in exported_models():
        fields = scoped.model._meta.concrete_fields + scoped.model._meta.many_to_many
        for f in fields:
            if f.is_relation:
                target = f.related_model._meta.label_lower
                assert target in exported or target in SHARED_KEYS, (scoped.label, f.name)


def test_every_exported_model_pointing_at_any_record_has_its_reference_translated():
    """A content type with a primary key (a generic reference) holds a database id: the model
    must be declared so that the id is translated, as the journal's is."""
    for scoped in exported_models():
        if any(
            f.is_relation and f.related_model._meta.label_lower == "contenttypes.contenttype"
            for f in scoped.model._meta.concrete_fields
        ):
            assert scoped.label in GENERIC_REFERENCES, scoped.label


@pytest.fixture
def project():
    project = make_project(slug="finistere")
    lead = member(project, Role.PROJECT_LEAD, email="cheffe@exemple.fr")
    kind = all_kinds()[0]
    store_document(
        project=project,
        kind=kind,
        variant=kind.variants_for(project)[0],
        fmt="pdf",
        data=b"%PDF-1.7 document de test",
        user=lead,
    )
    return project


def _archive(project) -> bytes:
    buffer = io.BytesIO()
    export_project(project=project, target=buffer)
    return buffer.getvalue()


def _rewrite(data: bytes, change) -> bytes:
    """The archive with its members passed through `change(members) -> members`."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members = change(members)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _media_files(settings) -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _without_files(members):
    return {n: c for n, c in members.items() if not n.startswith("files/")}


def _tampered(members):
    name = next(n for n in members if n.startswith("files/"))
    return members | {name: members[name][:-1] + b"!"}


def _future_format(members):
    manifest = json.loads(members["manifest.json"])
    return members | {"manifest.json": json.dumps(manifest | {"format_version": 99})}


def _counts_changed(members):
    manifest = json.loads(members["manifest.json"])
    manifest["counts"]["projects.milestone"] += 1
    return members | {"manifest.json": json.dumps(manifest)}


def _climbing(members):
    return members | {"../../etc/cron.d/ptsm": b"* * * * * root sh"}


def _absolute(members):
    return members | {"/etc/ptsm/env": b"x"}


def _bomb(members):
    return members | {"files/" + "0" * 64: bytes(30 * 1024 * 1024)}


def _unlisted(members):
    content = b"en plus"
    return members | {f"files/{hashlib.sha256(content).hexdigest()}": content}


@pytest.mark.parametrize(
    "change, message",
    [
        (_without_files, "du manifeste manque"),
        (_tampered, "l'empreinte SHA-256"),
        (_future_format, "version de format 99 inconnue"),
        (_counts_changed, "nombres d'enregistrements du manifeste"),
        (_climbing, "nom de fichier inattendu « ../../etc/cron.d/ptsm »"),
        (_absolute, "nom de fichier inattendu « /etc/ptsm/env »"),
        (_bomb, "dépasse les tailles permises"),
        (_unlisted, "1 fichier hors du manifeste"),
    ],
)
def test_an_archive_that_does_not_match_its_manifest_is_refused_and_nothing_written(
    project, settings, change, message
):
    data = _rewrite(_archive(project), change)
    projects, files = Project.objects.count(), _media_files(settings)
    with pytest.raises(ArchiveError) as refusal:
        import_project(source=io.BytesIO(data), slug="copie")
    assert message in refusal.value.messages[0]
    assert Project.objects.count() == projects
    assert _media_files(settings) == files


def test_a_slug_already_taken_is_refused_unless_another_is_given(project, tmp_path):
    path = tmp_path / "finistere.zip"
    call_command("export_project", "finistere", str(path))
    with pytest.raises(CommandError, match=r"« finistere » existe déjà .*\(--slug\)"):
        call_command("import_project", str(path))
    output = io.StringIO()
    call_command("import_project", str(path), "--slug", "finistere-copie", stdout=output)
    assert "Projet « finistere-copie » restauré" in output.getvalue()
    copy = Project.objects.get(slug="finistere-copie")
    document = GeneratedDocument.objects.get(project=copy)
    with document.content.open("rb") as handle:
        assert handle.read() == b"%PDF-1.7 document de test"
    assert document.content.name == f"documents/{copy.pk}/{document.sha256}.pdf"


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    with pytest.raises(ArchiveError, match="pas un fichier zip lisible"):
        import_project(source=io.BytesIO(b"PK pas vraiment"), slug="x")


def test_a_failure_during_the_restoration_leaves_no_record_and_no_file(
    project, settings, monkeypatch
):
    data = _archive(project)
    projects, files = Project.objects.count(), _media_files(settings)

    seen_at_failure = []

    def fail(*args, **kwargs):
        seen_at_failure.append(_media_files(settings))
        raise RuntimeError("panne pendant la restauration")

    monkeypatch.setattr(services, "_restore_m2m", fail)  # after the records and files
    with pytest.raises(RuntimeError):
        import_project(source=io.BytesIO(data), slug="copie")
    assert len(seen_at_failure[0] - files) == 1  # the document was written, then removed
    assert Project.objects.count() == projects
    assert _media_files(settings) == files


def test_members_absent_from_the_target_are_reported_and_the_journal_keeps_their_email(project):
    leaving = member(project, Role.READER, email="partie@exemple.fr")
    record_event(kind=Kind.EXPORT, obj=project, project=project, actor=leaving, data={})
    data = _archive(project)
    leaving.delete()  # not on the target instance

    report = import_project(source=io.BytesIO(data), slug="copie")
    assert report.missing_users == ["partie@exemple.fr"]
    assert report.skipped == {"accounts.membership": 1}
    assert report.lost_roles == ["partie@exemple.fr (rôle dans un projet)"]
    copy = report.project
    assert list(Membership.objects.filter(project=copy).values_list("user__email", flat=True)) == [
        "cheffe@exemple.fr"
    ]
    entry = AuditEntry.objects.get(project=copy, kind=Kind.EXPORT, actor_email="partie@exemple.fr")
    assert entry.actor is None
    # The journal's record of the membership still names the user, by e-mail now.
    role_entries = AuditEntry.objects.filter(project=copy, kind=Kind.ROLE)
    assert any(e.changes["user"][1] == "partie@exemple.fr" for e in role_entries)
    assert any(
        e.changes["user"][1] == str(User.objects.get(email="cheffe@exemple.fr").pk)
        for e in role_entries
    )


def _edited_data(edit):
    """A hand-edited data.json whose manifest entry was recomputed: it passes the manifest."""

    def change(members):
        data = json.loads(members["data.json"])
        edit(data["records"])
        payload = json.dumps(data).encode()
        manifest = json.loads(members["manifest.json"])
        for entry in manifest["files"]:
            if entry["path"] == "data.json":
                entry.update(sha256=hashlib.sha256(payload).hexdigest(), size=len(payload))
        return members | {"data.json": payload, "manifest.json": json.dumps(manifest)}

    return change


def test_a_commune_absent_from_this_instance_is_refused_with_nothing_written(project, settings):
    def unknown_commune(records):
        records["territories.territory"][0]["communes"] = ["99999"]

    data = _rewrite(_archive(project), _edited_data(unknown_commune))
    projects, files = Project.objects.count(), _media_files(settings)
    with pytest.raises(
        ArchiveError, match="« 99999 », absent de cette instance .*load_territories"
    ):
        import_project(source=io.BytesIO(data), slug="copie")
    assert Project.objects.count() == projects
    assert _media_files(settings) == files


def test_a_file_name_from_the_archive_never_chooses_the_folder(project, settings):
    def climbing_name(records):
        records["documents.generateddocument"][0]["content"]["name"] = "../../../evil.pdf"

    data = _rewrite(_archive(project), _edited_data(climbing_name))
    copy = import_project(source=io.BytesIO(data), slug="copie").project
    document = GeneratedDocument.objects.get(project=copy)
    assert document.content.name == f"documents/{copy.pk}/{document.sha256}.pdf"
    assert {p.name for p in Path(settings.MEDIA_ROOT).parent.glob("*.pdf")} == set()


def test_inconsistent_data_is_refused_in_french(project):
    def broken_date(records):
        records["projects.project"][0]["start_date"] = "le 15 janvier"

    data = _rewrite(_archive(project), _edited_data(broken_date))
    with pytest.raises(ArchiveError, match="Restauration impossible : données incohérentes"):
        import_project(source=io.BytesIO(data), slug="copie")
    assert not Project.objects.filter(slug="copie").exists()


def test_a_stored_file_missing_from_the_storage_stops_the_export(project, tmp_path):
    document = GeneratedDocument.objects.get(project=project)
    document.content.storage.delete(document.content.name)
    with pytest.raises(CommandError, match="fichier stocké .* est introuvable"):
        call_command("export_project", "finistere", str(tmp_path / "x.zip"))
    assert list(tmp_path.glob("x.zip*")) == []

"""Record-by-record comparison of a project before export and after restoration.

What legitimately differs, and only that (anything else is a difference):
- every primary key (the target gives its own), hence every foreign key, compared through the
  export's refs and the import's new ids;
- `projects.Project.slug` when restored under a new one;
- stored file names (`documents/<project id>/…`, a suffix when the name is taken): the bytes
  are compared instead;
- a consultation's answer-link token when the project is restored as a copy beside its original
  (`Consultation.rekey_for_project`: the original keeps its link);
- journal entries (`audit.AuditEntry`): `object_pk` / `object_id` and the ids inside `changes`,
  compared through the same translation; plus the one entry the restoration adds (kind
  « import »).
Automatic timestamps (created_at, updated_at, generated_at…) are NOT exceptions: they are kept.
"""

from django.db import models

from ptsm.archives.scope import GENERIC_REFERENCES, SHARED_KEYS, exported_models, project_records

NEW_ON_IMPORT = {"audit.auditentry": 1}


def _file_bytes(field_file) -> bytes | None:
    if not field_file:
        return None
    with field_file.storage.open(field_file.name, "rb") as handle:
        return handle.read()


def snapshot(project) -> dict:
    """Every record of the project: its columns (files as bytes) and many-to-many links."""
    result = {}
    for scoped in exported_models():
        rows = {}
        for obj in project_records(scoped, project):
            values = {}
            for f in scoped.model._meta.concrete_fields:
                if f.primary_key:
                    continue
                if isinstance(f, models.FileField):
                    values[f.name] = _file_bytes(getattr(obj, f.name))
                else:
                    values[f.name] = getattr(obj, f.attname)
            for m2m in scoped.model._meta.many_to_many:
                values[m2m.name] = set(getattr(obj, m2m.name).values_list("pk", flat=True))
            rows[obj.pk] = values
        result[scoped.label] = rows
    return result


def differences(before: dict, after: dict, *, refs: dict, ids: dict, new_slug=None) -> list[str]:
    """`refs`: (label, source pk) -> ref (export); `ids`: (label, ref) -> target pk (import)."""

    def new_pk(label, pk):
        if pk is None:
            return None
        if label in SHARED_KEYS:
            return pk
        return ids.get((label, refs.get((label, pk))), ("absent", label, pk))

    found = []
    for scoped in exported_models():
        label, model = scoped.label, scoped.model
        source, target = before[label], after[label]
        extra = len(target) - len(source) - NEW_ON_IMPORT.get(label, 0)
        if extra:
            found.append(f"{label}: {len(source)} records before, {len(target)} after")
        for pk, values in source.items():
            restored = target.get(new_pk(label, pk))
            if restored is None:
                found.append(f"{label} {pk}: not restored")
                continue
            for f in model._meta.concrete_fields:
                if f.primary_key:
                    continue
                expected = values[f.name]
                if f.is_relation:
                    expected = new_pk(f.related_model._meta.label_lower, expected)
                elif label == "projects.project" and f.name == "slug" and new_slug:
                    expected = new_slug
                if label in GENERIC_REFERENCES:
                    expected = _generic_expected(f.name, values, new_pk)
                # A consultation's own link, unless the original (still here) holds it.
                if (
                    label == "consultations.consultation"
                    and f.name == "token"
                    and restored[f.name]
                    and (
                        restored[f.name] == expected
                        or model.objects.filter(token=expected).exists()
                    )
                ):
                    continue
                if restored[f.name] != expected:
                    found.append(
                        f"{label} {pk}.{f.name}: {expected!r:.80} != {restored[f.name]!r:.80}"
                    )
            for m2m in model._meta.many_to_many:
                target_label = m2m.related_model._meta.label_lower
                expected = {new_pk(target_label, v) for v in values[m2m.name]}
                if restored[m2m.name] != expected:
                    found.append(f"{label} {pk}.{m2m.name}: {expected} != {restored[m2m.name]}")
    return found


def _generic_expected(name: str, values: dict, new_pk):
    """A journal entry's value once its ids are translated to the target's."""
    from django.contrib.contenttypes.models import ContentType

    expected = values[name]
    if name == "project":
        return new_pk("projects.project", expected)
    content_type = ContentType.objects.get_for_id(values["content_type"])
    label = f"{content_type.app_label}.{content_type.model}"
    model = content_type.model_class()
    if name in ("object_pk", "object_id") and values["object_pk"]:
        pk = new_pk(label, model._meta.pk.to_python(values["object_pk"]))
        return str(pk) if name == "object_pk" else pk
    if name == "changes" and isinstance(expected, dict):
        translated = {}
        for field_name, change in expected.items():
            try:
                f = model._meta.get_field(field_name)
            except Exception:
                f = None
            if f is not None and f.concrete and f.is_relation and isinstance(change, list):
                target_label = f.related_model._meta.label_lower
                change = [
                    v
                    if v in (None, "None")
                    else str(new_pk(target_label, f.related_model._meta.pk.to_python(v)))
                    for v in change
                ]
            translated[field_name] = change
        return translated
    if name == "actor":
        return new_pk("accounts.user", expected)
    return expected

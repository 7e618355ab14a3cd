"""What belongs to a project: the models reached by walking the relations from `Project`.

Nothing here lists the domain models one by one: a model added later that hangs on the project
(directly or through its parents) is reached by the walk and exported. Only what is *not* the
project's content is declared: the shared records an archive refers to by a stable key (the
territorial referential, users, the indicator catalogue) and the project-scoped records that are
deliberately left out (with the reason). `tests/archives` fails when a reached model is neither
exported nor declared here.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db import models

PROJECT = "projects.project"

# Shared records: not part of any project, present on every instance. The archive names them by
# a key that does not depend on the database (INSEE codes, SIREN, e-mail, indicator code).
SHARED_KEYS: dict[str, str] = {
    "territories.region": "code",
    "territories.departement": "code",
    "territories.epci": "code",
    "territories.commune": "code",
    "accounts.user": "email",
    "diagnostic.indicator": "code",
    "contenttypes.contenttype": "natural",  # "app_label.model"
}

# Shared models whose records may also belong to one project (the ANAP catalogue's indicators
# and a project's own ones): the records whose field names the project travel with it as its
# content (a reference to them is the archive's own number), the others by their shared key (a
# string). A restored record gets a key of its own (`rekey_for_project`), never the source's.
OWNED_SHARED: dict[str, str] = {"diagnostic.indicator": "project"}

# Project-scoped records deliberately left out of an archive.
SKIPPED: dict[str, str] = {
    "jobs.job": "travaux en arrière-plan : propres à l'instance qui les a exécutés",
    "organisations.pendingimport": "imports en attente : temporaires (purgés après 7 jours)",
    "organisations.pendingfinessimport": (
        "imports FINESS en attente : temporaires (purgés après 7 jours)"
    ),
    "diagnostic.pendingindicatorimport": "fichiers d'indicateurs en attente : temporaires",
}

# A reference to "any record" (django-auditlog's entries: content type + primary key, no
# GenericForeignKey declared): (content type field, primary key fields as text and as integer).
GENERIC_REFERENCES: dict[str, tuple[str, str, str]] = {
    "audit.auditentry": ("content_type", "object_pk", "object_id"),
}


@dataclass(frozen=True)
class ScopedModel:
    model: type[models.Model]
    lookup: (
        str  # ORM path from the model to its project, e.g. "objective__theme__orientation__project"
    )

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


def _relations_to_walk(model: type[models.Model], *, nullable: bool):
    """(related model, lookup from the related model back to `model`) for every record that
    hangs on `model`: reverse foreign keys (hidden ones included, such as the journal's; the
    nullable ones only when `nullable`) and the one-to-one fields a project owns (its territory)."""
    for field in model._meta.get_fields(include_hidden=True):
        if not field.is_relation or field.many_to_many:
            continue
        if field.auto_created and not field.concrete:  # reverse side of a FK / one-to-one
            if field.related_model._meta.auto_created:
                continue  # M2M through tables travel with their owner's field
            if field.field.null and not nullable:
                continue
            yield field.related_model, field.field.name
        elif field.concrete and field.one_to_one:
            target = field.related_model
            if target._meta.label_lower not in SHARED_KEYS and target._meta.label_lower != PROJECT:
                # An owned one-to-one (Project.territory): the lookup goes the other way.
                yield target, field.remote_field.get_accessor_name() or field.related_query_name()


def reachable_models() -> list[ScopedModel]:
    """Every model reached from Project, breadth first, with its shortest path to the project.
    A record belongs to the parent it cannot exist without: paths through required foreign keys
    are preferred; a model hanging only by nullable keys (the journal) is reached next."""
    project = apps.get_model(PROJECT)
    found: dict[type, str] = {project: ""}
    for nullable in (False, True):
        queue = list(found)
        while queue:
            current = queue.pop(0)
            for related, back in _relations_to_walk(current, nullable=nullable):
                if related in found or related._meta.label_lower in SHARED_KEYS:
                    continue
                base = found[current]
                found[related] = f"{back}__{base}" if base else back
                queue.append(related)
    for label, field in OWNED_SHARED.items():
        found[apps.get_model(label)] = field
    return [
        ScopedModel(model, lookup.removesuffix("__") if lookup else "pk")
        for model, lookup in found.items()
    ]


def is_archive_ref(target_label: str, value) -> bool:
    """Whether a reference read from an archive names one of its own records (a number) rather
    than a shared record by its key."""
    return target_label not in SHARED_KEYS or (
        target_label in OWNED_SHARED and isinstance(value, int) and not isinstance(value, bool)
    )


def exported_models() -> list[ScopedModel]:
    """The models an archive carries, parents before children (see `creation_order`); those
    that may refer to any record (the journal) last, once every record has its new id."""
    scoped = creation_order([s for s in reachable_models() if s.label not in SKIPPED])
    return sorted(scoped, key=lambda s: s.label in GENERIC_REFERENCES)


def creation_order(scoped: list[ScopedModel]) -> list[ScopedModel]:
    """Order models so that a record's parents are created before it. A cycle can only go
    through a nullable foreign key, whose value is then set once its target exists."""
    labels = {s.label: s for s in scoped}
    deps = {
        s.label: {
            f.related_model._meta.label_lower: f.null
            for f in s.model._meta.concrete_fields
            if f.is_relation
            and f.related_model._meta.label_lower in labels
            and f.related_model._meta.label_lower != s.label
        }
        for s in scoped
    }
    ordered: list[str] = []
    remaining = [s.label for s in scoped]
    while remaining:
        ready = [m for m in remaining if all(d in ordered for d in deps[m])]
        if not ready:
            # Break a cycle: a model whose missing parents are all reached by nullable keys.
            ready = [
                m
                for m in remaining
                if all(d in ordered or nullable for d, nullable in deps[m].items())
            ][:1]
            if not ready:
                raise RuntimeError(f"Cycle of non-null foreign keys among {remaining}")
        for m in ready:
            ordered.append(m)
            remaining.remove(m)
    return [labels[m] for m in ordered]


def project_records(scoped: ScopedModel, project) -> models.QuerySet:
    lookup = "pk" if scoped.lookup == "pk" else scoped.lookup
    return scoped.model._base_manager.filter(**{lookup: project.pk}).order_by("pk")

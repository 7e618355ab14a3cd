"""Writes of the roadmap app: structure (create, reorder, renumber, archive), fiches-actions with
their milestones, funding lines and indicators, and the COPIL validation."""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ptsm.core.anap import EntryDoor
from ptsm.diagnostic.models import Priority
from ptsm.governance.validation import record_validation
from ptsm.projects.services import record_method_event

from .events import ROADMAP_VALIDATED
from .models import (
    Action,
    Condition,
    Objective,
    Orientation,
    RoadmapLevels,
    RoadmapVersion,
    Theme,
)

PARENT = {Orientation: "project", Theme: "orientation", Objective: "theme", Action: "objective"}


def touch_orientations(ids) -> None:
    """An orientation is read with its tree (themes, objectives, fiches-actions' codes and
    titles): a change in the tree is a change of the orientation (its `updated_at`, the API's
    `?modifie_depuis=`)."""
    ids = set(ids)
    if ids:
        Orientation.objects.filter(pk__in=ids).update(updated_at=timezone.now())


def orientation_id(item) -> int:
    if isinstance(item, Orientation):
        return item.pk
    if isinstance(item, Theme):
        return item.orientation_id
    if isinstance(item, Objective):
        return item.theme.orientation_id
    return item.objective.theme.orientation_id


def _siblings(item):
    field = PARENT[type(item)]
    return type(item).objects.filter(**{field: getattr(item, field)})


@transaction.atomic
def renumber(*, project) -> None:
    """Number every level 1, 2, 3… in display order; archived items get no number."""

    def number(items):
        changed = []
        position = 0
        for item in items:
            new = 0 if item.archived else (position := position + 1)
            if item.number != new:
                item.number = new
                changed.append(item)
        return changed

    orientations = list(
        Orientation.objects.filter(project=project).order_by("archived", "position", "pk")
    )
    themes = list(
        Theme.objects.filter(orientation__project=project).order_by(
            "orientation", "archived", "position", "pk"
        )
    )
    objectives = list(
        Objective.objects.filter(theme__orientation__project=project).order_by(
            "theme", "archived", "position", "pk"
        )
    )
    actions = list(
        Action.objects.filter(objective__theme__orientation__project=project).order_by(
            "objective", "archived", "position", "pk"
        )
    )
    changed = {Orientation: number(orientations)}
    for model, items, parent in (
        (Theme, themes, "orientation_id"),
        (Objective, objectives, "theme_id"),
        (Action, actions, "objective_id"),
    ):
        groups: dict[int, list] = {}
        for item in items:
            groups.setdefault(getattr(item, parent), []).append(item)
        changed[model] = [c for group in groups.values() for c in number(group)]
    for model, items in changed.items():
        if items:
            model.objects.bulk_update(items, ["number"])
    # The orientations whose codes changed somewhere in their tree.
    theme_orientation = {t.pk: t.orientation_id for t in themes}
    objective_orientation = {o.pk: theme_orientation[o.theme_id] for o in objectives}
    touch_orientations(
        [o.pk for o in changed[Orientation]]
        + [t.orientation_id for t in changed[Theme]]
        + [objective_orientation[o.pk] for o in changed[Objective]]
        + [objective_orientation[a.objective_id] for a in changed[Action]]
    )


def project_of(item):
    if isinstance(item, Orientation):
        return item.project
    if isinstance(item, Theme):
        return item.orientation.project
    if isinstance(item, Objective):
        return item.theme.orientation.project
    return item.objective.theme.orientation.project


@transaction.atomic
def save_item(*, item):
    """Create or update an orientation, theme or objective (new items go last)."""
    if item.pk is None:
        item.position = (_siblings(item).aggregate(m=Max("position"))["m"] or 0) + 1
    item.full_clean()
    item.save()
    renumber(project=project_of(item))
    touch_orientations([orientation_id(item)])
    return item


@transaction.atomic
def save_levels(
    *, project, uses_themes: bool, attach_to_orientations: bool = False, **names: str
) -> RoadmapLevels:
    """Name the roadmap's levels for this project and choose whether it uses themes. Themes
    can be left out only while the roadmap has none (its objectives then hang on the
    orientations, through one implicit theme each), or when asked to attach the themes'
    objectives to their orientations (`attach_to_orientations`)."""
    levels = RoadmapLevels.objects.filter(project=project).first() or RoadmapLevels(project=project)
    carrying = Theme.objects.filter(
        orientation__project=project, implicit=False, archived=False
    ).exclude(objectives=None)
    if not uses_themes and carrying.exists():
        if not attach_to_orientations:
            raise ValidationError(
                {
                    "uses_themes": "La feuille de route a des thématiques avec des objectifs : "
                    "cochez « Rattacher les objectifs directement à leur orientation » (les "
                    "thématiques sont alors archivées), ou archivez ces thématiques avant de "
                    "retirer ce niveau."
                }
            )
        _attach_objectives_to_orientations(project)
    for field, value in names.items():
        setattr(levels, field, " ".join((value or "").split()))
    levels.uses_themes = uses_themes
    levels.full_clean()
    levels.save()
    return levels


def _attach_objectives_to_orientations(project) -> int:
    """Each orientation's objectives, in the order of their themes, move under the orientation
    itself (its implicit theme); the emptied themes are archived, so nothing is lost."""
    moved = 0
    themes = Theme.objects.filter(
        orientation__project=project, implicit=False, archived=False
    ).order_by("orientation__position", "position", "pk")
    by_orientation: dict[int, list[Theme]] = {}
    for theme in themes:
        by_orientation.setdefault(theme.orientation_id, []).append(theme)
    for orientation in Orientation.objects.filter(pk__in=by_orientation):
        target = implicit_theme(orientation=orientation)
        position = target.objectives.count()
        for theme in by_orientation[orientation.pk]:
            for objective in theme.objectives.order_by("archived", "position", "pk"):
                position += 1
                objective.theme = target
                objective.position = position
                objective.save(update_fields=["theme", "position"])
                moved += 1
            theme.archived = True
            theme.save(update_fields=["archived"])
    renumber(project=project)
    return moved


@transaction.atomic
def implicit_theme(*, orientation: Orientation) -> Theme:
    """The theme that carries an orientation's objectives when the project uses no themes."""
    theme = orientation.themes.filter(implicit=True).first()
    if theme is None:
        theme = save_item(
            item=Theme(orientation=orientation, title=orientation.title, implicit=True)
        )
    return theme


@transaction.atomic
def move(*, item, direction: int) -> None:
    siblings = list(_siblings(item).filter(archived=False).order_by("position", "pk"))
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    other = index + direction
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        sibling.position = position
    type(item).objects.bulk_update(siblings, ["position"])
    renumber(project=project_of(item))
    touch_orientations([orientation_id(item)])


@transaction.atomic
def set_archived(*, item, archived: bool) -> None:
    item.archived = archived
    item.save(update_fields=["archived"])
    renumber(project=project_of(item))
    touch_orientations([orientation_id(item)])


def _check_action(action: Action, project, organisations, contacts) -> None:
    errors = {}
    unknown_doors = [d for d in action.entry_doors if d not in EntryDoor.values]
    if unknown_doors:
        errors["entry_doors"] = "Porte d'entrée inconnue."
    if any(p not in Priority.values for p in action.decree_priorities):
        errors["decree_priorities"] = "Priorité du décret inconnue."
    if any(c not in Condition.values for c in action.conditions):
        errors["conditions"] = "Condition de mise en œuvre inconnue."
    for organisation in organisations:
        if organisation is not None and organisation.project_id != project.pk:
            errors["operators"] = "Les organisations doivent figurer dans l'annuaire du projet."
    for contact in contacts:
        if contact is not None and contact.project_id != project.pk:
            errors["pilot_contact"] = "Le pilote doit figurer dans l'annuaire du projet."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_action(*, action: Action, operators=None, partners=None, findings=None) -> Action:
    project = action.objective.theme.orientation.project
    _check_action(
        action,
        project,
        [action.pilot_organisation, *(operators or []), *(partners or [])],
        [action.pilot_contact],
    )
    if findings and any(f.project_id != project.pk for f in findings):
        raise ValidationError({"findings": "Ce constat n'appartient pas au diagnostic du projet."})
    created = action.pk is None
    if created:
        action.position = (
            Action.objects.filter(objective=action.objective).aggregate(m=Max("position"))["m"] or 0
        ) + 1
    action.full_clean()
    action.save()
    if operators is not None:
        action.operators.set(operators)
    if partners is not None:
        action.partners.set(partners)
    if findings is not None:
        action.findings.set(findings)
    if created:
        renumber(project=project)
        action.refresh_from_db(fields=["number", "version"])  # its code, as numbered now
    touch_orientations([action.objective.theme.orientation_id])
    return action


@transaction.atomic
def validate_roadmap(
    *, project, meeting, decision: str, validated_on, user, lines: list[str]
) -> RoadmapVersion:
    """Record the COPIL's validation and freeze the roadmap's documents as validated."""
    from ptsm.documents.services import freeze_documents

    from .documents import FROZEN_BY_VALIDATION, roadmap_freeze

    version = record_validation(
        model=RoadmapVersion,
        project=project,
        meeting=meeting,
        decision=decision,
        validated_on=validated_on,
        user=user,
        digest=hashlib.sha256(json.dumps(lines, ensure_ascii=False).encode("utf-8")).hexdigest(),
        unchanged_message="La feuille de route n'a pas changé depuis la dernière validation.",
        lines=lines,
    )
    freeze_documents(
        project=project,
        kind_slugs=FROZEN_BY_VALIDATION,
        freeze=roadmap_freeze(project),
        user=user,
        today=validated_on,
    )
    record_method_event(
        project=project, key=ROADMAP_VALIDATED.key, happened_on=validated_on, user=user
    )
    return version

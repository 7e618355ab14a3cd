import difflib

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST, require_safe

from ptsm.accounts.permissions import Capability, role_allows
from ptsm.commitments.selectors import commitment_statuses, engagement_period
from ptsm.core.concurrency import (
    AlreadyDone,
    EditConflict,
    formset_fingerprint,
    formset_fingerprints,
    parse_bases,
)
from ptsm.core.formatting import french_date
from ptsm.core.forms import EMPTY_CHOICE
from ptsm.core.tables import Column, SortableTable
from ptsm.core.views import form_view
from ptsm.organisations.models import Organisation
from ptsm.organisations.widgets import search_organisations
from ptsm.projects.access import project_view
from ptsm.projects.freshness import cached_page

from . import selectors, services
from .forms import (
    ACTION_SECTIONS,
    SECTIONS_BY_KEY,
    ActionFilterForm,
    ActionForm,
    FundingFormSet,
    IndicatorFormSet,
    LevelsForm,
    MilestoneFormSet,
    ObjectiveForm,
    OrientationForm,
    ThemeForm,
    ValidationForm,
    pilot_contacts,
)
from .gantt import gantt_svg, rows_from_timeline
from .levels import levels_of, project_levels
from .models import Action, Objective, Orientation, RoadmapLevels, Theme

LEVELS = {"orientation": Orientation, "thematique": Theme, "objectif": Objective, "action": Action}
FORMS = {Orientation: OrientationForm, Theme: ThemeForm, Objective: ObjectiveForm}
LABELS = {
    Orientation: "orientation stratégique",
    Theme: "thématique",
    Objective: "objectif stratégique",
    Action: "fiche-action",
}


def _can_manage(request) -> bool:
    return role_allows(request.project_role, Capability.EDIT_ROADMAP)


def can_edit_action(request, action: Action) -> bool:
    return selectors.may_edit_action(request.project_role, request.user, action)


def _item(project, level: str, pk: int):
    model = LEVELS.get(level)
    if model is None:
        raise Http404("Élément inconnu.")
    lookup = {
        Orientation: "project",
        Theme: "orientation__project",
        Objective: "theme__orientation__project",
        Action: "objective__theme__orientation__project",
    }[model]
    return get_object_or_404(model, pk=pk, **{lookup: project})


@project_view(Capability.VIEW_PROJECT)
@cached_page
@require_safe
def roadmap(request, project):
    levels_row = RoadmapLevels.objects.filter(project=project).first()
    levels = levels_of(levels_row)
    can_manage = _can_manage(request)
    return render(
        request,
        "roadmap/tree.html",
        {
            "page_title": "Feuille de route",
            "levels": levels,
            # Once the commitments run, a fiche-action added binds its operators by amendment.
            "engaged_since": french_date(engagement_period(project).start),
            "add_orientation": levels.add_label("orientation"),
            "add_under_orientation": levels.add_label(levels.child_of_orientation),
            "add_objective": levels.add_label("objective"),
            "levels_form": LevelsForm(instance=levels_row or RoadmapLevels(project=project))
            if can_manage
            else None,
            "orientations": selectors.roadmap_tree(project),
            "versions": selectors.roadmap_versions(project),
            "validation_form": ValidationForm(
                project=project, initial={"validated_on": timezone.localdate()}
            ),
            "can_manage": can_manage,
        },
    )


@project_view(Capability.EDIT_ROADMAP)
@require_POST
def levels(request, project):
    """The names of the roadmap's levels and whether it uses themes."""
    form = LevelsForm(
        request.POST,
        instance=RoadmapLevels.objects.filter(project=project).first()
        or RoadmapLevels(project=project),
    )
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.save_levels(project=project, uses_themes=data.pop("uses_themes"), **data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Les niveaux de la feuille de route ont été enregistrés.")
    else:
        messages.error(
            request,
            "Niveaux non enregistrés : "
            + " ".join(str(e) for errors in form.errors.values() for e in errors),
        )
    return redirect("roadmap:tree", slug=project.slug)


LEVEL_OF = {Orientation: "orientation", Theme: "theme", Objective: "objective"}


def _saved_message(project, model) -> str:
    levels = project_levels(project)
    if model is Action or levels.is_default(LEVEL_OF[model]):
        return f"{LABELS[model].capitalize()} enregistrée."
    return f"{levels.name(LEVEL_OF[model])} : enregistrement effectué."


def _structure_form(request, project, item, title: str, save=None):
    form = FORMS[type(item)](request.POST or None, instance=item)
    return form_view(
        request,
        form=form,
        save=save or (lambda f: services.save_item(item=f.save(commit=False))),
        success_message=_saved_message(project, type(item)),
        success_url=lambda: (
            reverse("roadmap:tree", args=[project.slug])
            + f"#{type(item).__name__.lower()}-{form.instance.pk}"
        ),
        context={"page_title": title},
    )


@project_view(Capability.EDIT_ROADMAP)
def orientation_create(request, project):
    levels = project_levels(project)
    return _structure_form(
        request,
        project,
        Orientation(project=project),
        "Nouvelle orientation stratégique"
        if levels.is_default("orientation")
        else levels.add_label("orientation"),
    )


@project_view(Capability.EDIT_ROADMAP)
def child_create(request, project, level, pk):
    parent = _item(project, level, pk)
    levels = project_levels(project)
    if isinstance(parent, Orientation) and not levels.uses_themes:
        # No theme level: the objective hangs on the orientation (its implicit theme).
        def save(form):
            objective = form.save(commit=False)
            objective.theme = services.implicit_theme(orientation=parent)
            return services.save_item(item=objective)

        return _structure_form(
            request,
            project,
            Objective(),
            f"{levels.add_label('objective')} — {parent}",
            save=save,
        )
    if isinstance(parent, Orientation):
        return _structure_form(
            request,
            project,
            Theme(orientation=parent),
            f"Nouvelle thématique — {parent}"
            if levels.is_default("theme")
            else f"{levels.add_label('theme')} — {parent}",
        )
    if isinstance(parent, Theme):
        return _structure_form(
            request,
            project,
            Objective(theme=parent),
            f"Nouvel objectif — {parent}"
            if levels.is_default("objective")
            else f"{levels.add_label('objective')} — {parent}",
        )
    raise Http404("Niveau inconnu.")


@project_view(Capability.EDIT_ROADMAP)
def item_edit(request, project, level, pk):
    item = _item(project, level, pk)
    if isinstance(item, Action):
        return redirect("roadmap:action_edit", slug=project.slug, pk=item.pk)
    return _structure_form(request, project, item, f"Modifier — {item}")


@project_view(Capability.EDIT_ROADMAP)
@require_POST
def item_move(request, project, level, pk):
    item = _item(project, level, pk)
    services.move(item=item, direction=-1 if request.POST.get("direction") == "up" else 1)
    return redirect(
        reverse("roadmap:tree", args=[project.slug]) + f"#{type(item).__name__.lower()}-{item.pk}"
    )


@project_view(Capability.EDIT_ROADMAP)
@require_POST
def item_archive(request, project, level, pk):
    item = _item(project, level, pk)
    archived = request.POST.get("archived", "1") == "1"
    services.set_archived(item=item, archived=archived)
    messages.success(
        request,
        f"« {item.title} » {'archivé(e)' if archived else 'restauré(e)'} ; numérotation mise à jour.",
    )
    return redirect("roadmap:tree", slug=project.slug)


FORMSETS = [
    ("Jalons", MilestoneFormSet, "jalons"),
    ("Financements", FundingFormSet, "financements"),
    ("Indicateurs d'évaluation", IndicatorFormSet, "indicateurs"),
]
FORMSET_BY_PREFIX = {prefix: (label, cls) for label, cls, prefix in FORMSETS}


def _action_formsets(data, action: Action, project, section=None) -> list:
    formsets = [
        (label, cls(data, instance=action, prefix=prefix))
        for label, cls, prefix in FORMSETS
        if section is None or prefix in section.formsets
    ]
    for _label, formset in formsets:
        if section is not None:
            # A section page adds rows on demand (« Ajouter une ligne »), not one per save.
            formset.extra = 0
        for subform in formset.forms:
            _limit_operators(subform, project)
    return formsets


def _limit_operators(subform, project) -> None:
    if "DELETE" in subform.fields:
        subform.fields["DELETE"].label = "Retirer cette ligne (à l'enregistrement)"
    if "operator" in subform.fields:
        search_organisations(subform.fields["operator"], project)


def _rebased_formsets(formsets, action: Action, project, loaded: dict, section=None) -> list:
    """After a conflict, the lines (jalons, financements, indicateurs) the user did not touch are
    shown as saved now, so that saving again keeps the other person's changes to them; lines the
    user changed keep the user's input."""
    action.refresh_from_db()
    saved = dict(_action_formsets(None, action, project, section))
    return [
        (
            label,
            saved[label]
            if loaded.get(f"lignes-{formset.prefix}") == formset_fingerprint(formset)
            else formset,
        )
        for label, formset in formsets
    ]


def _changed_by_others(form, action: Action, project, section) -> bool:
    """Whether someone saved, since this form was loaded, a field or a line of the same section
    (a save of another section bumps the version without touching this one)."""
    loaded = parse_bases(form.data.get(form.add_prefix("loaded_values"), ""))
    now = parse_bases(form._fingerprints(action))
    now.update(parse_bases(formset_fingerprints(_action_formsets(None, action, project, section))))
    return any(loaded.get(key) != digest for key, digest in now.items())


def _with_added_row(data, prefix: str):
    """The no-JavaScript « Ajouter une ligne »: the same input, with one more empty row."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    data[key] = str(int(data.get(key) or 0) + 1)
    return data


def _action_page(request, project, action: Action, title: str, section=None):
    can_manage = _can_manage(request)
    creating = action.pk is None
    data = request.POST if request.method == "POST" else None
    adding = data is not None and data.get("ajouter_ligne") in FORMSET_BY_PREFIX
    if adding:
        data = _with_added_row(data, data["ajouter_ligne"])
    form = ActionForm(
        data, instance=action, project=project, can_manage=can_manage, section=section
    )
    formsets = _action_formsets(data, action, project, section)
    current_version, others = action.version, False
    if data is None:  # what this form loaded, to tell later who changed which lines
        form.fields["loaded_values"].initial += "," + formset_fingerprints(formsets)
    elif action.pk and not adding:
        others = _changed_by_others(form, action, project, section)
    if (
        data is not None
        and not adding
        and form.is_valid()
        and all(fs.is_valid() for _l, fs in formsets)
    ):
        if action.pk and not others:
            # Nothing of this section changed meanwhile: a save of another section (which bumped
            # the version) must not stop this one. The row lock still catches a concurrent save.
            form.instance.expect_version(current_version)
        try:
            with transaction.atomic():
                saved = services.save_action(
                    action=form.save(commit=False),
                    operators=form.cleaned_data.get("operators"),
                    partners=form.cleaned_data.get("partners"),
                    findings=form.cleaned_data.get("findings"),
                )
                for _label, formset in formsets:
                    formset.instance = saved
                    for subform in formset.forms:
                        if subform.has_changed() and not subform.cleaned_data.get("DELETE"):
                            subform.instance.full_clean(exclude=["action"])
                    formset.save()
        except EditConflict as conflict:
            loaded = parse_bases(form.data.get(form.add_prefix("loaded_values"), ""))
            form.show_conflict(conflict)
            formsets = _rebased_formsets(formsets, action, project, loaded, section)
            rebased = form.data.copy()  # the next save compares with the lines saved now
            saved_lines = formset_fingerprints(_action_formsets(None, action, project, section))
            rebased[form.add_prefix("loaded_values")] += "," + saved_lines
            form.data = rebased
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if creating and section is not None:  # created from its description: go on
                following = ACTION_SECTIONS[1]
                messages.success(
                    request,
                    f"Fiche-action {saved.code} créée. Complétez maintenant sa section "
                    f"« {following.title} », puis son calendrier, son financement et ses "
                    "indicateurs.",
                )
                return redirect(
                    "roadmap:action_section", slug=project.slug, pk=saved.pk, section=following.key
                )
            if section is not None:
                messages.success(
                    request, f"Fiche-action {saved.code} : section « {section.title} » enregistrée."
                )
                return redirect(
                    "roadmap:action_section", slug=project.slug, pk=saved.pk, section=section.key
                )
            messages.success(request, f"Fiche-action {saved.code} enregistrée.")
            return redirect("roadmap:action", slug=project.slug, pk=saved.pk)
    return render(
        request,
        "roadmap/action_form.html",
        {
            "page_title": title,
            "form": form,
            "formsets": formsets,
            "action": action,
            "section": section,
            "sections": ACTION_SECTIONS if action.pk else [],
        },
    )


@project_view(Capability.EDIT_ROADMAP)
def action_create(request, project, pk):
    """A new fiche-action starts with its description (a short page); the next sections open
    once it is saved. `?fiche=complete` gives the whole sheet on one page."""
    objective = _item(project, "objectif", pk)
    whole = request.GET.get("fiche") == "complete"
    return _action_page(
        request,
        project,
        Action(objective=objective),
        f"Nouvelle fiche-action — {objective}",
        None if whole else SECTIONS_BY_KEY["description"],
    )


@project_view(Capability.EDIT_ACTIONS)
def action_edit(request, project, pk):
    action = get_object_or_404(selectors.project_actions(project, include_archived=True), pk=pk)
    if not can_edit_action(request, action):
        raise PermissionDenied(
            "Seul le pilote de cette fiche-action ou le chef de projet peut la modifier."
        )
    return _action_page(request, project, action, f"Fiche-action {action.code}")


action_edit.object_level_check = True


def _editable_action(request, project, pk) -> Action:
    action = get_object_or_404(selectors.project_actions(project, include_archived=True), pk=pk)
    if not can_edit_action(request, action):
        raise PermissionDenied(
            "Seul le pilote de cette fiche-action ou le chef de projet peut la modifier."
        )
    return action


@project_view(Capability.EDIT_ACTIONS)
def action_section(request, project, pk, section):
    """One section of the fiche-action, with its own « Enregistrer »."""
    if section not in SECTIONS_BY_KEY:
        raise Http404("Section inconnue.")
    action = _editable_action(request, project, pk)
    current = SECTIONS_BY_KEY[section]
    return _action_page(
        request, project, action, f"Fiche-action {action.code} — {current.title}", current
    )


action_section.object_level_check = True


@project_view(Capability.EDIT_ACTIONS)
@require_safe
def action_row(request, project, pk, prefix):
    """An empty row of a fiche-action's formset, added in place by « Ajouter une ligne » (htmx):
    its index is the formset's TOTAL_FORMS, which the answer increments out of band. With
    `retirer=<index>`, the new row the user removes is replaced by its deletion mark."""
    if prefix not in FORMSET_BY_PREFIX:
        raise Http404("Liste inconnue.")
    action = _editable_action(request, project, pk)
    removed = "retirer" in request.GET
    try:
        index = int(request.GET.get("retirer" if removed else f"{prefix}-TOTAL_FORMS") or 0)
    except ValueError:
        return HttpResponseBadRequest("Numéro de ligne invalide.")
    if not 0 <= index < 1000:
        return HttpResponseBadRequest("Numéro de ligne invalide.")
    if removed:
        # The row gives way to its DELETE mark: the formset then ignores it (an empty row that
        # merely vanished would still count, its defaults differing from nothing).
        return HttpResponse(
            format_html('<input type="hidden" name="{}-{}-DELETE" value="on">', prefix, index)
        )
    label, cls = FORMSET_BY_PREFIX[prefix]
    formset = cls(instance=action, prefix=prefix)
    subform = formset.form(
        prefix=formset.add_prefix(index), empty_permitted=True, use_required_attribute=False
    )
    formset.add_fields(subform, None)
    _limit_operators(subform, project)
    return render(
        request,
        "roadmap/_action_row.html",
        {
            "label": label,
            "subform": subform,
            "prefix": prefix,
            "total": index + 1,
            "action": action,
        },
    )


action_row.object_level_check = True


@project_view(Capability.EDIT_ACTIONS)
@require_safe
def pilot_contact_options(request, project):
    """The options of a fiche-action's « Contact pilote » for the pilot organisation chosen
    (swapped into the select by htmx when the organisation changes)."""
    contacts = pilot_contacts(project, request.GET.get("pilot_organisation"))
    options = [format_html('<option value="">{}</option>', EMPTY_CHOICE)]
    options += [format_html('<option value="{}">{}</option>', c.pk, str(c)) for c in contacts]
    return HttpResponse("".join(options))


@project_view(Capability.VIEW_PROJECT)
@require_safe
def action_detail(request, project, pk):
    action = get_object_or_404(selectors.project_actions(project, include_archived=True), pk=pk)
    return render(
        request,
        "roadmap/action_detail.html",
        {
            "page_title": f"Fiche-action {action.code}",
            "action": action,
            "can_edit": can_edit_action(request, action),
            "period": selectors.period(action),
            "findings": action.findings.all(),
        },
    )


@project_view(Capability.VIEW_PROJECT)
@require_safe
def action_table(request, project):
    form = ActionFilterForm(request.GET or None, project=project)
    filters = selectors.ActionFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.ActionFilters(
            entry_door=data["entry_door"],
            pilot=data["pilot"].pk if data["pilot"] else None,
            operator=data["operator"].pk if data["operator"] else None,
            status=data["status"],
        )
    table = SortableTable(request.GET, ACTION_SORTS, default="numero")
    actions = selectors.door_filter(
        table.order(selectors.filtered_actions(project, filters)), filters.entry_door
    )
    headers = table.headers
    return render(
        request,
        "roadmap/action_table.html",
        {
            "page_title": "Fiches-actions",
            "form": form,
            "actions": actions,
            "rows": selectors.action_plan_rows(actions, commitment_statuses(project)),
            "columns": selectors.ACTION_PLAN_COLUMNS,
            # Each column's sort link, where the column can be sorted.
            "sort_headers": [
                headers.get(ACTION_SORT_BY_COLUMN.get(label, "")) or {"label": label}
                for label in selectors.ACTION_PLAN_COLUMNS
            ],
        },
    )


# The fiches-actions table's sortable columns (`?tri=`), by the plan's column they sort.
ACTION_SORTS = [
    Column(
        "numero",
        "N°",
        (
            "objective__theme__orientation__position",
            "objective__theme__position",
            "objective__position",
            "position",
        ),
    ),
    Column("titre", "Fiche-action", ("title",)),
    Column("pilote", "Pilote", ("pilot_organisation__name",)),
    Column("debut", "Début", ("start_date",)),
    Column("fin", "Fin", ("end_date",)),
    Column("statut", "Statut", ("status",)),
]
ACTION_SORT_BY_COLUMN = {column.label: column.key for column in ACTION_SORTS}


@project_view(Capability.VIEW_PROJECT)
@require_safe
def gantt(request, project):
    rows, _start, _end = selectors.timeline(selectors.project_actions(project))
    return render(
        request,
        "roadmap/gantt.html",
        {
            "page_title": "Calendrier des actions",
            "svg": gantt_svg(rows_from_timeline(rows), timezone.localdate()),
            "rows": rows,
        },
    )


@project_view(Capability.VIEW_PROJECT)
@require_safe
def synthesis(request, project):
    actions = list(selectors.project_actions(project))
    credits = selectors.credits_table(actions)
    return render(
        request,
        "roadmap/synthesis.html",
        {
            "page_title": "Tableaux de synthèse",
            "columns": selectors.ACTION_PLAN_COLUMNS,
            "rows": selectors.action_plan_rows(actions, commitment_statuses(project)),
            "credits": credits,
            "credit_columns": selectors.CREDITS_COLUMNS,
            "euros": selectors.euros,
        },
    )


@project_view(Capability.VIEW_PROJECT)
@require_safe
def operator(request, project, pk):
    organisation = get_object_or_404(Organisation, project=project, pk=pk)
    actions = selectors.operator_actions(project, organisation)
    lines = [
        line
        for a in actions
        for line in a.funding_lines.all()
        if line.operator_id == organisation.pk
    ]
    return render(
        request,
        "roadmap/operator.html",
        {
            "page_title": f"Actions de {organisation.name}",
            "organisation": organisation,
            "actions": actions,
            "lines": lines,
            "total": sum((line.amount for line in lines), 0),
        },
    )


@project_view(Capability.VIEW_PROJECT)
@require_safe
def version_diff(request, project, number):
    versions = selectors.roadmap_versions(project)
    new = get_object_or_404(versions, number=number)
    old = versions.filter(number__lt=number).first()
    lines = []
    if old:
        for line in difflib.ndiff(old.lines, new.lines):
            if line[:2] in ("- ", "+ ", "  "):
                lines.append(
                    {
                        "kind": {"- ": "removed", "+ ": "added", "  ": "same"}[line[:2]],
                        "text": line[2:],
                    }
                )
    return render(
        request,
        "roadmap/diff.html",
        {
            "page_title": f"Feuille de route : version {number}",
            "new": new,
            "old": old,
            "lines": lines,
        },
    )


@project_view(Capability.EDIT_ROADMAP)
@require_POST
def validate(request, project):
    form = ValidationForm(request.POST, project=project)
    if not form.is_valid():
        messages.error(
            request,
            "Validation incomplète : "
            + " ".join(str(e) for errors in form.errors.values() for e in errors),
        )
        return redirect("roadmap:tree", slug=project.slug)
    try:
        version = services.validate_roadmap(
            project=project,
            user=request.user,
            lines=selectors.roadmap_lines(project),
            **form.cleaned_data,
        )
    except AlreadyDone as done:
        messages.info(request, done.messages[0])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"Feuille de route validée : version {version.number} figée (SHA-256 {version.sha256[:16]}…).",
        )
    return redirect("roadmap:tree", slug=project.slug)

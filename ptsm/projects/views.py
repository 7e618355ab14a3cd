from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ptsm.accounts.models import Role
from ptsm.accounts.permissions import (
    Capability,
    administered_region_ids,
    role_allows,
)
from ptsm.territories.models import Region
from ptsm.territories.selectors import territory_card, territory_communes, territory_map_svg
from ptsm.territories.services import TerritoryDefinitionError

from . import selectors, services, todo
from .access import project_view
from .consistency import duration_warnings
from .events import closing_event
from .forms import (
    MemberForm,
    MemberRoleForm,
    MilestoneForm,
    ProjectCreateForm,
    ProjectForm,
    TerritoryForm,
)
from .freshness import cached_page
from .models import Milestone

COMMUNES_PER_PAGE = 50


def _can(request, capability: Capability) -> bool:
    return role_allows(request.project_role, capability)


def _creatable_regions(user):
    if user.is_superuser:
        return Region.objects.all()
    return Region.objects.filter(code__in=administered_region_ids(user))


@login_required
@require_safe
def project_list(request):
    return render(
        request,
        "projects/project_list.html",
        {
            "page_title": "Mes projets",
            "projects": selectors.visible_projects(request.user),
            "can_create": _creatable_regions(request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def project_create(request):
    regions = _creatable_regions(request.user)
    if not regions.exists():
        raise PermissionDenied("Seul un administrateur ARS peut créer un projet.")
    form = ProjectCreateForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.create_project(
                name=data["name"],
                region=data["region"],
                start_date=data["start_date"],
                planned_duration_months=data["planned_duration_months"],
                kind=data["kind"],
                contract_duration_months=data["contract_duration_months"],
                description=data["description"],
                territory_name=data["territory_name"],
                departements=data["departements"],
                epcis=data["epci_codes"],
                commune_codes=data["commune_codes"],
            )
        except TerritoryDefinitionError as exc:
            form.add_error(exc.field, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            services.set_up_new_project(project=project)
            messages.success(request, f"Le projet « {project.name} » a été créé.")
            return redirect("projects:dashboard", slug=project.slug)
    return render(
        request, "projects/project_create.html", {"form": form, "page_title": "Nouveau projet"}
    )


@project_view(Capability.VIEW_PROJECT)
# An administrateur ARS's « À faire » lists the région's other projects.
@cached_page(unless_roles={Role.ARS_ADMIN})
@require_safe
def dashboard(request, project):
    with todo.read_once():
        return _dashboard(request, project)


def _dashboard(request, project):
    today = timezone.localdate()
    return render(
        request,
        "projects/dashboard.html",
        {
            "page_title": f"Tableau de bord — {project.name}",
            "dashboard": selectors.project_dashboard(project, today=today),
            "map_svg": territory_map_svg(project.territory),
            "todo": todo.todo_sections(
                todo.TodoContext(
                    project=project,
                    user=request.user,
                    role=request.project_role,
                    organisation_id=request.project_organisation_id,
                    today=today,
                )
            ),
            "panels": todo.dashboard_panels(project, today),
            "today": today,
            "can_edit": _can(request, Capability.EDIT_PROJECT),
        },
    )


@project_view(Capability.EDIT_PROJECT)
def project_edit(request, project):
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        durations = form.linked_duration_values()
        for duration in form.linked_durations:
            data.pop(duration.key, None)
        phase, reason = data.pop("phase"), data.pop("phase_reason")
        reschedule = data.pop("reschedule_milestones") and form.dates_changed()
        try:
            moved = services.edit_project(
                project=project,
                user=request.user,
                phase=phase,
                phase_reason=reason,
                reschedule_milestones=reschedule,
                linked_durations=durations,
                **data,
            )
        except ValidationError as exc:  # a letter signed meanwhile: nothing was saved
            project.refresh_from_db()
            form.add_error(None, exc)
            return _edit_page(request, project, form, status=400)
        messages.success(
            request,
            "Le projet a été mis à jour."
            + (
                f" Jalons de la méthode recalés sur les nouvelles dates : {moved}." if moved else ""
            ),
        )
        return redirect("projects:dashboard", slug=project.slug)
    return _edit_page(request, project, form)


def _edit_page(request, project, form, status=200):
    return render(
        request,
        "projects/project_edit.html",
        {
            "form": form,
            "page_title": "Modifier le projet",
            "duration_warnings": duration_warnings(project),
        },
        status=status,
    )


@project_view(Capability.DELETE_PROJECT)
def project_delete(request, project):
    """Confirmation naming what will be lost; the project's name must be typed to confirm."""
    from ptsm.core.guards import deletion_obstacles, deletion_summary

    error = ""
    if request.method == "POST":
        try:
            services.delete_project(project=project, confirmation=request.POST.get("nom", ""))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"Le projet « {project.name} » a été supprimé.")
            return redirect("projects:list")
    return render(
        request,
        "projects/project_delete.html",
        {
            "page_title": f"Supprimer le projet {project.name}",
            "obstacles": deletion_obstacles(project),
            "lost": deletion_summary(project),
            "error": error,
        },
        status=400 if error else 200,
    )


@project_view(Capability.VIEW_PROJECT)
@require_safe
def territory_detail(request, project):
    territory = project.territory
    communes = territory_communes(territory).select_related("epci").order_by("name")
    page = Paginator(communes, COMMUNES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/territory.html",
        {
            "page_title": f"Territoire — {territory.name}",
            "card": territory_card(territory),
            "map_svg": territory_map_svg(territory),
            "page_obj": page,
            "departements": territory.departements.defer("outline"),
            "epcis": territory.epcis.all(),
            "can_edit": _can(request, Capability.EDIT_PROJECT),
        },
    )


@project_view(Capability.EDIT_PROJECT)
def territory_edit(request, project):
    territory = project.territory
    initial = {
        "territory_name": territory.name,
        "departements": territory.departements.defer("outline"),
        "epci_codes": ", ".join(territory.epcis.values_list("code", flat=True)),
        "commune_codes": ", ".join(territory.communes.values_list("code", flat=True)),
    }
    form = TerritoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_territory(
                project=project,
                name=data["territory_name"],
                departements=data["departements"],
                epcis=data["epci_codes"],
                commune_codes=data["commune_codes"],
            )
        except TerritoryDefinitionError as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, "Le périmètre du territoire a été mis à jour.")
            return redirect("projects:territory", slug=project.slug)
    return render(
        request,
        "projects/territory_edit.html",
        {"form": form, "page_title": "Modifier le territoire"},
    )


@project_view(Capability.VIEW_PROJECT)
@require_safe
def territory_map(request, project):
    return HttpResponse(territory_map_svg(project.territory), content_type="image/svg+xml")


@project_view(Capability.VIEW_PROJECT)
@require_safe
def milestone_list(request, project):
    form = MilestoneForm()
    today = timezone.localdate()
    milestones = list(project.milestones.all())
    return render(
        request,
        "projects/milestones.html",
        {
            "page_title": "Jalons",
            "milestones": [(m, m.is_late(today), closing_event(m.key)) for m in milestones],
            "form": form,
            "can_edit": _can(request, Capability.EDIT_PROJECT),
        },
    )


def _save_milestone_form(request, project, milestone: Milestone, template: str):
    form = MilestoneForm(request.POST or None, instance=milestone)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_milestone(milestone=form.save(commit=False))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Le jalon a été enregistré.")
            return redirect("projects:milestones", slug=project.slug)
    return render(request, template, {"form": form, "milestone": milestone, "page_title": "Jalon"})


@project_view(Capability.EDIT_PROJECT)
def milestone_create(request, project):
    return _save_milestone_form(
        request, project, Milestone(project=project), "projects/milestone_form.html"
    )


@project_view(Capability.EDIT_PROJECT)
def milestone_edit(request, project, pk):
    milestone = get_object_or_404(Milestone, pk=pk, project=project)
    return _save_milestone_form(request, project, milestone, "projects/milestone_form.html")


@project_view(Capability.EDIT_PROJECT)
@require_POST
def milestone_delete(request, project, pk):
    milestone = get_object_or_404(Milestone, pk=pk, project=project)
    services.delete_milestone(milestone=milestone)
    messages.success(request, f"Le jalon « {milestone.title} » a été supprimé.")
    return redirect("projects:milestones", slug=project.slug)


@project_view(Capability.VIEW_PROJECT)
def member_list(request, project):
    can_manage = _can(request, Capability.MANAGE_MEMBERS)
    form = MemberForm(request.POST or None, project=project) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("Votre rôle ne permet pas de gérer les membres.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                membership = services.add_member(
                    project=project,
                    email=data["email"],
                    role=Role(data["role"]),
                    organisation=data["organisation"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    base_url=request.build_absolute_uri("/").rstrip("/"),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, f"{membership.user} a été ajouté(e) et a reçu une invitation."
                )
                return redirect("projects:members", slug=project.slug)
    return render(
        request,
        "projects/members.html",
        {
            "page_title": "Membres du projet",
            "memberships": selectors.project_members(project),
            "form": form,
            "role_form": MemberRoleForm(project=project) if can_manage else None,
            "can_manage": can_manage,
        },
    )


@project_view(Capability.MANAGE_MEMBERS)
@require_POST
def member_role(request, project, pk):
    membership = get_object_or_404(project.memberships.select_related("user"), pk=pk)
    form = MemberRoleForm(request.POST, project=project)
    if not form.is_valid():
        messages.error(request, "Rôle ou organisation inconnus.")
        return redirect("projects:members", slug=project.slug)
    try:
        services.change_member_role(
            membership=membership,
            role=Role(form.cleaned_data["role"]),
            organisation=form.cleaned_data["organisation"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Le rôle de {membership.user} a été modifié.")
    return redirect("projects:members", slug=project.slug)


@project_view(Capability.MANAGE_MEMBERS)
@require_POST
def member_remove(request, project, pk):
    membership = get_object_or_404(project.memberships.select_related("user"), pk=pk)
    try:
        services.remove_member(membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{membership.user} n'a plus accès au projet.")
    return redirect("projects:members", slug=project.slug)

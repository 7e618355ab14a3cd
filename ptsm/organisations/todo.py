"""The directory's « À faire » lines (key actors missing, imports waiting for confirmation) and
its panel on the project's home page."""

from django.urls import reverse

from ptsm.core.formatting import plural
from ptsm.projects.models import Phase
from ptsm.projects.todo import (
    LEAD_ROLES,
    DashboardPanel,
    TodoContext,
    TodoItem,
    TodoProvider,
    once,
    register,
    register_panel,
)

from .models import PendingImport
from .selectors import missing_key_actors


def directory_steps(context: TodoContext) -> list[TodoItem]:
    project = context.project
    items = []
    if project.phase in (Phase.CADRAGE, Phase.DIAGNOSTIC):
        missing = once(("missing-key-actors", project.pk), lambda: missing_key_actors(project))
        if missing:
            items.append(
                TodoItem(
                    label="Compléter l'annuaire des acteurs incontournables",
                    url=reverse("organisations:checklist", kwargs={"slug": project.slug}),
                    detail=plural(len(missing), "catégorie absente", "catégories absentes")
                    + " : "
                    + ", ".join(actor.label for actor in missing[:4])
                    + ("…" if len(missing) > 4 else ""),
                )
            )
    pending = PendingImport.objects.filter(project=project, user=context.user).order_by(
        "created_at"
    )
    for waiting in pending:
        items.append(
            TodoItem(
                label=f"Confirmer l'import « {waiting.file_name} »",
                url=reverse(
                    "organisations:import_confirm", kwargs={"slug": project.slug, "pk": waiting.pk}
                ),
                detail=f"{waiting.get_kind_display()}, déposé le {waiting.created_at:%d/%m/%Y}",
            )
        )
    return items


def missing_actors_panel(project, today) -> dict:
    missing = once(("missing-key-actors", project.pk), lambda: missing_key_actors(project))
    return {"missing": missing, "slug": project.slug}


def register_todo() -> None:
    register(
        TodoProvider(
            key="annuaire", roles=LEAD_ROLES, provider=directory_steps, order=12, section="etapes"
        )
    )
    register_panel(
        DashboardPanel(
            key="acteurs-incontournables",
            template="organisations/_dashboard_panel.html",
            context=missing_actors_panel,
            order=40,
        )
    )

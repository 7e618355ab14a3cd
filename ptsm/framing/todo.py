"""The framing letter's « À faire » lines and its panel on the project's home page."""

from django.urls import reverse

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

from .models import FramingLetter, LetterStatus
from .selectors import NOT_WRITTEN


def next_step(context: TodoContext) -> list[TodoItem]:
    """While the project is being framed: write the letter, have it validated, then signed."""
    project = context.project
    status = once(
        ("framing-status", project.pk),
        lambda: (
            FramingLetter.objects.filter(project=project).values_list("status", flat=True).first()
        ),
    )
    if status == LetterStatus.SIGNED:
        return []
    if project.phase != Phase.CADRAGE and status is None:
        return []
    url = reverse("framing:letter", kwargs={"slug": project.slug})
    label = {
        None: "Rédiger la lettre de cadrage",
        LetterStatus.DRAFT: "Terminer la rédaction de la lettre de cadrage",
        LetterStatus.REVIEW: "Faire valider la lettre de cadrage relue",
        LetterStatus.VALIDATED: "Faire signer la lettre de cadrage (DG ARS et président du "
        "conseil départemental)",
    }[status]
    return [TodoItem(label=label, url=url, detail="Fiche 1 de la méthode ANAP : le cadrage")]


def status_panel(project, today) -> dict:
    status = once(
        ("framing-status", project.pk),
        lambda: (
            FramingLetter.objects.filter(project=project).values_list("status", flat=True).first()
        ),
    )
    return {"status": LetterStatus(status).label if status else NOT_WRITTEN, "slug": project.slug}


def register_todo() -> None:
    register(
        TodoProvider(
            key="lettre-de-cadrage",
            roles=LEAD_ROLES,
            provider=next_step,
            order=11,
            section="etapes",
        )
    )
    register_panel(
        DashboardPanel(
            key="lettre-de-cadrage",
            template="framing/_dashboard_panel.html",
            context=status_panel,
            order=30,
        )
    )

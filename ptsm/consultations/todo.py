"""The consultations' « À faire » lines for the chef de projet: close a consultation whose
answering period is over, write the summary of a closed one. One query."""

from django.db.models import Q
from django.urls import reverse

from ptsm.core.formatting import french_date
from ptsm.projects.todo import LEAD_ROLES, TodoContext, TodoItem, TodoProvider, register

from .models import Consultation, ConsultationStatus


def consultation_steps(context: TodoContext) -> list[TodoItem]:
    project, today = context.project, context.today
    items = []
    pending = Consultation.objects.filter(project=project).filter(
        Q(status=ConsultationStatus.OPEN, closes_on__lt=today)
        | Q(status=ConsultationStatus.CLOSED, summary="")
    )
    for c in pending.order_by("number"):
        url = reverse("consultations:detail", kwargs={"slug": project.slug, "number": c.number})
        if c.status == ConsultationStatus.OPEN:
            items.append(
                TodoItem(
                    label=f"Clore la consultation n° {c.number}",
                    url=url,
                    detail=f"{c.title} — réponses closes le {french_date(c.closes_on)}",
                    due=c.closes_on,
                )
            )
        else:
            items.append(
                TodoItem(
                    label=f"Rédiger la synthèse de la consultation n° {c.number}",
                    url=url,
                    detail=c.title,
                )
            )
    return items


def register_todo() -> None:
    register(
        TodoProvider(
            key="consultations",
            roles=LEAD_ROLES,
            provider=consultation_steps,
            order=60,
            section="etapes",
        )
    )

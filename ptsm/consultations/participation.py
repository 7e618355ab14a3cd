"""The « Consultations » figures of the participation registry (`projects.participation`):
consultations held and their answers by category, for one project or many at once."""

from django.urls import reverse

from ptsm.core.formatting import plural
from ptsm.projects.participation import ParticipationFigure, ParticipationSource, register

from .models import CATEGORY_PLURALS, ParticipantCategory
from .selectors import ProjectParticipation, participation


def _figures(project, data: ProjectParticipation | None) -> list[ParticipationFigure]:
    if data is None:
        return []
    url = reverse("consultations:list", kwargs={"slug": project.slug})
    breakdown = tuple(
        (CATEGORY_PLURALS[c], data.by_category[c.value])
        for c in ParticipantCategory
        if data.by_category.get(c.value)
    )
    return [
        ParticipationFigure(
            key="consultations.count",
            label="Consultations menées",
            value=data.held,
            detail=plural(
                data.held,
                "consultation ouverte aux réponses",
                "consultations ouvertes aux réponses",
            ),
            url=url,
        ),
        ParticipationFigure(
            key="consultations.answers",
            label="Réponses aux consultations",
            value=data.answers,
            # The categories come in the breakdown, shown after the detail.
            detail=plural(data.answers, "réponse", "réponses"),
            url=url,
            breakdown=breakdown,
        ),
    ]


def figures(project) -> list[ParticipationFigure]:
    return _figures(project, participation([project.pk]).get(project.pk))


def figures_for_projects(projects) -> dict[int, list[ParticipationFigure]]:
    data = participation([p.pk for p in projects])
    return {p.pk: _figures(p, data.get(p.pk)) for p in projects if p.pk in data}


SOURCE = register(
    ParticipationSource(
        key="consultations",
        label="Consultations",
        figures=figures,
        figures_for_projects=figures_for_projects,
        order=20,
    )
)

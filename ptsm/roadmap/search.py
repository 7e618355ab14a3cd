"""The roadmap's part of the project's search: fiches-actions, by their title and their text."""

from django.urls import reverse

from ptsm.search.registry import Hit, SearchKind, register
from ptsm.search.text import matching

from . import selectors

ACTION_TEXT = [
    "title",
    "context",
    "operational_objectives",
    "description",
    "target_public",
    "territory_concerned",
    "expected_results",
]


def find_actions(project, terms, access, limit):
    actions = matching(
        selectors.project_actions(project).prefetch_related(None), ACTION_TEXT, terms
    )[:limit]
    return [
        Hit(
            title=f"Fiche-action {action.code} — {action.title}",
            url=reverse("roadmap:action", kwargs={"slug": project.slug, "pk": action.pk}),
            detail=action.get_status_display(),
        )
        for action in actions
    ]


register(SearchKind("actions", "Fiches-actions", find_actions, order=30))

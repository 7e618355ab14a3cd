"""The lecteur's « Derniers documents validés »: the files a workflow step froze (a framing
letter signed, a diagnostic, roadmap or review validated by the COPIL), newest first, among
those the viewer may download."""

from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.projects.todo import TodoContext, TodoItem, TodoProvider, register

from .models import GeneratedDocument
from .registry import get_kind
from .selectors import Viewer, _kind_allowed, _variant_allowed

SHOWN = 8
READ = 40  # frozen files read to find SHOWN the viewer may download (one query)


def latest_validated(context: TodoContext) -> list[TodoItem]:
    project = context.project
    viewer = Viewer(context.role, context.organisation_id)
    drafts: dict = {}
    items = []
    seen = set()
    for document in (
        GeneratedDocument.objects.filter(project=project)
        .exclude(frozen_key="")
        .order_by("-generated_at", "-pk")[:READ]
    ):
        key = document.kind  # the latest of each kind: one fiche-action, not all of them
        if key in seen:
            continue
        try:
            kind = get_kind(document.kind)
        except KeyError:
            continue
        if not (
            _kind_allowed(kind, project, viewer, drafts)
            and _variant_allowed(kind, document.variant, viewer)
        ):
            continue
        seen.add(key)
        items.append(
            TodoItem(
                label=f"{kind.title} ({document.format.upper()})",
                url=reverse("documents:download", kwargs={"slug": project.slug, "pk": document.pk}),
                detail=document.file_name,
            )
        )
        if len(items) == SHOWN:
            break
    return items


def register_todo() -> None:
    register(
        TodoProvider(
            key="documents-valides",
            roles=frozenset({Role.READER}),
            provider=latest_validated,
            title="Derniers documents validés",
            order=20,
        )
    )

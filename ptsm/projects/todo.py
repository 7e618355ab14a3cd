"""Registry of the « À faire » lines: what each person has to do in a project, computed from the
project's state, never typed by hand.

Domain apps register their providers from their `AppConfig.ready()` (as they register their
document kinds and method events); the project's home page and the weekly digest only ask this
registry: `projects` never imports a domain app. A provider reads a bounded number of queries
whatever the size of the project (no query per fiche-action or per operator).
"""

import datetime as dt
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from ptsm.accounts.models import Role

from .models import Project


@dataclass(frozen=True)
class TodoItem:
    """One line: what to do, where it is done (a link), when it is due."""

    label: str
    url: str
    detail: str = ""
    due: dt.date | None = None
    late: bool = False
    # An optional small form shown under the line (e.g. « Enregistrer une mesure »): the
    # button's label and the URL it opens.
    action_label: str = ""
    action_url: str = ""


@dataclass(frozen=True)
class TodoContext:
    """Who is asking: the project, the user, their role and the organisation they act for."""

    project: Project
    user: object
    role: Role
    organisation_id: int | None
    today: dt.date


@dataclass(frozen=True)
class TodoSection:
    """What one provider gives: a heading and its lines, and optionally a template of the
    providing app rendered under them (with `extra` as its context), for what a line cannot
    say (the signataire's upload form)."""

    key: str
    title: str
    items: list[TodoItem]
    template: str = ""
    extra: dict = field(default_factory=dict)
    empty: str = ""  # shown when there is nothing to do but the section still matters

    @property
    def shown(self) -> bool:
        return bool(self.items or self.template or self.empty)


Provider = Callable[[TodoContext], TodoSection | Iterable[TodoItem] | None]


@dataclass(frozen=True)
class TodoProvider:
    key: str
    roles: frozenset[Role]
    provider: Provider
    title: str = ""  # the section's heading when the provider returns bare items
    order: int = 100  # sections are shown by increasing order
    # Providers naming the same section add their lines to it (the chef de projet's « Prochaines
    # étapes » gathers the steps of every app); the first one in order gives its heading.
    section: str = ""


_PROVIDERS: dict[str, TodoProvider] = {}


def register(provider: TodoProvider) -> TodoProvider:
    existing = _PROVIDERS.get(provider.key)
    if existing is not None and existing != provider:
        raise ValueError(f"« À faire » provider {provider.key!r} is already registered.")
    _PROVIDERS[provider.key] = provider
    return provider


def registered_providers() -> list[TodoProvider]:
    return sorted(_PROVIDERS.values(), key=lambda p: (p.order, p.key))


def todo_sections(context: TodoContext) -> list[TodoSection]:
    """The sections of the person's « À faire », in order, empty ones left out."""
    sections: dict[str, TodoSection] = {}
    for provider in registered_providers():
        if context.role not in provider.roles:
            continue
        result = provider.provider(context)
        if result is None:
            continue
        key = provider.section or provider.key
        if not isinstance(result, TodoSection):
            result = TodoSection(key=key, title=provider.title, items=list(result))
        earlier = sections.get(key)
        if earlier is None:
            sections[key] = result
        else:
            sections[key] = TodoSection(
                key=key,
                title=earlier.title or result.title,
                items=[*earlier.items, *result.items],
                template=earlier.template or result.template,
                extra={**result.extra, **earlier.extra},
                empty=earlier.empty or result.empty,
            )
    return [section for section in sections.values() if section.shown]


def todo_for(project: Project, user, *, today: dt.date) -> list[TodoSection]:
    """The « À faire » of a user in a project (none when they have no role in it)."""
    from ptsm.accounts.permissions import project_access

    access = project_access(user, project)
    if access.role is None:
        return []
    return todo_sections(
        TodoContext(
            project=project,
            user=user,
            role=access.role,
            organisation_id=access.organisation_id,
            today=today,
        )
    )


def count_items(sections: list[TodoSection]) -> int:
    return sum(len(section.items) for section in sections)


# One page asks the registry's providers and panels together: what two of them need (the framing
# letter's status, the key actors missing, the late milestones) is read once within `read_once`.
_READ_ONCE: ContextVar[dict | None] = ContextVar("todo_read_once", default=None)


@contextmanager
def read_once():
    token = _READ_ONCE.set({})
    try:
        yield
    finally:
        _READ_ONCE.reset(token)


def once(key: tuple, compute: Callable[[], object]):
    """`compute()`, or what it gave for the same key earlier within `read_once`."""
    cache = _READ_ONCE.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


ALL_ROLES = frozenset(Role)
LEAD_ROLES = frozenset({Role.PROJECT_LEAD, Role.ARS_ADMIN})


# --- Dashboard panels -------------------------------------------------------------------------
# What a domain app shows every visitor of the project's home page (the framing letter's status,
# the key actors missing from the directory…), also through a registry.


@dataclass(frozen=True)
class DashboardPanel:
    key: str
    template: str  # a template of the providing app, rendered with `context(project, today)`
    context: Callable[[Project, dt.date], dict | None]  # None: nothing to show
    order: int = 100


_PANELS: dict[str, DashboardPanel] = {}


def register_panel(panel: DashboardPanel) -> DashboardPanel:
    existing = _PANELS.get(panel.key)
    if existing is not None and existing != panel:
        raise ValueError(f"Dashboard panel {panel.key!r} is already registered.")
    _PANELS[panel.key] = panel
    return panel


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    template: str
    context: dict


def dashboard_panels(project: Project, today: dt.date) -> list[RenderedPanel]:
    panels = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(project, today)
        if context is not None:
            panels.append(RenderedPanel(panel.key, panel.template, context))
    return panels

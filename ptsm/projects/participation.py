"""How people with lived experience and their families take part in the project (issue 19):
each app that knows part of the answer registers a `ParticipationSource` from its
`AppConfig.ready()` — governance (members who represent them in each body and working group,
their attendance at meetings), consultations (consultations held, answers by category) — and
the project's dashboard, the reviews and the regional cockpit read every source through
`participation_figures` / `participation_figures_for_projects` (`projects` imports no domain
app).

A source gives its figures for one project, and for many projects at once (the cockpit: the
same number of queries for 5 and 100 projects).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ParticipationFigure:
    key: str  # stable, e.g. "bodies.members" — the cockpit's column and the tests use it
    label: str  # French, e.g. « Membres représentant les personnes concernées ou les proches »
    value: int
    detail: str = ""  # French, e.g. « 3 sur 24 membres, dans 2 instances sur 4 »
    url: str = ""  # a page of the project that shows the figure's detail
    # Optional breakdown in French, e.g. [("Personnes concernées", 12), ("Proches", 5)]
    breakdown: tuple[tuple[str, int], ...] = field(default=())


@dataclass(frozen=True)
class ParticipationSource:
    key: str
    label: str  # French heading of the source's figures, e.g. « Instances et groupes de travail »
    figures: Callable[[object], list[ParticipationFigure]]  # (project) -> figures
    # (projects) -> {project id: figures}; a bounded number of queries whatever the count.
    figures_for_projects: Callable[[list], dict[int, list[ParticipationFigure]]]
    order: int = 100


_SOURCES: dict[str, ParticipationSource] = {}


def register(source: ParticipationSource) -> ParticipationSource:
    existing = _SOURCES.get(source.key)
    if existing is not None and existing != source:
        raise ValueError(f"Participation source {source.key!r} is already registered.")
    _SOURCES[source.key] = source
    return source


def sources() -> list[ParticipationSource]:
    return sorted(_SOURCES.values(), key=lambda s: (s.order, s.key))


def participation_figures(project) -> list[tuple[ParticipationSource, list[ParticipationFigure]]]:
    """Every source's figures for one project, in the sources' order (sources with none left out)."""
    result = []
    for source in sources():
        figures = source.figures(project)
        if figures:
            result.append((source, figures))
    return result


def participation_figures_for_projects(
    projects: Iterable,
) -> dict[int, list[ParticipationFigure]]:
    """Every source's figures for many projects at once, keyed by project id."""
    projects = list(projects)
    result: dict[int, list[ParticipationFigure]] = {p.pk: [] for p in projects}
    for source in sources():
        for project_id, figures in source.figures_for_projects(projects).items():
            result.setdefault(project_id, []).extend(figures)
    return result

"""Do the durations that belong together agree? The project's own duration and contract, the
framing letter's commitment, the commitment letters… Each domain app registers, from its
`AppConfig.ready()`, a check `(project) -> list[str]` of French warnings; the project's page
shows them all, next to the fields that set those durations (`projects` never imports a
domain app)."""

from collections.abc import Callable

from ptsm.core.formatting import french_date

from .models import MilestoneKey, Project

Check = Callable[[Project], list[str]]
_CHECKS: list[Check] = []


def register(check: Check) -> Check:
    if check not in _CHECKS:
        _CHECKS.append(check)
    return check


def _milestones_after_end(project: Project) -> list[str]:
    """The method's milestones planned after the project's end (a contract's too short)."""
    end = project.planned_end_date
    late = [
        m
        for m in project.milestones.exclude(key="").filter(done_on=None, due_date__gt=end)
        if m.key != MilestoneKey.FINAL_REVIEW
    ]
    return [
        f"Le jalon « {m.title} » est prévu le {french_date(m.due_date)}, après la fin prévue du "
        f"projet ({french_date(end)})."
        for m in late
    ]


def duration_warnings(project: Project) -> list[str]:
    """Every inconsistency between the project's durations, in French."""
    warnings = _milestones_after_end(project)
    for check in _CHECKS:
        warnings += check(project)
    return warnings

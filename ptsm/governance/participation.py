"""Governance's part of the participation figures (issue 19): in each body and working group,
the members who represent people with lived experience or their families (their organisation's
flag, or their own), out of how many, and their attendance at the meetings held."""

from django.urls import reverse

from ptsm.core.formatting import french_number, plural
from ptsm.projects.participation import ParticipationFigure, ParticipationSource, register

from .models import MemberRepresents
from .selectors import BodyParticipation, participation_by_body

MEMBERS_KEY = "governance.members"
ATTENDANCE_KEY = "governance.attendance"
BODY_KEY = "governance.body"  # one figure per body (the project's pages, not the cockpit)


def _attendance(present: int, invited: int) -> str:
    if not invited:
        return "aucune invitation à une séance tenue"
    presences = plural(present, "présence", "présences")
    return f"{presences} sur {plural(invited, 'invitation', 'invitations')} aux séances tenues"


def _breakdown(bodies: list[BodyParticipation]) -> tuple[tuple[str, int], ...]:
    return tuple(
        (label, count)
        for value, label in MemberRepresents.choices
        if (count := sum(b.representing.get(value, 0) for b in bodies))
    )


def _totals(project, bodies: list[BodyParticipation]) -> list[ParticipationFigure]:
    """The project's totals over its bodies that have members: what the cockpit shows."""
    bodies = [b for b in bodies if b.members]
    members = sum(b.members for b in bodies)
    if not members:
        return []
    representing = sum(b.representing_total for b in bodies)
    with_them = sum(1 for b in bodies if b.representing_total)
    composed = sum(1 for b in bodies if b.members)
    invited, present = sum(b.invited for b in bodies), sum(b.present for b in bodies)
    url = reverse("governance:bodies", kwargs={"slug": project.slug})
    return [
        ParticipationFigure(
            key=MEMBERS_KEY,
            label="Membres des instances représentant les personnes concernées ou les proches",
            value=representing,
            detail=f"{french_number(representing)} sur {plural(members, 'membre', 'membres')}, "
            f"dans {plural(with_them, 'instance', 'instances')} sur {french_number(composed)}",
            url=url,
            breakdown=_breakdown(bodies),
        ),
        ParticipationFigure(
            key=ATTENDANCE_KEY,
            label="Leur présence aux séances tenues",
            value=present,
            detail=_attendance(present, invited),
            url=url,
        ),
    ]


def _figures(project, bodies: list[BodyParticipation]) -> list[ParticipationFigure]:
    figures = _totals(project, bodies)
    for body in bodies:
        if not body.members:
            continue
        figures.append(
            ParticipationFigure(
                key=BODY_KEY,
                label=body.name,
                value=body.representing_total,
                detail=f"{french_number(body.representing_total)} sur "
                f"{plural(body.members, 'membre', 'membres')}"
                f" ; {_attendance(body.present, body.invited)}",
                url=reverse("governance:body", kwargs={"slug": project.slug, "pk": body.pk}),
                breakdown=_breakdown([body]),
            )
        )
    return figures


def project_figures(project) -> list[ParticipationFigure]:
    """The totals, then one figure per body that has members."""
    return _figures(project, participation_by_body([project.pk])[project.pk])


def projects_figures(projects) -> dict[int, list[ParticipationFigure]]:
    """Each project's totals (the cockpit's columns): two queries for any number."""
    by_project = participation_by_body([p.pk for p in projects], every_body=False)
    return {p.pk: _totals(p, by_project[p.pk]) for p in projects}


def register_participation() -> None:
    register(
        ParticipationSource(
            key="governance",
            label="Instances et groupes de travail",
            figures=project_figures,
            figures_for_projects=projects_figures,
            order=10,
        )
    )

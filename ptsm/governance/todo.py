"""Governance's « À faire » lines: the COPIL to set up and its meetings to prepare or record
(chef de projet), the next COPIL meeting with its agenda (membre du COPIL)."""

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from ptsm.accounts.models import Role
from ptsm.core.formatting import plural
from ptsm.projects.models import Phase
from ptsm.projects.services import register_setup_step
from ptsm.projects.todo import (
    LEAD_ROLES,
    TodoContext,
    TodoItem,
    TodoProvider,
    TodoSection,
    register,
)

from .models import Attendance, Body, BodyKind, Meeting, MeetingStatus


def _url(name: str, project, **kwargs) -> str:
    return reverse(name, kwargs={"slug": project.slug, **kwargs})


def governance_steps(context: TodoContext) -> list[TodoItem]:
    """Set up the COPIL (fiche 2), send the invitations of the meetings to come, record the
    attendance and the minutes of the meetings held (fiche 10). Two queries."""
    project, today = context.project, context.today
    items = []
    copil = (
        Body.objects.filter(project=project, kind=BodyKind.COPIL)
        .annotate(n_members=Count("members", distinct=True))
        .first()
    )
    if copil is not None and not copil.n_members and project.phase != Phase.CLOSED:
        items.append(
            TodoItem(
                label="Inviter les membres du COPIL",
                url=_url("governance:body", project, pk=copil.pk),
                detail="Fiche 2 : composition du comité de pilotage",
            )
        )
    meetings = (
        Meeting.objects.filter(body__project=project)
        .exclude(status=MeetingStatus.CANCELLED)
        .filter(starts_at__date__gte=today - dt.timedelta(days=90))
        .annotate(
            n_invited=Count("invitations", distinct=True),
            n_unrecorded=Count(
                "invitations", filter=Q(invitations__attendance=Attendance.INVITED), distinct=True
            ),
        )
        .order_by("starts_at")
    )
    now = timezone.now()
    for meeting in meetings:
        url = _url("governance:meeting", project, pk=meeting.pk)
        if meeting.starts_at > now:
            if meeting.n_invited and meeting.invitations_sent_at is None:
                items.append(
                    TodoItem(
                        label=f"Envoyer les invitations de la séance « {meeting.title} »",
                        url=url,
                        due=timezone.localtime(meeting.starts_at).date(),
                    )
                )
            elif not meeting.n_invited:
                items.append(
                    TodoItem(
                        label=f"Inviter les participants de la séance « {meeting.title} »",
                        url=url,
                        due=timezone.localtime(meeting.starts_at).date(),
                    )
                )
        elif meeting.status == MeetingStatus.PLANNED or (
            meeting.n_invited and meeting.n_unrecorded == meeting.n_invited
        ):
            items.append(
                TodoItem(
                    label=f"Saisir les présences et le compte rendu de « {meeting.title} »",
                    url=url,
                    detail=f"Séance du {timezone.localtime(meeting.starts_at):%d/%m/%Y}",
                    late=True,
                )
            )
    return items


def next_copil(context: TodoContext) -> TodoSection:
    """The next COPIL meeting, its agenda and where its documents are."""
    project = context.project
    meeting = (
        Meeting.objects.filter(
            body__project=project,
            body__kind=BodyKind.COPIL,
            status=MeetingStatus.PLANNED,
            starts_at__gte=timezone.now(),
        )
        .order_by("starts_at")
        .first()
    )
    if meeting is None:
        return TodoSection(
            key="prochain-copil",
            title="Prochaine séance du COPIL",
            items=[],
            empty="Aucune séance du COPIL n'est programmée.",
        )
    starts = timezone.localtime(meeting.starts_at)
    return TodoSection(
        key="prochain-copil",
        title="Prochaine séance du COPIL",
        items=[
            TodoItem(
                label=meeting.title,
                url=_url("governance:meeting", project, pk=meeting.pk),
                detail=f"Le {starts:%d/%m/%Y} à {starts:%H:%M}"
                + (f", {meeting.place}" if meeting.place else "")
                + (", en visioconférence" if meeting.video_link else ""),
                action_label="Ajouter à mon agenda (.ics)",
                action_url=_url("governance:meeting_ics", project, pk=meeting.pk),
            )
        ],
        template="governance/_todo_copil.html",
        extra={
            "agenda": [line for line in meeting.agenda.splitlines() if line.strip()],
            "documents_url": _url("documents:list", project),
            "invited": plural(
                meeting.invitations.count(), "personne invitée", "personnes invitées"
            ),
        },
    )


def _default_bodies(project) -> None:
    from .services import create_default_bodies

    create_default_bodies(project=project)


def register_todo() -> None:
    register(
        TodoProvider(
            key="gouvernance",
            roles=LEAD_ROLES,
            provider=governance_steps,
            order=13,
            section="etapes",
        )
    )
    register(
        TodoProvider(
            key="prochain-copil",
            roles=frozenset({Role.COPIL_MEMBER}),
            provider=next_copil,
            order=30,
        )
    )
    register_setup_step("instances-par-defaut", _default_bodies)

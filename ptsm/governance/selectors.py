"""Reads of the governance app."""

import datetime as dt

from django.db.models import Count, Prefetch, QuerySet

from ptsm.core.formatting import MONTHS

from .models import (
    Body,
    BodyKind,
    BodyMember,
    CommunicationAction,
    FollowUpTask,
    Invitation,
    LocalInitiative,
    Meeting,
    MeetingStatus,
)


def project_bodies(project) -> QuerySet[Body]:
    members = BodyMember.objects.select_related("contact__organisation")
    return (
        Body.objects.filter(project=project)
        .prefetch_related(Prefetch("members", queryset=members))
        .annotate(meeting_count=Count("meetings"))
    )


def memberships_of_organisation(organisation) -> QuerySet[BodyMember]:
    return (
        BodyMember.objects.filter(contact__organisation=organisation)
        .select_related("body", "contact")
        .order_by("body__order", "body__name")
    )


def project_meetings(project) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(body__project=project)
        .select_related("body__project")
        .annotate(invited=Count("invitations"))
        .order_by("starts_at")
    )


def meeting_detail(project, pk: int) -> Meeting:
    return (
        Meeting.objects.select_related("body__project")
        .prefetch_related(
            Prefetch(
                "invitations", queryset=Invitation.objects.select_related("contact__organisation")
            ),
            "decisions",
            Prefetch("tasks", queryset=FollowUpTask.objects.select_related("owner")),
        )
        .get(body__project=project, pk=pk)
    )


def local_initiatives(project) -> QuerySet[LocalInitiative]:
    return LocalInitiative.objects.filter(project=project).select_related("carrier")


def communication_plan(project) -> QuerySet[CommunicationAction]:
    return CommunicationAction.objects.filter(project=project).order_by("date", "pk")


def communication_timeline(project) -> list[tuple[str, list[CommunicationAction]]]:
    """The communication plan grouped by month, for the timeline view."""
    months: dict[tuple[int, int], list[CommunicationAction]] = {}
    for action in communication_plan(project):
        months.setdefault((action.date.year, action.date.month), []).append(action)
    return [(f"{MONTHS[m - 1].capitalize()} {y}", items) for (y, m), items in months.items()]


def contacts_invited_since(since) -> QuerySet:
    """Ids of the contacts invited to a meeting held (or planned) since `since` (retention)."""
    return Invitation.objects.filter(meeting__starts_at__gte=since).values("contact_id")


def copil_meeting(project, today: dt.date) -> Meeting | None:
    """The COPIL meeting a deck is presented at: the next one scheduled (from today on),
    otherwise the last one held."""
    meetings = Meeting.objects.filter(body__project=project, body__kind=BodyKind.COPIL)
    upcoming = (
        meetings.filter(status=MeetingStatus.PLANNED, starts_at__date__gte=today)
        .order_by("starts_at")
        .first()
    )
    return upcoming or meetings.filter(status=MeetingStatus.HELD).order_by("-starts_at").first()


def body_institutions(project) -> list[tuple[Body, list[str]]]:
    """Each body with the names of the organisations its members come from — institutions only,
    never the people (public page, open data): two queries."""
    members = BodyMember.objects.select_related("contact__organisation")
    bodies = Body.objects.filter(project=project).prefetch_related(
        Prefetch("members", queryset=members)
    )
    return [
        (
            body,
            sorted(
                {
                    m.contact.organisation.name
                    for m in body.members.all()
                    if m.contact_id and m.contact.organisation_id
                }
            ),
        )
        for body in bodies
    ]

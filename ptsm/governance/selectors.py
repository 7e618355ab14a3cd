"""Reads of the governance app."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from ptsm.core.formatting import MONTHS

from .models import (
    Attendance,
    Body,
    BodyKind,
    BodyMember,
    CommunicationAction,
    FollowUpTask,
    Invitation,
    LocalInitiative,
    Meeting,
    MeetingStatus,
    MemberRepresents,
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


# Participation of people with lived experience and their families (issue 19) ----------------


@dataclass
class BodyParticipation:
    """One body's members who represent people with lived experience or their families, and
    their attendance at the body's meetings held."""

    pk: int
    project_id: int
    name: str
    kind: str
    members: int = 0
    # whom they represent (`MemberRepresents` value) -> members
    representing: dict[str, int] = field(default_factory=dict)
    invited: int = 0  # their invitations to the meetings held
    present: int = 0

    @property
    def representing_total(self) -> int:
        return sum(self.representing.values())


def _represented(override, organisation_field: str):
    """Whom a person represents in a body: the member's own choice (« aucune »: nobody), else
    their organisation's flag ("" for nobody)."""
    return Case(
        When(**{override: MemberRepresents.NONE}, then=Value("")),
        When(Q(**{f"{override}__isnull": False}) & ~Q(**{override: ""}), then=F(override)),
        default=F(organisation_field),
        output_field=CharField(),
    )


def participation_by_body(
    project_ids, *, every_body: bool = True
) -> dict[int, list[BodyParticipation]]:
    """{project id: its bodies' participation figures, in the bodies' order}: three queries
    whatever the number of projects (bodies, members grouped by whom they represent,
    invitations to the meetings held grouped by body). Without `every_body` (the totals of the
    cockpit), only the bodies that have members, unnamed and in no order, in two queries."""
    bodies: dict[int, BodyParticipation] = {}
    result: dict[int, list[BodyParticipation]] = {pk: [] for pk in project_ids}
    if every_body:
        for row in (
            Body.objects.filter(project_id__in=project_ids)
            .order_by("order", "pk")
            .values("pk", "project_id", "name", "kind")
        ):
            bodies[row["pk"]] = body = BodyParticipation(**row)
            result[row["project_id"]].append(body)
    members = (
        BodyMember.objects.filter(body__project_id__in=project_ids)
        .annotate(represented=_represented("represents", "contact__organisation__represents"))
        .values("body_id", "body__project_id", "represented")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in members:
        body = bodies.get(row["body_id"])
        if body is None:  # only the bodies with members were asked for
            body = bodies[row["body_id"]] = BodyParticipation(
                pk=row["body_id"], project_id=row["body__project_id"], name="", kind=""
            )
            result[body.project_id].append(body)
        body.members += row["count"]
        if row["represented"]:
            body.representing[row["represented"]] = (
                body.representing.get(row["represented"], 0) + row["count"]
            )
    override = BodyMember.objects.filter(
        body_id=OuterRef("meeting__body_id"), contact_id=OuterRef("contact_id")
    ).values("represents")[:1]
    attendance = (
        Invitation.objects.filter(
            meeting__body__project_id__in=project_ids, meeting__status=MeetingStatus.HELD
        )
        .annotate(
            override=Subquery(override),
            represented=_represented("override", "contact__organisation__represents"),
        )
        .exclude(represented="")
        .values("meeting__body_id")
        .annotate(invited=Count("pk"), present=Count("pk", filter=Q(attendance=Attendance.PRESENT)))
        .order_by()
    )
    for row in attendance:
        body = bodies.get(row["meeting__body_id"])
        if body is not None:  # a body without members has no member to count
            body.invited, body.present = row["invited"], row["present"]
    return result

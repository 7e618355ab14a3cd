"""A COPIL of 8 members where 2 represent people with lived experience (one through her GEM,
one pair-aidant employed by a hospital who speaks for them), a UNAFAM member who sits for the
CLSM instead, two meetings held (the two representatives: 3 presences out of 4 invitations)
and a planned one, which does not count. Shared by the tests that show these figures."""

import datetime as dt

from django.utils import timezone

from ptsm.governance.models import (
    Attendance,
    Body,
    BodyKind,
    Invitation,
    Meeting,
    MeetingStatus,
    MemberRepresents,
)
from ptsm.governance.services import add_body_member, create_default_bodies
from ptsm.organisations.models import Contact, Organisation


def _contact(project, organisation, last_name):
    return Contact.objects.create(
        project=project, organisation=organisation, first_name="Alex", last_name=last_name
    )


def build_copil_participation(project) -> Body:
    create_default_bodies(project=project)
    copil = Body.objects.get(project=project, kind=BodyKind.COPIL)
    gem = Organisation.objects.create(
        project=project,
        name="GEM L'Entre-Temps",
        category="usagers_familles",
        sub_type="gem",
        represents="personnes_concernees",
    )
    unafam = Organisation.objects.create(
        project=project,
        name="UNAFAM Finistère",
        category="usagers_familles",
        sub_type="unafam",
        represents="proches",
    )
    hospital = Organisation.objects.create(
        project=project, name="EPSM Finistère Sud", category="sanitaire_public"
    )
    member_of_gem = _contact(project, gem, "Gemeur")
    pair_aidant = _contact(project, hospital, "Pairaidant")
    clsm_delegate = _contact(project, unafam, "Délégué")
    others = [_contact(project, hospital, f"Soignant{i}") for i in range(5)]
    add_body_member(body=copil, contact=member_of_gem, role="member")
    add_body_member(
        body=copil,
        contact=pair_aidant,
        role="member",
        represents=MemberRepresents.LIVED_EXPERIENCE,
    )
    add_body_member(
        body=copil, contact=clsm_delegate, role="member", represents=MemberRepresents.NONE
    )
    for other in others:
        add_body_member(body=copil, contact=other, role="member")
    start = timezone.make_aware(dt.datetime(2026, 3, 10, 14))
    held = [
        Meeting.objects.create(
            body=copil,
            title=f"COPIL n° {n}",
            starts_at=start + dt.timedelta(days=30 * n),
            ends_at=start + dt.timedelta(days=30 * n, hours=2),
            status=MeetingStatus.HELD,
        )
        for n in (1, 2)
    ]
    planned = Meeting.objects.create(
        body=copil,
        title="COPIL n° 3",
        starts_at=start + dt.timedelta(days=120),
        ends_at=start + dt.timedelta(days=120, hours=2),
    )
    attendance = {
        member_of_gem: [Attendance.PRESENT, Attendance.PRESENT],
        pair_aidant: [Attendance.PRESENT, Attendance.EXCUSED],
        clsm_delegate: [Attendance.PRESENT, Attendance.PRESENT],
        others[0]: [Attendance.PRESENT, Attendance.ABSENT],
    }
    for person, marks in attendance.items():
        for meeting, mark in zip(held, marks, strict=True):
            Invitation.objects.create(meeting=meeting, contact=person, attendance=mark)
        Invitation.objects.create(meeting=planned, contact=person)
    return copil

"""Writes of the governance app: bodies and members, meetings, invitations, minutes,
local initiatives and the communication plan."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ptsm.core.anap import EntryDoor
from ptsm.core.concurrency import AlreadyDone
from ptsm.core.mail import header_text

from . import ics
from .models import (
    Attendance,
    Body,
    BodyKind,
    BodyMember,
    CommunicationAction,
    Decision,
    FollowUpTask,
    Invitation,
    LocalInitiative,
    Meeting,
    MeetingStatus,
)

DEFAULT_MISSIONS = {
    BodyKind.COPIL: (
        "Définir la stratégie et les orientations de la démarche, suivre son avancement, "
        "valider le diagnostic partagé puis la feuille de route (ANAP, fiche 2)."
    ),
    BodyKind.PROJECT_LEAD: (
        "Mandaté par le directeur général de l'ARS, il rédige la lettre de cadrage, anime la "
        "démarche, prépare les instances et coordonne les groupes de travail (ANAP, fiche 3)."
    ),
    BodyKind.PROJECT_TEAM: (
        "Équipe-ressource interne de l'ARS (directions métiers, délégations départementales, "
        "logistique) en appui du chef de projet (ANAP, fiche 4)."
    ),
    BodyKind.CO_PILOTING_GROUP: (
        "Groupe de copilotage ARS – conseil départemental : prépare les décisions du COPIL "
        "(ANAP, fiche 4)."
    ),
    BodyKind.WORKING_GROUP: (
        "Établir le diagnostic partagé de la porte d'entrée, identifier les ruptures de parcours et "
        "proposer des actions."
    ),
    BodyKind.PLENARY: (
        "Réunir l'ensemble des partenaires : lancement de la démarche, restitution du diagnostic "
        "et de la feuille de route."
    ),
}


def _check_same_project(body: Body, contact) -> None:
    if contact.project_id != body.project_id:
        raise ValidationError("Cette personne n'appartient pas à l'annuaire du projet.")


@transaction.atomic
def create_default_bodies(*, project) -> list[Body]:
    """COPIL, chef de projet, équipe-projet, groupe-projet, one working group per entry door of
    the Rosace and the plenary. Does nothing when the project already has bodies."""
    if Body.objects.filter(project=project).exists():
        return []
    specs = [
        (BodyKind.COPIL, "Comité de pilotage (COPIL)", None),
        (BodyKind.PROJECT_LEAD, "Chef de projet", None),
        (BodyKind.PROJECT_TEAM, "Équipe-projet", None),
        (BodyKind.CO_PILOTING_GROUP, "Groupe-projet ARS – conseil départemental", None),
        *[
            (BodyKind.WORKING_GROUP, f"Groupe de travail {door.value} : {door.label}", door.value)
            for door in EntryDoor
        ],
        (BodyKind.PLENARY, "Plénière", None),
    ]
    return Body.objects.bulk_create(
        Body(
            project=project,
            kind=kind,
            name=name,
            entry_door=door,
            missions=DEFAULT_MISSIONS[kind],
            co_piloted=kind == BodyKind.COPIL,
            order=index,
        )
        for index, (kind, name, door) in enumerate(specs)
    )


@transaction.atomic
def save_body(*, body: Body) -> Body:
    if body.kind != BodyKind.WORKING_GROUP:
        body.entry_door = None
    body.full_clean()
    body.save()
    return body


@transaction.atomic
def delete_body(*, body: Body) -> None:
    body.delete()


@transaction.atomic
def add_body_member(*, body: Body, contact, role: str, represents: str = "") -> BodyMember:
    _check_same_project(body, contact)
    if BodyMember.objects.filter(body=body, contact=contact).exists():
        raise ValidationError("Cette personne est déjà membre de l'instance.")
    member = BodyMember(body=body, contact=contact, role=role, represents=represents)
    member.full_clean()
    member.save()
    _touch(Body, body.pk)
    return member


@transaction.atomic
def update_body_member(*, member: BodyMember, role: str, represents: str) -> BodyMember:
    """A member's role, and whom they represent when it differs from their organisation."""
    member.role, member.represents = role, represents
    member.full_clean()
    member.save(update_fields=["role", "represents"])
    _touch(Body, member.body_id)
    return member


def _touch(model, pk: int) -> None:
    """A body is read with its members, a meeting with its decisions: changing them is a
    change of the body or meeting (their `updated_at`, the API's `?modifie_depuis=`)."""
    model.objects.filter(pk=pk).update(updated_at=timezone.now())


@transaction.atomic
def remove_body_member(*, member: BodyMember) -> None:
    member.delete()
    _touch(Body, member.body_id)


@transaction.atomic
def save_meeting(*, meeting: Meeting) -> Meeting:
    if meeting.ends_at and meeting.starts_at and meeting.ends_at <= meeting.starts_at:
        raise ValidationError({"ends_at": "La fin de la séance doit suivre son début."})
    if meeting.pk:
        meeting.sequence += 1  # calendars replace the previous version of the event
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def invite_body_members(*, meeting: Meeting) -> int:
    already = set(meeting.invitations.values_list("contact_id", flat=True))
    invitations = [
        Invitation(meeting=meeting, contact_id=contact_id)
        for contact_id in meeting.body.members.values_list("contact_id", flat=True)
        if contact_id not in already
    ]
    Invitation.objects.bulk_create(invitations)
    return len(invitations)


@transaction.atomic
def add_invitation(*, meeting: Meeting, contact) -> Invitation:
    _check_same_project(meeting.body, contact)
    if meeting.invitations.filter(contact=contact).exists():
        raise ValidationError("Cette personne est déjà invitée à la séance.")
    return Invitation.objects.create(meeting=meeting, contact=contact)


@transaction.atomic
def record_attendance(
    *, invitation: Invitation, attendance: str, represented_by: str = ""
) -> Invitation:
    if attendance not in Attendance.values:
        raise ValidationError("Statut de présence inconnu.")
    if attendance == Attendance.REPRESENTED and not represented_by.strip():
        raise ValidationError("Indiquez qui représente la personne.")
    invitation.attendance = attendance
    invitation.represented_by = (
        represented_by.strip() if attendance == Attendance.REPRESENTED else ""
    )
    invitation.save(update_fields=["attendance", "represented_by"])
    return invitation


def meeting_event(meeting: Meeting, *, base_url: str) -> list[str]:
    project = meeting.body.project
    url = base_url + reverse("governance:meeting", kwargs={"slug": project.slug, "pk": meeting.pk})
    description = "\n".join(
        part
        for part in (
            f"{meeting.body.name} — {project.name}",
            f"Ordre du jour :\n{meeting.agenda}" if meeting.agenda else "",
            f"Visioconférence : {meeting.video_link}" if meeting.video_link else "",
        )
        if part
    )
    return ics.event(
        uid=f"seance-{meeting.pk}@ptsm",
        summary=meeting.title,
        start=meeting.starts_at,
        end=meeting.ends_at,
        stamp=timezone.now(),
        location=meeting.place or meeting.video_link,
        description=description,
        url=url,
        sequence=meeting.sequence,
        status="CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED",
    )


def meeting_ics(meeting: Meeting, *, base_url: str) -> bytes:
    return ics.calendar(
        [meeting_event(meeting, base_url=base_url)], name=meeting.title, method="REQUEST"
    )


# Two sendings within this interval are one double click, not a new sending.
RESEND_INTERVAL = dt.timedelta(minutes=5)


@transaction.atomic
def claim_invitations(*, meeting: Meeting) -> dt.datetime:
    """Mark the meeting's invitations as being sent now, under the meeting's lock: a second
    click within minutes raises AlreadyDone instead of sending them twice. Returns the moment
    the sending began (invitations sent since then are not sent again if the work resumes)."""
    list(Meeting.objects.select_for_update().filter(pk=meeting.pk).values_list("pk"))
    meeting.refresh_from_db(fields=["invitations_sent_at"])
    now = timezone.now()
    if meeting.invitations_sent_at and now - meeting.invitations_sent_at < RESEND_INTERVAL:
        raise AlreadyDone(
            "Les invitations viennent d'être envoyées (à "
            f"{timezone.localtime(meeting.invitations_sent_at):%H:%M}) : aucun courriel "
            "n'est envoyé une seconde fois."
        )
    meeting.invitations_sent_at = now
    meeting.save(update_fields=["invitations_sent_at"])
    return now


def send_invitations(
    *, meeting: Meeting, base_url: str, since: dt.datetime, progress=None
) -> tuple[int, list]:
    """E-mail every invited contact with an ICS attachment, each invitation recorded as sent as
    soon as its e-mail left, so that work resumed after an interruption sends only the others.
    Returns (sent, contacts without e-mail)."""
    attachment = meeting_ics(meeting, base_url=base_url)
    sent, without_email = 0, []
    invitations = list(meeting.invitations.select_related("contact__organisation"))
    for index, invitation in enumerate(invitations):
        if progress is not None:
            progress(index, len(invitations), "Envoi des invitations")
        contact = invitation.contact
        if not contact.email:
            without_email.append(contact)
            continue
        if invitation.sent_at and invitation.sent_at >= since:
            sent += 1  # sent before an interruption
            continue
        message = EmailMessage(
            subject=header_text(f"[ptsm] Invitation : {meeting.title}"),
            body=render_to_string(
                "governance/emails/invitation.txt",
                {"meeting": meeting, "contact": contact, "project": meeting.body.project},
            ),
            to=[contact.email],
        )
        message.attach("invitation.ics", attachment, "text/calendar; method=REQUEST; charset=utf-8")
        message.send()
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
        sent += 1
    return sent, without_email


@transaction.atomic
def save_minutes(*, meeting: Meeting, minutes: str, held: bool = True) -> Meeting:
    meeting.minutes = minutes
    if held and meeting.status == MeetingStatus.PLANNED:
        meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["minutes", "status"])
    return meeting


@transaction.atomic
def add_decision(*, meeting: Meeting, text: str) -> Decision:
    if not text.strip():
        raise ValidationError("La décision ne peut pas être vide.")
    order = meeting.decisions.count() + 1
    decision = Decision.objects.create(meeting=meeting, text=text.strip(), order=order)
    _touch(Meeting, meeting.pk)
    return decision


@transaction.atomic
def delete_decision(*, decision: Decision) -> None:
    decision.delete()
    _touch(Meeting, decision.meeting_id)


@transaction.atomic
def save_task(*, task: FollowUpTask) -> FollowUpTask:
    if task.owner_id and task.owner.project_id != task.meeting.body.project_id:
        raise ValidationError({"owner": "Cette personne n'appartient pas à l'annuaire du projet."})
    task.full_clean()
    task.save()
    return task


def delete_task(*, task: FollowUpTask) -> None:
    task.delete()


@transaction.atomic
def save_local_initiative(*, initiative: LocalInitiative) -> LocalInitiative:
    if initiative.carrier_id and initiative.carrier.project_id != initiative.project_id:
        raise ValidationError(
            {"carrier": "Cette organisation n'appartient pas à l'annuaire du projet."}
        )
    initiative.full_clean()
    initiative.save()
    return initiative


def delete_local_initiative(*, initiative: LocalInitiative) -> None:
    initiative.delete()


@transaction.atomic
def save_communication_action(*, action: CommunicationAction) -> CommunicationAction:
    action.full_clean()
    action.save()
    return action


def delete_communication_action(*, action: CommunicationAction) -> None:
    action.delete()


def project_calendar_ics(project, *, base_url: str, meetings, milestones) -> bytes:
    """All meetings of the project and its milestones (all-day events)."""
    now = timezone.now()
    events = [meeting_event(m, base_url=base_url) for m in meetings]
    events += [
        ics.event(
            uid=f"jalon-{m.pk}@ptsm",
            summary=f"Jalon : {m.title}",
            start=m.due_date,
            end=m.due_date + dt.timedelta(days=1),
            stamp=now,
            description=project.name,
        )
        for m in milestones
    ]
    return ics.calendar(events, name=f"ptsm — {project.name}")

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from ptsm.accounts.models import Role
from ptsm.governance import ics
from ptsm.governance.models import (
    Attendance,
    Body,
    BodyKind,
    BodyMember,
    CommunicationAction,
    Invitation,
    LocalInitiative,
    Meeting,
    MeetingStatus,
)
from ptsm.governance.services import create_default_bodies
from ptsm.organisations.models import Contact, Organisation
from tests.factories import make_project, member
from tests.helpers import login, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    project = make_project(departement="29", name="PTSM du Finistère")
    create_default_bodies(project=project)
    return project


@pytest.fixture
def lead(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    return client


def contact(
    project, last_name="Le Bihan", email="k.lebihan@epsm.fr", organisation="EPSM Finistère Sud"
):
    org, _ = Organisation.objects.get_or_create(
        project=project, name=organisation, defaults={"category": "sanitaire_public"}
    )
    return Contact.objects.create(
        project=project, organisation=org, first_name="Katell", last_name=last_name, email=email
    )


def copil(project) -> Body:
    return Body.objects.get(project=project, kind=BodyKind.COPIL)


def url(name, project, **kwargs):
    return reverse(name, kwargs={"slug": project.slug, **kwargs})


def test_default_bodies_follow_the_anap_method(project):
    bodies = list(Body.objects.filter(project=project))
    kinds = [b.kind for b in bodies]
    assert kinds.count(BodyKind.WORKING_GROUP) == 5
    assert {
        BodyKind.COPIL,
        BodyKind.PROJECT_LEAD,
        BodyKind.PROJECT_TEAM,
        BodyKind.CO_PILOTING_GROUP,
        BodyKind.PLENARY,
    } <= set(kinds)
    doors = sorted(b.entry_door for b in bodies if b.kind == BodyKind.WORKING_GROUP)
    assert doors == [1, 2, 3, 4, 5]
    assert copil(project).co_piloted
    assert create_default_bodies(project=project) == []  # idempotent


def test_project_created_in_the_browser_gets_its_default_bodies(client, project):
    login(client, member(project, Role.ARS_ADMIN))
    client.post(
        reverse("projects:create"),
        {
            "name": "PTSM de Cornouaille",
            "region": project.region.code,
            "start_date": "2026-03-01",
            "planned_duration_months": "18",
            "territory_name": "Cornouaille",
            "commune_codes": "29232",
        },
    )
    assert Body.objects.filter(project__name="PTSM de Cornouaille").count() == 10


def test_members_with_roles_and_bad_inputs(lead, project):
    katell = contact(project)
    body = copil(project)
    response = lead.post(
        url("governance:body", project, pk=body.pk), {"contact": katell.pk, "role": "co_president"}
    )
    assert response.status_code == 302
    assert BodyMember.objects.get(body=body).get_role_display() == "Co-président(e)"
    again = page_text(
        lead.post(
            url("governance:body", project, pk=body.pk), {"contact": katell.pk, "role": "member"}
        )
    )
    assert "Cette personne est déjà membre de l'instance." in again
    foreign = contact(make_project(departement="79", name="Autre"), email="x@y.fr")
    refused = page_text(
        lead.post(
            url("governance:body", project, pk=body.pk), {"contact": foreign.pk, "role": "member"}
        )
    )
    assert "Sélectionnez un choix valide" in refused
    assert BodyMember.objects.filter(body=body).count() == 1


def test_body_missions_and_composition_are_editable(lead, project):
    body = copil(project)
    lead.post(
        url("governance:body_edit", project, pk=body.pk),
        {
            "kind": "copil",
            "name": "COPIL santé mentale 29",
            "missions": "Valider le diagnostic.",
            "composition_notes": "ARS, CD, MDPH, usagers",
            "co_piloted": "",
            "order": "0",
        },
    )
    body.refresh_from_db()
    assert (body.name, body.co_piloted, body.composition_notes) == (
        "COPIL santé mentale 29",
        False,
        "ARS, CD, MDPH, usagers",
    )


def _meeting(project, **fields) -> Meeting:
    start = timezone.make_aware(dt.datetime(2026, 12, 3, 14, 0))
    defaults = {
        "title": "COPIL n°2",
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=2),
        "place": "ARS, Quimper",
        "agenda": "1. Diagnostic, priorités; suites",
    }
    return Meeting.objects.create(**({"body": copil(project)} | defaults | fields))


def test_meeting_end_must_follow_its_start(lead, project):
    response = lead.post(
        url("governance:meeting_create", project, body_pk=copil(project).pk),
        {
            "title": "COPIL",
            "starts_at": "2026-12-03T14:00",
            "ends_at": "2026-12-03T13:00",
            "status": "prevue",
        },
    )
    assert "La fin de la séance doit suivre son début." in page_text(response)
    assert not Meeting.objects.exists()


def test_invitations_are_sent_by_smtp_with_an_ics_attachment(lead, project, smtp_server):
    katell = contact(project)
    silent = contact(project, last_name="Sans courriel", email="")
    body = copil(project)
    BodyMember.objects.create(body=body, contact=katell)
    BodyMember.objects.create(body=body, contact=silent)
    meeting = _meeting(project)
    lead.post(url("governance:meeting_invite_members", project, pk=meeting.pk))
    assert meeting.invitations.count() == 2
    page = page_text(lead.post(url("governance:meeting_send", project, pk=meeting.pk), follow=True))
    assert "1 invitation envoyée" in page
    assert "Sans adresse électronique, non invité par courriel : Katell Sans courriel" in page
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "k.lebihan@epsm.fr"
    assert message["Subject"] == "[ptsm] Invitation : COPIL n°2"
    assert "Ordre du jour" in message.get_body(preferencelist=("plain",)).get_content()
    attachment = next(part for part in message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "invitation.ics"
    calendar = attachment.get_content()
    calendar = calendar.decode() if isinstance(calendar, bytes) else calendar
    assert "METHOD:REQUEST" in calendar
    assert "DTSTART:20261203T130000Z" in calendar  # 14:00 in Paris (UTC+1)
    assert "SUMMARY:COPIL n°2" in calendar
    assert "1. Diagnostic\\, priorités\\; suites" in calendar
    assert Invitation.objects.get(contact=katell).sent_at is not None


def test_attendance_minutes_decisions_and_follow_up(lead, project):
    katell = contact(project)
    meeting = _meeting(project)
    invitation = Invitation.objects.create(meeting=meeting, contact=katell)
    attendance_url = url(
        "governance:meeting_attendance", project, pk=meeting.pk, invitation_pk=invitation.pk
    )
    refused = page_text(
        lead.post(attendance_url, {"attendance": "represente", "represented_by": ""}, follow=True)
    )
    assert "Indiquez qui représente la personne." in refused
    lead.post(attendance_url, {"attendance": "represente", "represented_by": "Dr Le Gall"})
    invitation.refresh_from_db()
    assert (invitation.attendance, invitation.represented_by) == (
        Attendance.REPRESENTED,
        "Dr Le Gall",
    )
    lead.post(
        url("governance:meeting_minutes", project, pk=meeting.pk),
        {"minutes": "Échanges sur le diagnostic."},
    )
    lead.post(
        url("governance:meeting_decision", project, pk=meeting.pk), {"text": "Diagnostic validé."}
    )
    empty = page_text(
        lead.post(
            url("governance:meeting_decision", project, pk=meeting.pk), {"text": " "}, follow=True
        )
    )
    assert "La décision ne peut pas être vide." in empty
    lead.post(
        url("governance:meeting_task", project, pk=meeting.pk),
        {
            "description": "Diffuser le compte rendu",
            "owner": katell.pk,
            "due_date": "2026-12-10",
            "status": "a_faire",
        },
    )
    task = meeting.tasks.get()
    lead.post(url("governance:task_status", project, pk=task.pk), {"status": "fait"})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    task.refresh_from_db()
    assert task.status == "fait"
    page = page_text(lead.get(url("governance:meeting", project, pk=meeting.pk)))
    assert "Diagnostic validé." in page and "Diffuser le compte rendu" in page
    assert "Ne saisissez aucune donnée permettant d'identifier un patient" in page


def test_a_reader_sees_the_meeting_without_forms(client, project):
    meeting = _meeting(project, minutes="Compte rendu validé.")
    login(client, member(project, Role.READER))
    page = page_text(client.get(url("governance:meeting", project, pk=meeting.pk)))
    assert "Compte rendu validé." in page
    assert "Envoyer les invitations" not in page
    assert (
        client.post(
            url("governance:meeting_minutes", project, pk=meeting.pk), {"minutes": "x"}
        ).status_code
        == 403
    )


def test_project_calendar_exports_meetings_and_milestones(client, project):
    _meeting(
        project,
        title="Plénière de lancement, édition 2026 ; grand format avec tous les partenaires du territoire",
    )
    login(client, member(project, Role.READER))
    response = client.get(url("governance:calendar_ics", project))
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert text.count("BEGIN:VEVENT") == 1 + project.milestones.count()
    assert "SUMMARY:Jalon : Signature de la lettre de cadrage" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:Plénière de lancement\\, édition 2026 \\; grand format" in unfolded


def test_ics_folding_keeps_multibyte_characters_whole():
    line = "DESCRIPTION:" + "é" * 100
    folded = ics.fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_local_initiatives_with_their_carrier(lead, project):
    clsm = Organisation.objects.create(
        project=project, name="Ville de Brest", category="collectivites"
    )
    lead.post(
        url("governance:initiative_create", project),
        {
            "kind": "clsm",
            "name": "CLSM de Brest",
            "carrier": clsm.pk,
            "area": "Brest",
            "status": "active",
            "link_to_project": "Relais local du PTSM",
        },
    )
    page = page_text(lead.get(url("governance:initiatives", project)))
    assert (
        "CLSM de Brest" in page
        and "Ville de Brest" in page
        and "Conseil local de santé mentale (CLSM)" in page
    )
    other = Organisation.objects.create(
        project=make_project(departement="79", name="Autre"), name="Ailleurs", category="social"
    )
    refused = page_text(
        lead.post(
            url("governance:initiative_create", project),
            {"kind": "cls", "name": "CLS", "carrier": other.pk, "status": "active"},
        )
    )
    assert "Sélectionnez un choix valide" in refused
    assert LocalInitiative.objects.count() == 1


def test_communication_plan_timeline(lead, project):
    for date, objective in [
        ("2026-04-10", "Annoncer le lancement"),
        ("2026-04-25", "Inviter à la plénière"),
        ("2026-09-01", "Restituer le diagnostic"),
    ]:
        lead.post(
            url("governance:communication_create", project),
            {
                "phase": "cadrage",
                "objective": objective,
                "audience": "Partenaires",
                "channel": "Courriel",
                "date": date,
                "status": "prevue",
            },
        )
    assert CommunicationAction.objects.count() == 3
    page = page_text(lead.get(url("governance:communication", project)))
    timeline = page[page.index('id="communication-timeline"') :]
    assert (
        timeline.index("Avril 2026")
        < timeline.index("Annoncer le lancement")
        < timeline.index("Septembre 2026")
    )
    assert "phase : Cadrage" in timeline
    bad = page_text(
        lead.post(
            url("governance:communication_create", project),
            {
                "objective": "X",
                "audience": "Y",
                "channel": "Z",
                "date": "pas une date",
                "status": "prevue",
            },
        )
    )
    assert "Saisissez une date valide." in bad


INJECTED = "\r\nBcc: x@evil.example"


def _unfolded_lines(calendar: str) -> list[str]:
    return calendar.replace("\r\n ", "").split("\r\n")


def test_line_breaks_in_a_title_inject_no_header_and_no_ics_line(lead, project, smtp_server):
    katell = contact(project)
    BodyMember.objects.create(body=copil(project), contact=katell)
    meeting = _meeting(
        project,
        title=f"COPIL{INJECTED}",
        place="Quimper\rATTENDEE:mailto:x@evil.example",
        agenda="Point 1\u2028END:VEVENT",
    )
    lead.post(url("governance:meeting_invite_members", project, pk=meeting.pk))
    page = page_text(lead.post(url("governance:meeting_send", project, pk=meeting.pk), follow=True))
    assert "1 invitation envoyée" in page
    message = smtp_server.messages[0]
    assert message["Bcc"] is None and message["To"] == "k.lebihan@epsm.fr"
    assert message["Subject"] == "[ptsm] Invitation : COPIL Bcc: x@evil.example"
    attachment = next(part for part in message.iter_attachments())
    calendar = attachment.get_content()
    calendar = calendar.decode() if isinstance(calendar, bytes) else calendar
    lines = _unfolded_lines(calendar)
    assert "SUMMARY:COPIL\\nBcc: x@evil.example" in lines
    assert "LOCATION:Quimper\\nATTENDEE:mailto:x@evil.example" in lines
    assert not [line for line in lines if line.startswith(("Bcc", "ATTENDEE"))]
    assert [line for line in lines if line.startswith("END:VEVENT")] == ["END:VEVENT"]
    assert "\r" not in calendar.replace("\r\n", "")  # no lone CR a reader could take as a break
    # The project calendar (all meetings and milestones) is guarded the same way.
    ics = lead.get(url("governance:calendar_ics", project)).content.decode()
    assert not [line for line in _unfolded_lines(ics) if line.startswith(("Bcc", "ATTENDEE"))]


def test_invitations_resumed_after_an_interruption_are_not_sent_twice(project, smtp_server):
    from django.utils import timezone

    from ptsm.governance.services import claim_invitations, send_invitations

    body = copil(project)
    first, second = contact(project), contact(project, last_name="Rivoal", email="a.rivoal@cd29.fr")
    BodyMember.objects.create(body=body, contact=first)
    BodyMember.objects.create(body=body, contact=second)
    meeting = _meeting(project)
    for person in (first, second):
        Invitation.objects.create(meeting=meeting, contact=person)
    since = claim_invitations(meeting=meeting)
    # The worker sent the first e-mail, then its machine stopped.
    Invitation.objects.filter(contact=first).update(sent_at=timezone.now())
    sent, without_email = send_invitations(
        meeting=meeting, base_url="http://testserver", since=since
    )
    assert (sent, without_email) == (2, [])
    assert [m["To"] for m in smtp_server.messages] == ["a.rivoal@cd29.fr"]


def _meeting_titles(html: str) -> list[str]:
    """The meetings' titles in the order of the page's tables (upcoming, then past)."""
    import re

    return re.findall(r'<td><a href="/projets/[^"]+/seances/\d+/">([^<]+)</a>', html)


def test_the_meetings_sort_by_a_column_in_both_tables(lead, project):
    now = timezone.now()
    plenary = Body.objects.get(project=project, kind=BodyKind.PLENARY)
    for title, days, body in (
        ("Bilan", 30, copil(project)),
        ("Atelier", 10, plenary),
        ("Ancien COPIL", -40, copil(project)),
        ("Lancement", -10, plenary),
    ):
        start = now + dt.timedelta(days=days)
        _meeting(
            project, title=title, starts_at=start, ends_at=start + dt.timedelta(hours=2), body=body
        )
    page_url = url("governance:meetings", project)
    html = lead.get(page_url).content.decode()
    # By default: the next meeting first, then the latest one held first.
    assert _meeting_titles(html) == ["Atelier", "Bilan", "Lancement", "Ancien COPIL"]
    assert '<th scope="col" aria-sort="ascending"><a class="ptsm-sort ptsm-sort--ascending"' in html
    assert 'aria-sort="descending"' in html  # the past meetings' date column
    html = lead.get(page_url, {"tri": "seance"}).content.decode()
    assert _meeting_titles(html) == ["Atelier", "Bilan", "Ancien COPIL", "Lancement"]
    assert "?tri=seance&amp;ordre=desc" in html
    html = lead.get(page_url, {"tri": "seance", "ordre": "desc"}).content.decode()
    assert _meeting_titles(html) == ["Bilan", "Atelier", "Lancement", "Ancien COPIL"]
    html = lead.get(page_url, {"tri": "instance"}).content.decode()
    assert _meeting_titles(html)[0] == "Bilan"  # « Comité de pilotage » before « Plénière »
    # An unknown column is ignored, never an error.
    response = lead.get(page_url, {"tri": "id; DROP TABLE", "ordre": "asc"})
    assert response.status_code == 200
    assert _meeting_titles(response.content.decode())[2] == "Lancement"

import datetime as dt

import pytest
from django.core.management import call_command

from ptsm.accounts.models import ArsAdministration, Membership, Role, User
from ptsm.accounts.permissions import project_role
from ptsm.demo.loader import DEMO_PASSWORD, DEMO_SLUG, load_demo
from ptsm.projects.models import Project
from ptsm.territories.models import Commune
from ptsm.territories.selectors import territory_card

pytestmark = pytest.mark.django_db


def test_demo_project_is_a_real_departement_with_one_user_per_role(capsys):
    call_command("load_demo")
    output = capsys.readouterr().out
    project = Project.objects.get(slug=DEMO_SLUG)
    assert (
        territory_card(project.territory).communes
        == Commune.objects.filter(departement_id="29").count()
    )
    roles = {project_role(user, project) for user in User.objects.all()} - {None}
    assert roles == set(Role)
    for user in User.objects.filter(email__endswith="@demo.ptsm.fr"):
        assert user.check_password(DEMO_PASSWORD)
        assert user.email in output
    assert project.milestones.filter(done_on__isnull=False).exists()
    assert project.milestones.filter(done_on__isnull=True).exists()


def test_loading_the_demo_twice_changes_nothing():
    load_demo(today=dt.date(2026, 11, 24))
    counts = (
        Project.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        ArsAdministration.objects.count(),
    )
    load_demo(today=dt.date(2026, 11, 24))
    assert counts == (
        Project.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        ArsAdministration.objects.count(),
    )


def test_the_demo_ars_administrator_logs_in_with_the_printed_totp_secret(client, capsys):
    import re
    from base64 import b32decode

    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.helpers import totp_code

    call_command("load_demo")
    secret = re.search(r"application d'authentification : ([A-Z2-7]+)", capsys.readouterr().out)
    # What a person's authenticator application computes from the printed key.
    app = TOTPDevice(key=b32decode(secret.group(1)).hex())
    call_command("demo_totp_code")
    assert capsys.readouterr().out.startswith(totp_code(app))

    response = client.post(
        reverse("accounts:login"), {"username": "ars@demo.ptsm.fr", "password": DEMO_PASSWORD}
    )
    verify = client.get(response.url)
    assert verify.url.startswith(reverse("accounts:otp_verify"))
    done = client.post(verify.url, {"code": totp_code(app)}, follow=True)
    assert "PTSM du Finistère" in done.content.decode()


def test_the_demo_tells_a_coherent_story():
    """Every milestone done is a step that happened (on the date it happened), meetings held
    have their attendance, the actions are « validées » once the COPIL validated the roadmap and
    the people who sign have the power to."""
    from ptsm.commitments.models import Signatory, SignatoryStatus
    from ptsm.diagnostic.models import DiagnosticVersion
    from ptsm.framing.models import FramingLetter, LetterStatus
    from ptsm.governance.models import Attendance, Meeting, MeetingStatus
    from ptsm.projects.models import MilestoneKey, Phase
    from ptsm.roadmap.models import Action, ActionStatus, RoadmapVersion

    today = dt.date(2026, 11, 24)
    load_demo(today=today)
    project = Project.objects.get(slug=DEMO_SLUG)
    assert project.phase == Phase.COMMITMENT
    changes = list(project.phase_changes.order_by("changed_on"))
    assert [c.to_phase for c in changes] == [Phase.DIAGNOSTIC, Phase.ROADMAP, Phase.COMMITMENT]
    assert all(c.event and not c.out_of_order for c in changes)

    letter = FramingLetter.objects.get(project=project)
    signed = letter.versions.get(signed=True)
    diagnostic = DiagnosticVersion.objects.get(project=project)
    roadmap = RoadmapVersion.objects.get(project=project)
    done = {m.key: m.done_on for m in project.milestones.exclude(done_on=None)}
    plenary = Meeting.objects.get(body__project=project, title="Plénière de lancement")
    assert done == {
        MilestoneKey.FRAMING_SIGNED: signed.signed_on,
        MilestoneKey.LAUNCH_PLENARY: plenary.starts_at.date(),
        MilestoneKey.DIAGNOSTIC_VALIDATED: diagnostic.validated_on,
        MilestoneKey.ROADMAP_VALIDATED: roadmap.validated_on,
    }
    assert letter.status == LetterStatus.SIGNED
    assert signed.signed_on < diagnostic.validated_on < roadmap.validated_on < today
    assert not project.milestones.filter(done_on=None, due_date__lt=today).exists()  # none late

    meetings = Meeting.objects.filter(body__project=project)
    for meeting in meetings.filter(status=MeetingStatus.HELD):
        attendance = set(meeting.invitations.values_list("attendance", flat=True))
        assert Attendance.PRESENT in attendance and Attendance.INVITED not in attendance
        assert meeting.starts_at.date() < today and meeting.minutes
    assert meetings.filter(status=MeetingStatus.PLANNED).count() == 1
    assert meetings.get(status=MeetingStatus.PLANNED).starts_at.date() > today
    assert diagnostic.meeting.title == "COPIL de validation du diagnostic"
    assert roadmap.meeting.title == "COPIL de validation de la feuille de route"

    actions = Action.objects.filter(objective__theme__orientation__project=project)
    assert set(actions.values_list("status", flat=True)) == {ActionStatus.VALIDATED}
    assert all(a.start_date > roadmap.validated_on for a in actions)

    # The DG of the ARS and the président du conseil départemental signed the framing letter.
    assert letter.ars_signatory.organisation.name == "Agence régionale de santé Bretagne"
    assert letter.ars_signatory.function == "Directeur général de l'ARS Bretagne"
    assert letter.cd_signatory.function == "Président du conseil départemental"
    signatories = Signatory.objects.filter(letter__project=project).select_related("contact")
    assert signatories.count() == 7
    assert all(s.contact.function.startswith(("Direct", "Président")) for s in signatories), [
        s.contact.function for s in signatories
    ]
    assert {s.organisation.name for s in signatories if s.status == SignatoryStatus.SIGNED} == {
        "Fondation Ildys"
    }
    # The demo signataire runs the SAMSAH and signs for it.
    membership = Membership.objects.get(user__email="signataire@demo.ptsm.fr", project=project)
    samsah = signatories.get(organisation=membership.organisation)
    assert samsah.organisation.name == "SAMSAH Les Genêts"
    assert samsah.contact.full_name.endswith("Gwenola Le Bras")
    assert samsah.status == SignatoryStatus.SENT

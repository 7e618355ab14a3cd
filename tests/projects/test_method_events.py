"""The method drives the project: each method event moves the phase and closes its milestone on
the event's own date; an event out of order is shown, never refused; the chef de projet may set
the phase by hand with a reason kept in the history; default milestones follow the duration."""

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.diagnostic.selectors import report_content
from ptsm.diagnostic.services import validate_diagnostic
from ptsm.evaluation import services as evaluation
from ptsm.evaluation.models import ReviewKind
from ptsm.framing import services as framing
from ptsm.framing.models import LetterStatus, SignatureMode
from ptsm.projects.models import Milestone, MilestoneKey, Phase, PhaseChange
from ptsm.projects.services import set_phase, update_project
from ptsm.roadmap.services import validate_roadmap
from tests.commitments.test_commitments import COPIL_DAY, setup_roadmap
from tests.evaluation.test_evaluation import sign
from tests.factories import make_project, member, ready_framing_letter
from tests.helpers import login, page_text, visible_text

pytestmark = pytest.mark.django_db

START = dt.date(2026, 1, 15)


def words(text: str) -> str:
    return " ".join(text.split())


def done(project) -> dict[str, dt.date]:
    """Milestone key -> the date it was done, for the milestones done."""
    return dict(
        project.milestones.exclude(done_on=None).exclude(key="").values_list("key", "done_on")
    )


def phase(project) -> str:
    project.refresh_from_db(fields=["phase"])
    return project.phase


def sign_framing_letter(project, lead, signed_on):
    letter = ready_framing_letter(framing.ensure_letter(project=project))
    framing.change_status(letter=letter, to_status=LetterStatus.REVIEW, user=lead)
    framing.change_status(letter=letter, to_status=LetterStatus.VALIDATED, user=lead)
    version = framing.generate_version(letter=letter, user=lead)
    framing.sign_version(
        version=version, user=lead, mode=SignatureMode.SESSION, signed_on=signed_on
    )


def validate_the_diagnostic(project, lead, validated_on):
    validate_diagnostic(
        project=project,
        meeting=None,
        decision="Diagnostic validé",
        validated_on=validated_on,
        user=lead,
        content=report_content(project),
    )


def validate_the_roadmap(project, lead, validated_on):
    validate_roadmap(
        project=project,
        meeting=None,
        decision="Feuille de route validée",
        validated_on=validated_on,
        user=lead,
        lines=["1. Accès aux soins"],
    )


def validate_the_review(project, kind, validated_on):
    evaluation.validate_review(
        review=evaluation.ensure_review(project=project, kind=kind),
        meeting=None,
        decision="Bilan adopté",
        validated_on=validated_on,
    )


def dashboard(client, project) -> str:
    response = client.get(reverse("projects:dashboard", kwargs={"slug": project.slug}))
    assert response.status_code == 200
    return words(visible_text(response))


def test_the_method_moves_the_phase_and_closes_each_milestone_on_the_events_date(client):
    project = make_project(departement="29", name="PTSM neuf du Finistère", start=START)
    lead = member(project, Role.PROJECT_LEAD)
    epsm, gem = setup_roadmap(project, copil_validated=False)
    assert phase(project) == Phase.CADRAGE and done(project) == {}

    sign_framing_letter(project, lead, dt.date(2026, 2, 3))
    assert phase(project) == Phase.DIAGNOSTIC
    assert done(project) == {MilestoneKey.FRAMING_SIGNED: dt.date(2026, 2, 3)}

    validate_the_diagnostic(project, lead, dt.date(2026, 7, 10))
    assert phase(project) == Phase.ROADMAP
    assert done(project)[MilestoneKey.DIAGNOSTIC_VALIDATED] == dt.date(2026, 7, 10)

    validate_the_roadmap(project, lead, dt.date(2027, 1, 12))
    assert phase(project) == Phase.COMMITMENT
    assert done(project)[MilestoneKey.ROADMAP_VALIDATED] == dt.date(2027, 1, 12)

    sign(project, epsm, dt.date(2027, 2, 1))  # one operator of two: not yet
    assert phase(project) == Phase.COMMITMENT
    assert MilestoneKey.COMMITMENTS_SIGNED not in done(project)
    sign(project, gem, dt.date(2027, 3, 15))  # every annex signed: on the last signature's date
    assert phase(project) == Phase.IMPLEMENTATION
    assert done(project)[MilestoneKey.COMMITMENTS_SIGNED] == dt.date(2027, 3, 15)

    validate_the_review(project, ReviewKind.SIX_MONTHS, dt.date(2027, 9, 20))
    assert phase(project) == Phase.EVALUATION
    assert done(project)[MilestoneKey.SIX_MONTH_REVIEW] == dt.date(2027, 9, 20)

    validate_the_review(project, ReviewKind.FINAL, dt.date(2028, 3, 20))
    assert phase(project) == Phase.CLOSED
    assert done(project)[MilestoneKey.FINAL_REVIEW] == dt.date(2028, 3, 20)

    # Every default milestone is closed but the launch plenary (a meeting, not a method event).
    assert list(project.milestones.filter(done_on=None).values_list("key", flat=True)) == [
        MilestoneKey.LAUNCH_PLENARY
    ]
    history = list(PhaseChange.objects.filter(project=project).order_by("changed_on"))
    assert [(c.from_phase, c.to_phase, c.out_of_order) for c in history] == [
        (Phase.CADRAGE, Phase.DIAGNOSTIC, False),
        (Phase.DIAGNOSTIC, Phase.ROADMAP, False),
        (Phase.ROADMAP, Phase.COMMITMENT, False),
        (Phase.COMMITMENT, Phase.IMPLEMENTATION, False),
        (Phase.IMPLEMENTATION, Phase.EVALUATION, False),
        (Phase.EVALUATION, Phase.CLOSED, False),
    ]
    assert history[0].user == lead

    login(client, member(project, Role.READER))
    page = dashboard(client, project)
    assert "Phase 7 sur 7 Clos" in page
    assert "hors de l'ordre" not in page
    assert (
        "15 mars 2027 — Engagement → Mise en œuvre : Signature des lettres d'engagement par "
        "tous les opérateurs" in page
    )


def test_an_event_out_of_order_is_recorded_and_shown_not_refused(client):
    project = make_project(departement="29", name="PTSM pressé", start=START)
    lead = member(project, Role.PROJECT_LEAD)
    setup_roadmap(project)  # the COPIL validates the roadmap while the project is in Cadrage
    assert phase(project) == Phase.COMMITMENT
    assert done(project) == {MilestoneKey.ROADMAP_VALIDATED: COPIL_DAY}
    change = PhaseChange.objects.get(project=project)
    assert change.out_of_order and change.from_phase == Phase.CADRAGE

    login(client, lead)
    page = dashboard(client, project)
    assert "Phase 4 sur 7 Engagement" in page
    assert (
        "Étape franchie hors de l'ordre de la méthode : Validation de la feuille de route par "
        "le COPIL, le 12 novembre 2026 (le projet était en phase « Cadrage »)" in page
    )

    # The framing letter signed afterwards closes its milestone; the phase does not go back.
    sign_framing_letter(project, lead, dt.date(2026, 11, 20))
    assert phase(project) == Phase.COMMITMENT
    assert done(project)[MilestoneKey.FRAMING_SIGNED] == dt.date(2026, 11, 20)
    assert PhaseChange.objects.filter(project=project).count() == 1


def test_a_manual_phase_change_needs_a_reason_and_is_kept_in_the_history(client):
    project = make_project(departement="29", name="PTSM repris", start=START)
    lead = member(project, Role.PROJECT_LEAD, first_name="Maëlle", last_name="Guivarc'h")
    login(client, lead)
    url = reverse("projects:edit", kwargs={"slug": project.slug})
    data = {
        "name": project.name,
        "description": "",
        "phase": Phase.ROADMAP,
        "start_date": "2026-01-15",
        "planned_duration_months": "18",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Indiquez le motif du changement de phase." in response.content.decode()
    assert phase(project) == Phase.CADRAGE

    reason = "Diagnostic repris de l'ancien PTSM, validé en 2025"
    response = client.post(url, {**data, "phase_reason": reason})
    assert response.status_code == 302
    assert phase(project) == Phase.ROADMAP
    change = PhaseChange.objects.get(project=project)
    assert (change.from_phase, change.to_phase, change.user, change.reason, change.event) == (
        Phase.CADRAGE,
        Phase.ROADMAP,
        lead,
        reason,
        "",
    )
    page = dashboard(client, project)
    assert "Phase 3 sur 7 Feuille de route" in page
    assert (
        f"Cadrage → Feuille de route : changement manuel par Maëlle Guivarc'h, motif : « {reason} »"
        in page
    )
    # The project's journal records the change, who made it and why.
    journal = page_text(client.get(reverse("audit:journal", kwargs={"slug": project.slug})))
    assert "changement de phase" in journal.lower() and reason in journal

    # Editing other fields leaves the phase and its history alone; the service asks the reason.
    response = client.post(url, {**data, "name": "PTSM repris (2026)"})
    assert response.status_code == 302 and PhaseChange.objects.count() == 1
    with pytest.raises(ValidationError, match="motif"):
        set_phase(project=project, phase=Phase.COMMITMENT, user=lead, reason="  ")
    with pytest.raises(ValidationError, match="motif"):
        update_project(project=project, phase=Phase.COMMITMENT)
    # By hand the phase may also go back.
    set_phase(project=project, phase=Phase.DIAGNOSTIC, user=lead, reason="Diagnostic à reprendre")
    assert phase(project) == Phase.DIAGNOSTIC and PhaseChange.objects.count() == 2


def _schedule(project) -> dict[str, dt.date]:
    return dict(project.milestones.values_list("key", "due_date"))


def test_default_milestones_follow_the_projects_own_duration():
    ptsm = make_project(departement="29", name="PTSM en 18 mois", start=START)
    ctsm = make_project(
        departement="79", name="CTSM en 5 ans", start=START, planned_duration_months=60
    )
    assert _schedule(ptsm) == {
        MilestoneKey.FRAMING_SIGNED: dt.date(2026, 1, 15),
        MilestoneKey.LAUNCH_PLENARY: dt.date(2026, 2, 15),
        MilestoneKey.DIAGNOSTIC_VALIDATED: dt.date(2026, 7, 15),
        MilestoneKey.ROADMAP_VALIDATED: dt.date(2027, 1, 15),
        MilestoneKey.COMMITMENTS_SIGNED: dt.date(2027, 3, 15),
        # Six months after the signature, after the 18 months of the elaboration; the final
        # review at the end of the commitments' year, never on the same day.
        MilestoneKey.SIX_MONTH_REVIEW: dt.date(2027, 9, 15),
        MilestoneKey.FINAL_REVIEW: dt.date(2028, 3, 15),
    }
    assert ptsm.planned_end_date == dt.date(2028, 3, 15)
    assert ptsm.duration_label == "élaboration en 18 mois, puis mise en œuvre et bilans"
    assert _schedule(ctsm) == {
        MilestoneKey.FRAMING_SIGNED: dt.date(2026, 1, 15),
        MilestoneKey.LAUNCH_PLENARY: dt.date(2026, 4, 15),
        MilestoneKey.DIAGNOSTIC_VALIDATED: dt.date(2027, 9, 15),
        MilestoneKey.ROADMAP_VALIDATED: dt.date(2029, 5, 15),
        MilestoneKey.COMMITMENTS_SIGNED: dt.date(2029, 12, 15),
        MilestoneKey.SIX_MONTH_REVIEW: dt.date(2030, 6, 15),
        MilestoneKey.FINAL_REVIEW: dt.date(2031, 1, 15),
    }
    assert ctsm.milestones.get(key=MilestoneKey.FINAL_REVIEW).due_date == ctsm.planned_end_date


def test_the_data_migration_keys_existing_default_milestones_by_their_title():
    project = make_project(departement="29", name="PTSM ancien", start=START)
    project.milestones.update(key="")
    Milestone.objects.create(project=project, title="Comité local", due_date=START)
    migration = import_module("ptsm.projects.migrations.0003_default_milestone_keys")
    migration.set_keys(django_apps, None)
    keyed = dict(project.milestones.values_list("title", "key"))
    assert keyed["Validation de la feuille de route par le COPIL"] == "feuille-de-route"
    assert keyed["Bilan de la démarche"] == "bilan-final"
    assert keyed["Comité local"] == ""


def test_the_dashboard_query_count_does_not_grow_with_the_phase_history(client):
    project = make_project(departement="29", name="PTSM suivi", start=START)
    lead = member(project, Role.PROJECT_LEAD)
    login(client, lead)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            dashboard(client, project)
        return len(captured)

    set_phase(project=project, phase=Phase.DIAGNOSTIC, user=lead, reason="Premier")
    before = queries()
    # Back to the same phase (the « À faire » asks what each phase needs), four changes later.
    steps = [Phase.ROADMAP, Phase.COMMITMENT, Phase.CADRAGE, Phase.DIAGNOSTIC]
    for step, target in enumerate(steps, 2):
        set_phase(project=project, phase=target, user=lead, reason=f"Motif {step}")
    assert queries() == before


def test_moving_the_projects_dates_moves_the_methods_milestones_not_done(client):
    project = make_project(departement="29", name="PTSM décalé", start=START)
    lead = member(project, Role.PROJECT_LEAD)
    sign_framing_letter(project, lead, dt.date(2026, 2, 3))
    own = Milestone.objects.create(project=project, title="Forum des usagers", due_date=START)
    login(client, lead)
    response = client.post(
        reverse("projects:edit", kwargs={"slug": project.slug}),
        {
            "name": project.name,
            "description": "",
            "phase": Phase.DIAGNOSTIC,
            "start_date": "2026-03-15",
            "planned_duration_months": "36",
            "reschedule_milestones": "on",
        },
        follow=True,
    )
    assert "Jalons de la méthode recalés sur les nouvelles dates : 6." in visible_text(response)
    schedule = _schedule(project)
    assert schedule[MilestoneKey.FRAMING_SIGNED] == START  # done: kept
    assert schedule[MilestoneKey.DIAGNOSTIC_VALIDATED] == dt.date(2027, 3, 15)  # 12 of 36 months
    # Signed at 28 months of 36: the final review at the end of the commitments' year (40).
    assert schedule[MilestoneKey.FINAL_REVIEW] == dt.date(2029, 7, 15)
    own.refresh_from_db()
    assert own.due_date == START
    assert not PhaseChange.objects.filter(project=project, event="").exists()


def test_a_collective_session_where_every_operator_signs_starts_the_implementation():
    from django.utils import timezone

    from ptsm.commitments.models import SignatureMode as CommitmentSignatureMode
    from ptsm.commitments.services import (
        ensure_letter,
        generate_annex,
        record_session_signatures,
        update_settings,
    )
    from ptsm.governance.models import Attendance, Body, BodyKind, Invitation, Meeting
    from ptsm.governance.services import create_default_bodies

    project = make_project(departement="29", name="PTSM en séance", start=START)
    operators = setup_roadmap(project)  # validated on COPIL_DAY
    create_default_bodies(project=project)
    starts_at = timezone.make_aware(dt.datetime(2027, 2, 1, 14))
    session = Meeting.objects.create(
        body=Body.objects.get(project=project, kind=BodyKind.COPIL),
        title="Séance de signature",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
    )
    for organisation in operators:
        Invitation.objects.create(
            meeting=session, contact=organisation.contacts.get(), attendance=Attendance.PRESENT
        )
    letter = ensure_letter(project=project)
    update_settings(
        letter=letter,
        signature_mode=CommitmentSignatureMode.COLLECTIVE,
        duration_months=12,
        session=session,
    )
    for organisation in operators:
        generate_annex(letter=letter, organisation=organisation)
    assert record_session_signatures(letter=letter) == 2
    assert phase(project) == Phase.IMPLEMENTATION
    assert done(project)[MilestoneKey.COMMITMENTS_SIGNED] == dt.date(2027, 2, 1)


def test_the_milestones_page_says_which_event_closes_a_method_milestone(client):
    project = make_project(departement="29", name="PTSM expliqué", start=START)
    Milestone.objects.create(project=project, title="Forum des usagers", due_date=START)
    login(client, member(project, Role.READER))
    page = words(visible_text(client.get(reverse("projects:milestones", args=[project.slug]))))
    assert (
        "Validation du diagnostic partagé par le COPIL Étape de la méthode, marquée réalisée à la "
        "date de l'événement « Validation du diagnostic partagé par le COPIL »" in page
    )
    assert page.count("Étape de la méthode") == 6  # the launch plenary is a meeting


def test_each_domain_app_registers_the_events_of_its_steps():
    from ptsm.projects.events import closing_event, registered_events

    reached = {event.reaches for event in registered_events()}
    # Every phase after Cadrage is reached by an event declared by its domain app (a contract's
    # reviews keep it in implementation, its last annual review opens the evaluation).
    assert sorted(reached, key=Phase.values.index) == Phase.values[1:]
    assert {key: getattr(closing_event(key), "key", None) for key in MilestoneKey.values} == {
        "lettre-de-cadrage": "lettre-de-cadrage-signee",
        "pleniere-de-lancement": None,
        "diagnostic": "diagnostic-valide",
        "feuille-de-route": "feuille-de-route-validee",
        "engagements": "engagements-signes",
        "bilan-6-mois": "bilan-6-mois-valide",
        "bilan-annuel-1": "bilan-annuel-1-valide",
        "bilan-annuel-2": "bilan-annuel-2-valide",
        "bilan-annuel-3": "bilan-annuel-3-valide",
        "bilan-annuel-4": "bilan-annuel-4-valide",
        "bilan-final": "bilan-final-valide",
    }

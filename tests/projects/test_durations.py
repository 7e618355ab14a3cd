"""One place for the durations that belong together: the project's page warns when the framing
letter, the commitments or the milestones do not fit the project's own dates."""

import datetime as dt

import pytest
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.commitments.services import ensure_letter as ensure_commitments
from ptsm.framing import services as framing
from ptsm.projects.consistency import duration_warnings
from ptsm.projects.models import ProjectKind
from tests.factories import make_project, member
from tests.helpers import login, visible_text

pytestmark = pytest.mark.django_db

START = dt.date(2026, 1, 15)


def words(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def test_durations_that_do_not_fit_the_project_are_shown_on_its_page(client):
    project = make_project(departement="29", name="PTSM à recadrer", start=START)
    letter = framing.ensure_letter(project=project)
    assert letter.duration_months == 18  # the framing letter starts with the project's duration
    assert all("lettre de cadrage" not in w for w in duration_warnings(project))
    framing.update_settings(letter=letter, duration_months=4, ars_signatory=None, cd_signatory=None)
    # The seed's year of commitments from the signature planned at month 14 fits: the final
    # review is planned at its end.
    commitments = ensure_commitments(project=project)
    assert [w for w in duration_warnings(project) if "engagements (" in w] == []
    commitments.duration_months = 24
    commitments.save(update_fields=["duration_months"])
    warnings = [words(w) for w in duration_warnings(project)]
    assert warnings == [
        "La lettre de cadrage engage pour 4 mois (jusqu'au 15 mai 2026) : moins que la phase "
        "de diagnostic, dont la validation est prévue le 15 juillet 2026.",
        "Les engagements (24 mois à compter du 15 mars 2027) courent jusqu'au 15 mars 2029, "
        "après la fin prévue du projet (15 mars 2028) : allongez le projet, raccourcissez "
        "les engagements, ou suivez-les dans un CTSM.",
    ]
    login(client, member(project, Role.PROJECT_LEAD))
    page = words(visible_text(client.get(reverse("projects:edit", args=[project.slug]))))
    assert "Des durées ne concordent pas" in page
    assert warnings[0] in page and warnings[1] in page

    # Followed by its CTSM, the project ends with its contract: the commitments fit.
    response = client.post(
        reverse("projects:edit", args=[project.slug]),
        {
            "name": project.name,
            "description": "",
            "phase": project.phase,
            "start_date": "2026-01-15",
            "planned_duration_months": "18",
            "kind": ProjectKind.CTSM,
            "contract_duration_months": "60",
            "reschedule_milestones": "on",
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.planned_end_date == dt.date(2032, 3, 15)
    # The page's heading says what the dates cover, not « 18 mois » for seven years.
    heading = visible_text(client.get(reverse("projects:dashboard", args=[project.slug])))
    assert (
        "du 15 janvier 2026 au 15 mars 2032 (élaboration en 18 mois, puis contrat de 60 mois)"
        in heading
    )
    assert set(project.milestones.values_list("key", flat=True)) >= {
        "bilan-annuel-1",
        "bilan-annuel-4",
    }
    assert [w for w in duration_warnings(project) if "engagements (" in w] == []


def test_a_ctsm_needs_its_contracts_duration_and_a_ptsm_has_none(client):
    project = make_project(departement="29", name="PTSM hésitant", start=START)
    login(client, member(project, Role.PROJECT_LEAD))
    url = reverse("projects:edit", args=[project.slug])
    data = {
        "name": project.name,
        "description": "",
        "phase": project.phase,
        "start_date": "2026-01-15",
        "planned_duration_months": "18",
    }
    page = words(visible_text(client.post(url, {**data, "kind": ProjectKind.CTSM})))
    assert "Indiquez la durée du contrat (CTSM), en mois." in page
    page = words(
        visible_text(
            client.post(url, {**data, "kind": ProjectKind.CTSM, "contract_duration_months": "72"})
        )
    )
    assert "inférieure ou égale à 60" in page
    page = words(
        visible_text(
            client.post(url, {**data, "kind": ProjectKind.PTSM, "contract_duration_months": "36"})
        )
    )
    assert "Un PTSM seul n'a pas de contrat" in page
    project.refresh_from_db()
    assert (project.kind, project.contract_duration_months) == (ProjectKind.PTSM, None)


def _edit(client, project, **changes):
    data = {
        "name": project.name,
        "description": "",
        "phase": project.phase,
        "start_date": "2026-01-15",
        "planned_duration_months": "18",
        **changes,
    }
    return client.post(reverse("projects:edit", args=[project.slug]), data)


def test_the_projects_form_sets_every_duration_that_belongs_with_it(client):
    from ptsm.commitments.models import CommitmentLetter
    from ptsm.framing.models import FramingLetter
    from tests.projects.test_method_events import sign_framing_letter

    project = make_project(departement="29", name="PTSM à recadrer", start=START)
    lead = member(project, Role.PROJECT_LEAD)
    login(client, lead)
    page = visible_text(client.get(reverse("projects:edit", args=[project.slug])))
    assert "Durée d'engagement de la lettre de cadrage (mois)" in page
    assert "Durée des engagements des opérateurs (mois)" in page

    # A framing letter too short and commitments too long: both fixed from the one form.
    response = _edit(client, project, framing_duration_months="4", commitments_duration_months="36")
    assert response.status_code == 302
    assert FramingLetter.objects.get(project=project).duration_months == 4
    assert CommitmentLetter.objects.get(project=project).duration_months == 36
    page = words(visible_text(client.get(reverse("projects:edit", args=[project.slug]))))
    assert "La lettre de cadrage engage pour 4 mois" in page
    assert "Les engagements (36 mois" in page
    response = _edit(client, project, framing_duration_months="18", commitments_duration_months="9")
    assert response.status_code == 302
    assert duration_warnings(project) == []

    # Out of bounds: refused in French, nothing changed.
    response = _edit(client, project, framing_duration_months="0")
    assert response.status_code == 200
    assert "supérieure ou égale à 1" in visible_text(response)
    assert FramingLetter.objects.get(project=project).duration_months == 18

    # Once the letter is signed its duration is shown, not editable, and a forged value is
    # ignored; the commitments of a CTSM follow its contract and have no field.
    sign_framing_letter(project, lead, dt.date(2026, 2, 2))
    project.refresh_from_db()  # now in the diagnostic phase
    page = visible_text(client.get(reverse("projects:edit", args=[project.slug])))
    assert (
        "Lettre de cadrage signée le 2 février 2026 : sa durée ne change que par un avenant."
        in (page)
    )
    response = _edit(
        client,
        project,
        framing_duration_months="30",
        kind=ProjectKind.CTSM,
        contract_duration_months="60",
    )
    assert response.status_code == 302
    assert FramingLetter.objects.get(project=project).duration_months == 18
    page = visible_text(client.get(reverse("projects:edit", args=[project.slug])))
    assert "Durée des engagements des opérateurs" not in page

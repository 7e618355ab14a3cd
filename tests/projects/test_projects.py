import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ptsm.accounts.models import Membership, Role
from ptsm.projects.models import Milestone, Phase, Project, add_months
from ptsm.territories.models import Commune
from tests.factories import make_project, member
from tests.helpers import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère", start=dt.date(2026, 1, 15))


def test_ars_admin_creates_a_project_with_its_territory_and_default_milestones(client, project):
    login(client, member(project, Role.ARS_ADMIN))
    response = client.post(
        reverse("projects:create"),
        {
            "name": "PTSM du pays de Brest",
            "region": project.region.code,
            "start_date": "2026-03-01",
            "planned_duration_months": "18",
            "territory_name": "Pays de Brest",
            "commune_codes": "29019, 29075",
            "epci_codes": "",
        },
    )
    created = Project.objects.get(name="PTSM du pays de Brest")
    assert response.status_code == 302
    assert response.url == reverse("projects:dashboard", kwargs={"slug": created.slug})
    assert created.slug == "ptsm-du-pays-de-brest"
    assert created.phase == Phase.CADRAGE
    # Signed at 14 months, committed for a year: the final review at 26 months.
    assert created.planned_end_date == dt.date(2028, 5, 1)
    assert sorted(created.territory.communes.values_list("code", flat=True)) == ["29019", "29075"]
    assert created.milestones.count() == 7
    assert created.milestones.first().title == "Signature de la lettre de cadrage"


def test_project_creation_with_unknown_codes_shows_french_errors_and_creates_nothing(
    client, project
):
    login(client, member(project, Role.ARS_ADMIN))
    before = Project.objects.count()
    response = client.post(
        reverse("projects:create"),
        {
            "name": "PTSM fantôme",
            "region": project.region.code,
            "start_date": "2026-03-01",
            "planned_duration_months": "18",
            "territory_name": "Nulle part",
            "commune_codes": "99999",
            "epci_codes": "123",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "EPCI inconnus : 123" in page
    assert Project.objects.count() == before


def test_project_creation_requires_a_perimeter(client, project):
    login(client, member(project, Role.ARS_ADMIN))
    response = client.post(
        reverse("projects:create"),
        {
            "name": "PTSM sans territoire",
            "region": project.region.code,
            "start_date": "2026-03-01",
            "planned_duration_months": "18",
            "territory_name": "Rien",
        },
    )
    assert "Indiquez au moins un département" in response.content.decode()
    assert not Project.objects.filter(name="PTSM sans territoire").exists()


def test_ars_admin_cannot_create_a_project_in_another_region(client, project):
    login(client, member(project, Role.ARS_ADMIN))
    response = client.post(
        reverse("projects:create"),
        {
            "name": "PTSM ailleurs",
            "region": "75",  # Nouvelle-Aquitaine, not administered
            "start_date": "2026-03-01",
            "planned_duration_months": "18",
            "territory_name": "Deux-Sèvres",
            "commune_codes": "79191",
        },
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Project.objects.filter(name="PTSM ailleurs").exists()


def test_dashboard_shows_phase_late_and_upcoming_milestones_and_identity_card(client, project):
    Milestone.objects.filter(project=project).delete()
    today = dt.date.today()
    Milestone.objects.create(
        project=project, title="COPIL de lancement", due_date=today - dt.timedelta(days=3)
    )
    Milestone.objects.create(
        project=project,
        title="Plénière passée",
        due_date=today - dt.timedelta(days=9),
        done_on=today,
    )
    Milestone.objects.create(
        project=project, title="Restitution du diagnostic", due_date=today + dt.timedelta(days=20)
    )
    project.phase = Phase.DIAGNOSTIC
    project.save()
    login(client, member(project, Role.READER))
    page = client.get(reverse("projects:dashboard", kwargs={"slug": project.slug})).content.decode()
    assert "Phase 2 sur 7" in page
    assert "Diagnostic partagé" in page
    late = page[page.index('id="late-milestones"') :]
    assert "1 jalon en retard" in late and "COPIL de lancement" in late
    assert "Plénière passée" not in page
    upcoming = page[page.index('id="upcoming-milestones"') :]
    assert "Restitution du diagnostic" in upcoming
    population = sum(
        Commune.objects.filter(departement_id="29").values_list("population", flat=True)
    )
    assert f"{population:,}".replace(",", "\u202f") in page
    assert (
        "<svg" in page
        and page.count("<path ") == Commune.objects.filter(departement_id="29").count()
    )
    assert "Modifier le projet" not in page  # a reader cannot edit


def _dashboard_queries(client, project) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("projects:dashboard", kwargs={"slug": project.slug}))
    assert response.status_code == 200
    return len(queries)


def test_dashboard_query_count_does_not_grow_with_the_territory(client):
    small = make_project(
        departement="29", with_departement=False, commune_codes=["29019"], name="Petit"
    )
    codes = list(
        Commune.objects.filter(departement_id__in=["51", "08"]).values_list("code", flat=True)[:650]
    )
    large = make_project(
        departement="51", with_departement=False, commune_codes=codes, name="Grand"
    )
    assert len(codes) == 650
    user = member(small, Role.PROJECT_LEAD)
    Membership.objects.create(user=user, project=large, role=Role.PROJECT_LEAD)
    login(client, user)
    # 21 for a chef de projet in « Cadrage »: the « À faire » asks every app (see test_todo_queries);
    # the participation panel asks governance (3) and the consultations (2 or 3).
    assert _dashboard_queries(client, small) == _dashboard_queries(client, large) <= 28


def test_lead_edits_the_project_phase_and_duration(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    response = client.post(
        reverse("projects:edit", kwargs={"slug": project.slug}),
        {
            "name": project.name,
            "description": "Démarche partenariale",
            "phase": Phase.ROADMAP,
            "phase_reason": "Diagnostic repris du précédent PTSM",
            "start_date": "2026-01-15",
            "planned_duration_months": "24",
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.phase == Phase.ROADMAP
    assert project.planned_duration_months == 24
    # Signed at 19 months of 24, committed for a year: the final review at 31 months.
    assert project.planned_end_date == dt.date(2028, 8, 15)


def test_invalid_project_edit_is_refused_in_french(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    response = client.post(
        reverse("projects:edit", kwargs={"slug": project.slug}),
        {
            "name": "",
            "phase": "inconnue",
            "start_date": "31/02/2026",
            "planned_duration_months": "x",
        },
    )
    page = response.content.decode()
    assert "Ce champ est obligatoire." in page
    assert "Saisissez une date valide." in page
    project.refresh_from_db()
    assert project.name == "PTSM du Finistère"


def test_lead_redefines_the_territory(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    url = reverse("projects:territory_edit", kwargs={"slug": project.slug})
    response = client.post(
        url, {"territory_name": "Brest et Quimper", "commune_codes": "29019 29232"}
    )
    assert response.status_code == 302
    page = client.get(reverse("projects:territory", kwargs={"slug": project.slug})).content.decode()
    assert "Territoire : Brest et Quimper" in page
    assert "Communes (2)" in page
    bad = client.post(url, {"territory_name": "X", "commune_codes": "29019 00000"})
    assert "Codes INSEE inconnus : 00000" in bad.content.decode()
    assert project.territory.communes.count() == 2


def test_milestones_are_added_edited_and_deleted(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    create = reverse("projects:milestone_create", kwargs={"slug": project.slug})
    assert client.post(create, {"title": "COPIL n°2", "due_date": "2026-06-30"}).status_code == 302
    milestone = project.milestones.get(title="COPIL n°2")
    future = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    refused = client.post(
        reverse("projects:milestone_edit", kwargs={"slug": project.slug, "pk": milestone.pk}),
        {"title": "COPIL n°2", "due_date": "2026-06-30", "done_on": future},
    )
    assert "ne peut pas être dans le futur" in refused.content.decode()
    client.post(
        reverse("projects:milestone_delete", kwargs={"slug": project.slug, "pk": milestone.pk})
    )
    assert not project.milestones.filter(title="COPIL n°2").exists()


def test_add_months_clamps_to_the_end_of_month():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 8, 31), 18) == dt.date(2028, 2, 29)


def test_a_project_territory_outside_the_administrators_region_is_refused(client, project):
    login(client, member(project, Role.ARS_ADMIN))  # administrator of Bretagne
    niort_epci = Commune.objects.get(code="79191").epci_id
    before = Project.objects.count()
    for perimeter, named in (
        ({"departements": ["79"]}, "Deux-Sèvres (79)"),
        ({"commune_codes": "29019 79191"}, "Niort (79191)"),
        ({"epci_codes": niort_epci}, f"(EPCI {niort_epci})"),
    ):
        response = client.post(
            reverse("projects:create"),
            {
                "name": "PTSM à cheval",
                "region": project.region.code,
                "start_date": "2026-03-01",
                "planned_duration_months": "18",
                "territory_name": "À cheval",
                **perimeter,
            },
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "Le territoire du projet doit se trouver dans la région Bretagne" in page
        assert named in page
        assert "Brest" not in page.split("hors de cette région")[1].split(".")[0]
    assert Project.objects.count() == before


def test_the_chef_de_projet_cannot_move_the_territory_out_of_the_region(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    url = reverse("projects:territory_edit", kwargs={"slug": project.slug})
    response = client.post(url, {"territory_name": "Ailleurs", "departements": ["79"]})
    assert "doit se trouver dans la région Bretagne" in response.content.decode()
    project.territory.refresh_from_db()
    assert project.territory.name == "Finistère"
    assert list(project.territory.departements.values_list("code", flat=True)) == ["29"]
    # Within Bretagne, the perimeter can change (Rennes is in Ille-et-Vilaine).
    client.post(url, {"territory_name": "Brest et Rennes", "commune_codes": "29019 35238"})
    assert project.territory.communes.count() == 2
    # Nor can the project's région change through the project's edition.
    from django.core.exceptions import ValidationError

    from ptsm.projects.services import update_project
    from ptsm.territories.models import Region

    with pytest.raises(ValidationError, match="La région et le territoire"):
        update_project(project=project, region=Region.objects.get(code="75"))
    project.refresh_from_db()
    assert project.region.code == "53"

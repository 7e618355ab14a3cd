"""Members who represent people with lived experience or their families, and their attendance
(issue 19): the flag on the organisation or the member's own, the figures, the forms."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.governance.models import BodyMember, MemberRepresents
from ptsm.governance.participation import (
    ATTENDANCE_KEY,
    BODY_KEY,
    MEMBERS_KEY,
    project_figures,
    projects_figures,
)
from ptsm.projects.participation import participation_figures_for_projects
from tests.factories import make_project, member
from tests.governance.participation_setup import build_copil_participation
from tests.helpers import login, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère")


def _by_key(figures):
    return {f.key: f for f in figures if f.key != BODY_KEY}


def test_two_of_eight_copil_members_represent_them_and_attend_three_times_out_of_four(project):
    build_copil_participation(project)
    figures = project_figures(project)
    totals = _by_key(figures)
    members = totals[MEMBERS_KEY]
    assert members.value == 2
    assert members.detail == "2 sur 8 membres, dans 1 instance sur 1"
    # The GEM's member and the pair-aidant speak for people with lived experience; the UNAFAM
    # member who sits for someone else does not count.
    assert members.breakdown == (("Personnes concernées", 2),)
    attendance = totals[ATTENDANCE_KEY]
    assert attendance.value == 3
    assert attendance.detail == "3 présences sur 4 invitations aux séances tenues"
    (copil,) = [f for f in figures if f.key == BODY_KEY]
    assert copil.label == "Comité de pilotage (COPIL)"
    assert copil.detail == ("2 sur 8 membres ; 3 présences sur 4 invitations aux séances tenues")


def test_without_members_there_is_nothing_to_say(project):
    assert project_figures(project) == []


def test_the_figures_of_many_projects_cost_two_queries_whatever_their_number(project):
    build_copil_participation(project)
    others = [make_project(departement="56", name=f"PTSM {i}") for i in range(4)]
    with CaptureQueriesContext(connection) as few:
        result = projects_figures([project, *others[:1]])
    with CaptureQueriesContext(connection) as many:
        projects_figures([project, *others])
    assert len(few) == len(many) == 2
    assert _by_key(result[project.pk])[MEMBERS_KEY].value == 2
    assert result[others[0].pk] == []
    # The registry hands the cockpit the same totals.
    registered = participation_figures_for_projects([project])[project.pk]
    assert {f.key for f in registered} >= {MEMBERS_KEY, ATTENDANCE_KEY}


def test_the_dashboard_shows_the_participation_panel(client, project):
    build_copil_participation(project)
    login(client, member(project, Role.READER))
    html = page_text(client.get(reverse("projects:dashboard", kwargs={"slug": project.slug})))
    panel = html.split('id="participation"')[1]
    assert "Participation des personnes concernées et des proches" in html
    assert "Instances et groupes de travail" in panel
    assert (
        "Membres des instances représentant les personnes concernées ou les proches : "
        "2 sur 8 membres, dans 1 instance sur 1 (personnes concernées : 2)" in panel
    )
    assert "3 présences sur 4 invitations aux séances tenues" in panel


def test_a_project_without_members_shows_no_panel(client, project):
    login(client, member(project, Role.READER))
    html = page_text(client.get(reverse("projects:dashboard", kwargs={"slug": project.slug})))
    assert 'id="participation"' not in html


def _member_url(project, pk):
    return reverse("governance:body_member_edit", kwargs={"slug": project.slug, "pk": pk})


def test_the_chef_de_projet_says_a_hospital_employee_represents_people(client, project):
    copil = build_copil_participation(project)
    nurse = BodyMember.objects.get(body=copil, contact__last_name="Soignant0")
    login(client, member(project, Role.PROJECT_LEAD))
    page = page_text(client.get(_member_url(project, nurse.pk)))
    assert "EPSM Finistère Sud ne représente ni les personnes concernées ni les proches." in page
    response = client.post(
        _member_url(project, nurse.pk), {"role": "member", "represents": "proches"}
    )
    assert response.status_code == 302
    nurse.refresh_from_db()
    assert nurse.represents == MemberRepresents.FAMILIES
    detail = page_text(client.get(response.url))
    assert "Proches et familles" in detail and "(à titre personnel)" in detail
    assert _by_key(project_figures(project))[MEMBERS_KEY].value == 3


def test_an_unknown_choice_is_refused_in_french_and_nothing_changes(client, project):
    copil = build_copil_participation(project)
    nurse = BodyMember.objects.get(body=copil, contact__last_name="Soignant0")
    login(client, member(project, Role.PROJECT_LEAD))
    response = client.post(_member_url(project, nurse.pk), {"role": "member", "represents": "x"})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in page_text(response)
    nurse.refresh_from_db()
    assert nurse.represents == ""


@pytest.mark.parametrize("role", [Role.READER, Role.COPIL_MEMBER, Role.ACTION_PILOT])
def test_other_roles_may_not_change_a_member(client, project, role):
    copil = build_copil_participation(project)
    nurse = BodyMember.objects.get(body=copil, contact__last_name="Soignant0")
    login(client, member(project, role))
    assert client.get(_member_url(project, nurse.pk)).status_code == 403
    response = client.post(
        _member_url(project, nurse.pk), {"role": "member", "represents": "proches"}
    )
    assert response.status_code == 403
    nurse.refresh_from_db()
    assert nurse.represents == ""


def test_a_member_is_added_with_whom_they_represent(client, project):
    copil = build_copil_participation(project)
    from ptsm.organisations.models import Contact

    newcomer = Contact.objects.create(
        project=project,
        organisation=copil.members.first().contact.organisation,
        first_name="Lou",
        last_name="Nouvelle",
    )
    login(client, member(project, Role.PROJECT_LEAD))
    client.post(
        reverse("governance:body", kwargs={"slug": project.slug, "pk": copil.pk}),
        {"contact": newcomer.pk, "role": "member", "represents": "personnes_concernees_proches"},
    )
    assert BodyMember.objects.get(contact=newcomer).represents == MemberRepresents.BOTH


def test_one_projects_figures_cost_three_queries_whatever_its_bodies(project):
    copil = build_copil_participation(project)
    with CaptureQueriesContext(connection) as one_body:
        project_figures(project)
    from ptsm.governance.models import Body
    from ptsm.governance.services import add_body_member

    for group in Body.objects.filter(project=project).exclude(pk=copil.pk):
        for membership in copil.members.select_related("contact")[:3]:
            add_body_member(body=group, contact=membership.contact, role="member")
    with CaptureQueriesContext(connection) as every_body:
        figures = project_figures(project)
    assert len(one_body) == len(every_body) == 3
    assert (
        len([f for f in figures if f.key == BODY_KEY])
        == Body.objects.filter(project=project).count()
    )

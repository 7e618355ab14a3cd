"""The project's home page costs the same number of queries for every role whether the roadmap
has 2 fiches-actions and 2 operators or 300 fiches-actions and 150 operators."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ptsm.accounts.models import Membership, Role
from ptsm.commitments.services import ensure_letter
from ptsm.organisations.models import Contact, Organisation
from ptsm.projects.models import Phase
from ptsm.projects.services import set_up_new_project
from ptsm.roadmap.models import (
    Action,
    ActionIndicator,
    ActionMilestone,
    ActionStatus,
    Objective,
    Orientation,
    RoadmapVersion,
    Theme,
)
from tests.factories import make_project, member
from tests.helpers import login

pytestmark = pytest.mark.django_db


def build(name: str, *, actions: int, operators: int):
    """A project in its « Engagement » phase: `operators` organisations carrying `actions`
    validated fiches-actions (each with a milestone and an indicator), all piloted by one user,
    one signatory each."""
    today = timezone.localdate()
    project = make_project(
        departement="29",
        name=name,
        with_departement=False,
        commune_codes=["29019"],
        start=today - dt.timedelta(days=400),
    )
    set_up_new_project(project=project)
    orgs = Organisation.objects.bulk_create(
        Organisation(project=project, name=f"Opérateur {i:03d}", category="medico_social")
        for i in range(operators)
    )
    Contact.objects.bulk_create(
        Contact(
            project=project,
            organisation=org,
            first_name="Prénom",
            last_name=f"Nom{i}",
            function="Directeur",
            email=f"direction{i}@exemple.fr",
        )
        for i, org in enumerate(orgs)
    )
    objective = Objective.objects.create(
        theme=Theme.objects.create(
            orientation=Orientation.objects.create(project=project, title="Accès aux soins"),
            title="Soins",
        ),
        title="Réduire les délais",
    )
    users = {role: member(project, role) for role in Role}
    rows = Action.objects.bulk_create(
        Action(
            objective=objective,
            title=f"Fiche-action {i}",
            position=i,
            number=i + 1,
            status=ActionStatus.VALIDATED,
            pilot_user=users[Role.ACTION_PILOT],
            start_date=today - dt.timedelta(days=100),
        )
        for i in range(actions)
    )
    Action.operators.through.objects.bulk_create(
        Action.operators.through(action_id=a.pk, organisation_id=orgs[i % operators].pk)
        for i, a in enumerate(rows)
    )
    ActionMilestone.objects.bulk_create(
        ActionMilestone(action=a, title="Lancement", due_date=today + dt.timedelta(days=5))
        for a in rows
    )
    ActionIndicator.objects.bulk_create(
        ActionIndicator(action=a, name="File active", frequency="Trimestrielle") for a in rows
    )
    RoadmapVersion.objects.create(
        project=project, number=1, decision="Validée", validated_on=today, sha256="0" * 64, lines=[]
    )
    project.phase = Phase.COMMITMENT
    project.save()
    ensure_letter(project=project)
    Membership.objects.filter(user=users[Role.OPERATOR_SIGNATORY]).update(organisation=orgs[0])
    return project, users


def home_queries(client, project, user) -> int:
    login(client, user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("projects:dashboard", kwargs={"slug": project.slug}))
    assert response.status_code == 200
    assert 'id="a-faire"' in response.content.decode()
    return len(queries)


def test_home_page_queries_do_not_grow_with_actions_and_operators(client):
    small, small_users = build("PTSM petit", actions=2, operators=2)
    large, large_users = build("PTSM grand", actions=300, operators=150)
    assert (
        large.memberships.count() == 5 and ensure_letter(project=large).signatories.count() == 150
    )
    counts = {}
    for role in Role:
        counts[role] = (
            home_queries(client, small, small_users[role]),
            home_queries(client, large, large_users[role]),
        )
    assert {role: s for role, (s, _l) in counts.items()} == {
        role: large_count for role, (_s, large_count) in counts.items()
    }, counts
    assert max(s for s, _l in counts.values()) <= 45, counts

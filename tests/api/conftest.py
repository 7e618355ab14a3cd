import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from ptsm.accounts.models import Membership, Role
from ptsm.api import services
from ptsm.commitments import services as commitments
from ptsm.diagnostic import services as diagnostic
from ptsm.diagnostic.models import Indicator
from ptsm.evaluation import services as evaluation
from ptsm.framing import services as framing
from ptsm.governance import services as governance
from ptsm.governance.models import Body, Meeting
from ptsm.organisations.models import Contact, Organisation
from ptsm.roadmap.models import Action, ActionIndicator, Objective, Orientation, Theme
from tests.factories import make_project, member
from tests.projects.test_access_matrix import populate


@pytest.fixture(autouse=True)
def fresh_rate_counters():
    cache.clear()  # rate limits are counted in the cache
    yield
    cache.clear()


@pytest.fixture
def world(db):
    """Project A (Finistère) and project B (Deux-Sèvres), each with one object of every kind."""
    a = make_project(departement="29", name="Projet A")
    b = make_project(departement="79", name="Projet B")
    a_objects, b_objects = populate(a), populate(b)
    for project in (a, b):
        project.refresh_from_db()
    return {"a": a, "b": b, "a_objects": a_objects, "b_objects": b_objects}


def token_for(user, *, days: int = 30) -> str:
    return services.create_token(
        user=user, name="Outil", expires_on=dt.date.today() + dt.timedelta(days=days)
    ).secret


def api_client(user=None, secret: str | None = None) -> APIClient:
    client = APIClient()
    if user is not None or secret is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret or token_for(user)}")
    return client


@pytest.fixture
def as_role(world):
    """An API client acting (by token) for a new member of project A with the given role; a
    signataire d'opérateur acts for the project's operator."""

    def make(role: Role, project=None):
        project = project or world["a"]
        user = member(project, role)
        if role == Role.OPERATOR_SIGNATORY:
            objects = world["a_objects"] if project == world["a"] else world["b_objects"]
            Membership.objects.filter(user=user).update(organisation_id=objects["organisation"])
        client = api_client(user)
        client.user = user
        return client

    return make


API = "/api/v1/"


def build(project, tag: str) -> dict:
    """A small project: one organisation with a contact, the default bodies and a meeting, the
    framing letter, a fiche-action with an indicator and a measure, a masked diagnostic value,
    a review and a commitment letter with its operator."""
    organisation = Organisation.objects.create(
        project=project, name=f"CH {tag}", category="sanitaire_public", finess_et=""
    )
    contact = Contact.objects.create(
        project=project,
        organisation=organisation,
        first_name="Anne",
        last_name=f"Durand {tag}",
        email=f"anne@{tag}.fr",
        phone="02 98 00 00 00",
    )
    governance.create_default_bodies(project=project)
    body = Body.objects.filter(project=project).first()
    start = timezone.now()
    Meeting.objects.create(
        body=body, title=f"COPIL {tag}", starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    framing.ensure_letter(project=project)
    orientation = Orientation.objects.create(project=project, title=f"Orientation {tag}", number=1)
    theme = Theme.objects.create(orientation=orientation, title="Thème", number=1)
    objective = Objective.objects.create(theme=theme, title="Objectif", number=1)
    action = Action.objects.create(
        objective=objective, title=f"Action {tag}", number=1, status="validee"
    )
    action.operators.set([organisation])
    indicator = ActionIndicator.objects.create(action=action, name="Personnes accompagnées")
    evaluation.record_indicator_value(indicator=indicator, measured_on=start.date(), value="12")
    count = Indicator.objects.filter(is_count=True).order_by("pk").first()
    diagnostic.set_value(project=project, indicator=count, level="territoire", year=2024, value=7)
    evaluation.ensure_review(project=project, kind="six_mois")
    letter = commitments.ensure_letter(project=project)
    return {
        "organisation": organisation,
        "contact": contact,
        "action": action,
        "indicator": indicator,
        "signatory": letter.signatories.get(),
    }


@pytest.fixture
def small(db):
    a = make_project(departement="29", name="Projet A")
    b = make_project(departement="79", name="Projet B")
    return {"a": a, "b": b, "A": build(a, "a"), "B": build(b, "b")}


def client_for(project, role, **fields):
    user = member(project, role, **fields)
    client = api_client(user)
    client.user = user
    return client


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body

import datetime as dt

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from ptsm.accounts.models import Membership, Role
from ptsm.api import services
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

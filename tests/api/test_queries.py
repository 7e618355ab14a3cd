"""Bounded SQL: a page of fiches-actions costs the same number of queries for 3 or 300 of them,
each with its milestones, funding lines, indicators, operators and partners; and the list says
exactly what the record says."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ptsm.accounts.models import Role
from ptsm.organisations.models import Organisation
from ptsm.roadmap.models import (
    Action,
    ActionIndicator,
    ActionMilestone,
    FundingLine,
    Objective,
    Orientation,
    Theme,
)
from ptsm.roadmap.services import renumber
from tests.factories import make_project

from .conftest import API, client_for, results

pytestmark = pytest.mark.django_db


def fiches(project, count: int) -> None:
    organisations = Organisation.objects.bulk_create(
        Organisation(project=project, name=f"Organisation {i}", category="social") for i in range(5)
    )
    orientation = Orientation.objects.create(project=project, title="Orientation")
    objective = Objective.objects.create(
        theme=Theme.objects.create(orientation=orientation, title="Thème"), title="Objectif"
    )
    actions = Action.objects.bulk_create(
        Action(objective=objective, title=f"Fiche {n}", position=n, pilot_organisation=None)
        for n in range(count)
    )
    for index, action in enumerate(actions):
        action.operators.add(organisations[index % 5])
        action.partners.add(organisations[(index + 1) % 5])
    ActionMilestone.objects.bulk_create(
        ActionMilestone(action=a, title="Jalon", due_date=dt.date(2026, 6, 1)) for a in actions
    )
    FundingLine.objects.bulk_create(
        FundingLine(action=a, funder="fir", amount="1250.50", year=2026) for a in actions
    )
    ActionIndicator.objects.bulk_create(ActionIndicator(action=a, name="Suivis") for a in actions)
    renumber(project=project)


def queries_for_the_page(project) -> tuple[int, list[dict]]:
    client = client_for(project, Role.READER)
    client.get(API + "projets/")  # the token's first use is written down once
    with CaptureQueriesContext(connection) as queries:
        rows = results(client.get(API + "fiches-actions/", {"projet": project.slug, "taille": 300}))
    return len(queries), rows


def test_a_page_of_fiches_actions_costs_the_same_queries_for_3_or_300():
    small, large = make_project(departement="29"), make_project(departement="79")
    fiches(small, 3)
    fiches(large, 300)
    few, rows_few = queries_for_the_page(small)
    many, rows_many = queries_for_the_page(large)
    assert (len(rows_few), len(rows_many)) == (3, 300)
    assert few == many, (few, many)
    row = rows_many[299]
    assert row["code"] == "1.1.1.300"
    assert [j["title"] for j in row["jalons"]] == ["Jalon"]
    assert row["financements"][0]["amount"] == "1250.50"
    assert row["financements"][0]["funder"]["code"] == "fir"
    assert len(row["operateurs"]) == len(row["partenaires"]) == 1
    # The list and the record say the same.
    detail = client_for(large, Role.READER).get(f"{API}fiches-actions/{row['id']}/").json()
    assert detail == row

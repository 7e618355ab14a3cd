"""Benchmark: the REST API's list of 300 fiches-actions (with their milestones, funding lines and
indicators, one page) served by `make serve`'s stack (gunicorn, 3 workers, DEBUG=0) with a
personal token — SQL queries per request, median and p95 alone, then 16 concurrent clients on
loopback (requests/s, median, p95).

A throw-away SQLite database (or DATABASE_URL). Figures, not assertions (see README, « API »).
"""

import datetime as dt
import json
import os
import sys
import time
import urllib.request

os.environ.setdefault("BENCH_PORT", "8767")
# Rate limiting is per token: the benchmark measures the server, not the limit.
os.environ.setdefault("PTSM_API_RATE", "1000000/min")

import serving  # bench/serving.py sets Django up: before any model is imported
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from ptsm.accounts.models import Membership, Role, User
from ptsm.api.services import create_token
from ptsm.organisations.models import Organisation
from ptsm.projects.services import create_project
from ptsm.roadmap.models import (
    Action,
    ActionIndicator,
    ActionMilestone,
    ActionStatus,
    FundingLine,
    Objective,
    Orientation,
    Theme,
)
from ptsm.roadmap.services import renumber
from ptsm.territories.models import Departement
from ptsm.territories.services import load_referential

ACTIONS = 300


def build() -> tuple[str, str]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    load_referential(only_departements={"59"})
    nord = Departement.objects.get(code="59")
    project = create_project(
        name="PTSM du Nord",
        region=nord.region,
        start_date=dt.date(2026, 1, 5),
        territory_name="Nord",
        departements=[nord],
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(project=project, name=f"Organisation {i:03d}", category="medico_social")
        for i in range(200)
    )
    actions = []
    for o in range(10):
        orientation = Orientation.objects.create(project=project, title=f"Orientation {o + 1}")
        objective = Objective.objects.create(
            theme=Theme.objects.create(orientation=orientation, title="Thématique"),
            title="Objectif",
        )
        actions += Action.objects.bulk_create(
            Action(
                objective=objective,
                title=f"Fiche-action {o}-{a}",
                position=a,
                status=ActionStatus.VALIDATED,
                pilot_organisation=organisations[a],
                description="Description de l'action. " * 20,
            )
            for a in range(ACTIONS // 10)
        )
    for index, action in enumerate(actions):
        action.operators.add(organisations[index % 200])
    ActionMilestone.objects.bulk_create(
        ActionMilestone(action=a, title=f"Jalon {n}", due_date=dt.date(2026, 6 + n, 1))
        for a in actions
        for n in range(2)
    )
    FundingLine.objects.bulk_create(
        FundingLine(action=a, funder="fir", amount="12500.00", year=2026 + n)
        for a in actions
        for n in range(2)
    )
    ActionIndicator.objects.bulk_create(
        ActionIndicator(action=a, name=f"Indicateur {n}", target="100")
        for a in actions
        for n in range(2)
    )
    renumber(project=project)
    user = User.objects.create_user(
        email="chef@banc.fr", password=serving.PASSWORD, first_name="Chef", last_name="Projet"
    )
    Membership.objects.create(user=user, project=project, role=Role.PROJECT_LEAD)
    secret = create_token(user=user, name="banc", expires_on=dt.date.today() + dt.timedelta(days=1))
    return project.slug, secret.secret


def fetch(path: str, secret: str) -> tuple[float, int]:
    request = urllib.request.Request(
        serving.BASE + path,
        headers={"Authorization": f"Bearer {secret}", "Accept-Encoding": "gzip"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        size = len(response.read())
    return time.perf_counter() - started, size


def main() -> None:
    slug, secret = build()
    path = f"/api/v1/fiches-actions/?projet={slug}&taille={ACTIONS}"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_HOST="127.0.0.1")
    assert len(json.loads(response.content)["results"]) == ACTIONS
    print(f"liste de {ACTIONS} fiches-actions : {len(queries)} requêtes SQL")
    server = serving.serve()
    try:
        serving.wait_until_up(lambda: fetch("/api/v1/projets/", secret))
        for _ in range(6):  # warm every worker
            fetch(path, secret)
        alone = serving.one_after_another(lambda: fetch(path, secret))
        print(
            f"seul : médiane {alone['median'] * 1000:.0f} ms, p95 {alone['p95'] * 1000:.0f} ms, "
            f"{1 / alone['median']:.1f} requêtes/s, réponse {alone['size'] / 1024:.0f} Ko (gzip)"
        )
        together = serving.concurrently(lambda _client, _n: fetch(path, secret))
        print(
            f"{serving.CLIENTS} clients pendant {serving.SECONDS} s : "
            f"{together['rate']:.1f} requêtes/s, médiane {together['median'] * 1000:.0f} ms, "
            f"p95 {together['p95'] * 1000:.0f} ms ; {serving.load()}"
        )
    finally:
        serving.stop(server)


if __name__ == "__main__":
    sys.exit(main())

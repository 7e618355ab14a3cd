"""Benchmark: the REST API's list of 300 fiches-actions (with their milestones, funding lines and
indicators, one page) served by `make serve`'s stack (gunicorn, 3 workers, DEBUG=0) with a
personal token — SQL queries per request, median and p95 alone, then 16 concurrent clients on
loopback (requests/s, median, p95).

A throw-away SQLite database (or DATABASE_URL). Figures, not assertions (see README, « API »).
"""

import datetime as dt
import json
import os
import signal
import statistics
import sys
import threading
import time
import urllib.request

os.environ.setdefault("BENCH_PORT", "8767")
# Rate limiting is per token: the benchmark measures the server, not the limit.
os.environ.setdefault("PTSM_API_RATE", "1000000/min")

import pages  # noqa: E402  (bench/pages.py: database, settings and the gunicorn stack)
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from ptsm.accounts.models import Membership, Role, User  # noqa: E402
from ptsm.api.services import create_token  # noqa: E402
from ptsm.organisations.models import Organisation  # noqa: E402
from ptsm.projects.services import create_project  # noqa: E402
from ptsm.roadmap.models import (  # noqa: E402
    Action,
    ActionIndicator,
    ActionMilestone,
    ActionStatus,
    FundingLine,
    Objective,
    Orientation,
    Theme,
)
from ptsm.roadmap.services import renumber  # noqa: E402
from ptsm.territories.models import Departement  # noqa: E402
from ptsm.territories.services import load_referential  # noqa: E402

CLIENTS, SECONDS, SEQUENTIAL = 16, 15, 25
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
        email="chef@banc.fr", password=pages.PASSWORD, first_name="Chef", last_name="Projet"
    )
    Membership.objects.create(user=user, project=project, role=Role.PROJECT_LEAD)
    secret = create_token(user=user, name="banc", expires_on=dt.date.today() + dt.timedelta(days=1))
    return project.slug, secret.secret


def fetch(path: str, secret: str) -> tuple[float, int]:
    request = urllib.request.Request(
        pages.BASE + path,
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
    server = pages.serve()
    try:
        for _ in range(100):
            try:
                fetch("/api/v1/projets/", secret)
                break
            except OSError:
                time.sleep(0.3)
        for _ in range(6):  # warm every worker
            fetch(path, secret)
        timings, size = [], 0
        for _ in range(SEQUENTIAL):
            elapsed, size = fetch(path, secret)
            timings.append(elapsed)
        timings.sort()
        print(
            f"seul : médiane {statistics.median(timings) * 1000:.0f} ms, "
            f"p95 {timings[int(len(timings) * 0.95) - 1] * 1000:.0f} ms, "
            f"{1 / statistics.median(timings):.1f} requêtes/s, réponse {size / 1024:.0f} Ko (gzip)"
        )
        timings = []
        lock, deadline = threading.Lock(), time.monotonic() + SECONDS

        def run() -> None:
            while time.monotonic() < deadline:
                elapsed, _size = fetch(path, secret)
                with lock:
                    timings.append(elapsed)

        threads = [threading.Thread(target=run) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        timings.sort()
        print(
            f"{CLIENTS} clients pendant {SECONDS} s : {len(timings) / SECONDS:.1f} requêtes/s, "
            f"médiane {statistics.median(timings) * 1000:.0f} ms, "
            f"p95 {timings[int(len(timings) * 0.95) - 1] * 1000:.0f} ms"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the regional cockpit (`/pilotage/`) of an ARS following 100 projects of 300
fiches-actions each (30,000 fiches-actions, 60,000 funding lines), in Bretagne's four
départements — render time (median, p95) and SQL queries of the table with its map, the XLSX
export, the comparison page. The target is 300 ms for the cockpit page. Figures, not assertions.

A throw-away SQLite database (or DATABASE_URL). With DATABASE_URL, a database where the 100
projects were already built is reused (building them takes minutes): only the measures run.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = (
        f"sqlite:///{tempfile.mkdtemp(prefix='ptsm-bench-')}/cockpit.sqlite3"
    )
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="ptsm-bench-media-"))

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from ptsm.accounts.models import ArsAdministration, User  # noqa: E402
from ptsm.diagnostic.models import Indicator  # noqa: E402
from ptsm.pilotage.demo import populate_project  # noqa: E402
from ptsm.projects.models import Phase, Project  # noqa: E402
from ptsm.projects.services import create_project  # noqa: E402
from ptsm.territories.models import Commune, Region  # noqa: E402
from ptsm.territories.services import load_referential  # noqa: E402

PROJECTS, ACTIONS, REPEAT = 100, 300, 15
START = dt.date(2025, 1, 6)


def build() -> Client:
    call_command("migrate", verbosity=0)
    if Project.objects.count() < PROJECTS:
        populate()
        if connection.vendor == "postgresql":
            # The statistics a production database has (autovacuum) after bulk inserts.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    user = User.objects.get(email="ars@bench.ptsm.fr")
    device = TOTPDevice.objects.get(user=user, name="bench")
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def populate() -> None:
    load_referential(only_departements={"22", "29", "35", "56"})
    region = Region.objects.get(code="53")
    communes = list(Commune.objects.order_by("code").values_list("code", flat=True))
    per_project = len(communes) // PROJECTS
    phases = list(Phase.values)
    started = time.perf_counter()
    for i in range(PROJECTS):
        project = create_project(
            name=f"Projet {i:03d}",
            region=region,
            start_date=START,
            territory_name=f"Territoire {i:03d}",
            commune_codes=communes[i * per_project : (i + 1) * per_project],
        )
        populate_project(project, phase=phases[i % len(phases)], actions=ACTIONS, start=START)
    print(
        f"built {PROJECTS} projects × {ACTIONS} fiches-actions in "
        f"{time.perf_counter() - started:.0f} s"
    )
    user = User.objects.create_user("ars@bench.ptsm.fr", "banc-essai-pilotage-2026")
    ArsAdministration.objects.create(user=user, region=region)
    TOTPDevice.objects.create(user=user, name="bench", confirmed=True)


def measure(client: Client, label: str, url: str, params: dict | None = None) -> None:
    client.get(url, params or {})  # warm-up
    durations = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = client.get(url, params or {})
        durations.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params or {})
    durations.sort()
    p95 = durations[min(len(durations) - 1, int(len(durations) * 0.95))]
    print(
        f"{label}: median {statistics.median(durations):.0f} ms, p95 {p95:.0f} ms, "
        f"{len(queries)} SQL queries, {len(response.content) // 1024} KB"
    )


def main() -> None:
    client = build()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPU")
    measure(client, "cockpit /pilotage/ (table + région map)", "/pilotage/")
    measure(client, "cockpit sorted by phase", "/pilotage/", {"tri": "phase"})
    measure(client, "XLSX export pilotage-bretagne.xlsx", "/pilotage/export.xlsx")
    indicator = Indicator.objects.order_by("order").first()
    measure(
        client,
        "comparison (indicator + Rosace doors)",
        "/pilotage/comparer/",
        {"indicateur": indicator.code},
    )
    measure(
        client,
        "one organisation across projects",
        "/pilotage/organisation/",
        {"identifiant": "290000017"},
    )


if __name__ == "__main__":
    main()

"""Import of a 5,000-line organisations table through the column mapping (run with `make bench`).

The file has the shape of a national hospital list saved by Excel (XLSX, identifiers and
postcodes as numbers, communes by name): 1,000 lines update organisations already in the
directory, 3,800 create new ones, 100 are outside the territory and 100 are refused. Prints the
time of the preview (reading the file, checking every line, keeping the pending import), of the
commit, of the preview page, the number of SQL queries and the peak memory. Target: preview and
commit each under 2 s.
"""

import datetime as dt
import io
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='ptsm-bench-')}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from ptsm.accounts.models import Membership, Role, User  # noqa: E402
from ptsm.organisations.imports import commit_import, start_import  # noqa: E402
from ptsm.organisations.models import ImportKind, Organisation  # noqa: E402
from ptsm.organisations.tabular import read_table  # noqa: E402
from ptsm.projects.services import create_project  # noqa: E402
from ptsm.territories.models import Commune, Departement  # noqa: E402
from ptsm.territories.services import load_referential  # noqa: E402

LINES = 5_000
UPDATES, OUTSIDE, REFUSED = 1_000, 100, 100
HEADERS = [
    "finess",
    "raison_sociale",
    "adresse",
    "code_postal",
    "commune",
    "telephone",
    "categorie",
]


def table_xlsx(communes: list[Commune], elsewhere: list[Commune]) -> bytes:
    # A normal workbook, as Excel writes it (with its <dimension>, which openpyxl reads first).
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "etablissements"
    sheet.append(HEADERS)
    for n in range(LINES):
        commune = communes[n % len(communes)]
        category = 101 if n % 3 else 292
        if n >= LINES - REFUSED:
            category = 620  # a pharmacy: refused
        elif n >= LINES - REFUSED - OUTSIDE:
            commune = elsewhere[n % len(elsewhere)]
        departement = commune.departement_id
        sheet.append(
            [
                int(f"{departement}{n:07d}"),
                f"ETABLISSEMENT {n}",
                f"{n} RUE DE LA GARE",
                int(f"{departement}000"),
                commune.name.upper(),
                298000000 + n,
                category,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def measure(label: str, func):
    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        result = func()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"{label:<58} {seconds * 1000:>8.0f} ms (CPU {cpu * 1000:>6.0f} ms, "
        f"{len(queries)} requêtes SQL)"
    )
    return result


def main() -> None:
    call_command("migrate", verbosity=0)
    load_referential(only_departements={"29", "22"})
    finistere = Departement.objects.get(code="29")
    project = create_project(
        name="Banc d'essai import",
        region=finistere.region,
        start_date=dt.date(2026, 1, 1),
        territory_name="Finistère",
        departements=[finistere],
    )
    user = User.objects.create_user(email="bench-import@ptsm.test", password="x" * 16)
    Membership.objects.create(user=user, project=project, role=Role.PROJECT_LEAD)
    # Homonyms inside a département would be refused as ambiguous: take unique names only.
    names: dict[tuple[str, str], list[Commune]] = {}
    for commune in Commune.objects.filter(departement_id__in=("29", "22")):
        names.setdefault((commune.departement_id, commune.name.upper()), []).append(commune)
    unique = [c[0] for c in names.values() if len(c) == 1]
    communes = [c for c in unique if c.departement_id == "29"]
    elsewhere = [c for c in unique if c.departement_id == "22"]
    Organisation.objects.bulk_create(
        Organisation(
            project=project,
            name=f"ETABLISSEMENT {n}",
            category="sanitaire_public",
            finess_et=f"29{n:07d}",
            address="ancienne adresse",
        )
        for n in range(UPDATES)
    )
    data = table_xlsx(communes, elsewhere)
    print(f"Fichier : {LINES} lignes, XLSX de {len(data) / 1024:.0f} Ko")

    def preview():
        headers, rows = read_table(SimpleUploadedFile("etablissements.xlsx", data))
        return start_import(
            project=project,
            user=user,
            kind=ImportKind.ORGANISATIONS,
            file_name="etablissements.xlsx",
            headers=headers,
            table=rows,
        )

    pending = measure(f"Aperçu : lecture XLSX + vérification de {LINES} lignes", preview)
    counts = {}
    for row in pending.rows:
        key = row["action"] + (" hors territoire" if row.get("outside") else "")
        counts[key] = counts.get(key, 0) + 1
    print(f"    {counts}")
    client = Client()
    client.force_login(user)
    url = reverse("organisations:import_pending", kwargs={"slug": project.slug, "pk": pending.pk})
    measure("Page de l'aperçu (correspondance + 50 lignes)", lambda: client.get(url))
    outcome = measure(
        "Enregistrement (lignes valides, hors territoire ignorées)",
        lambda: commit_import(pending=pending, mode="valides", user=user),
    )
    print(f"    {outcome.message()}")

    # Memory, on the same file again (now 4,800 updates or unchanged lines), under tracemalloc.
    tracemalloc.start()
    pending = measure("Aperçu du même fichier (sous tracemalloc)", preview)
    _current, peak_preview = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    measure(
        "Enregistrement du même fichier (sous tracemalloc)",
        lambda: commit_import(pending=pending, mode="valides", user=user),
    )
    _current, peak_commit = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"    pic mémoire Python : aperçu {peak_preview / 1024 / 1024:.1f} Mo, enregistrement "
        f"{peak_commit / 1024 / 1024:.1f} Mo ; RSS max du processus "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} Mo"
    )


if __name__ == "__main__":
    main()

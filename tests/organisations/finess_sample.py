"""Realistic FINESS « stock » extraction lines, for the sample file and the benchmark."""

import random

HEADER = "finess;etalab;102;2026-10-15"


def structure(
    finess: str,
    name: str,
    commune: str,
    departement: str,
    category: str,
    category_label: str,
    *,
    ej: str = "290000017",
    sph: str = "1",
    street: tuple[str, str, str] = ("5", "AV", "FOCH"),
    postcode_town: str = "29200 BREST",
    siret: str = "",
    long_name: str = "",
    numuai: bool = False,
) -> str:
    """A `structureet` line: 31 fields as in the older extracts, or with `numuai` the 32 of
    the current ones (the line then ends with a `;`, « numuai » being empty)."""
    departement_label = {
        "29": "FINISTERE",
        "56": "MORBIHAN",
        "2A": "CORSE-DU-SUD",
        "9A": "GUADELOUPE",
        "9D": "LA REUNION",
        "9F": "MAYOTTE",
    }.get(departement, "")
    fields = [
        "structureet",
        finess,
        ej,
        name[:38],
        long_name or name,
        "",
        "",
        street[0],
        street[1],
        street[2],
        "",
        "",
        commune,
        departement,
        departement_label,
        postcode_town,
        "0298000000",
        "",
        category,
        category_label,
        "1100",
        "Etablissements Hospitaliers",
        siret,
        "8610Z",
        "03",
        "ARS établissements publics de santé",
        sph,
        "Etablissement public de santé" if sph == "1" else "",
        "1990-01-01",
        "1990-01-01",
        "2026-09-30",
    ]
    if numuai:
        fields.append("")
    return ";".join(fields)


def geolocation(
    finess: str, x: float, y: float, source: str = "1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93"
) -> str:
    return f"geolocalisation;{finess};{x:.1f};{y:.1f};{source};2026-09-30"


SAMPLE_LINES = [
    HEADER,
    structure(
        "290000975",
        "EPSM FINISTERE SUD",
        "232",
        "29",
        "292",
        "Centre Hospitalier Spécialisé lutte Maladies Mentales",
        ej="290000975",
        postcode_town="29000 QUIMPER",
        long_name="ÉTABLISSEMENT PUBLIC DE SANTÉ MENTALE FINISTÈRE SUD",
    ),
    structure(
        "290004811",
        "CMP ADULTES QUIMPER",
        "232",
        "29",
        "156",
        "Centre Médico-Psychologique (C.M.P.)",
        ej="290000975",
        postcode_town="29000 QUIMPER",
    ),
    structure(
        "290004829",
        "CMP ADULTES BREST",
        "019",
        "29",
        "156",
        "Centre Médico-Psychologique (C.M.P.)",
        ej="290000447",
        sph="2",
    ),
    structure(
        "290000017",
        "CHU BREST",
        "019",
        "29",
        "355",
        "Centre Hospitalier (C.H.)",
        siret="26290002100018",
    ),
    structure(
        "290018373",
        "MAS KER AVEL",
        "075",
        "29",
        "255",
        "Maison d'Accueil Spécialisée (M.A.S.)",
        ej="290018365",
        postcode_town="29800 LANDERNEAU",
        sph="0",
    ),
    structure(
        "290018381",
        "SAVS LES GENETS",
        "232",
        "29",
        "446",
        "Service d'Accompagnement à la Vie Sociale (S.A.V.S.)",
        ej="290018365",
        postcode_town="29000 QUIMPER",
        sph="0",
    ),
    structure(
        "290030014", "PHARMACIE DU PORT", "019", "29", "620", "Pharmacie d'Officine", sph="0"
    ),
    structure(
        "560000127",
        "CH BRETAGNE ATLANTIQUE",
        "260",
        "56",
        "355",
        "Centre Hospitalier (C.H.)",
        postcode_town="56000 VANNES",
    ),
    "structureet;290099999;290000017;LIGNE TRONQUEE;;",
    structure(
        "29X000001", "NUMERO INVALIDE", "019", "29", "156", "Centre Médico-Psychologique (C.M.P.)"
    ),
    geolocation("290000975", 171_500.0, 6_788_300.0),
    geolocation("290004811", 172_000.0, 6_789_000.0),
    geolocation("290000017", 146_000.0, 6_838_000.0),
    geolocation("560000127", 267_000.0, 6_747_000.0),
]


def national_lines(count: int, seed: int = 7):
    """`count` establishments spread over France (about 3 % in Finistère), then their geolocation."""
    rng = random.Random(seed)
    departements = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"]
    categories = [
        ("620", "Pharmacie d'Officine"),
        ("611", "Laboratoire"),
        ("500", "EHPAD"),
        ("156", "Centre Médico-Psychologique (C.M.P.)"),
        ("355", "Centre Hospitalier (C.H.)"),
        ("446", "Service d'Accompagnement à la Vie Sociale (S.A.V.S.)"),
    ]
    yield HEADER
    finess_numbers = []
    for index in range(count):
        departement = "29" if rng.random() < 0.03 else rng.choice(departements)
        commune = (
            rng.choice(["019", "232", "075", "039", "151"])
            if departement == "29"
            else f"{rng.randint(1, 400):03d}"
        )
        category, label = rng.choice(categories)
        prefix = departement if departement[1].isdigit() else "2" + departement[1]
        finess = f"{prefix}{index:07d}"[:9]
        finess_numbers.append(finess)
        yield structure(
            finess, f"ETABLISSEMENT {index}", commune, departement, category, label, sph="0"
        )
    for finess in finess_numbers:
        yield geolocation(
            finess, rng.uniform(100_000, 1_200_000), rng.uniform(6_100_000, 7_100_000)
        )

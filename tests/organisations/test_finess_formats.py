"""The FINESS extraction as published: overseas départements, quoted fields, both extracts,
Latin-1 or UTF-8 (with or without BOM), with or without geolocation lines."""

import io

import pytest

from ptsm.organisations.categories import SUB_TYPES, category_of
from ptsm.organisations.finess import (
    UNKNOWN_PROJECTION,
    commune_code,
    import_finess,
    position,
)
from ptsm.organisations.finess_categories import FINESS_CATEGORIES, GROUPS
from ptsm.organisations.models import Organisation
from tests.factories import make_project

pytestmark = pytest.mark.django_db

# Lines written for these tests in the layout of « etalab-cs1100507-stock-20260512-0339.csv »
# (32 fields, the last one « numuai » empty, so that each line ends with a `;`).
HEADER_2026 = "finess;etalab;111;2026-05-12"
REUNION_STRUCTURES = [
    # EPSM in Saint-Denis (FINESS commune 411 → INSEE 97411), public.
    "structureet;970401234;970401226;EPSM DE LA REUNION;ETABLISSEMENT PUBLIC DE SANTÉ MENTALE DE "
    "LA RÉUNION;;;11;R;DE L'HOPITAL;;;411;9D;LA REUNION;97400 ST DENIS;0262001122;0262001123;292;"
    "Centre Hospitalier Spécialisé lutte Maladies Mentales;1103;Etablissements Hospitaliers "
    "Spécialisés;26974012300018;8610Z;03;ARS établissements Publics de santé dotation globale;1;"
    "Etablissement public de santé;1950-01-01;1950-01-01;2025-11-03;",
    # CMPP in Saint-Paul (415 → 97415), private (codesph empty).
    "structureet;970405550;970405543;CMPP OUEST;CENTRE MEDICO PSYCHO PEDAGOGIQUE DE L'OUEST;;;;;;;"
    "ZAC SAVANNAH;415;9D;LA REUNION;97460 ST PAUL;0262334455;;189;Centre Médico-Psycho-"
    "Pédagogique (C.M.P.P.);4106;Services à Domicile ou Ambulatoires pour Handicapés;"
    "41023456700025;;57;DGS ARS & hébergement PCD - sous CPOM;;;2008-04-14;2007-11-14;2024-02-21;",
    # A lieu de vie whose names hold `;` and doubled quotes, in Le Tampon (422 → 97422).
    'structureet;970409999;970409981;"LIEU DE VIE ""KAZ MARMAY"" ; TAMPON";"LIEU DE VIE ET '
    'D\'ACCUEIL ""KAZ MARMAY""";ASSOCIATION TI KAZ;;12;CHE;DES FOUGERES;;;422;9D;LA REUNION;'
    "97430 LE TAMPON;0262556677;;462;Lieux de Vie et d'Accueil;4605;Etablissements et services "
    "multi-clientèles;82967998400015;;08;Président du Conseil Départemental;;;2019-04-01;"
    "2019-03-18;2025-05-07;",
    # Mayotte (9F 611 → 97611): outside a Réunion project.
    "structureet;980500111;980500103;CMP MAMOUDZOU;CENTRE MEDICO-PSYCHOLOGIQUE DE MAMOUDZOU;;;;;"
    ";;;611;9F;MAYOTTE;97600 MAMOUDZOU;0269611111;;156;Centre Médico-Psychologique (C.M.P.);"
    "1109;Etablissements de Lutte contre les Maladies Mentales;;;03;ARS;1;Etablissement public "
    "de santé;1990-01-01;1990-01-01;2024-01-01;",
    # An EHPAD of Saint-Pierre (416 → 97416), offered but not ticked by default.
    "structureet;970406000;970405992;EHPAD LES FILAOS;EHPAD LES FILAOS;;;3;R;DES FILAOS;;;416;9D;"
    "LA REUNION;97410 ST PIERRE;0262990000;;500;Etablissement d'hébergement pour personnes âgées "
    "dépendantes;4401;Etablissements d'Hébergement pour Personnes Âgées;;8710A;40;ARS/PCD;;;"
    "1988-05-02;2017-01-03;2024-04-22;",
]
REUNION_GEOLOCATIONS = [
    # UTM 40S (RGR92), the projection named as the current files name it.
    "geolocalisation;970401234;338210.4;7690570.2;2,ATLASANTE,96,BAN,EPSG:2975 RGR92/UTM zone "
    "40S (Réunion);2026-05-04",
    "geolocalisation;970405550;323086.6;7679599.8;2,ATLASANTE,96,BAN,EPSG:2975 RGR92/UTM zone "
    "40S (Réunion);2026-05-04",
    # No projection named (older files): the département's own is assumed.
    "geolocalisation;970409999;343600.0;7646600.0;1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2;2026-05-04",
    # Lambert 93 figures for a Réunion establishment: would fall in France, never kept.
    "geolocalisation;970406000;171500.0;6788300.0;1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / "
    "Lambert-93 (Métropole);2026-05-04",
    "geolocalisation;980500111;524819.9;8587194.7;2,ATLASANTE,100,BDADRESSE,EPSG:4471 RGM04/UTM "
    "zone 38S (Mayotte);2026-05-04",
]


def _extract(*, geolocated: bool = True, encoding: str = "utf-8", newline: str = "\n") -> bytes:
    lines = [HEADER_2026, *REUNION_STRUCTURES, *(REUNION_GEOLOCATIONS if geolocated else [])]
    return (newline.join(lines) + newline).encode(encoding)


@pytest.fixture
def reunion():
    return make_project(departement="974", name="PTSM de La Réunion")


def test_an_overseas_extract_is_imported_with_insee_communes_and_local_projections(reunion):
    report = import_finess(project=reunion, stream=io.BytesIO(_extract()))
    assert report.created == 4  # Mayotte's CMP is outside the territory
    assert report.skipped["hors du territoire du projet"] == 1
    epsm = Organisation.objects.get(project=reunion, finess_et="970401234")
    assert epsm.commune_id == "97411" and epsm.postcode == "97400"
    assert (epsm.category, epsm.sub_type, epsm.mental_health) == (
        "sanitaire_public",
        "etab_psy_public",
        True,
    )
    assert epsm.name == "ETABLISSEMENT PUBLIC DE SANTÉ MENTALE DE LA RÉUNION"
    assert 55.40 < epsm.longitude < 55.50 and -20.95 < epsm.latitude < -20.85  # Saint-Denis
    cmpp = Organisation.objects.get(project=reunion, finess_et="970405550")
    assert cmpp.commune_id == "97415"
    # Reference values of the same point converted by PROJ (EPSG:2975 → WGS 84).
    assert cmpp.longitude == pytest.approx(55.29821, abs=1e-5)
    assert cmpp.latitude == pytest.approx(-20.97571, abs=1e-5)
    lieu_de_vie = Organisation.objects.get(project=reunion, finess_et="970409999")
    assert lieu_de_vie.commune_id == "97422"
    assert lieu_de_vie.name == 'LIEU DE VIE ET D\'ACCUEIL "KAZ MARMAY"'
    assert lieu_de_vie.phone == "0262556677" and lieu_de_vie.sub_type == "foyer"
    assert 55.45 < lieu_de_vie.longitude < 55.65 and -21.35 < lieu_de_vie.latitude < -21.2
    # Coordinates in another projection than the place's: no position rather than a wrong one.
    ehpad = Organisation.objects.get(project=reunion, finess_et="970406000")
    assert ehpad.longitude is None and ehpad.latitude is None
    assert any(e.startswith("Ligne 10 : coordonnées") for e in report.examples)


def test_the_quoted_short_name_is_read_whole_when_it_is_the_only_name(reunion):
    line = REUNION_STRUCTURES[2].replace(
        '"LIEU DE VIE ET D\'ACCUEIL ""KAZ MARMAY"""', ""
    )  # no long name: the short one, quoted with a `;` inside, is used
    import_finess(project=reunion, stream=io.BytesIO(f"{HEADER_2026}\n{line}\n".encode()))
    organisation = Organisation.objects.get(project=reunion, finess_et="970409999")
    assert organisation.name == 'LIEU DE VIE "KAZ MARMAY" ; TAMPON'
    assert organisation.commune_id == "97422"


@pytest.mark.parametrize(
    "encoding, bom, newline",
    [("utf-8", False, "\n"), ("utf-8", True, "\r\n"), ("cp1252", False, "\r\n")],
)
def test_latin1_and_utf8_with_or_without_bom_read_the_same(reunion, encoding, bom, newline):
    data = (b"\xef\xbb\xbf" if bom else b"") + _extract(encoding=encoding, newline=newline)
    report = import_finess(project=reunion, stream=io.BytesIO(data))
    assert report.created == 4
    assert "type de ligne inconnu" not in report.skipped  # the header is never a data line
    assert report.lines == len(REUNION_STRUCTURES) + len(REUNION_GEOLOCATIONS)
    assert report.extracted_on == "2026-05-12"
    names = set(Organisation.objects.filter(project=reunion).values_list("name", flat=True))
    assert "ETABLISSEMENT PUBLIC DE SANTÉ MENTALE DE LA RÉUNION" in names
    assert Organisation.objects.get(finess_et="970405550").finess_category_label == (
        "Centre Médico-Psycho-Pédagogique (C.M.P.P.)"
    )


def test_both_extracts_give_the_same_directory_only_the_geolocated_one_gives_positions(reunion):
    # cs1100502: the same establishments, without `geolocalisation` lines.
    report = import_finess(project=reunion, stream=io.BytesIO(_extract(geolocated=False)))
    assert report.created == 4
    assert not Organisation.objects.filter(project=reunion, longitude__isnull=False).exists()
    # cs1100507 over it: nothing created twice, positions added.
    report = import_finess(project=reunion, stream=io.BytesIO(_extract()))
    assert (report.created, report.updated, report.unchanged) == (0, 3, 1)
    assert Organisation.objects.filter(project=reunion, longitude__isnull=False).count() == 3


def test_line_numbers_are_the_files_own_and_the_header_is_read_once(reunion):
    lines = [
        HEADER_2026,
        REUNION_STRUCTURES[0],
        "structureet;970499999;970400000;TRONQUEE;;",  # line 3
        "",  # line 4: blank, not reported
        "commentaire;pas une ligne FINESS",  # line 5
        REUNION_STRUCTURES[1],
    ]
    data = b"\xef\xbb\xbf" + "\r\n".join(lines).encode()
    report = import_finess(project=reunion, stream=io.BytesIO(data))
    assert report.created == 2
    assert report.examples == [
        "Ligne 3 : ligne malformée — 6 champs au lieu de 31",
        "Ligne 5 : type de ligne inconnu — « commentaire »",
    ]


def test_the_older_31_field_layout_is_still_read(reunion):
    line = REUNION_STRUCTURES[0].removesuffix(";")  # no « numuai », no final `;`
    assert len(line.split(";")) == 31
    report = import_finess(project=reunion, stream=io.BytesIO(f"{HEADER_2026}\n{line}".encode()))
    assert report.created == 1


def test_groups_not_chosen_are_not_imported(reunion):
    report = import_finess(
        project=reunion, stream=io.BytesIO(_extract()), groups=["psychiatrie", "enfance_soins"]
    )
    assert report.created == 2 and report.not_chosen == 2
    assert set(
        Organisation.objects.filter(project=reunion).values_list("finess_et", flat=True)
    ) == {
        "970401234",
        "970405550",
    }
    assert "Non importés (catégories non retenues) : 2 établissements" in report.detail_lines()


@pytest.mark.parametrize(
    "departement, commune, insee",
    [
        ("9A", "101", "97101"),  # Les Abymes
        ("9A", "123", "97701"),  # Saint-Barthélemy, under its former Guadeloupe code
        ("9A", "127", "97801"),  # Saint-Martin, likewise
        ("9B", "209", "97209"),  # Fort-de-France
        ("9C", "302", "97302"),  # Cayenne
        ("9D", "411", "97411"),  # Saint-Denis
        ("9E", "502", "97502"),  # Saint-Pierre
        ("9F", "606", "97606"),  # Chirongui
        ("974", "411", "97411"),
        ("97", "411", "97411"),
        ("29", "232", "29232"),
        ("2A", "004", "2A004"),
        ("1", "451", "01451"),  # a département that lost its leading zero
    ],
)
def test_finess_communes_map_to_insee_codes(departement, commune, insee):
    assert commune_code(departement, commune) == insee


@pytest.mark.parametrize(
    "x, y, source, commune, expected",
    [
        # Reference values computed with PROJ for each official projection.
        ("870262.2", "6571540.8", "EPSG:2154 RGF93 / Lambert-93 (Métropole)", "01451", (5.20918, 46.22229)),
        ("657242.9", "1795384.4", "EPSG:5490 RGAF09/UTM Zone 20N (Antilles)", "97101", (-61.52874, 16.234)),
        ("353672.8", "544349.1", "EPSG:2972 RGFG95/UTM 22N", "97302", (-52.31973, 4.92347)),
        ("323086.6", "7679599.8", "EPSG:2975 RGR92/UTM zone 40S", "97415", (55.29821, -20.97571)),
        ("524819.9", "8587194.7", "EPSG:4471 RGM04/UTM zone 38S (Mayotte)", "97611", (45.22868, -12.77989)),
        ("563213.8", "5180306.8", "WGS84/UTM zone 21N (St-Pierre-et-Miquelon)", "97502", (-56.17201, 46.77332)),
    ],
)  # fmt: skip
def test_positions_in_every_official_projection(x, y, source, commune, expected):
    found, reason = position(x, y, f"2,ATLASANTE,96,BAN,{source}", commune)
    assert reason == ""
    assert found == pytest.approx(expected, abs=1e-5)


def test_an_unknown_projection_gives_no_position():
    assert position("323086.6", "7679599.8", "EPSG:9999 inconnu", "97415") == (
        None,
        UNKNOWN_PROJECTION,
    )
    # Antilles coordinates given for a Réunion establishment: no position, never a wrong one.
    found, _reason = position("657242.9", "1795384.4", "EPSG:5490 RGAF09/UTM Zone 20N", "97415")
    assert found is None


def test_every_category_is_in_one_group_with_a_sub_type_of_its_anap_category():
    codes = [code for group in GROUPS for code in group.codes]
    assert len(codes) == len(set(codes)) == len(FINESS_CATEGORIES)
    for group in GROUPS:
        assert set(group.codes) == set(group.mapping), group.key
        for mapping in group.mapping.values():
            assert mapping.sub_type in SUB_TYPES
            assert category_of(mapping.sub_type) == mapping.category
            if mapping.private_sub_type:
                assert category_of(mapping.private_sub_type) == mapping.private_category
    # The categories the issue names are all offered.
    for code in ("189", "190", "183", "186", "182", "223", "241", "340", "500", "197", "178"):
        assert code in FINESS_CATEGORIES
    for code in ("214", "258", "446", "445", "437", "255", "246", "382", "705"):
        assert code in FINESS_CATEGORIES

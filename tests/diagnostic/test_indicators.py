"""The project's own indicators, published long-format files (Odissé/Géodes shape), values shown
with their own year and source, series, and computed indicators that follow the directory."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.diagnostic.models import (
    CommuneIndicatorValue,
    Indicator,
    IndicatorValue,
    Level,
    PendingIndicatorImport,
)
from ptsm.diagnostic.selectors import identity_card_rows, indicator_rows, report_content
from ptsm.diagnostic.services import set_value
from ptsm.governance.services import create_default_bodies
from ptsm.organisations.models import Organisation
from tests.factories import make_project, member
from tests.helpers import form_data, login, page_text, visible_text

pytestmark = pytest.mark.django_db

YEARS = (2021, 2022, 2023)
DEPARTEMENTS = [
    ("29", "Finistère"),
    ("22", "Côtes-d'Armor"),
    ("56", "Morbihan"),
    ("35", "Ille-et-Vilaine"),
]
AGES = ["Tous âges", "15-24 ans", "25-64 ans"]
SEXES = ["Hommes et femmes", "Hommes", "Femmes"]


def odisse_export(*, encoding="latin-1", small_counts=False) -> bytes:
    """A Santé publique France (Odissé/Géodes) export as downloaded: `;`, decimal commas, one
    row per year × département × age class × sex, the département code last."""
    lines = [
        "annee;libgeo;classe_d_age;sexe;taux_hospit_geste_suicidaire;nombre_sejours;num_departement"
    ]
    for year in YEARS:
        for d, (code, name) in enumerate(DEPARTEMENTS):
            for a, age in enumerate(AGES):
                for s, sex in enumerate(SEXES):
                    rate = 100 + 10 * (year - 2020) + d + a / 10 + s / 100
                    count = 500 + year - 2020 + 7 * d + a + s
                    if small_counts and code == "29" and a == 0 and s == 0:
                        count = {2021: "9,0", 2022: "2,5", 2023: "12"}[year]
                    lines.append(
                        f"{year};{name};{age};{sex};{str(round(rate, 2)).replace('.', ',')};{count};{code}"
                    )
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.fixture
def project():
    project = make_project(departement="29", name="PTSM du Finistère")
    create_default_bodies(project=project)
    return project


def url(project, name, **kwargs):
    return reverse(f"diagnostic:{name}", kwargs={"slug": project.slug, **kwargs})


def add_indicator(client, project, **fields):
    data = {
        "label": "Hospitalisations pour geste suicidaire",
        "definition": "Taux standardisé de patients hospitalisés pour geste suicidaire.",
        "definition_version": "",
        "unit": "pour 100 000",
        "grid": "parcours",
        "entry_door": "4",
        "geographic_level": "département",
        "source": "Santé publique France (Odissé)",
        **fields,
    }
    response = client.post(url(project, "indicator_create"), data)
    assert response.status_code == 302, page_text(response)
    return Indicator.objects.filter(project=project).latest("pk")


def upload(client, project, content: bytes, name="odisse.csv"):
    return client.post(
        url(project, "long_upload"), {"file": SimpleUploadedFile(name, content, "text/csv")}
    )


def mapping_page(client, project, content: bytes, name="odisse.csv"):
    response = upload(client, project, content, name)
    assert response.status_code == 302, page_text(response)
    return response["Location"], client.get(response["Location"])


# The project's own indicators --------------------------------------------------------------------


def test_the_coordinator_adds_edits_and_deletes_indicators_next_to_the_anap_catalogue(
    client, project
):
    lead = member(project, Role.PROJECT_LEAD)
    login(client, lead)
    own = add_indicator(client, project, is_count="on")
    assert own.code == f"P{project.pk}-1" and own.is_count and own.project == project
    catalogue = visible_text(client.get(url(project, "catalogue")))
    assert "Indicateurs propres au projet" in catalogue and "Catalogue ANAP" in catalogue
    assert "Hospitalisations pour geste suicidaire" in catalogue
    assert "Orientations vers une MAS" in catalogue  # the ANAP ones, listed alongside
    overview = visible_text(client.get(url(project, "overview")))
    assert "Hospitalisations pour geste suicidaire" in overview and "propre au projet" in overview

    edit = client.get(url(project, "indicator_edit", code=own.code))
    data = form_data(edit, action="modifier") | {
        "label": "Gestes suicidaires hospitalisés",
        "is_count": "",
    }
    data.pop("is_count")
    assert client.post(url(project, "indicator_edit", code=own.code), data).status_code == 302
    own.refresh_from_db()
    assert own.label == "Gestes suicidaires hospitalisés" and not own.is_count

    # ANAP indicators are not editable, and another project does not see this one.
    assert client.get(url(project, "indicator_edit", code="MDPH_MAS")).status_code == 404
    assert client.post(url(project, "indicator_delete", code="MDPH_MAS")).status_code == 404
    other = make_project(departement="79", name="Autre")
    login(client, member(other, Role.PROJECT_LEAD))
    assert "Gestes suicidaires" not in visible_text(client.get(url(other, "catalogue")))
    assert client.get(url(other, "indicator", code=own.code)).status_code == 404
    assert client.get(url(other, "value_edit", code=own.code)).status_code == 404

    # Roles: working-group members enter values, only the coordinator changes the catalogue.
    login(client, member(project, Role.COPIL_MEMBER))
    assert client.get(url(project, "indicator_create")).status_code == 403
    assert client.post(url(project, "indicator_delete", code=own.code)).status_code == 403
    login(client, member(project, Role.READER))
    assert "Ajouter un indicateur" not in visible_text(client.get(url(project, "catalogue")))

    login(client, lead)
    set_value(project=project, indicator=own, level=Level.TERRITORY, year=2023, value=12.5)
    confirm = visible_text(client.get(url(project, "indicator_delete", code=own.code)))
    assert "1 valeur enregistrée pour cet indicateur sera supprimée" in confirm
    assert client.post(url(project, "indicator_delete", code=own.code)).status_code == 302
    assert not Indicator.objects.filter(pk=own.pk).exists()
    assert not IndicatorValue.objects.filter(project=project).exists()


def test_an_indicator_without_its_required_fields_is_refused_in_french(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    response = client.post(url(project, "indicator_create"), {"label": "", "grid": "inconnue"})
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in page_text(response)
    assert not Indicator.objects.filter(project=project).exists()


def test_an_indicator_becoming_a_count_masks_its_small_values(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    own = add_indicator(client, project)
    set_value(project=project, indicator=own, level=Level.TERRITORY, year=2023, value=7)
    assert IndicatorValue.objects.get(indicator=own).value == 7  # a rate: shown as is
    data = form_data(
        client.get(url(project, "indicator_edit", code=own.code)), action="modifier"
    ) | {"is_count": "on"}
    assert client.post(url(project, "indicator_edit", code=own.code), data).status_code == 302
    stored = IndicatorValue.objects.get(indicator=own)
    assert stored.value is None and stored.masked


# Published long-format files ---------------------------------------------------------------------


def test_an_odisse_export_is_mapped_previewed_then_imported_with_its_three_years(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    own = add_indicator(client, project)
    location, page = mapping_page(client, project, odisse_export())
    text = visible_text(page)
    assert "108 lignes" in text and "taux_hospit_geste_suicidaire" in text
    proposed = form_data(page, action="importer-export")
    # The columns are recognised from their headers and the totals proposed as breakdowns.
    headers = PendingIndicatorImport.objects.get().headers
    assert headers[int(proposed["territory_column"])] == "num_departement"
    assert proposed["territory_level"] == "departement"
    assert headers[int(proposed["year_column"])] == "annee"
    assert headers[int(proposed["value_column"])] == "taux_hospit_geste_suicidaire"
    assert proposed["ventilation_2"] == "Tous âges"
    assert proposed["ventilation_3"] == "Hommes et femmes"

    preview = client.post(location, proposed | {"indicator": own.pk, "apercu": ""})
    text = visible_text(preview)
    assert preview.status_code == 200, text
    # Finistère is the whole territory: its rows are the territory's and the département's.
    assert "6 valeurs à enregistrer" in text
    assert "9 lignes d'autres territoires ignorées" in text  # 3 départements × 3 years
    assert "96 lignes d'autres ventilations ignorées" in text  # 108 - 4 départements × 3 years
    assert not IndicatorValue.objects.filter(project=project).exists()  # nothing before confirming

    done = client.post(location, proposed | {"indicator": own.pk, "confirmer": ""})
    assert done.status_code == 302
    values = IndicatorValue.objects.filter(project=project, indicator=own)
    assert sorted(values.values_list("level", "year")) == sorted(
        (level, year) for level in ("departement", "territoire") for year in YEARS
    )
    assert values.get(level="territoire", year=2022).value == 120.0
    source = values.get(level="territoire", year=2023).source
    assert source == (
        "Santé publique France (Odissé) (classe_d_age : Tous âges ; sexe : Hommes et femmes)"
    )
    assert not PendingIndicatorImport.objects.exists()

    # Every year is a series: on the indicator's page (table and chart) and in the overview.
    detail = client.get(url(project, "indicator", code=own.code))
    text = " ".join(re.sub(r"<[^>]+>", " ", page_text(detail)).split())  # cells apart
    assert "Valeurs par année" in text
    series = text[text.index("Valeurs par année") :][:400]
    for year, figure in ((2023, "130"), (2022, "120"), (2021, "110")):
        assert f"{year} {figure} {figure}" in series, series
    assert "évolution de 2021 à 2023" in page_text(detail)
    overview = visible_text(client.get(url(project, "overview")))
    assert "évolution sur 3 années" in overview


def test_accented_headers_in_utf8_with_bom_and_a_commune_level_file(client, project):
    """Headers are matched without regard to accents or case; a file by commune keeps the
    territory's communes (map shading) and counts the others."""
    login(client, member(project, Role.PROJECT_LEAD))
    own = add_indicator(client, project, geographic_level="commune", unit="%", grid="territoire")
    brest, quimper, rennes = "29019", "29232", "35238"
    content = (
        "\ufeffAnnée;Code Commune;Libellé;Sexe;Part (%)\n"
        + "".join(
            f"{year};{code};{name};{sex};{share}\n"
            for year in (2020, 2021)
            for code, name in ((brest, "Brest"), (quimper, "Quimper"), (rennes, "Rennes"))
            for sex, share in (("Ensemble", "12,5"), ("Femmes", "13,1"))
        )
    ).encode("utf-8")
    location, page = mapping_page(client, project, content)
    proposed = form_data(page, action="importer-export")
    assert proposed["territory_level"] == "commune" and proposed["ventilation_3"] == "Ensemble"
    preview = visible_text(client.post(location, proposed | {"indicator": own.pk, "apercu": ""}))
    assert (
        "4 valeurs à enregistrer" in preview and "2 lignes d'autres territoires ignorées" in preview
    )
    client.post(location, proposed | {"indicator": own.pk, "confirmer": ""})
    stored = CommuneIndicatorValue.objects.filter(project=project, indicator=own)
    assert sorted(stored.values_list("commune_id", "year")) == [
        (brest, 2020),
        (brest, 2021),
        (quimper, 2020),
        (quimper, 2021),
    ]
    assert {v.value for v in stored} == {12.5}


def test_small_counts_written_9_0_or_2_5_are_masked_at_storage(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    own = add_indicator(client, project, unit="séjours", is_count="on")
    location, page = mapping_page(client, project, odisse_export(small_counts=True))
    headers = PendingIndicatorImport.objects.get().headers
    proposed = form_data(page, action="importer-export") | {
        "indicator": own.pk,
        "value_column": headers.index("nombre_sejours"),
    }
    preview = visible_text(client.post(location, proposed | {"apercu": ""}))
    assert "4 effectifs inférieurs à 11 masqués" in preview  # 2 years × (territory, département)
    client.post(location, proposed | {"confirmer": ""})
    values = {
        (v.level, v.year): v for v in IndicatorValue.objects.filter(project=project, indicator=own)
    }
    for year in (2021, 2022):  # « 9,0 » and « 2,5 »
        assert values[("territoire", year)].value is None and values[("territoire", year)].masked
    assert values[("territoire", 2023)].value == 12
    page = visible_text(client.get(url(project, "indicator", code=own.code)))
    assert "< 11" in page and "9,0" not in page and "2,5" not in page


def test_breakdowns_left_open_are_explained_and_nothing_is_written(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    own = add_indicator(client, project)
    location, page = mapping_page(client, project, odisse_export())
    proposed = form_data(page, action="importer-export") | {
        "indicator": own.pk,
        "ventilation_3": "",
    }  # every sex
    response = client.post(location, proposed | {"confirmer": ""})
    assert response.status_code == 400
    text = visible_text(response)
    assert "Rien n'a été importé" in text
    assert (
        "Ligne 4 : même territoire et même année que la ligne 2 : choisissez une valeur pour « sexe »."
        in text
    )
    assert not IndicatorValue.objects.filter(project=project).exists()


def test_bad_published_files_get_a_french_message_and_nothing_changes(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    own = add_indicator(client, project)
    refused = upload(client, project, b"\x89PNG\r\n\x1a\n\x00\x00", name="image.png")
    assert refused.status_code == 400
    assert "Format non pris en charge" in visible_text(refused)
    single = upload(client, project, b"annee\n2021\n", name="une-colonne.csv")
    assert single.status_code == 400 and "au moins trois colonnes" in visible_text(single)
    bad_year = odisse_export().replace(b"2022;Finist", b"l'an dernier;Finist")
    location, page = mapping_page(client, project, bad_year)
    response = client.post(
        location, form_data(page, action="importer-export") | {"indicator": own.pk, "confirmer": ""}
    )
    assert response.status_code == 400
    assert "année invalide « l'an dernier »" in visible_text(response)
    nowhere = b"annee;libgeo;sexe;taux;num_departement\n2022;Var;Ensemble;3,2;83\n"
    location, page = mapping_page(client, project, nowhere)
    response = client.post(
        location, form_data(page, action="importer-export") | {"indicator": own.pk, "apercu": ""}
    )
    assert "Aucune ligne ne concerne le territoire du projet" in visible_text(response)
    assert not IndicatorValue.objects.filter(project=project).exists()
    # Another project's members never reach a pending file of this one.
    other = make_project(departement="79", name="Autre")
    login(client, member(other, Role.PROJECT_LEAD))
    assert client.get(location).status_code == 404
    login(client, member(project, Role.READER))
    assert upload(client, project, odisse_export()).status_code == 403


# What the diagnostic shows ------------------------------------------------------------------------


def test_each_value_is_shown_with_its_own_year_and_source(client, project):
    poverty = Indicator.objects.get(code="PAUVRETE")
    set_value(
        project=project,
        indicator=poverty,
        level=Level.TERRITORY,
        year=2024,
        value=11.2,
        source="INSEE Filosofi 2024",
    )
    set_value(
        project=project,
        indicator=poverty,
        level=Level.FRANCE,
        year=2023,
        value=14.5,
        source="INSEE Filosofi 2023",
    )
    login(client, member(project, Role.READER))
    page = visible_text(client.get(url(project, "overview")))
    row = page[page.index("Taux de pauvreté") :][:400]
    assert "11,2 (2024)" in row and "14,5 (2023)" in row and "2023, 2024" in row
    assert "INSEE Filosofi 2024 ; INSEE Filosofi 2023" in row
    grid = next(
        g
        for g in report_content(project)["grids"]
        if g["rows"] and any(r["code"] == "PAUVRETE" for r in g["rows"])
    )
    line = next(r for r in grid["rows"] if r["code"] == "PAUVRETE")
    assert line["cells"][0] == "11,2 (2024)" and line["cells"][3] == "14,5 (2023)"
    assert line["year"] == "2023, 2024"
    detail = page_text(client.get(url(project, "indicator", code="PAUVRETE")))
    assert "France (2023)" in detail  # the chart's bar carries its year too


def test_computed_indicators_follow_the_directory_without_pressing_a_button(client, project):
    login(client, member(project, Role.READER))

    def organisations_cell():
        row = next(r for r in indicator_rows(project) if r.indicator.code == "ORGANISATIONS")
        return row.cell(Level.TERRITORY)

    before = organisations_cell()
    Organisation.objects.create(project=project, name="CMP de Brest", category="sanitaire_public")
    assert int(organisations_cell()) == int(before) + 1
    page = visible_text(client.get(url(project, "overview")))
    assert "d'après l'annuaire du projet" in page
    assert not IndicatorValue.objects.filter(project=project).exists()  # read, never written


def test_directory_ratios_are_never_presented_as_official_statistics(project):
    Organisation.objects.create(
        project=project, name="EPSM", category="sanitaire_public", mental_health=True
    )
    labels = [label for label, _value in identity_card_rows(project)]
    assert labels and not any("annuaire" in label for label in labels)
    assert not any("pour 100 000" in label for label in labels)
    rows = {r["code"]: r for g in report_content(project)["grids"] for r in g["rows"]}
    ratio = rows["ORG_SANTE_MENTALE"]
    assert "d'après l'annuaire du projet" in ratio["label"]
    assert "pas une statistique officielle" in ratio["source"]


def test_the_diagnostic_pages_cost_the_same_queries_with_one_year_or_ten(client, project):
    login(client, member(project, Role.READER))
    indicators = list(Indicator.objects.filter(computed="")[:12])

    def fill(years):
        for indicator in indicators:
            for year in years:
                for level in Level.values:
                    set_value(
                        project=project, indicator=indicator, level=level, year=year, value=42
                    )

    def count(name, **kwargs):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(project, name, **kwargs)).status_code == 200
        return len(queries)

    fill([2015])
    one_year = [count("overview"), count("door", number=1), count("indicator", code="LITS_PSY")]
    fill(range(2016, 2025))
    ten_years = [count("overview"), count("door", number=1), count("indicator", code="LITS_PSY")]
    assert one_year == ten_years
    assert max(ten_years) <= 30, ten_years

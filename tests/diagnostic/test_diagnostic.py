import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from ptsm.accounts.models import Role
from ptsm.core.formatting import NARROW_NBSP
from ptsm.diagnostic.models import DiagnosticVersion, Finding, Indicator, IndicatorValue, Level
from ptsm.diagnostic.selectors import report_content
from ptsm.diagnostic.services import compute_values, set_value, validate_diagnostic
from ptsm.documents.registry import get_kind
from ptsm.documents.services import render
from ptsm.governance.models import Body, BodyKind
from ptsm.governance.services import create_default_bodies
from ptsm.organisations.models import Organisation
from ptsm.territories.models import Commune
from tests.documents.test_pipeline import docx_text, pdf_text
from tests.factories import make_project, member
from tests.helpers import login, page_text, visible_text

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 24)


@pytest.fixture
def project():
    project = make_project(departement="29", name="PTSM du Finistère")
    create_default_bodies(project=project)
    return project


def indicator(code) -> Indicator:
    return Indicator.objects.get(code=code)


def test_the_catalogue_covers_the_three_grids_and_the_five_doors():
    assert Indicator.objects.filter(grid="territoire").count() >= 10
    assert Indicator.objects.filter(grid="mdph").count() >= 6
    assert set(Indicator.objects.exclude(entry_door=None).values_list("entry_door", flat=True)) == {
        1,
        2,
        3,
        4,
        5,
    }
    long_stay = indicator("LONG_SEJOUR")
    assert long_stay.definition_version == "≥ 292 jours dans l'année" and long_stay.is_count


def test_computed_values_for_the_territory_and_comparison_levels(project):
    Organisation.objects.create(
        project=project, name="EPSM", category="sanitaire_public", mental_health=True
    )
    compute_values(project=project, year=2026)
    values = {
        (v.indicator.code, v.level): v.value
        for v in IndicatorValue.objects.select_related("indicator")
    }
    finistere = sum(
        Commune.objects.filter(departement_id="29").values_list("population", flat=True)
    )
    france = sum(Commune.objects.values_list("population", flat=True))
    assert values[("POP", Level.TERRITORY)] == finistere == values[("POP", Level.DEPARTEMENT)]
    assert values[("POP", Level.FRANCE)] == france
    assert (
        values[("COMMUNES", Level.REGION)]
        == Commune.objects.filter(departement__region_id="53").count()
    )
    assert values[("ORG_SANTE_MENTALE", Level.TERRITORY)] == round(100_000 / finistere, 1)


def test_identity_card_of_a_700_commune_territory_costs_a_bounded_number_of_queries():
    codes = list(
        Commune.objects.filter(departement_id__in=["76", "27"])
        .order_by("code")
        .values_list("code", flat=True)[:700]
    )
    big = make_project(departement="76", with_departement=False, commune_codes=codes, name="Grand")
    small = make_project(
        departement="29", with_departement=False, commune_codes=["29019"], name="Petit"
    )
    counts = []
    for project in (small, big):
        with CaptureQueriesContext(connection) as queries:
            compute_values(project=project, year=2026)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_small_count_never_appears_in_a_page_an_export_or_a_document(client, project, tmp_path):
    set_value(
        project=project, indicator=indicator("MDPH_MAS"), level=Level.TERRITORY, year=2025, value=7
    )
    set_value(
        project=project,
        indicator=indicator("MDPH_ESAT"),
        level=Level.TERRITORY,
        year=2025,
        value=1234,
    )
    stored = IndicatorValue.objects.get(indicator__code="MDPH_MAS")
    assert stored.value is None and stored.masked  # the figure is not even kept
    login(client, member(project, Role.READER))
    page = visible_text(client.get(reverse("diagnostic:overview", kwargs={"slug": project.slug})))
    row = page[page.index("Orientations vers une MAS") :][:400]
    assert "< 11" in row and "7" not in row.replace("2025", "")
    assert f"1{NARROW_NBSP}234" in page
    assert "0 constat" in page and "(s)" not in page  # the doors' tiles: real plurals
    for fmt in ("docx", "pdf"):
        data = render(project, get_kind("diagnostic"), "", fmt, DAY)
        text = docx_text(data) if fmt == "docx" else pdf_text(data)
        mas = text[text.index("Orientations vers une MAS") :][:120]
        assert "< 11" in mas and " 7" not in mas and "\n7" not in mas
    template = client.get(
        reverse("diagnostic:import_template", kwargs={"slug": project.slug, "fmt": "xlsx"})
    )
    assert template.status_code == 200
    assert all(
        str(c.value) != "7"
        for row in load_workbook(io.BytesIO(template.content)).active.iter_rows()
        for c in row
    )


def _import(client, project, content: bytes, name="valeurs.csv"):
    return client.post(
        reverse("diagnostic:import", kwargs={"slug": project.slug}),
        {"file": SimpleUploadedFile(name, content)},
        follow=True,
    )


def test_values_import_is_all_or_nothing_with_french_line_errors(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    bad = (
        "Code indicateur;Niveau;Année;Valeur;Source\n"
        "PAUVRETE;territoire;2021;12,4;INSEE Filosofi 2021\n"
        "INCONNU;territoire;2021;1;\n"
        "PAUVRETE;canton;2021;1;\n"
        "SUICIDE;France;deux mille;1;\n"
        "SUICIDE;France;2021;beaucoup;\n"
        "PAUVRETE;territoire;2021;13;\n"
    ).encode()
    page = page_text(_import(client, project, bad))
    assert "5 erreurs : rien n'a été importé" in page
    assert "Ligne 3 : indicateur inconnu « INCONNU »." in page
    assert "Ligne 4 : niveau inconnu « canton »" in page
    assert "Ligne 5 : année invalide « deux mille »." in page
    assert "Ligne 6 : valeur non numérique « beaucoup »." in page
    assert "Ligne 7 : doublon de la ligne 2." in page
    assert not IndicatorValue.objects.filter(project=project).exists()
    good = (
        "Code indicateur;Niveau;Année;Valeur\n"
        "PAUVRETE;territoire;2021;12,4\nPAUVRETE;France;2021;14,5\nMDPH_FAM;département;2024;3\n"
    )
    assert "3 valeurs importées." in page_text(_import(client, project, good.encode()))
    assert IndicatorValue.objects.get(indicator__code="PAUVRETE", level="france").value == 14.5
    assert IndicatorValue.objects.get(indicator__code="MDPH_FAM").masked


def test_typed_value_with_bad_input(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    url = reverse("diagnostic:value_edit", kwargs={"slug": project.slug, "code": "PAUVRETE"})
    assert "Un pourcentage ne peut pas dépasser 100." in page_text(
        client.post(url, {"level": "territoire", "year": "2021", "value": "140"})
    )
    assert "Saisissez un nombre." in page_text(
        client.post(url, {"level": "territoire", "year": "2021", "value": "douze"})
    )
    assert (
        client.post(
            url, {"level": "territoire", "year": "2021", "value": "12.5", "source": "INSEE"}
        ).status_code
        == 302
    )
    assert IndicatorValue.objects.get(project=project, indicator__code="PAUVRETE").value == 12.5


def test_findings_per_door_with_working_group_indicators_and_priorities(client, project):
    login(client, member(project, Role.ACTION_PILOT))
    group = Body.objects.get(project=project, kind=BodyKind.WORKING_GROUP, entry_door=5)
    url = reverse("diagnostic:finding_create", kwargs={"slug": project.slug, "number": 5})
    response = client.post(
        url,
        {
            "kind": "rupture",
            "text": "Pas d'équipe mobile de crise la nuit sur le centre Finistère.",
            "working_group": group.pk,
            "priorities": ["P4", "P2"],
            "indicators": [indicator("URGENCES_PSY").pk],
            "priority_rank": "1",
        },
    )
    assert response.status_code == 302
    finding = Finding.objects.get(project=project)
    assert finding.priorities == ["P4", "P2"] and finding.working_group == group
    page = page_text(
        client.get(reverse("diagnostic:door", kwargs={"slug": project.slug, "number": 5}))
    )
    priorities = page[page.index('id="door-priorities"') :]
    assert "Pas d'équipe mobile de crise la nuit" in priorities
    assert "Ne saisissez aucune donnée permettant d'identifier" in page_text(client.get(url))
    other = make_project(departement="79", name="Autre")
    create_default_bodies(project=other)
    foreign = Body.objects.filter(project=other, kind=BodyKind.WORKING_GROUP).first()
    refused = page_text(
        client.post(url, {"kind": "force", "text": "x", "working_group": foreign.pk})
    )
    assert "Sélectionnez un choix valide" in refused
    reader = member(project, Role.READER)
    login(client, reader)
    assert client.post(url, {"kind": "force", "text": "x"}).status_code == 403


def test_door_page_charts_have_their_data_table(client, project):
    compute_values(project=project, year=2026)
    set_value(
        project=project,
        indicator=indicator("LITS_PSY"),
        level=Level.TERRITORY,
        year=2023,
        value=72.4,
    )
    set_value(
        project=project, indicator=indicator("LITS_PSY"), level=Level.FRANCE, year=2023, value=80.1
    )
    login(client, member(project, Role.READER))
    page = page_text(
        client.get(reverse("diagnostic:door", kwargs={"slug": project.slug, "number": 1}))
    )
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in page
    assert "Données du graphique : Lits d'hospitalisation complète" in page
    assert "72,4" in page and "80,1" in page and "Valeur manquante" in page


def test_map_places_organisations_and_shades_by_a_chosen_measure(client, project):
    Organisation.objects.create(
        project=project,
        name="EPSM Finistère Sud",
        category="sanitaire_public",
        longitude=-4.1,
        latitude=48.0,
        commune_id="29232",
    )
    login(client, member(project, Role.READER))
    url = reverse("diagnostic:map", kwargs={"slug": project.slug})
    page = page_text(client.get(url, {"measure": "organisations"}))
    assert "<title>EPSM Finistère Sud</title>" in page
    assert "teintées selon organisations" in page
    assert "Sanitaire hospitalier public" in page  # legend


def test_copil_validation_freezes_the_content_and_changes_make_a_new_version(project):
    from django.core.exceptions import ValidationError

    lead = member(project, Role.PROJECT_LEAD)
    Finding.objects.create(
        project=project, entry_door=1, kind="faiblesse", text="Délais en CMP trop longs"
    )
    first = validate_diagnostic(
        project=project,
        meeting=None,
        decision="Diagnostic validé",
        validated_on=DAY,
        user=lead,
        content=report_content(project),
    )
    with pytest.raises(ValidationError, match="n'a pas changé"):
        validate_diagnostic(
            project=project,
            meeting=None,
            decision="Encore",
            validated_on=DAY,
            user=lead,
            content=report_content(project),
        )
    Finding.objects.create(
        project=project, entry_door=2, kind="force", text="Réhabilitation psychosociale"
    )
    second = validate_diagnostic(
        project=project,
        meeting=None,
        decision="Complété",
        validated_on=DAY,
        user=lead,
        content=report_content(project),
    )
    assert (first.number, second.number) == (1, 2) and first.sha256 != second.sha256
    # The report says when, as every other document does (« 24 novembre 2026 », not 24/11/2026).
    from ptsm.diagnostic.documents import report_context

    assert report_context(project)["status"] == (
        "Version 2 validée par le COPIL le 24 novembre 2026"
    )
    first.decision = "modifiée"
    with pytest.raises(ValidationError, match="figée"):
        first.save()
    assert DiagnosticVersion.objects.get(pk=first.pk).decision == "Diagnostic validé"


def test_report_has_identity_card_grids_findings_and_priorities(project):
    compute_values(project=project, year=2026)
    Finding.objects.create(
        project=project,
        entry_door=4,
        kind="rupture",
        priority_rank=1,
        text="Suivi somatique insuffisant des patients au long cours",
    )
    for fmt in ("docx", "pdf"):
        data = render(project, get_kind("diagnostic"), "", fmt, DAY)
        text = docx_text(data) if fmt == "docx" else pdf_text(data)
        flat = " ".join(text.split())
        for heading in (
            "Carte d'identité du territoire",
            "Caractéristiques du parcours",
            "Grille MDPH",
            "Porte d'entrée 4",
            "Priorités",
        ):
            assert heading in flat, (fmt, heading)
        assert "Suivi somatique insuffisant des patients au long cours" in flat
        assert "Population municipale" in flat and "INSEE, IGN" in flat


def test_a_finding_shows_the_fiches_actions_that_answer_it(client, project):
    from ptsm.roadmap.models import Action, Objective, Orientation, Theme
    from ptsm.roadmap.services import renumber

    finding = Finding.objects.create(
        project=project, entry_door=5, kind="rupture", text="Pas d'équipe de crise"
    )
    objective = Objective.objects.create(
        theme=Theme.objects.create(
            orientation=Orientation.objects.create(project=project, title="O"), title="T"
        ),
        title="Ob",
    )
    action = Action.objects.create(objective=objective, title="Équipe mobile")
    action.findings.set([finding])
    renumber(project=project)
    login(client, member(project, Role.READER))
    page = visible_text(
        client.get(reverse("diagnostic:door", kwargs={"slug": project.slug, "number": 5}))
    )
    assert "→ fiche-action 1.1.1.1" in page


def test_values_by_commune_are_imported_checked_and_shade_the_map(client, project):
    from ptsm.diagnostic.models import CommuneIndicatorValue

    login(client, member(project, Role.PROJECT_LEAD))
    header = "Code indicateur;Niveau;Année;Valeur;Source;Code commune\n"
    bad = (
        header
        + "PAUVRETE;commune;2021;18,5;INSEE Filosofi;29019\n"
        + "PAUVRETE;commune;2021;12;;35238\n"  # Rennes: not in the Finistère
        + "PAUVRETE;commune;2021;12;;\n"
        + "SUICIDE;commune;2021;15;;29232\n"  # only known at the département
        + "PAUVRETE;territoire;2021;14;;29232\n"
        + "PAUVRETE;commune;2020;130;;29232\n"
    ).encode()
    page = page_text(_import(client, project, bad))
    assert "Ligne 3 : commune « 35238 » absente du territoire du projet." in page
    assert "Ligne 4 : code commune manquant pour le niveau commune." in page
    assert "Ligne 5 : indicateur « SUICIDE » non disponible à la commune" in page
    assert "Ligne 6 : code commune renseigné pour un niveau autre que commune." in page
    assert "Ligne 7 : pourcentage supérieur à 100." in page
    assert not CommuneIndicatorValue.objects.exists()
    good = (
        header
        + "PAUVRETE;commune;2021;18,5;INSEE Filosofi;29019\n"
        + "PAUVRETE;commune;2021;11,2;INSEE Filosofi;29232\n"
        + "MDPH_FAM;territoire;2024;30;;\n"
    ).encode()
    assert "3 valeurs importées." in page_text(_import(client, project, good))
    # A count by commune stays masked below 11 (the catalogue's count must be known at that level).
    count = Indicator.objects.get(code="MDPH_FAM")
    count.geographic_level = "commune"
    count.save()
    small = (header + "MDPH_FAM;commune;2024;7;MDPH;29019\n").encode()
    assert "1 valeur importée." in page_text(_import(client, project, small))
    masked = CommuneIndicatorValue.objects.get(indicator=count)
    assert masked.masked and masked.value is None

    url = reverse("diagnostic:map", kwargs={"slug": project.slug})
    form = page_text(client.get(url))
    assert 'value="indicateur-PAUVRETE"' in form and "Indicateur : Taux de pauvreté" in form
    page = page_text(client.get(url, {"measure": "indicateur-PAUVRETE"}))
    brest = Commune.objects.get(code="29019").name
    assert f"<title>{brest} — 18,5 %</title>" in page
    assert "donnée absente ou effectif < 11" in page  # the other communes
    assert (
        "Communes teintées selon « Taux de pauvreté » (%), année 2021 ; source : INSEE Filosofi."
        in page
    )
    fam = page_text(client.get(url, {"measure": "indicateur-MDPH_FAM"}))
    assert f"<title>{brest} — donnée absente ou effectif < 11</title>" in fam
    assert "1 commune à effectif inférieur à 11, non affichée." in fam
    assert "— 7 orientations" not in fam


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-Infinity", "1e999"])
def test_imported_values_reject_nan_and_infinity_with_their_line(client, project, value):
    login(client, member(project, Role.PROJECT_LEAD))
    content = f"Code indicateur;Niveau;Année;Valeur\nPAUVRETE;territoire;2021;{value}\n"
    page = page_text(_import(client, project, content.encode()))
    assert f"Ligne 2 : valeur non numérique « {value} »." in page
    assert not IndicatorValue.objects.filter(project=project).exists()


def test_an_over_long_source_is_refused_with_its_line_not_a_server_error(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    content = (
        "Code indicateur;Niveau;Année;Valeur;Source\n"
        f"PAUVRETE;territoire;2021;12;{'S' * 201}\n"
        "PAUVRETE;France;2021;14;INSEE\n"
    )
    page = page_text(_import(client, project, content.encode()))
    assert "Ligne 2 : source trop longue (200 caractères au plus)." in page
    assert not IndicatorValue.objects.filter(project=project).exists()


def test_a_typed_value_cannot_be_infinite(project):
    from django.core.exceptions import ValidationError

    from ptsm.diagnostic.models import Indicator
    from ptsm.diagnostic.services import check_value

    with pytest.raises(ValidationError, match="nombre fini"):
        check_value(Indicator.objects.get(code="PAUVRETE"), float("inf"))

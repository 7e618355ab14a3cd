"""The regional cockpit: who sees what, the table and its export, the maps, bounded queries."""

import datetime as dt
import html
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from ptsm.accounts.models import NationalObserver, Role
from ptsm.organisations.models import Contact, Organisation
from ptsm.pilotage.demo import populate_project
from ptsm.projects.models import Phase
from tests.factories import UserFactory, make_project, member
from tests.helpers import login, visible_text

pytestmark = pytest.mark.django_db
START = dt.date(2025, 1, 6)


def project_at(phase, departement="29", name=None, actions=6, commune=None):
    project = make_project(
        departement=departement,
        name=name,
        start=START,
        with_departement=commune is None,
        commune_codes=[commune] if commune else (),
    )
    populate_project(project, phase=phase, actions=actions, start=START)
    return project


@pytest.fixture
def bretagne_and_elsewhere():
    finistere = project_at(Phase.IMPLEMENTATION, "29", "PTSM du Finistère", actions=10)
    ille = project_at(Phase.DIAGNOSTIC, "35", "PTSM d'Ille-et-Vilaine", actions=0)
    morbihan = project_at(Phase.COMMITMENT, "56", "PTSM du Morbihan", actions=4)
    deux_sevres = project_at(Phase.ROADMAP, "79", "PTSM des Deux-Sèvres", actions=3)
    return finistere, ille, morbihan, deux_sevres


def cockpit_rows(response) -> list[str]:
    """The project names of the table's rows, in order."""
    import re

    table = response.content.decode().split('id="cockpit-table"')[1].split("</table>")[0]
    return [
        html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
        for cell in re.findall(r'<th scope="row">(.*?)</th>', table, re.S)
    ]


def test_an_ars_administrator_of_bretagne_sees_bretagne_and_no_other_region(
    client, bretagne_and_elsewhere
):
    finistere, ille, morbihan, deux_sevres = bretagne_and_elsewhere
    login(client, member(finistere, Role.ARS_ADMIN))
    response = client.get(reverse("pilotage:cockpit"))
    assert response.status_code == 200
    assert sorted(cockpit_rows(response)) == sorted(
        ["PTSM du Finistère", "PTSM d'Ille-et-Vilaine", "PTSM du Morbihan"]
    )
    assert "Deux-Sèvres" not in response.content.decode()
    export = client.get(reverse("pilotage:export"))
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {
        "PTSM du Finistère",
        "PTSM d'Ille-et-Vilaine",
        "PTSM du Morbihan",
        "Total",
    }
    # Another région's figures are not reachable by a filter either.
    response = client.get(reverse("pilotage:cockpit"), {"region": deux_sevres.region_id})
    assert "PTSM des Deux-Sèvres" not in cockpit_rows(response)


@pytest.mark.parametrize("role", [Role.PROJECT_LEAD, Role.COPIL_MEMBER, Role.READER])
def test_project_members_do_not_get_the_cockpit(client, bretagne_and_elsewhere, role):
    login(client, member(bretagne_and_elsewhere[0], role))
    assert client.get(reverse("pilotage:cockpit")).status_code == 403
    assert client.get(reverse("pilotage:export")).status_code == 403


def test_anonymous_users_go_to_login(client):
    response = client.get(reverse("pilotage:cockpit"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_a_line_carries_every_column_of_the_project(client, bretagne_and_elsewhere):
    finistere = bretagne_and_elsewhere[0]
    login(client, member(finistere, Role.ARS_ADMIN))
    response = client.get(reverse("pilotage:cockpit"), {"q": "Finistère"})
    text = visible_text(response)
    assert cockpit_rows(response) == ["PTSM du Finistère"]
    # Phase since its last change, the validations' dates, actions by status, funding,
    # signatures n/N, next review (6 months after the last signature), late milestones.
    assert "Mise en œuvre" in text
    assert "Mise en œuvre 02/11/2025" in " ".join(text.split())  # 4 steps × 75 days after start
    assert "05/06/2025" in text  # diagnostic validated (start + 150 days)
    assert text.count("02/11/2025") >= 2  # roadmap validated (start + 300 days), phase since
    assert "Validée : 2" in text and "En cours : 4" in text and "Réalisée : 2" in text
    assert "4/4" in text  # every operator signed
    assert "Bilan à 6 mois" in text and "24/07/2026" in text  # 6 months after 24/01/2026
    html = response.content.decode()
    # Drill-down: the figures link to the project's own pages.
    for name in (
        "projects:dashboard",
        "roadmap:actions",
        "roadmap:synthesis",
        "commitments:letter",
    ):
        assert f'href="{reverse(name, kwargs={"slug": finistere.slug})}"' in html, name


def test_sorted_by_phase_in_the_methods_order_and_back(client, bretagne_and_elsewhere):
    login(client, member(bretagne_and_elsewhere[0], Role.ARS_ADMIN))
    ascending = cockpit_rows(client.get(reverse("pilotage:cockpit"), {"tri": "phase"}))
    assert ascending == ["PTSM d'Ille-et-Vilaine", "PTSM du Morbihan", "PTSM du Finistère"]
    descending = client.get(reverse("pilotage:cockpit"), {"tri": "phase", "ordre": "desc"})
    assert cockpit_rows(descending) == list(reversed(ascending))
    assert 'aria-sort="descending"' in descending.content.decode()


def test_filter_by_phase(client, bretagne_and_elsewhere):
    login(client, member(bretagne_and_elsewhere[0], Role.ARS_ADMIN))
    response = client.get(reverse("pilotage:cockpit"), {"phase": Phase.DIAGNOSTIC})
    assert cockpit_rows(response) == ["PTSM d'Ille-et-Vilaine"]
    # A value outside the choices is ignored, never a server error.
    assert (
        client.get(reverse("pilotage:cockpit"), {"phase": "<script>", "tri": "x"}).status_code
        == 200
    )


def test_xlsx_export_is_named_after_the_region_and_typed(client, bretagne_and_elsewhere):
    finistere = bretagne_and_elsewhere[0]
    login(client, member(finistere, Role.ARS_ADMIN))
    response = client.get(reverse("pilotage:export"), {"tri": "phase"})
    assert response["Content-Disposition"] == 'attachment; filename="pilotage-bretagne.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = [c.value for c in sheet[1]]
    rows = {
        r[0]: dict(zip(headers, r, strict=True))
        for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    line = rows["PTSM du Finistère"]
    assert line["Phase"] == "Mise en œuvre"
    assert line["Phase depuis le"] == dt.datetime(2025, 11, 2)  # a date cell, not text
    assert line["Début"] == dt.datetime(2025, 1, 6)
    assert line["Diagnostic validé le"] == dt.datetime(2025, 6, 5)
    assert line["Fiches-actions"] == 10 and line["Fiches-actions : en cours"] == 4
    assert line["Engagements signés"] == 4 and line["Engagements attendus"] == 4
    assert isinstance(line["Total acquis"], int | float) and line["Total acquis"] > 0
    date_cell = sheet.cell(row=2, column=headers.index("Début") + 1)
    assert date_cell.number_format == "dd/mm/yyyy"
    # Totals are formulas over the amounts.
    total = sheet.cell(row=sheet.max_row, column=headers.index("Total acquis") + 1)
    assert str(total.value).startswith("=SUM(")
    # Sorted as on the page.
    assert [r[0] for r in sheet.iter_rows(min_row=2, max_row=4, values_only=True)] == [
        "PTSM d'Ille-et-Vilaine",
        "PTSM du Morbihan",
        "PTSM du Finistère",
    ]


def test_the_map_colours_each_territory_by_its_phase_with_a_legend_and_a_table(
    client, bretagne_and_elsewhere
):
    login(client, member(bretagne_and_elsewhere[0], Role.ARS_ADMIN))
    html = client.get(reverse("pilotage:cockpit")).content.decode()
    svg = html.split('id="phase-map-53"')[1].split("</svg>")[0]
    assert "<title>Carte de la région Bretagne" in svg
    # Each territory is one outline, coloured by its project's phase, over the région's
    # départements (Côtes-d'Armor has no project: grey).
    assert "<title>PTSM du Finistère (Finistère) : Mise en œuvre</title>" in svg
    assert (
        "<title>PTSM d&#x27;Ille-et-Vilaine (Ille-et-Vilaine) : Diagnostic partagé</title>" in svg
    )
    assert '<path vector-effect="non-scaling-stroke" d="M' in svg
    assert 'fill="#31688e"' in svg and 'fill="#8fd744"' in svg  # implementation, diagnostic
    assert "<title>Côtes-d&#x27;Armor (22)</title>" in svg
    # One path per département and per territory, never one per commune.
    assert svg.count("<path ") == 4 + 3
    assert len(svg) < 120_000
    table = html.split('id="phase-map-table"')[1].split("</table>")[0]
    assert "Mise en œuvre" in table and "PTSM du Finistère (Finistère)" in table


def _cockpit_queries(client) -> int:
    """Queries of the cockpit drawn from scratch: the maps' geometry is cached after the first
    page (one or two queries fewer), so both counts start with an empty cache."""
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("pilotage:cockpit")).status_code == 200
    return len(queries)


def test_the_cockpit_costs_the_same_queries_for_5_and_for_100_projects(client):
    """5 projects, then 100 (one commune each, every phase, actions, funding, signatures)."""
    communes = list(
        __import__("ptsm.territories.models", fromlist=["Commune"])
        .Commune.objects.filter(departement_id="29")
        .order_by("code")
        .values_list("code", flat=True)[:100]
    )
    phases = list(Phase.values)
    for i in range(5):
        project_at(phases[i % len(phases)], name=f"Projet {i}", commune=communes[i], actions=3)
    admin = UserFactory()
    from ptsm.accounts.models import ArsAdministration

    ArsAdministration.objects.create(user=admin, region_id="53")
    login(client, admin)
    few = _cockpit_queries(client)
    for i in range(5, 100):
        project_at(phases[i % len(phases)], name=f"Projet {i}", commune=communes[i], actions=3)
    many = _cockpit_queries(client)
    assert many == few
    # 26, and the participation figures: governance's (members, attendance) and the
    # consultations' (consultations held, answers by category), each a fixed number of queries.
    assert few <= 29
    with CaptureQueriesContext(connection) as warm:  # the geometry now cached
        client.get(reverse("pilotage:cockpit"))
    assert len(warm) == few - 2


def test_a_national_observer_sees_every_region_and_no_personal_data(client, bretagne_and_elsewhere):
    finistere, *_rest, deux_sevres = bretagne_and_elsewhere
    organisation = Organisation.objects.filter(project=finistere).first()
    Contact.objects.create(
        project=finistere,
        organisation=organisation,
        first_name="Gwendoline",
        last_name="Personnelle",
        email="gwendoline.personnelle@exemple.fr",
        phone="02 98 00 00 00",
    )
    observer = UserFactory(first_name="Obs", last_name="Nationale")
    NationalObserver.objects.create(user=observer)
    login(client, observer)
    response = client.get(reverse("pilotage:cockpit"))
    assert response.status_code == 200
    assert len(cockpit_rows(response)) == 4
    assert "PTSM des Deux-Sèvres" in cockpit_rows(response)
    assert "Pilotage national" in visible_text(response)
    html = response.content.decode()
    assert 'id="phase-map"' in html and "Carte de France par département" in html
    export = client.get(reverse("pilotage:export"))
    assert export["Content-Disposition"] == 'attachment; filename="pilotage-france.xlsx"'
    exported = " ".join(
        str(v)
        for row in load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)
        for v in row
    )
    comparison = client.get(reverse("pilotage:comparison")).content.decode()
    across = client.get(reverse("pilotage:organisation"), {"identifiant": "290000017"})
    for content in (html, exported, comparison, across.content.decode()):
        for personal in ("Gwendoline", "Personnelle", "gwendoline.personnelle", "02 98 00 00 00"):
            assert personal not in content
    # No drill-down into projects the observer has no role in.
    assert reverse("projects:dashboard", kwargs={"slug": finistere.slug}) not in html
    assert (
        client.get(reverse("projects:dashboard", kwargs={"slug": finistere.slug})).status_code
        == 404
    )
    # The région filter narrows to one région and draws it.
    response = client.get(reverse("pilotage:cockpit"), {"region": deux_sevres.region_id})
    assert cockpit_rows(response) == ["PTSM des Deux-Sèvres"]
    assert f'id="phase-map-{deux_sevres.region_id}"' in response.content.decode()


def test_indicator_comparison_masks_small_counts_and_says_year_and_source(
    client, bretagne_and_elsewhere
):
    from ptsm.diagnostic.models import Indicator, IndicatorValue, Level

    finistere, ille, morbihan, _ = bretagne_and_elsewhere
    indicator = Indicator.objects.filter(is_count=True).first()
    IndicatorValue.objects.filter(indicator=indicator).delete()
    IndicatorValue.objects.create(
        project=finistere,
        indicator=indicator,
        level=Level.TERRITORY,
        year=2023,
        value=412,
        source="Atlas de la santé mentale",
    )
    IndicatorValue.objects.create(
        project=finistere, indicator=indicator, level=Level.TERRITORY, year=2021, value=380
    )
    IndicatorValue.objects.create(
        project=ille, indicator=indicator, level=Level.TERRITORY, year=2023, masked=True
    )
    login(client, member(finistere, Role.ARS_ADMIN))
    response = client.get(reverse("pilotage:comparison"), {"indicateur": indicator.code})
    html = response.content.decode()
    table = html.split('id="indicator-table"')[1].split("</table>")[0]
    assert "412" in table and "2023" in table and "Atlas de la santé mentale" in table
    assert "380" not in table  # the latest year only
    assert "&lt; 11" in table  # masked: the figure is never shown
    assert "Valeur manquante" in table  # Morbihan has no value
    svg = html.split('id="indicator-map"')[1].split("</svg>")[0]
    assert "<title>PTSM du Finistère : 412</title>" in svg  # its territory, shaded
    # One known value: one class in the legend, not five times the same interval.
    assert f">412 {indicator.unit}<" in svg and " à " not in svg.split("</g>", 1)[1]
    doors = html.split('id="doors-table"')[1].split("</table>")[0]
    assert "PTSM du Finistère" in doors and "fiches-actions" in doors
    # The figures per door add up from the actions themselves (an action on two doors counts
    # for each).
    from ptsm.pilotage.selectors import action_plan_by_door
    from ptsm.roadmap.models import Action

    expected = [0] * 5
    for doors_of_action in Action.objects.filter(
        objective__theme__orientation__project=finistere
    ).values_list("entry_doors", flat=True):
        for door in doors_of_action:
            expected[door - 1] += 1
    line = action_plan_by_door([finistere])[0]
    assert [cell.actions for cell in line.cells] == expected


def test_one_organisation_across_projects_by_finess(client, bretagne_and_elsewhere):
    finistere, ille, morbihan, deux_sevres = bretagne_and_elsewhere
    login(client, member(finistere, Role.ARS_ADMIN))
    response = client.get(reverse("pilotage:organisation"), {"identifiant": "290000017"})
    text = visible_text(response)
    # populate_project gives each project the same hospital (FINESS 290000017): the ARS of
    # Bretagne sees it in its three projects, not in the Deux-Sèvres.
    assert "Présente dans 3 projets" in text
    assert "PTSM des Deux-Sèvres" not in text
    actions = response.content.decode().split('id="organisation-actions"')[1].split("</table>")[0]
    assert "pilote" in actions and "opérateur" in actions
    commitments = response.content.decode().split('id="organisation-commitments"')[1]
    assert "PTSM du Finistère" in commitments and "Signé" in commitments
    assert "Aucune organisation" in visible_text(
        client.get(reverse("pilotage:organisation"), {"identifiant": "999999999"})
    )


def test_funding_totals_per_funder(client, bretagne_and_elsewhere):
    from ptsm.pilotage.selectors import CockpitFilters, cockpit_lines
    from ptsm.projects.models import Project
    from ptsm.roadmap.models import FundingLine

    finistere = bretagne_and_elsewhere[0]
    lines = cockpit_lines(
        Project.objects.filter(pk=finistere.pk), CockpitFilters(), today=dt.date(2026, 3, 1)
    )
    expected = sum(
        FundingLine.objects.filter(
            action__objective__theme__orientation__project=finistere, status="acquis"
        ).values_list("amount", flat=True),
        Decimal(0),
    )
    assert lines[0].granted == expected > 0


def table_links(response) -> list[str]:
    import re

    table = response.content.decode().split('id="cockpit-table"')[1].split("</table>")[0]
    body = table.split("<tbody>")[1]
    return [html.unescape(href) for href in re.findall(r'href="([^"]+)"', body)]


def test_every_figure_of_the_ars_links_to_a_project_page_the_ars_may_open(
    client, bretagne_and_elsewhere
):
    """An administrateur ARS of the région, with no membership in the projects: every link of the
    table opens (their ARS rights in each project), none answers 403."""
    from ptsm.accounts.models import ArsAdministration

    admin = UserFactory()
    ArsAdministration.objects.create(user=admin, region_id="53")
    login(client, admin)
    links = table_links(client.get(reverse("pilotage:cockpit")))
    finistere = bretagne_and_elsewhere[0]
    assert reverse("roadmap:synthesis", kwargs={"slug": finistere.slug}) in links
    assert len(links) >= 15
    for url in set(links):
        assert client.get(url).status_code == 200, url


def test_the_national_observer_drills_down_to_public_pages_only(client, bretagne_and_elsewhere):
    from ptsm.pilotage import services

    finistere, ille, *_rest = bretagne_and_elsewhere
    services.publish(project=finistere)
    observer = UserFactory()
    NationalObserver.objects.create(user=observer)
    login(client, observer)
    response = client.get(reverse("pilotage:cockpit"))
    links = table_links(response)
    public = reverse("pilotage:public", kwargs={"projet": finistere.slug})
    assert links and all(url.startswith(public) for url in links)
    assert f"{public}#feuille-de-route" in links and f"{public}#donnees-ouvertes" in links
    for url in set(links):
        assert client.get(url).status_code == 200, url
    # An unpublished project's figures are shown, not linked.
    assert "PTSM d'Ille-et-Vilaine" in cockpit_rows(response)
    assert not any(ille.slug in url for url in links)


def test_the_xlsx_export_is_recorded_in_the_journal_of_each_project_exported(
    client, bretagne_and_elsewhere
):
    from ptsm.audit.models import AuditEntry, Kind

    finistere, ille, morbihan, deux_sevres = bretagne_and_elsewhere
    admin = member(finistere, Role.ARS_ADMIN)
    login(client, admin)
    assert client.get(reverse("pilotage:export")).status_code == 200
    entries = AuditEntry.objects.filter(kind=Kind.EXPORT)
    assert {e.project_id for e in entries} == {finistere.pk, ille.pk, morbihan.pk}
    assert all(e.actor == admin and e.object_repr == "pilotage-bretagne.xlsx" for e in entries)
    assert all(e.remote_addr for e in entries)  # the client's address, as for every entry
    journal = visible_text(client.get(reverse("audit:journal", kwargs={"slug": finistere.slug})))
    assert "pilotage-bretagne.xlsx" in journal


def test_one_organisation_across_projects_is_paginated_with_totals_over_all_its_actions(
    client, bretagne_and_elsewhere, monkeypatch
):
    from ptsm.organisations.models import Organisation
    from ptsm.pilotage import selectors
    from ptsm.roadmap.models import FundingLine

    finistere = bretagne_and_elsewhere[0]
    monkeypatch.setattr(selectors, "ACTIONS_PER_PAGE", 1)  # a funder of the whole région
    login(client, member(finistere, Role.ARS_ADMIN))
    url = reverse("pilotage:organisation")
    first = client.get(url, {"identifiant": "290000017"})
    total = first.context["page_obj"].paginator.count
    assert total > 1
    text = visible_text(first)
    assert f"Ses fiches-actions ({total}, page 1 sur {total})" in text
    assert "?identifiant=290000017&amp;page=2" in first.content.decode()
    second = client.get(url, {"identifiant": "290000017", "page": 2})
    assert f"page 2 sur {total}" in visible_text(second)
    # The totals cover every fiche-action, not the page shown.
    hospitals = Organisation.objects.filter(finess_et="290000017", project__region__code="53")
    granted = sum(
        FundingLine.objects.filter(operator__in=hospitals, status="acquis").values_list(
            "amount", flat=True
        ),
        Decimal(0),
    )
    assert first.context["found"].granted == second.context["found"].granted == granted > 0

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pptx import Presentation
from pptx.util import Cm

from ptsm.accounts.models import Role
from ptsm.documents.registry import get_kind
from ptsm.documents.services import render
from ptsm.organisations.models import Organisation
from ptsm.roadmap.models import (
    Action,
    ActionStatus,
    FundingLine,
    Objective,
    Orientation,
    RoadmapVersion,
    Theme,
)
from ptsm.roadmap.selectors import roadmap_lines
from ptsm.roadmap.services import move, renumber, set_archived, validate_roadmap
from tests.documents.test_pipeline import docx_text, pdf_text
from tests.factories import make_project, member
from tests.helpers import login, page_text, visible_text

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 24)


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère")


def org(project, name, **fields):
    return Organisation.objects.create(
        project=project, name=name, category=fields.pop("category", "sanitaire_public"), **fields
    )


def build(project, orientations=2, actions_per_objective=2):
    epsm = org(project, "EPSM Finistère Sud")
    for o in range(1, orientations + 1):
        orientation = Orientation.objects.create(
            project=project, title=f"Orientation {o}", position=o
        )
        theme = Theme.objects.create(orientation=orientation, title=f"Thématique {o}", position=1)
        objective = Objective.objects.create(theme=theme, title=f"Objectif {o}", position=1)
        for a in range(1, actions_per_objective + 1):
            action = Action.objects.create(
                objective=objective,
                title=f"Action {o}-{a}",
                position=a,
                pilot_organisation=epsm,
                entry_doors=[o % 5 + 1],
                status=ActionStatus.VALIDATED,
                start_date=dt.date(2027, 1, 1),
                end_date=dt.date(2027, 12, 31),
            )
            action.operators.set([epsm])
            FundingLine.objects.create(
                action=action, funder="fir", operator=epsm, amount=Decimal("1000.50"), year=2027
            )
            FundingLine.objects.create(
                action=action, funder="autofinancement", operator=epsm, amount=500, year=2028
            )
    renumber(project=project)
    return epsm


def test_structure_numbering_reorder_and_archive(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    client.post(
        reverse("roadmap:orientation_create", kwargs={"slug": project.slug}),
        {"title": "Accès aux soins"},
    )
    client.post(
        reverse("roadmap:orientation_create", kwargs={"slug": project.slug}), {"title": "Inclusion"}
    )
    first, second = Orientation.objects.filter(project=project).order_by("position")
    client.post(
        reverse(
            "roadmap:child_create",
            kwargs={"slug": project.slug, "level": "orientation", "pk": second.pk},
        ),
        {"title": "Logement"},
    )
    theme = Theme.objects.get()
    client.post(
        reverse(
            "roadmap:child_create",
            kwargs={"slug": project.slug, "level": "thematique", "pk": theme.pk},
        ),
        {"title": "Logement accompagné"},
    )
    objective = Objective.objects.get()
    assert (first.code, theme.code, objective.code) == ("1", "2.1", "2.1.1")
    client.post(
        reverse(
            "roadmap:item_move",
            kwargs={"slug": project.slug, "level": "orientation", "pk": second.pk},
        ),
        {"direction": "up"},
    )
    objective.refresh_from_db()
    assert Objective.objects.select_related("theme__orientation").get().code == "1.1.1"
    set_archived(item=Orientation.objects.get(title="Inclusion"), archived=True)
    assert Orientation.objects.get(title="Accès aux soins").number == 1
    assert Orientation.objects.get(title="Inclusion").number == 0
    page = visible_text(client.get(reverse("roadmap:tree", kwargs={"slug": project.slug})))
    assert "[archivée] Inclusion" in page and "1. Accès aux soins" in page


def _action_post(objective, **overrides):
    data = {
        "title": "Équipe mobile de crise",
        "entry_doors": ["5"],
        "decree_priorities": ["P4"],
        "priority": "haute",
        "status": "projet",
        "start_date": "2027-01-01",
        "end_date": "2027-12-31",
        "conditions": ["autorisation"],
        "description": "Étapes : recrutement, formation, ouverture.",
        "jalons-TOTAL_FORMS": "1",
        "jalons-INITIAL_FORMS": "0",
        "jalons-0-title": "Ouverture",
        "jalons-0-due_date": "2027-06-01",
        "jalons-0-status": "prevu",
        "financements-TOTAL_FORMS": "2",
        "financements-INITIAL_FORMS": "0",
        "financements-0-funder": "fir",
        "financements-0-amount": "250000",
        "financements-0-year": "2027",
        "financements-0-status": "sollicite",
        "financements-1-funder": "autofinancement",
        "financements-1-amount": "50000",
        "financements-1-year": "2027",
        "financements-1-status": "acquis",
        "indicateurs-TOTAL_FORMS": "1",
        "indicateurs-INITIAL_FORMS": "0",
        "indicateurs-0-name": "Interventions à domicile",
        "indicateurs-0-baseline": "0",
        "indicateurs-0-target": "300",
    }
    data.update(overrides)
    return data


def test_action_sheet_with_milestones_funding_and_indicators(client, project):
    build(project, orientations=1, actions_per_objective=0)
    objective = Objective.objects.get()
    epsm = Organisation.objects.get(project=project)
    login(client, member(project, Role.PROJECT_LEAD))
    url = (
        reverse("roadmap:action_create", kwargs={"slug": project.slug, "pk": objective.pk})
        + "?fiche=complete"
    )
    response = client.post(
        url,
        _action_post(
            objective,
            pilot_organisation=epsm.pk,
            operators=[epsm.pk],
            **{"financements-0-operator": epsm.pk},
        ),
    )
    assert response.status_code == 302, page_text(response)[:3000]
    action = Action.objects.get()
    assert (
        action.code == "1.1.1.1"
        and action.entry_doors == [5]
        and action.conditions == ["autorisation"]
    )
    assert action.milestones.get().title == "Ouverture"
    assert sorted(action.funding_lines.values_list("funder", "amount")) == [
        ("autofinancement", 50000),
        ("fir", 250000),
    ]
    assert action.indicators.get().target == "300"
    detail = visible_text(
        client.get(reverse("roadmap:action", kwargs={"slug": project.slug, "pk": action.pk}))
    )
    assert "Équipe mobile de crise" in detail and "Interventions à domicile" in detail


def test_a_new_fiche_action_starts_with_its_description_then_its_sections(client, project):
    build(project, orientations=1, actions_per_objective=0)
    objective = Objective.objects.get()
    login(client, member(project, Role.PROJECT_LEAD))
    url = reverse("roadmap:action_create", kwargs={"slug": project.slug, "pk": objective.pk})
    page = visible_text(client.get(url))
    assert "Créer la fiche-action" in page and "Saisir toute la fiche sur une page" in page
    assert "Intitulé" in page and "Lignes de financement" not in page and "Risques" not in page
    response = client.post(
        url,
        {"title": "Équipe mobile de crise", "priority": "haute", "status": "projet"},
        follow=True,
    )
    action = Action.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "roadmap:action_section",
        kwargs={"slug": project.slug, "pk": action.pk, "section": "pilotage"},
    )
    text = " ".join(visible_text(response).split())
    assert (
        f"Fiche-action {action.code} créée. Complétez maintenant sa section « Pilotage et " in text
    )
    assert "Pilotage et partenaires" in text and "Organisation pilote" in text
    bad = visible_text(client.post(url, {"title": "", "priority": "haute", "status": "projet"}))
    assert "Intitulé : ce champ est obligatoire." in bad
    assert Action.objects.count() == 1


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"end_date": "2026-01-01"}, "La fin de l'action doit suivre son début."),
        ({"financements-0-amount": "-5"}, "Le montant doit être positif."),
        ({"financements-0-amount": "beaucoup"}, "Saisissez un nombre."),
        ({"title": ""}, "Ce champ est obligatoire."),
    ],
)
def test_bad_action_input_is_refused_in_french_and_nothing_is_saved(
    client, project, overrides, message
):
    build(project, orientations=1, actions_per_objective=0)
    login(client, member(project, Role.PROJECT_LEAD))
    url = (
        reverse(
            "roadmap:action_create", kwargs={"slug": project.slug, "pk": Objective.objects.get().pk}
        )
        + "?fiche=complete"
    )
    assert message in page_text(client.post(url, _action_post(None, **overrides)))
    assert not Action.objects.exists() and not FundingLine.objects.exists()


def test_an_operator_from_another_project_is_refused(client, project):
    build(project, orientations=1, actions_per_objective=0)
    foreign = org(make_project(departement="79", name="Autre"), "Ailleurs")
    login(client, member(project, Role.PROJECT_LEAD))
    url = (
        reverse(
            "roadmap:action_create", kwargs={"slug": project.slug, "pk": Objective.objects.get().pk}
        )
        + "?fiche=complete"
    )
    assert "Sélectionnez un choix valide" in page_text(
        client.post(url, _action_post(None, operators=[foreign.pk]))
    )
    assert not Action.objects.exists()


def test_pilots_edit_only_their_own_actions_and_not_their_status(client, project):
    build(project, orientations=1, actions_per_objective=2)
    mine, other = Action.objects.order_by("position")
    pilot = member(project, Role.ACTION_PILOT)
    mine.pilot_user = pilot
    mine.save()
    login(client, pilot)
    assert (
        client.get(
            reverse("roadmap:action_edit", kwargs={"slug": project.slug, "pk": other.pk})
        ).status_code
        == 403
    )
    url = reverse("roadmap:action_edit", kwargs={"slug": project.slug, "pk": mine.pk})
    data = _action_post(
        None,
        title="Titre revu par le pilote",
        status="realisee",
        **{
            "jalons-TOTAL_FORMS": "0",
            "financements-TOTAL_FORMS": "0",
            "indicateurs-TOTAL_FORMS": "0",
        },
    )
    assert client.post(url, data).status_code == 302
    mine.refresh_from_db()
    assert mine.title == "Titre revu par le pilote"
    assert mine.status == ActionStatus.VALIDATED  # the status field is locked for pilots


def test_table_filters_by_door_pilot_operator_and_status(client, project):
    build(project, orientations=2, actions_per_objective=1)
    other = org(project, "CPTS du pays de Morlaix", category="premier_recours")
    action = Action.objects.get(title="Action 2-1")
    action.pilot_organisation = other
    action.status = ActionStatus.IN_PROGRESS
    action.save()
    login(client, member(project, Role.READER))
    url = reverse("roadmap:actions", kwargs={"slug": project.slug})
    assert "2 fiches-actions" in page_text(client.get(url))
    by_door = page_text(client.get(url, {"entry_door": "2"}))  # Orientation 1 → door 2
    assert "Action 1-1" in by_door and "Action 2-1" not in by_door
    assert "1 fiche-action" in page_text(client.get(url, {"pilot": other.pk}))
    assert "Action 2-1" in page_text(client.get(url, {"status": "en_cours"}))


def test_the_table_sorts_by_a_click_on_a_column_keeping_its_filters(client, project):
    build(project, orientations=2, actions_per_objective=2)
    Action.objects.filter(title="Action 1-1").update(title="Zénith de l'accueil")
    Action.objects.filter(title="Action 2-2").update(title="Accueil de crise")
    login(client, member(project, Role.READER))
    url = reverse("roadmap:actions", kwargs={"slug": project.slug})
    page = client.get(url).content.decode()
    assert 'aria-sort="ascending"' in page  # by number, by default
    assert "?tri=titre&amp;ordre=asc" in page
    by_title = visible_text(client.get(url, {"tri": "titre"}))
    assert by_title.index("Accueil de crise") < by_title.index("Zénith de l'accueil")
    reverse_title = visible_text(client.get(url, {"tri": "titre", "ordre": "desc"}))
    assert reverse_title.index("Zénith de l'accueil") < reverse_title.index("Accueil de crise")
    # A filter stays in the sort links; an unknown column keeps the default order.
    filtered = client.get(url, {"status": "brouillon", "tri": "titre"}).content.decode()
    assert "status=brouillon&amp;tri=fin&amp;ordre=asc" in filtered
    default = visible_text(client.get(url, {"tri": "inconnu"}))
    assert default.index("Zénith de l'accueil") < default.index("Accueil de crise")


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_and_synthesis_pages_keep_a_bounded_number_of_queries_with_300_actions(
    client, project
):
    small = make_project(departement="56", name="Petit")
    build(small, orientations=1, actions_per_objective=3)
    build(project, orientations=10, actions_per_objective=30)
    assert Action.objects.filter(objective__theme__orientation__project=project).count() == 300
    user = member(project, Role.READER)
    from ptsm.accounts.models import Membership

    Membership.objects.create(user=user, project=small, role=Role.READER)
    login(client, user)
    for name in ("roadmap:tree", "roadmap:actions", "roadmap:synthesis", "roadmap:gantt"):
        big = _queries(client, reverse(name, kwargs={"slug": project.slug}))
        tiny = _queries(client, reverse(name, kwargs={"slug": small.slug}))
        assert big == tiny <= 25, (name, big, tiny)


def test_synthesis_xlsx_totals_match_the_funding_lines(project):
    build(project, orientations=2, actions_per_objective=2)
    FundingLine.objects.filter(funder="autofinancement").update(status="acquis")
    plan = load_workbook(
        io.BytesIO(render(project, get_kind("plan-actions"), "", "xlsx", DAY))
    ).active
    rows = list(plan.iter_rows(values_only=True))
    assert rows[0][:4] == ("N°", "Orientation stratégique", "Objectif stratégique", "Fiche-action")
    assert [r[0] for r in rows[1:-1]] == ["1.1.1.1", "1.1.1.2", "2.1.1.1", "2.1.1.2"]
    workbook = load_workbook(
        io.BytesIO(render(project, get_kind("credits-mobilises"), "", "xlsx", DAY))
    )
    lines = list(workbook["Crédits mobilisés"].iter_rows(min_row=2, max_row=9, values_only=True))
    requested = sum(Decimal(str(row[7])) for row in lines if row[7] is not None)
    acquired = sum(Decimal(str(row[8])) for row in lines if row[8] is not None)
    assert requested == 4 * Decimal("1000.50") and acquired == 4 * 500
    assert requested + acquired == sum(FundingLine.objects.values_list("amount", flat=True))
    totals = {(r[0], r[1]): r[2] for r in workbook["Totaux"].iter_rows(min_row=2, values_only=True)}
    assert Decimal(str(totals[("Total", None)])) == requested + acquired
    assert Decimal(str(totals[("Par nature", "Autofinancement")])) == 4 * 500
    assert Decimal(
        str(totals[("Par financeur", "FIR (fonds d'intervention régional)")])
    ) == Decimal("4002.00")
    assert Decimal(str(totals[("Par année", "2028")])) == 2000


def _sheets(project, slug):
    data = render(project, get_kind(slug), "", "xlsx", DAY)
    return load_workbook(io.BytesIO(data)), load_workbook(io.BytesIO(data), data_only=True)


def test_synthesis_xlsx_are_typed_totalled_filtered_and_printable(project):
    build(project, orientations=2, actions_per_objective=2)
    FundingLine.objects.filter(funder="autofinancement").update(status="acquis")
    formulas, values = _sheets(project, "credits-mobilises")
    sheet, cached = formulas["Crédits mobilisés"], values["Crédits mobilisés"]
    assert (
        sheet["H1"].value == "Montant sollicité (€)" and sheet["I1"].value == "Montant acquis (€)"
    )
    assert isinstance(sheet["H2"].value, float) and sheet["H2"].value == 1000.5
    assert "€" in sheet["H2"].number_format and "#,##0" in sheet["H2"].number_format
    # 8 funding lines, then the total row: a formula, whose value a non-computing viewer shows.
    assert sheet["A10"].value == "Total"
    assert sheet["H10"].value == "=SUM(H2:H9)" and sheet["I10"].value == "=SUM(I2:I9)"
    assert cached["H10"].value == 4002 and cached["I10"].value == 2000
    assert sheet.auto_filter.ref == "A1:I9" and sheet.freeze_panes == "A2"

    formulas, values = _sheets(project, "plan-actions")
    sheet, cached = formulas.active, values.active
    header = [c.value for c in sheet[1]]
    start, requested = header.index("Début") + 1, header.index("Crédits sollicités (€)") + 1
    first = sheet.cell(row=2, column=start)
    assert isinstance(first.value, dt.datetime) and first.value.date() == dt.date(2027, 1, 1)
    assert first.number_format == "dd/mm/yyyy"
    assert sheet.cell(row=2, column=requested).value == 1000.5
    assert sheet.cell(row=2, column=requested + 1).value == 500
    total = sheet.cell(row=6, column=requested)
    assert total.value.startswith("=SUM(") and "€" in total.number_format
    assert cached.cell(row=6, column=requested).value == 4002
    assert cached.cell(row=6, column=requested + 1).value == 2000
    credits, _ = _sheets(project, "credits-mobilises")
    for workbook in (formulas, credits):
        for sheet in workbook.worksheets:
            assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
            assert sheet.page_setup.orientation == "landscape"
            assert sheet.print_title_rows == "$1:$1"
            assert sheet["A1"].font.name == "Calibri" and sheet["A1"].font.b  # not a serif
    for sheet in credits.worksheets:  # a few columns: one page across
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage


def _printed_cm(sheet, first: int, last: int) -> float:
    """Printed width of columns first..last (1-based) at the sheet's scale: a column of w
    characters is 7 w + 5 pixels of Calibri 11 at 96 dpi."""
    from openpyxl.utils import get_column_letter

    pixels = sum(
        7 * sheet.column_dimensions[get_column_letter(c)].width + 5 for c in range(first, last + 1)
    )
    return pixels / 96 * 2.54 * sheet.page_setup.scale / 100


def test_the_action_plan_prints_readable_on_two_a4_pages_across(project):
    """15 columns on one A4 page would print in 5-point type: the plan prints at 90 % on two
    landscape pages per band of rows, cut after « Opérateurs », the N° and the header repeated,
    each page's columns within the printable width."""
    build(project, orientations=2, actions_per_objective=2)
    sheet = _sheets(project, "plan-actions")[0].active
    setup = sheet.page_setup
    assert setup.orientation == "landscape" and str(setup.paperSize) == sheet.PAPERSIZE_A4
    assert not sheet.sheet_properties.pageSetUpPr.fitToPage and setup.scale == 90
    assert setup.pageOrder == "overThenDown"
    assert [b.id for b in sheet.col_breaks.brk] == [7]
    assert sheet["G1"].value == "Opérateurs" and sheet["H1"].value == "Partenaires"
    assert sheet.print_title_cols == "$A:$A" and sheet.print_title_rows == "$1:$1"
    printable = 29.7 - 2 * 0.4 * 2.54
    assert _printed_cm(sheet, 1, 7) <= printable
    assert _printed_cm(sheet, 1, 1) + _printed_cm(sheet, 8, 15) <= printable


def test_amounts_keep_their_cents_on_pages_and_in_documents(client, project):
    build(project, orientations=1, actions_per_objective=1)
    login(client, member(project, Role.READER))
    page = visible_text(client.get(reverse("roadmap:synthesis", kwargs={"slug": project.slug})))
    page = " ".join(page.replace("\u202f", " ").replace("\u00a0", " ").split())
    assert "1 000,50 €" in page and "Total : 1 500,50 €" in page
    assert "2 lignes de financement" in page
    text = pdf_text(render(project, get_kind("feuille-de-route"), "", "pdf", DAY))
    text = " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())
    assert "1 000,50 €" in text and "1 500,50 €" in text


def test_roadmap_documents_read_back(project, tmp_path):
    build(project, orientations=2, actions_per_objective=1)
    for fmt in ("docx", "pdf"):
        data = render(project, get_kind("feuille-de-route"), "", fmt, DAY)
        text = " ".join((docx_text(data) if fmt == "docx" else pdf_text(data)).split())
        for heading in (
            "Rappel du diagnostic",
            "Orientations stratégiques",
            "Plan d'actions",
            "Fiches-actions",
            "Fiche-action 1.1.1.1",
            "Action 2-1",
            "Autofinancement",
        ):
            assert heading in text, (fmt, heading)
    deck = Presentation(
        io.BytesIO(render(project, get_kind("presentation-copil"), "", "pptx", DAY))
    )
    assert (
        "Orientation 1\u00a0: Orientation 1"
        in [s.shapes[0].text_frame.text for s in deck.slides][2]
    )
    call_command("export_documents", project.slug, str(tmp_path))
    names = {p.name for p in tmp_path.iterdir()}
    assert {
        "feuille-de-route.docx",
        "feuille-de-route.pdf",
        "plan-actions.xlsx",
        "credits-mobilises.xlsx",
        "presentation-copil.pptx",
        "fiche-action-1-1-1-1.pdf",
        "fiche-action-2-1-1-1.pdf",
    } <= names
    sheet = pdf_text((tmp_path / "fiche-action-2-1-1-1.pdf").read_bytes())
    assert "Fiche-action 2.1.1.1" in sheet and "Action 2-1" in sheet


def test_copil_validation_freezes_and_shows_the_diff(client, project):
    build(project, orientations=1, actions_per_objective=1)
    lead = member(project, Role.PROJECT_LEAD)
    first = validate_roadmap(
        project=project,
        meeting=None,
        decision="Validée",
        validated_on=DAY,
        user=lead,
        lines=roadmap_lines(project),
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="n'a pas changé"):
        validate_roadmap(
            project=project,
            meeting=None,
            decision="x",
            validated_on=DAY,
            user=lead,
            lines=roadmap_lines(project),
        )
    Action.objects.update(title="Action renommée")
    second = validate_roadmap(
        project=project,
        meeting=None,
        decision="Revue",
        validated_on=DAY,
        user=lead,
        lines=roadmap_lines(project),
    )
    with pytest.raises(ValidationError, match="figée"):
        first.save()
    login(client, lead)
    page = visible_text(
        client.get(reverse("roadmap:diff", kwargs={"slug": project.slug, "number": second.number}))
    )
    page = " ".join(page.split())
    assert "Retiré : 1.1.1.1 Action 1-1" in page and "Ajouté : 1.1.1.1 Action renommée" in page
    assert RoadmapVersion.objects.count() == 2


def test_operator_page_and_gantt(client, project):
    epsm = build(project, orientations=1, actions_per_objective=2)
    move(item=Action.objects.get(title="Action 1-2"), direction=-1)
    login(client, member(project, Role.READER))
    page = visible_text(
        client.get(reverse("roadmap:operator", kwargs={"slug": project.slug, "pk": epsm.pk}))
    )
    assert "Action 1-1" in page and "Total : 3" in page
    gantt = page_text(client.get(reverse("roadmap:gantt", kwargs={"slug": project.slug})))
    assert gantt.count('rx="2" fill="#000091"/>') == 1 + 2  # the legend's swatch, two bars
    assert "Calendrier des fiches-actions" in gantt
    assert Action.objects.get(title="Action 1-2").number == 1


MONTH_ABBREVIATIONS_FR = (
    "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.".split()  # noqa: SIM905
)


def test_the_gantt_chart_speaks_french_has_a_legend_today_and_full_titles(client, project):
    import re

    from django.utils import timezone

    build(project, orientations=1, actions_per_objective=2)
    long_title = "Créer une plateforme territoriale d'orientation et d'accueil en centre médico-psychologique"
    action = Action.objects.get(title="Action 1-2")
    action.title = long_title
    action.status = ActionStatus.IN_PROGRESS
    action.start_date = timezone.localdate() - dt.timedelta(days=60)
    action.save()
    login(client, member(project, Role.READER))
    page = page_text(client.get(reverse("roadmap:gantt", kwargs={"slug": project.slug})))
    svg = page[page.index("<svg") : page.index("</svg>")]
    months = re.findall(r'fill="#666">([^<]+)</text>', svg)
    assert "janv. 2027" in months and all(
        m.split()[0]
        in [
            "janv.",
            "févr.",
            "mars",
            "avr.",
            "mai",
            "juin",
            "juil.",
            "août",
            "sept.",
            "oct.",
            "nov.",
            "déc.",
        ]
        for m in months
    )
    assert ">Validée</text>" in svg and ">En cours</text>" in svg and ">Jalon</text>" in svg
    assert "aujourd'hui</text>" in svg  # the line for today, with its label
    # The label is cut with an ellipsis; the full title is given on hover and to screen readers.
    assert ">1.1.1.2 Créer une plateforme territoriale…</text>" in svg
    assert f"<title>1.1.1.2 {long_title} — En cours, du " in svg
    assert f'aria-label="1.1.1.2 {long_title} — En cours' in svg
    # Scrolls sideways on a phone rather than shrinking (the static CSS, no inline style).
    assert 'class="ptsm-gantt__scroll"' in page and 'style="' not in svg
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("core/ptsm.css")).read_text(encoding="utf-8")
    assert ".ptsm-gantt__scroll { overflow-x: auto" in css and "max-width: none" in css


def test_the_roadmap_pdf_has_its_calendar_clean_empty_objectives_and_repeated_headers(project):
    from pypdf import PdfReader

    build(project, orientations=1, actions_per_objective=1)
    Objective.objects.create(theme=Theme.objects.get(), title="Objectif sans action", position=2)
    action = Action.objects.get()
    for year in range(2027, 2027 + 70):
        FundingLine.objects.create(
            action=action, funder="cd", amount=Decimal("250.25"), year=year, status="acquis"
        )
    renumber(project=project)
    data = render(project, get_kind("fiche-action"), str(action.pk), "pdf", DAY)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
    table_pages = [p for p in pages if "250,25" in p]
    assert len(table_pages) >= 2
    for text in table_pages:  # the header row on every page of the funding table
        assert "Financeur" in text and "Opérateur" in text and "Montant" in text
    document = pdf_text(render(project, get_kind("feuille-de-route"), "", "pdf", DAY))
    text = " ".join(document.split())
    assert "Aucune fiche-action n'est encore rattachée à cet objectif." in text
    assert "Calendrier des fiches-actions" in text and "janv. 2027" in text
    data = render(project, get_kind("feuille-de-route"), "", "docx", DAY)
    assert "Aucune fiche-action n'est encore rattachée à cet objectif." in docx_text(data)
    from docx import Document
    from docx.oxml.ns import qn

    plan = next(t for t in Document(io.BytesIO(data)).tables if t.cell(0, 1).text == "Fiche-action")
    assert plan.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on each page


def _copil_deck(project):
    return Presentation(
        io.BytesIO(render(project, get_kind("presentation-copil"), "", "pptx", DAY))
    )


def _estimated_bottom(shape) -> int:
    """Where a shape's text ends, estimated like the deck builder measures it (characters per
    line for the font size), independently of the height the shape was given."""
    from ptsm.documents import slides

    if shape.has_table:
        widths = [column.width for column in shape.table.columns]
        height = 0
        for row in shape.table.rows:
            lines = max(
                slides.text_lines(cell.text, slides.TABLE_SIZE, width - 2 * Cm(0.25))
                for cell, width in zip(row.cells, widths, strict=True)
            )
            height += max(Cm(0.9), lines * slides.line_height(slides.TABLE_SIZE))
        return shape.top + height
    height = slides.FRAME_MARGIN
    for paragraph in shape.text_frame.paragraphs:
        size = int(paragraph.runs[0].font.size.pt)
        height += slides.paragraph_height(
            paragraph.text, size, shape.width, int(paragraph.space_after.pt)
        )
    return shape.top + height


def test_the_copil_deck_fits_its_slides_and_continues_long_content(project):
    from pptx.util import Cm

    from ptsm.documents.slides import FOOTER_TOP

    build(project, orientations=2, actions_per_objective=2)
    long = Orientation.objects.get(title="Orientation 1")
    objective = long.themes.get().objectives.get()
    for n in range(3, 25):
        Action.objects.create(
            objective=objective,
            title=f"Action au titre long numéro {n} pour l'accès aux soins et l'inclusion par le logement",
            position=n,
        )
    renumber(project=project)
    deck = _copil_deck(project)
    titles = [s.shapes[0].text_frame.text for s in deck.slides]
    first = titles.index("Orientation 1\u00a0: Orientation 1")
    assert titles[first + 1] == "Orientation 1\u00a0: Orientation 1 (suite)"
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.name == "Pied de page":
                assert shape.top == FOOTER_TOP
            elif shape.has_table or shape.name == "Texte":
                assert _estimated_bottom(shape) <= FOOTER_TOP - Cm(0.3), (
                    slide.shapes[0].text_frame.text,
                    shape.name,
                )
    bullets = " ".join(
        shape.text_frame.text
        for slide in deck.slides
        if slide.shapes[0].text_frame.text.startswith("Orientation 1")
        for shape in slide.shapes
        if shape.name == "Texte"
    )
    assert "1.1.1.24 Action au titre long numéro 24" in bullets  # nothing lost on the way
    cover = " ".join(s.text_frame.text for s in deck.slides[0].shapes if s.has_text_frame)
    assert "26 fiches-actions" in cover.replace("\u202f", " ")


def test_the_copil_deck_has_the_meeting_date_a_chart_per_orientation_and_is_16_9(project):
    from django.utils import timezone

    from ptsm.governance.models import Body, BodyKind, Meeting

    build(project, orientations=2, actions_per_objective=2)
    FundingLine.objects.filter(funder="autofinancement").update(status="acquis")
    copil = Body.objects.create(project=project, kind=BodyKind.COPIL, name="COPIL")
    start = timezone.make_aware(dt.datetime(2027, 3, 12, 14))
    Meeting.objects.create(
        body=copil,
        title="COPIL n°3",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="ARS, Quimper",
    )
    deck = _copil_deck(project)
    cover = " ".join(s.text_frame.text for s in deck.slides[0].shapes if s.has_text_frame)
    assert "Comité de pilotage du 12 mars 2027 — ARS, Quimper" in cover
    orientation_slides = [
        s for s in deck.slides if s.shapes[0].text_frame.text.startswith("Orientation ")
    ]
    assert len(orientation_slides) == 2
    for slide in orientation_slides:
        charts = [shape.chart for shape in slide.shapes if shape.has_chart]
        assert len(charts) == 1
        series = {s.name: list(s.values) for s in charts[0].plots[0].series}
        assert series == {"Sollicités": [1000.5, 1000.5], "Acquis": [500.0, 500.0]}
        assert list(charts[0].plots[0].categories)[0].endswith(".1.1.1")
    assert deck.slide_width * 9 == deck.slide_height * 16
    size = deck.part._element.find(
        "{http://schemas.openxmlformats.org/presentationml/2006/main}sldSz"
    )
    assert size.get("type") in (None, "custom")
    # Same inputs, same bytes (the chart's embedded workbook included).
    assert render(project, get_kind("presentation-copil"), "", "pptx", DAY) == render(
        project, get_kind("presentation-copil"), "", "pptx", DAY
    )


def test_the_institutions_logos_sit_side_by_side_on_the_cover(project, monkeypatch):
    from PIL import Image

    from ptsm.roadmap import documents

    def logo(colour):
        buffer = io.BytesIO()
        Image.new("RGB", (300, 120), colour).save(buffer, format="PNG")
        return buffer.getvalue()

    build(project, orientations=1, actions_per_objective=1)
    assert documents.institution_logos(project) == []  # none uploaded: a text-only cover
    from django.core.files.base import ContentFile

    from ptsm.organisations.models import Organisation

    for sub_type, colour in (("conseil_departemental", "red"), ("ars", "blue")):
        organisation = Organisation.objects.create(
            project=project, name=sub_type, category="institutions_financeurs", sub_type=sub_type
        )
        organisation.logo.save(f"{sub_type}.png", ContentFile(logo(colour)))
    # The ARS first, then the conseil départemental, as uploaded on their pages.
    assert documents.institution_logos(project) == [logo("blue"), logo("red")]
    cover = _copil_deck(project).slides[0]
    pictures = sorted((s for s in cover.shapes if s.shape_type == 13), key=lambda s: s.left)
    assert len(pictures) == 2 and pictures[0].left + pictures[0].width < pictures[1].left
    assert pictures[0].top == pictures[1].top and pictures[0].height == Cm(2.4)


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_each_fiche_action_says_whether_it_is_a_quick_win_in_both_formats(project, fmt):
    build(project, orientations=1, actions_per_objective=1)
    Action.objects.update(quick_win=True)
    data = render(project, get_kind("feuille-de-route"), "", fmt, DAY)
    text = " ".join((docx_text(data) if fmt == "docx" else pdf_text(data)).split())
    assert "Réussite rapide et visible oui" in text.replace(" :", "")


def test_the_roadmap_docx_carries_the_calendar_like_the_pdf(project):
    import zipfile

    build(project, orientations=1, actions_per_objective=2)
    data = render(project, get_kind("feuille-de-route"), "", "docx", DAY)
    assert "Calendrier des fiches-actions" in docx_text(data)
    media = [n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.startswith("word/media/")]
    assert any(name.endswith(".png") for name in media)


def _cm(twips) -> float:
    return int(twips) / 20 / 72 * 2.54


def test_no_word_of_a_docx_table_is_cut_by_its_column(project):
    """« Autofinancement » is 2.8 cm wide in Arial 10.5 pt: its column in the fiche-action's
    funding table (2.2 cm as designed) is widened so that Word and LibreOffice never split it,
    the others narrowed, the table as wide as before."""
    from docx import Document
    from docx.oxml.ns import qn

    build(project, orientations=1, actions_per_objective=1)
    data = render(project, get_kind("feuille-de-route"), "", "docx", DAY)
    funding = next(t for t in Document(io.BytesIO(data)).tables if t.cell(0, 1).text == "Nature")
    grid = [_cm(c.get(qn("w:w"))) for c in funding._tbl.tblGrid.findall(qn("w:gridCol"))]
    nature = [row.cells[1].text for row in funding.rows]
    assert "Autofinancement" in nature
    assert grid[1] >= 2.8 + 0.38  # the word, and the cell's margins
    assert sum(grid) == pytest.approx(15.6, abs=0.05)  # the designed width
    for row in funding.rows:  # Word reads the cells' widths: they agree with the grid
        assert [round(c.width.cm, 1) for c in row.cells] == [round(w, 1) for w in grid]
    assert funding._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"


def test_the_roadmap_calendar_is_printed_on_landscape_pages(project):
    """The DOCX puts the calendar in its own landscape section, as wide as the page allows, and
    both formats continue a long calendar on the next pages (18 fiches-actions a page)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from pypdf import PdfReader

    build(project, orientations=2, actions_per_objective=10)  # 20 dated fiches-actions
    data = render(project, get_kind("feuille-de-route"), "", "docx", DAY)
    document = Document(io.BytesIO(data))
    orientations = [s.orientation for s in document.sections]
    assert orientations == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    landscape = document.sections[1]
    assert round(landscape.page_width.cm, 1) == 29.7 and round(landscape.page_height.cm) == 21
    # The landscape section: from the paragraph ending the first section to the one ending it.
    body = list(document.element.body)
    ends = [i for i, e in enumerate(body) if e.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None]
    calendar = body[ends[0] + 1 : ends[1] + 1]
    text = "".join(t.text or "" for e in calendar for t in e.iter(qn("w:t")))
    assert text.startswith("Calendrier des fiches-actions")
    drawing = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent"
    pictures = [extent for e in calendar for extent in e.iter(drawing)]
    assert len(pictures) == 2  # 20 fiches-actions: 18, then 2
    for extent in pictures:
        assert int(extent.get("cx")) / 360000 >= 25  # centimetres across the landscape page
    pdf = PdfReader(io.BytesIO(render(project, get_kind("feuille-de-route"), "", "pdf", DAY)))
    wide = [p.extract_text() for p in pdf.pages if p.mediabox.width > p.mediabox.height]
    assert len(wide) == 2
    assert "Calendrier des fiches-actions" in wide[0]
    assert "Calendrier des fiches-actions (suite)" in wide[1]


def test_the_copil_charts_show_french_euros_whatever_the_viewer_locale(project):
    """A '#,##0' format is shown with the viewer's separator (« 120,000 € » in an English
    PowerPoint or LibreOffice): the axis groups thousands itself, with no-break spaces, one
    section per order of magnitude, and the chart is declared French."""
    from pptx.oxml.ns import qn

    build(project, orientations=1, actions_per_objective=2)
    charts = [
        shape.chart for s in _copil_deck(project).slides for shape in s.shapes if shape.has_chart
    ]
    assert charts
    for chart in charts:
        axis = chart.value_axis.tick_labels
        assert not axis.number_format_is_linked
        sections = axis.number_format.split(";")
        assert sections == [
            '[>=1000000]#"\u00a0"###"\u00a0"##0" €"',
            '[>=1000]#"\u00a0"##0" €"',
            '0" €"',
        ]
        assert "," not in axis.number_format
        assert chart._chartSpace.find(qn("c:lang")).get("val") == "fr-FR"
        assert [s.name for s in chart.plots[0].series] == ["Sollicités", "Acquis"]


def test_a_pdf_table_of_two_or_three_rows_is_never_split(project):
    """Wherever the page ends, a fiche-action's funding table of three lines stays whole: its
    rows are never shared out between two pages (one row alone at the foot of a page)."""
    from pypdf import PdfReader

    build(project, orientations=1, actions_per_objective=1)
    action = Action.objects.get()
    FundingLine.objects.filter(action=action).delete()
    for index in (1, 2, 3):
        FundingLine.objects.create(
            action=action, funder="cd", amount=Decimal(f"{index}00{index}"), year=2027
        )
    splits = set()
    for lines in range(10, 30):  # the table moves down to the foot of the page, then over
        Action.objects.filter(pk=action.pk).update(
            description="\n".join(f"Étape {n} de la mise en œuvre." for n in range(lines))
        )
        data = render(project, get_kind("fiche-action"), str(action.pk), "pdf", DAY)
        pages = [
            " ".join(p.extract_text().replace("\u202f", " ").split())
            for p in PdfReader(io.BytesIO(data)).pages
        ]
        rows = [sum(f"{i} 00{i} €" in page for i in (1, 2, 3)) for page in pages]
        assert sorted(r for r in rows if r) == [3], (lines, rows)
        splits.add(len(pages))
    assert splits == {1, 2}  # the table did reach a page's foot


def test_the_copil_deck_asks_for_the_decision_then_states_it(project):
    """Before the validation the last slide says what the COPIL is asked; the deck of the COPIL
    that validated the roadmap (the one frozen then) says what it decided, and when."""
    build(project, orientations=1, actions_per_objective=1)
    last = _copil_deck(project).slides[-1]
    assert last.shapes[0].text_frame.text == "Décision attendue du COPIL"
    validate_roadmap(
        project=project,
        meeting=None,
        decision="Feuille de route validée à l'unanimité",
        validated_on=DAY,
        user=member(project, Role.PROJECT_LEAD),
        lines=roadmap_lines(project),
    )
    last = _copil_deck(project).slides[-1]
    text = " ".join(s.text_frame.text for s in last.shapes if s.has_text_frame)
    assert last.shapes[0].text_frame.text == "Décision du COPIL du 24 novembre 2026"
    assert "Feuille de route validée à l'unanimité" in text and "attendue" not in text

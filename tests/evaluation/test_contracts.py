"""The whole method on a new project, for an 18-month PTSM alone and for a PTSM followed by its
60-month contract (CTSM) with four annual reviews: the phase and every default milestone (due
date and date done) are checked after each event. Then the annual reviews themselves: their
pages, their documents with that year's indicator values, their files' names."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from pptx import Presentation

from ptsm.accounts.models import Role
from ptsm.commitments.content import collective_context
from ptsm.commitments.selectors import engagement_period
from ptsm.documents.registry import get_kind
from ptsm.documents.selectors import Viewer, document_catalogue
from ptsm.documents.services import render
from ptsm.evaluation import services
from ptsm.evaluation.models import ReviewKind
from ptsm.evaluation.selectors import next_review, review_schedule
from ptsm.projects.models import MilestoneKey, Phase, PhaseChange, ProjectKind
from ptsm.roadmap.models import Action, ActionIndicator
from tests.commitments.test_commitments import setup_roadmap
from tests.documents.test_pipeline import docx_text, pdf_text
from tests.evaluation.test_evaluation import sign
from tests.factories import make_project, member
from tests.helpers import login, visible_text
from tests.projects.test_method_events import (
    sign_framing_letter,
    validate_the_diagnostic,
    validate_the_roadmap,
)

pytestmark = pytest.mark.django_db

K = MilestoneKey


def words(text: str) -> str:
    return " ".join(text.split())


def state(project) -> tuple[str, dict[str, tuple[dt.date, dt.date | None]]]:
    """The project's phase and its default milestones: key -> (due date, date done)."""
    project.refresh_from_db()
    return project.phase, {
        key: (due, done)
        for key, due, done in project.milestones.exclude(key="").values_list(
            "key", "due_date", "done_on"
        )
    }


def validate(project, kind, validated_on, number=0):
    services.validate_review(
        review=services.ensure_review(project=project, kind=kind, number=number),
        meeting=None,
        decision="Bilan adopté",
        validated_on=validated_on,
    )


def test_an_18_month_ptsm_through_the_whole_method():
    start = dt.date(2024, 9, 2)
    project = make_project(departement="29", name="PTSM neuf de Cornouaille", start=start)
    lead = member(project, Role.PROJECT_LEAD)
    epsm, gem = setup_roadmap(project, copil_validated=False)
    assert project.kind == ProjectKind.PTSM and project.annual_reviews == 0
    milestones = {
        K.FRAMING_SIGNED: (dt.date(2024, 9, 2), None),
        K.LAUNCH_PLENARY: (dt.date(2024, 10, 2), None),
        K.DIAGNOSTIC_VALIDATED: (dt.date(2025, 3, 2), None),
        K.ROADMAP_VALIDATED: (dt.date(2025, 9, 2), None),
        K.COMMITMENTS_SIGNED: (dt.date(2025, 11, 2), None),
        K.SIX_MONTH_REVIEW: (dt.date(2026, 5, 2), None),
        K.FINAL_REVIEW: (dt.date(2026, 11, 2), None),  # the commitments' year ends
    }
    assert state(project) == (Phase.CADRAGE, milestones)
    assert project.planned_end_date == dt.date(2026, 11, 2)

    def after(event_date, key, phase):
        milestones[key] = (milestones[key][0], event_date)
        assert state(project) == (phase, milestones), key

    sign_framing_letter(project, lead, dt.date(2024, 9, 20))
    after(dt.date(2024, 9, 20), K.FRAMING_SIGNED, Phase.DIAGNOSTIC)
    validate_the_diagnostic(project, lead, dt.date(2025, 3, 11))
    after(dt.date(2025, 3, 11), K.DIAGNOSTIC_VALIDATED, Phase.ROADMAP)
    validate_the_roadmap(project, lead, dt.date(2025, 9, 16))
    after(dt.date(2025, 9, 16), K.ROADMAP_VALIDATED, Phase.COMMITMENT)
    sign(project, epsm, dt.date(2025, 10, 20))  # one operator of two: nothing moves
    assert state(project) == (Phase.COMMITMENT, milestones)
    sign(project, gem, dt.date(2025, 11, 14))
    # The reviews follow the real signature.
    milestones[K.SIX_MONTH_REVIEW] = (dt.date(2026, 5, 14), None)
    milestones[K.FINAL_REVIEW] = (dt.date(2026, 11, 14), None)
    after(dt.date(2025, 11, 14), K.COMMITMENTS_SIGNED, Phase.IMPLEMENTATION)
    assert review_schedule(project).annual == ()
    validate(project, ReviewKind.SIX_MONTHS, dt.date(2026, 5, 19))
    after(dt.date(2026, 5, 19), K.SIX_MONTH_REVIEW, Phase.EVALUATION)
    validate(project, ReviewKind.FINAL, dt.date(2026, 11, 17))
    after(dt.date(2026, 11, 17), K.FINAL_REVIEW, Phase.CLOSED)
    assert [c.to_phase for c in PhaseChange.objects.filter(project=project).order_by("pk")] == [
        Phase.DIAGNOSTIC,
        Phase.ROADMAP,
        Phase.COMMITMENT,
        Phase.IMPLEMENTATION,
        Phase.EVALUATION,
        Phase.CLOSED,
    ]
    # A PTSM alone has no annual review.
    with pytest.raises(ValidationError, match="seul un CTSM a des bilans annuels"):
        services.ensure_review(project=project, kind=ReviewKind.ANNUAL, number=1)


def ctsm_project(**kwargs):
    """Deux-Sèvres: a PTSM started in September 2019, followed by its five-year CTSM."""
    return make_project(
        departement="79",
        name="PTSM et CTSM des Deux-Sèvres",
        start=dt.date(2019, 9, 16),
        kind=ProjectKind.CTSM,
        contract_duration_months=60,
        **kwargs,
    )


def test_a_60_month_ctsm_with_four_annual_reviews_through_the_whole_method(client):
    project = ctsm_project()
    lead = member(project, Role.PROJECT_LEAD)
    epsm, gem = setup_roadmap(project, copil_validated=False)
    assert project.annual_reviews == 4
    # Elaboration over its 18 months, then the contract from the planned signature (month 14).
    milestones = {
        K.FRAMING_SIGNED: (dt.date(2019, 9, 16), None),
        K.LAUNCH_PLENARY: (dt.date(2019, 10, 16), None),
        K.DIAGNOSTIC_VALIDATED: (dt.date(2020, 3, 16), None),
        K.ROADMAP_VALIDATED: (dt.date(2020, 9, 16), None),
        K.COMMITMENTS_SIGNED: (dt.date(2020, 11, 16), None),
        K.SIX_MONTH_REVIEW: (dt.date(2021, 5, 16), None),
        "bilan-annuel-1": (dt.date(2021, 11, 16), None),
        "bilan-annuel-2": (dt.date(2022, 11, 16), None),
        "bilan-annuel-3": (dt.date(2023, 11, 16), None),
        "bilan-annuel-4": (dt.date(2024, 11, 16), None),
        K.FINAL_REVIEW: (dt.date(2025, 11, 16), None),
    }
    assert state(project) == (Phase.CADRAGE, milestones)
    assert project.planned_end_date == dt.date(2025, 11, 16)

    def after(event_date, key, phase):
        milestones[key] = (milestones[key][0], event_date)
        assert state(project) == (phase, milestones), key

    sign_framing_letter(project, lead, dt.date(2019, 10, 1))
    after(dt.date(2019, 10, 1), K.FRAMING_SIGNED, Phase.DIAGNOSTIC)
    validate_the_diagnostic(project, lead, dt.date(2020, 6, 30))  # late (lockdown): accepted
    after(dt.date(2020, 6, 30), K.DIAGNOSTIC_VALIDATED, Phase.ROADMAP)
    validate_the_roadmap(project, lead, dt.date(2020, 12, 8))
    after(dt.date(2020, 12, 8), K.ROADMAP_VALIDATED, Phase.COMMITMENT)
    sign(project, epsm, dt.date(2021, 2, 10))
    assert state(project) == (Phase.COMMITMENT, milestones)
    sign(project, gem, dt.date(2021, 3, 1))
    # The contract starts at the last signature: its reviews move with it.
    milestones.update(
        {
            K.SIX_MONTH_REVIEW: (dt.date(2021, 9, 1), None),
            "bilan-annuel-1": (dt.date(2022, 3, 1), None),
            "bilan-annuel-2": (dt.date(2023, 3, 1), None),
            "bilan-annuel-3": (dt.date(2024, 3, 1), None),
            "bilan-annuel-4": (dt.date(2025, 3, 1), None),
            K.FINAL_REVIEW: (dt.date(2026, 3, 1), None),
        }
    )
    after(dt.date(2021, 3, 1), K.COMMITMENTS_SIGNED, Phase.IMPLEMENTATION)
    period = engagement_period(project)
    assert (period.start, period.end) == (dt.date(2021, 3, 1), dt.date(2026, 3, 1))
    assert next_review(project, dt.date(2021, 4, 1)) == ("Bilan à 6 mois", dt.date(2021, 9, 1))

    # Through the contract the project stays in implementation…
    validate(project, ReviewKind.SIX_MONTHS, dt.date(2021, 9, 14))
    after(dt.date(2021, 9, 14), K.SIX_MONTH_REVIEW, Phase.IMPLEMENTATION)
    assert next_review(project, dt.date(2021, 10, 1)) == (
        "Bilan annuel n°\u00a01",
        dt.date(2022, 3, 1),
    )
    for number, validated_on in [
        (1, dt.date(2022, 3, 15)),
        (2, dt.date(2023, 3, 14)),
        (3, dt.date(2024, 3, 12)),
    ]:
        validate(project, ReviewKind.ANNUAL, validated_on, number)
        after(validated_on, f"bilan-annuel-{number}", Phase.IMPLEMENTATION)
    # …its last annual review opens the evaluation of its last year, the final review closes it.
    validate(project, ReviewKind.ANNUAL, dt.date(2025, 3, 11), 4)
    after(dt.date(2025, 3, 11), "bilan-annuel-4", Phase.EVALUATION)
    assert next_review(project, dt.date(2025, 4, 1)) == ("Bilan final", dt.date(2026, 3, 1))
    validate(project, ReviewKind.FINAL, dt.date(2026, 3, 10))
    after(dt.date(2026, 3, 10), K.FINAL_REVIEW, Phase.CLOSED)
    assert next_review(project, dt.date(2026, 4, 1)) is None

    history = list(PhaseChange.objects.filter(project=project).order_by("pk"))
    assert [(c.to_phase, c.changed_on, c.out_of_order) for c in history[-3:]] == [
        (Phase.IMPLEMENTATION, dt.date(2021, 3, 1), False),
        (Phase.EVALUATION, dt.date(2025, 3, 11), False),
        (Phase.CLOSED, dt.date(2026, 3, 10), False),
    ]
    assert history[-2].reason == (
        "Validation du bilan annuel n°\u00a04 par le COPIL (dernière année du contrat)"
    )
    with pytest.raises(ValidationError, match="son contrat en prévoit 4"):
        services.ensure_review(project=project, kind=ReviewKind.ANNUAL, number=5)

    login(client, member(project, Role.READER))
    page = words(visible_text(client.get(reverse("evaluation:overview", args=[project.slug]))))
    for line in (
        "Bilan à 6 mois 1 septembre 2021",
        "Bilan annuel n° 1 1 mars 2022",
        "Bilan annuel n° 4 1 mars 2025",
        "Bilan final 1 mars 2026",
    ):
        assert line in page.replace("\u00a0", " ").replace("1er", "1"), line


def contract_with_measures():
    """A CTSM signed on 1 March 2021, whose indicator was measured every year."""
    project = ctsm_project()
    epsm, gem = setup_roadmap(project)
    sign(project, epsm, dt.date(2021, 2, 10))
    sign(project, gem, dt.date(2021, 3, 1))
    indicator = ActionIndicator.objects.create(
        action=Action.objects.get(title="Plateforme d'orientation"),
        name="Personnes orientées",
        baseline="0",
        target="300",
    )
    for measured_on, value in [
        (dt.date(2021, 12, 1), "85"),  # year 1: 1 March 2021 – 28 February 2022
        (dt.date(2022, 2, 28), "110"),  # still year 1, the latest of it
        (dt.date(2022, 9, 1), "190"),  # year 2
        (dt.date(2024, 1, 10), "260"),  # year 3
    ]:
        services.record_indicator_value(indicator=indicator, measured_on=measured_on, value=value)
    return project


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_an_annual_review_document_carries_the_values_measured_in_its_year(fmt):
    project = contract_with_measures()
    review = services.ensure_review(project=project, kind=ReviewKind.ANNUAL, number=2)
    services.save_review_texts(
        review=review, texts={"summary": "Deuxième année : la plateforme monte en charge."}
    )
    day = dt.date(2023, 3, 14)

    def text(number):
        data = render(project, get_kind(f"bilan-annuel-{number}"), "", fmt, day)
        return words(docx_text(data) if fmt == "docx" else pdf_text(data)).replace("\u00a0", " ")

    second = text(2)
    assert "Bilan annuel n° 2" in second
    assert "Année 2 du contrat : du 1er mars 2022 au 28 février 2023" in second
    assert "Deuxième année : la plateforme monte en charge." in second
    assert "Valeur de l'année" in second
    assert "Personnes orientées" in second and "190" in second
    assert "110" not in second and "260" not in second
    assert "1 septembre 2022" in second or "1er septembre 2022" in second

    first = text(1)  # nothing written: the document still shows its year's figures
    assert "Année 1 du contrat : du 1er mars 2021 au 28 février 2022" in first
    assert "110" in first and "28 février 2022" in first and "190" not in first
    fourth = text(4)
    assert "Année 4 du contrat" in fourth and "non mesuré cette année" in fourth
    # The final review keeps the latest value of all.
    final = words(docx_text(render(project, get_kind("bilan-final"), "", "docx", day)))
    assert "260" in final and "Dernière valeur" in final


def test_an_annual_review_is_presented_to_the_copil_with_its_year():
    project = contract_with_measures()
    deck = Presentation(
        io.BytesIO(render(project, get_kind("bilan-annuel-3"), "", "pptx", dt.date(2024, 3, 1)))
    )
    texts = [
        " ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
        + " "
        + " ".join(
            cell.text
            for shape in slide.shapes
            if shape.has_table
            for row in shape.table.rows
            for cell in row.cells
        )
        for slide in deck.slides
    ]
    texts = [t.replace("\u00a0", " ") for t in texts]
    assert texts[0].startswith("Bilan annuel n° 3 — présentation au COPIL")
    assert any("Année 3 du contrat : du 1er mars 2023 au 29 février 2024" in t for t in texts)
    assert any("Personnes orientées" in t and "260 (cible 300)" in t for t in texts)


def test_annual_review_files_are_named_and_exported_by_year(tmp_path, client):
    project = contract_with_measures()
    for number in (1, 3):
        services.save_review_texts(
            review=services.ensure_review(project=project, kind=ReviewKind.ANNUAL, number=number),
            texts={"summary": f"Année {number}."},
        )
    out = io.StringIO()
    call_command("export_documents", project.slug, str(tmp_path), stdout=out)
    written = {path.name for path in tmp_path.iterdir()}
    for name in ("bilan-annuel-1.docx", "bilan-annuel-1.pdf", "bilan-annuel-3.pptx"):
        assert name in written, name
    # Annual reviews not written yet are said so, never exported empty.
    assert not {"bilan-annuel-2.docx", "bilan-annuel-4.pdf"} & written
    assert "Bilan annuel n°\u00a02 : non produit" in out.getvalue()
    assert "bilan annuel n°\u00a02 n'a encore ni texte" in out.getvalue()
    assert words(docx_text((tmp_path / "bilan-annuel-3.docx").read_bytes())).count("Année 3.") == 1

    # The download page lists them by their own names; a PTSM alone has none.
    catalogue = document_catalogue(project, Viewer(role=Role.PROJECT_LEAD))
    stems = [row.variant.file_stem for row in catalogue]
    assert [s for s in stems if s.startswith("bilan")] == [
        "bilan-6-mois",
        "bilan-annuel-1",
        "bilan-annuel-2",
        "bilan-annuel-3",
        "bilan-annuel-4",
        "bilan-final",
    ]
    ptsm = make_project(departement="29", name="PTSM seul")
    assert not any(
        row.variant.file_stem.startswith("bilan-annuel")
        for row in document_catalogue(ptsm, Viewer(role=Role.PROJECT_LEAD))
    )


def test_an_annual_review_is_written_and_validated_from_its_page(client):
    project = contract_with_measures()
    lead = member(project, Role.PROJECT_LEAD)
    login(client, lead)
    url = reverse("evaluation:review", args=[project.slug, "annuel-2"])
    page = words(visible_text(client.get(url))).replace("\u00a0", " ")
    assert "Bilan annuel n° 2" in page and "Année 2 du contrat" in page
    client.post(
        reverse("evaluation:review_texts", args=[project.slug, "annuel-2"]),
        {"summary": "Année de montée en charge."},
    )
    response = client.post(
        reverse("evaluation:review_validate", args=[project.slug, "annuel-2"]),
        {"decision": "Bilan de l'année 2 adopté", "validated_on": "2023-03-14"},
        follow=True,
    )
    assert "Bilan annuel n°\u00a02 validé : version 1 figée" in visible_text(response)
    assert project.milestones.get(key="bilan-annuel-2").done_on == dt.date(2023, 3, 14)
    # An annual review the contract does not have, or any on a PTSM alone, is not found.
    assert (
        client.get(reverse("evaluation:review", args=[project.slug, "annuel-5"])).status_code == 404
    )
    ptsm = make_project(departement="29", name="PTSM seul")
    login(client, member(ptsm, Role.PROJECT_LEAD))
    assert client.get(reverse("evaluation:review", args=[ptsm.slug, "annuel-1"])).status_code == 404
    assert (
        client.post(reverse("evaluation:review_texts", args=[ptsm.slug, "annuel-1"])).status_code
        == 404
    )


def test_the_commitments_of_a_ctsm_run_for_its_contract(client):
    project = ctsm_project()
    setup_roadmap(project)
    from ptsm.commitments.services import ensure_letter

    letter = ensure_letter(project=project)
    assert letter.term_months == 60
    assert collective_context(project)["duration"] == "60 mois"
    lead = member(project, Role.PROJECT_LEAD)
    login(client, lead)
    page = words(visible_text(client.get(reverse("commitments:letter", args=[project.slug]))))
    page = page.replace("\u00a0", " ").replace("\u202f", " ")
    assert "Durée du contrat (CTSM) : 60 mois à compter de la dernière signature" in page


def test_a_fiche_action_added_during_the_contract_binds_its_operators_by_amendment(client):
    from ptsm.commitments.selectors import annex_states
    from ptsm.commitments.services import ensure_letter, generate_annex
    from ptsm.organisations.models import Contact, Organisation
    from ptsm.roadmap.models import ActionStatus

    project = ctsm_project()
    epsm, gem = setup_roadmap(project)
    sign(project, epsm, dt.date(2021, 2, 10))
    sign(project, gem, dt.date(2021, 3, 1))
    # The twelfth action of Deux-Sèvres: added in the contract's second year, with a new operator.
    udaf = Organisation.objects.create(
        project=project, name="UDAF des Deux-Sèvres", category="social"
    )
    Contact.objects.create(
        project=project,
        organisation=udaf,
        first_name="Anne",
        last_name="Texier",
        function="Directrice",
    )
    existing = Action.objects.get(title="Plateforme d'orientation")
    added = Action.objects.create(
        objective=existing.objective,
        title="Médiateurs de santé pairs",
        status=ActionStatus.VALIDATED,
        start_date=dt.date(2022, 9, 1),
        end_date=dt.date(2025, 12, 31),
    )
    added.operators.set([epsm, udaf])
    added.refresh_from_db()
    letter = ensure_letter(project=project)  # the new operator joins the campaign
    assert letter.signatories.filter(organisation=udaf).exists()

    # The contract keeps its start and its reviews: a newcomer does not suspend them.
    period = engagement_period(project)
    assert (period.start, period.end, period.signed, period.expected) == (
        dt.date(2021, 3, 1),
        dt.date(2026, 3, 1),
        2,
        3,
    )
    assert review_schedule(project).annual[0] == dt.date(2022, 3, 1)

    # The signed operator's annex is stale: only an amendment changes it, with its motive ready.
    state = annex_states(project, letter)[epsm.pk]
    assert not state.current
    assert (
        state.amendment_reason
        == f"Ajout de la fiche-action {added.code} « Médiateurs de santé pairs »"
    )
    assert annex_states(project, letter)[gem.pk].added == ()
    with pytest.raises(ValidationError, match="établissez un avenant"):
        generate_annex(letter=letter, organisation=epsm)
    login(client, member(project, Role.PROJECT_LEAD))
    tree = words(visible_text(client.get(reverse("roadmap:tree", args=[project.slug]))))
    assert (
        "Les engagements courent depuis le 1er mars 2021 (contrat de 60 mois) : une fiche-action "
        "ajoutée ou modifiée, une fois validée par le COPIL, engage ses opérateurs par un avenant"
    ) in tree.replace("\u202f", " ")
    page = client.get(reverse("commitments:letter", args=[project.slug])).content.decode()
    assert f'value="Ajout de la fiche-action {added.code} « Médiateurs de santé pairs »"' in page
    amendment = generate_annex(
        letter=letter, organisation=epsm, amendment=True, reason=state.amendment_reason
    )
    assert (amendment.number, amendment.is_amendment) == (2, True)

    # The new operator commits itself by an amendment too, never by a first letter of its own.
    joining = generate_annex(letter=letter, organisation=udaf)
    assert joining.is_amendment and joining.number == 1
    assert joining.reason == (
        f"Adhésion aux engagements en cours : fiche-action {added.code} « Médiateurs de santé pairs »"
    )


def test_the_ctsm_demo_is_in_its_annual_review_stage_and_tells_one_story(client):
    from ptsm.commitments.models import SignatoryStatus
    from ptsm.evaluation.demo_ctsm import build_ctsm_demo
    from ptsm.evaluation.models import ReviewValidation

    today = dt.date(2026, 11, 24)
    project = build_ctsm_demo(today=today)
    assert build_ctsm_demo(today=today) == project  # once
    assert (project.kind, project.contract_duration_months, project.annual_reviews) == (
        ProjectKind.CTSM,
        60,
        4,
    )
    phase, milestones = state(project)
    assert phase == Phase.IMPLEMENTATION
    signed_on = dt.date(2024, 10, 24)
    assert engagement_period(project).start == signed_on
    assert {key for key, (_due, done) in milestones.items() if done} == {
        K.FRAMING_SIGNED,
        K.DIAGNOSTIC_VALIDATED,
        K.ROADMAP_VALIDATED,
        K.COMMITMENTS_SIGNED,
        K.SIX_MONTH_REVIEW,
        "bilan-annuel-1",
    }
    assert milestones["bilan-annuel-2"] == (dt.date(2026, 10, 24), None)  # due a month ago
    assert milestones[K.FINAL_REVIEW] == (dt.date(2029, 10, 24), None)
    # Each step done has its record: every operator signed, the reviews validated.
    letter = project.commitment_letter
    assert set(letter.signatories.values_list("status", flat=True)) == {SignatoryStatus.SIGNED}
    assert sorted(
        ReviewValidation.objects.filter(project=project).values_list(
            "review__kind", "review__number"
        )
    ) == [("annuel", 1), ("six_mois", 0)]
    assert next_review(project, today) == ("Bilan annuel n°\u00a02", dt.date(2026, 10, 24))
    # The second year's values are in the review being written.
    text = words(docx_text(render(project, get_kind("bilan-annuel-2"), "", "docx", today)))
    assert "Deuxième année : 340 personnes orientées" in text
    assert "340" in text and "180" not in text.split("Indicateurs d'évaluation")[1]

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ptsm.accounts.models import Membership, Role
from ptsm.commitments.services import ensure_letter, generate_annex, record_signed_pdf
from ptsm.core.forms import NO_PATIENT_DATA
from ptsm.documents.registry import get_kind
from ptsm.documents.services import render
from ptsm.evaluation import services
from ptsm.evaluation.models import ActionIndicatorValue, ReviewKind, ReviewValidation
from ptsm.evaluation.selectors import next_review, progress, review_schedule
from ptsm.roadmap.models import Action, ActionIndicator, ActionMilestone, ActionStatus
from tests.commitments.test_commitments import setup_roadmap
from tests.documents.test_pipeline import docx_text, pdf_text
from tests.factories import make_project, member
from tests.helpers import login, page_text, visible_text

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 24)


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère")


def words(text: str) -> str:
    return " ".join(text.split())


def sign(project, organisation, signed_on):
    letter = ensure_letter(project=project)
    version = generate_annex(letter=letter, organisation=organisation)
    with version.pdf.content.open("rb") as handle:
        upload = SimpleUploadedFile("signee.pdf", handle.read() + b"\n% signee\n")
    record_signed_pdf(
        signatory=letter.signatories.get(organisation=organisation),
        upload=upload,
        signed_on=signed_on,
        signed_outside=True,
    )


def plan(project):
    """The roadmap of the commitments tests, with an indicator, milestones and a second action."""
    epsm, gem = setup_roadmap(project)
    platform = Action.objects.get(title="Plateforme d'orientation")
    indicator = ActionIndicator.objects.create(
        action=platform, name="Personnes orientées", baseline="0", target="300"
    )
    ActionMilestone.objects.create(
        action=platform, title="Ouverture", due_date=dt.date(2026, 3, 1), status="atteint"
    )
    ActionMilestone.objects.create(
        action=platform, title="Premier bilan d'activité", due_date=dt.date(2026, 6, 1)
    )
    ActionMilestone.objects.create(
        action=platform, title="Extension au nord", due_date=dt.date(2027, 6, 1)
    )
    later = Action.objects.create(
        objective=platform.objective,
        title="Équipe mobile",
        status=ActionStatus.POSTPONED,
        pilot_organisation=gem,
    )
    later.operators.set([gem])
    return epsm, gem, platform, indicator


def test_the_reviews_fall_six_months_after_the_last_signature_and_at_the_end(client, project):
    epsm, gem, _platform, _indicator = plan(project)
    sign(project, epsm, dt.date(2027, 2, 1))
    schedule = review_schedule(project)
    assert schedule.start is None  # GEM has not signed yet
    sign(project, gem, dt.date(2027, 3, 15))
    schedule = review_schedule(project)
    assert (schedule.start, schedule.six_months, schedule.end) == (
        dt.date(2027, 3, 15),
        dt.date(2027, 9, 15),
        dt.date(2028, 3, 15),
    )
    login(client, member(project, Role.READER))
    dashboard = words(visible_text(client.get(reverse("projects:dashboard", args=[project.slug]))))
    assert "Prochain bilan des engagements : Bilan à 6 mois, le 15 septembre 2027" in dashboard
    services.validate_review(
        review=services.ensure_review(project=project, kind=ReviewKind.SIX_MONTHS),
        meeting=None,
        decision="Adopté",
        validated_on=dt.date(2027, 9, 20),
    )
    assert next_review(project, DAY) == ("Bilan final", dt.date(2028, 3, 15))
    page = words(visible_text(client.get(reverse("evaluation:overview", args=[project.slug]))))
    assert "ils courent du 15 mars 2027 au 15 mars 2028" in page
    assert "Bilan à 6 mois 15 septembre 2027" in page and "Bilan final 15 mars 2028" in page


def test_progress_counts_statuses_late_milestones_and_the_latest_indicator_values(client, project):
    _epsm, _gem, _platform, indicator = plan(project)
    services.record_indicator_value(indicator=indicator, measured_on=DAY, value="120")
    services.record_indicator_value(
        indicator=indicator, measured_on=dt.date(2026, 9, 1), value="80"
    )
    state = progress(project, DAY)
    assert dict(state.by_status)["Validée"] == 1 and dict(state.by_status)["Reportée"] == 1
    assert state.milestones == {"reached": 1, "late": 1, "planned": 1}
    login(client, member(project, Role.READER))
    response = client.get(reverse("evaluation:overview", args=[project.slug]))
    page = words(visible_text(response))
    assert "Validée : 1" in page and "Reportée : 1" in page and "Idée non validée" not in page
    assert "1 jalon en retard" in page and "Premier bilan d'activité (prévu le 1 juin 2026)" in (
        page.replace("1er", "1")
    )
    assert (
        "Personnes orientées 0 300 120 24 novembre 2026" in page
    )  # the latest, not the last typed


def test_a_pilot_measures_the_indicators_of_their_own_actions_only(client, project):
    _epsm, _gem, platform, indicator = plan(project)
    pilot = member(project, Role.ACTION_PILOT)
    url = reverse("evaluation:indicator", args=[project.slug, indicator.pk])
    login(client, pilot)
    assert "Enregistrer la mesure" not in page_text(client.get(url))
    assert client.post(url, {"measured_on": "2026-11-01", "value": "40"}).status_code == 403
    platform.pilot_user = pilot
    platform.save()
    response = client.post(url, {"measured_on": "2026-11-01", "value": "40", "comment": "T3"})
    assert response.status_code == 302
    assert "40" in visible_text(client.get(url)) and NO_PATIENT_DATA in page_text(client.get(url))
    # Bad input is refused in French and changes nothing.
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    for data, message in [
        ({"measured_on": "2026-11-02", "value": "  "}, "Ce champ est obligatoire."),
        ({"measured_on": tomorrow, "value": "41"}, "ne peut pas être dans le futur"),
        ({"measured_on": "pas une date", "value": "41"}, "Saisissez une date valide."),
    ]:
        response = client.post(url, data)
        assert response.status_code == 200 and message in page_text(response), data
    assert list(ActionIndicatorValue.objects.values_list("value", flat=True)) == ["40"]
    login(client, member(project, Role.READER))
    assert client.post(url, {"measured_on": "2026-11-01", "value": "9"}).status_code == 403
    value = ActionIndicatorValue.objects.get()
    delete = reverse("evaluation:value_delete", args=[project.slug, value.pk])
    assert client.post(delete).status_code == 403
    login(client, pilot)
    client.post(delete)
    assert not ActionIndicatorValue.objects.exists()


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_a_review_written_on_the_page_reads_back_in_its_documents(client, project, fmt):
    _epsm, _gem, platform, indicator = plan(project)
    services.record_indicator_value(indicator=indicator, measured_on=DAY, value="120")
    login(client, member(project, Role.COPIL_MEMBER))
    base = reverse("evaluation:review", args=[project.slug, "six-mois"])
    assert NO_PATIENT_DATA in page_text(client.get(base))
    client.post(
        reverse("evaluation:review_texts", args=[project.slug, "six-mois"]),
        {
            "summary": "La plateforme a ouvert.\nLes délais baissent.",
            "achievements": "Ouverture en mars.",
            "difficulties": "Recrutement difficile.",
            "users_view": "Accueil jugé plus lisible par l'UNAFAM.",
            "follow_up": "Reporter l'équipe mobile par avenant.",
        },
    )
    client.post(
        reverse("evaluation:review_assessments", args=[project.slug, "six-mois"]),
        {f"action_{platform.pk}": "En avance sur l'objectif."},
    )
    page = words(visible_text(client.get(base)))
    assert "Synthèse La plateforme a ouvert." in page and "Les délais baissent." in page
    assert "En avance sur l'objectif." in page
    kind = get_kind("bilan-6-mois")
    data = render(project, kind, "", fmt, DAY)
    text = words(docx_text(data) if fmt == "docx" else pdf_text(data))
    for heading in (
        "Bilan à 6 mois",
        "Rappel des engagements",
        "Synthèse",
        "Réalisations marquantes",
        "Difficultés rencontrées et ruptures de parcours persistantes",
        "Regard des usagers et des familles",
        "Ajustements décidés pour la suite de la mise en œuvre",
        "Avancement du plan d'actions",
        "Indicateurs d'évaluation",
        "Crédits mobilisés",
    ):
        assert heading in text, heading
    for content in (
        "Les délais baissent.",
        "Reporter l'équipe mobile par avenant.",
        "En avance sur l'objectif.",
        "Personnes orientées",
        "120",
    ):
        assert content in text, content
    services.save_review_texts(
        review=services.ensure_review(project=project, kind="final"),
        texts={"follow_up": "Actualiser le PTSM en 2029."},
    )
    final = words(
        docx_text(render(project, get_kind("bilan-final"), "", "docx", DAY))
        if fmt == "docx"
        else pdf_text(render(project, get_kind("bilan-final"), "", "pdf", DAY))
    )
    assert "Suites : reconduction, avenants, actualisation du PTSM" in final
    assert "Actualiser le PTSM en 2029." in final
    assert "Les délais baissent." not in final  # each review has its own texts


def test_the_copil_validation_freezes_a_review(client, project):
    plan(project)
    lead = member(project, Role.PROJECT_LEAD)
    review = services.ensure_review(project=project, kind=ReviewKind.SIX_MONTHS)
    services.save_review_texts(review=review, texts={"summary": "Premier bilan."})
    first = services.validate_review(
        review=review, meeting=None, decision="Bilan adopté", validated_on=DAY, user=lead
    )
    with pytest.raises(ValidationError, match="identique à la dernière version validée"):
        services.validate_review(
            review=review, meeting=None, decision="Encore", validated_on=DAY, user=lead
        )
    with pytest.raises(ValidationError, match="figé"):
        first.decision = "Modifiée"
        first.save()
    services.save_review_texts(review=review, texts={"summary": "Premier bilan, corrigé."})
    second = services.validate_review(
        review=review, meeting=None, decision="Bilan corrigé adopté", validated_on=DAY, user=lead
    )
    assert (first.number, second.number) == (1, 2)
    assert "Premier bilan, corrigé." in second.lines and "Premier bilan." in first.lines
    final = services.ensure_review(project=project, kind=ReviewKind.FINAL)
    other = services.validate_review(
        review=final, meeting=None, decision="Adopté", validated_on=DAY, user=lead
    )
    assert other.number == 1  # each review is numbered on its own
    login(client, lead)
    page = words(
        visible_text(client.get(reverse("evaluation:review", args=[project.slug, "six-mois"])))
    )
    assert "Version 2 validée par le COPIL le 24 novembre 2026 : Bilan corrigé adopté" in page
    response = client.post(
        reverse("evaluation:review_validate", args=[project.slug, "six-mois"]),
        {"decision": "", "validated_on": "2026-11-24"},
        follow=True,
    )
    assert "Validation incomplète" in visible_text(response)
    assert ReviewValidation.objects.filter(review=review).count() == 2


def test_review_inputs_outside_the_project_are_refused(client, project):
    plan(project)
    other = make_project(departement="56", name="Autre")
    setup_roadmap(other, operator_names=("Ailleurs",))
    foreign = Action.objects.get(objective__theme__orientation__project=other, status="validee")
    review = services.ensure_review(project=project, kind=ReviewKind.FINAL)
    with pytest.raises(ValidationError, match="n'appartient pas au plan d'actions"):
        services.save_assessments(review=review, comments={foreign.pk: "Intrus"})
    with pytest.raises(ValidationError, match="Section inconnue"):
        services.save_review_texts(review=review, texts={"preambule": "x"})
    assert not review.assessments.exists() and review.texts == {}
    login(client, member(project, Role.PROJECT_LEAD))
    assert (
        client.get(reverse("evaluation:review", args=[project.slug, "trimestriel"])).status_code
        == 404
    )
    # COPIL members write reviews; readers and pilots do not.
    login(client, member(project, Role.READER))
    url = reverse("evaluation:review_texts", args=[project.slug, "final"])
    assert client.post(url, {"summary": "x"}).status_code == 403


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_evaluation_pages_keep_a_bounded_number_of_queries(client, project):
    small = make_project(departement="56", name="Petit")
    setup_roadmap(small, operator_names=("Seul",))
    setup_roadmap(project, operator_names=[f"Opérateur {i:02d}" for i in range(30)])
    objective = Action.objects.filter(objective__theme__orientation__project=project)[0].objective
    for index in range(40):
        action = Action.objects.create(
            objective=objective, title=f"Action {index}", status=ActionStatus.IN_PROGRESS
        )
        ActionMilestone.objects.create(action=action, title="J", due_date=DAY)
        indicator = ActionIndicator.objects.create(action=action, name=f"Indicateur {index}")
        services.record_indicator_value(indicator=indicator, measured_on=DAY, value=str(index))
    for each in (small, project):
        review = services.ensure_review(project=each, kind=ReviewKind.SIX_MONTHS)
        services.save_review_texts(review=review, texts={"summary": "Bilan"})
    user = member(project, Role.PROJECT_LEAD)
    Membership.objects.create(user=user, project=small, role=Role.PROJECT_LEAD)
    login(client, user)
    for name, args in (("evaluation:overview", []), ("evaluation:review", ["six-mois"])):
        big = _queries(client, reverse(name, args=[project.slug, *args]))
        tiny = _queries(client, reverse(name, args=[small.slug, *args]))
        assert big == tiny <= 30, (name, big, tiny)


def test_the_review_numbers_match_between_the_page_and_the_pdf(project):
    _epsm, _gem, _platform, indicator = plan(project)
    data = pdf_text(render(project, get_kind("bilan-final"), "", "pdf", DAY))
    assert re.search(r"Jalons\s*:\s*1 atteint, 1 en retard, 1 à venir", data)


def test_the_indicator_follow_up_table_lists_every_measure_and_resists_formulas(project):
    import io

    from openpyxl import load_workbook

    _epsm, _gem, _platform, indicator = plan(project)
    services.record_indicator_value(indicator=indicator, measured_on=DAY, value="120")
    services.record_indicator_value(
        indicator=indicator, measured_on=dt.date(2026, 9, 1), value="=1+1", comment="@SOMME"
    )
    data = render(project, get_kind("suivi-indicateurs"), "", "xlsx", DAY)
    sheet = load_workbook(io.BytesIO(data)).active
    rows = [row for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert [(r[4], r[9], r[10]) for r in rows] == [
        ("Personnes orientées", dt.datetime(2026, 9, 1), "=1+1"),
        ("Personnes orientées", dt.datetime(2026, 11, 24), 120),
    ]
    assert sheet.cell(row=2, column=10).number_format == "dd/mm/yyyy"
    formula_like = sheet.cell(row=2, column=11)
    assert formula_like.value == "=1+1" and formula_like.data_type == "s"  # text, not a formula
    assert sheet.cell(row=2, column=12).data_type == "s"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:L3"
    # Printed on one A4 landscape page at 75 %, wrapped in set widths (not shrunk to fit).
    setup = sheet.page_setup
    assert setup.orientation == "landscape" and setup.scale == 75
    assert not sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.column_dimensions["B"].width == 26 and sheet.print_title_rows == "$1:$1"
    # A baseline and a target that are plain numbers are numbers.
    assert [(r[5], r[6]) for r in rows] == [(0, 300)] * 2  # stored as "0" and "300"


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_the_amendments_made_since_the_signatures_are_recalled_in_the_reviews(client, project, fmt):
    from ptsm.roadmap.models import FundingLine

    epsm, gem, _platform, _indicator = plan(project)
    sign(project, epsm, dt.date(2027, 2, 1))
    sign(project, gem, dt.date(2027, 2, 2))
    FundingLine.objects.filter(operator=epsm, funder="fir").update(amount=150000)
    generate_annex(
        letter=ensure_letter(project=project),
        organisation=epsm,
        amendment=True,
        reason="Crédits FIR portés à 150 000 €",
    )
    data = render(project, get_kind("bilan-final"), "", fmt, DAY)
    text = words(docx_text(data) if fmt == "docx" else pdf_text(data))
    assert "Avenants aux engagements" in text
    assert re.search(r"EPSM Finistère Sud — version 2 du .+ \(à signer\)", text)
    assert "Crédits FIR portés à 150" in text
    login(client, member(project, Role.READER))
    page = words(
        visible_text(client.get(reverse("evaluation:review", args=[project.slug, "final"])))
    )
    assert "EPSM Finistère Sud — version 2 du" in page and "(à signer)" in page


def test_pilots_are_asked_by_email_for_the_indicators_of_their_own_actions(
    client, project, smtp_server
):
    from ptsm.organisations.models import Contact

    epsm, gem, platform, indicator = plan(project)
    services.record_indicator_value(indicator=indicator, measured_on=DAY, value="120")
    pilot = member(project, Role.ACTION_PILOT, email="pilote@epsm.example.fr")
    platform.pilot_user = pilot
    platform.save()
    mobile = Action.objects.create(
        objective=platform.objective,
        title="Maison des usagers",
        status=ActionStatus.IN_PROGRESS,
        pilot_contact=Contact.objects.create(
            project=project,
            organisation=gem,
            first_name="Anne",
            last_name="Quéré",
            email="anne.quere@gem.example.fr",
        ),
    )
    ActionIndicator.objects.create(action=mobile, name="Adhérents", target="80")
    orphan = Action.objects.create(
        objective=platform.objective, title="Sans pilote", status=ActionStatus.VALIDATED
    )
    ActionIndicator.objects.create(action=orphan, name="Orphelin")
    login(client, member(project, Role.PROJECT_LEAD))
    response = client.post(reverse("evaluation:remind_pilots", args=[project.slug]), follow=True)
    page = visible_text(response)
    assert "2 pilotes sollicités par courriel." in page
    assert "Sans pilote joignable par courriel" in page and "Sans pilote" in page
    by_recipient = {m["To"]: m for m in smtp_server.messages}
    assert set(by_recipient) == {"pilote@epsm.example.fr", "anne.quere@gem.example.fr"}
    # Each e-mail was recorded with the job as it left: a resumed sending skips it.
    from ptsm.jobs.models import Job

    assert set(Job.objects.get(project=project).params["sent_to"]) == set(by_recipient)
    body = by_recipient["pilote@epsm.example.fr"].get_content()
    assert "Personnes orientées" in body and "dernière valeur 120" in body
    assert f"/evaluation/indicateurs/{indicator.pk}/" in body
    assert "Adhérents" not in body  # only their own actions
    other = by_recipient["anne.quere@gem.example.fr"].get_content()
    assert "Adhérents (cible : 80) : jamais mesuré" in other and "Personnes orientées" not in other
    login(client, member(project, Role.COPIL_MEMBER))
    assert client.post(reverse("evaluation:remind_pilots", args=[project.slug])).status_code == 403


def test_the_review_is_presented_to_the_copil_as_a_slideshow(project):
    import io

    from pptx import Presentation

    _epsm, _gem, _platform, indicator = plan(project)
    services.record_indicator_value(indicator=indicator, measured_on=DAY, value="120")
    review = services.ensure_review(project=project, kind=ReviewKind.SIX_MONTHS)
    services.save_review_texts(review=review, texts={"summary": "La plateforme a ouvert."})
    deck = Presentation(io.BytesIO(render(project, get_kind("bilan-6-mois"), "", "pptx", DAY)))
    texts = [
        " ".join(shape.text_frame.text if shape.has_text_frame else "" for shape in slide.shapes)
        + " ".join(
            cell.text
            for shape in slide.shapes
            if shape.has_table
            for row in shape.table.rows
            for cell in row.cells
        )
        for slide in deck.slides
    ]
    assert texts[0].startswith("Bilan à 6 mois — présentation au COPIL")
    assert any("La plateforme a ouvert." in t for t in texts)
    assert any("Personnes orientées" in t and "120 (cible 300)" in t for t in texts)
    assert "Décision attendue du COPIL" in texts[-1]


@pytest.mark.parametrize("fmt", ["docx", "pdf", "pptx"])
def test_a_partly_written_review_leaves_out_what_was_not_written(project, fmt):
    """No placeholder in a review's documents: a part the COPIL did not write is not there, and
    dates not fixed yet are said as the rule that will fix them."""
    plan(project)
    review = services.ensure_review(project=project, kind="six_mois")
    services.save_review_texts(review=review, texts={"summary": "La plateforme a ouvert."})
    data = render(project, get_kind("bilan-6-mois"), "", fmt, DAY)
    if fmt == "pptx":
        import io

        from pptx import Presentation

        deck = Presentation(io.BytesIO(data))
        text = words(
            " ".join(
                shape.text_frame.text
                for slide in deck.slides
                for shape in slide.shapes
                if shape.has_text_frame
            )
        )
    else:
        text = words(docx_text(data) if fmt == "docx" else pdf_text(data))
    assert "La plateforme a ouvert." in text
    assert "Difficultés rencontrées" not in text and "Regard des usagers" not in text
    for placeholder in ("À compléter", "à compléter", "à préciser", "(s)"):
        assert placeholder not in text, placeholder
    assert "6 mois après la dernière signature" in text


def test_a_pilots_campaign_resumed_after_an_interruption_writes_to_no_one_twice(
    project, smtp_server
):
    from ptsm.evaluation.jobs import PILOTS_JOB
    from ptsm.jobs.models import Job, JobState
    from ptsm.jobs.services import run_job

    _epsm, _gem, platform, _indicator = plan(project)
    platform.pilot_user = member(project, Role.ACTION_PILOT, email="pilote@epsm.example.fr")
    platform.save()
    # A first worker wrote to this pilot, recorded it, then stopped; the job is taken over.
    job = Job.objects.create(
        project=project,
        kind=PILOTS_JOB,
        title="Sollicitation des pilotes",
        params={"base_url": "http://testserver", "sent_to": ["pilote@epsm.example.fr"]},
    )
    run_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == JobState.DONE
    assert job.message == "1 pilote sollicité par courriel."
    assert smtp_server.messages == []


@pytest.mark.parametrize("fmt", ["pdf", "docx", "pptx"])
def test_a_review_without_any_funding_says_so_instead_of_a_table_of_zeros(project, fmt):
    import io

    from pptx import Presentation

    from ptsm.roadmap.models import FundingLine

    plan(project)
    FundingLine.objects.all().delete()
    review = services.ensure_review(project=project, kind=ReviewKind.SIX_MONTHS)
    services.save_review_texts(review=review, texts={"summary": "Bilan"})
    data = render(project, get_kind("bilan-6-mois"), "", fmt, DAY)
    if fmt == "pptx":
        slides = Presentation(io.BytesIO(data)).slides
        text = "\n".join(s.text_frame.text for sl in slides for s in sl.shapes if s.has_text_frame)
    else:
        text = docx_text(data) if fmt == "docx" else pdf_text(data)
    text = " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())
    assert "Aucun crédit n'est inscrit sur les fiches-actions." in text
    assert "0 €" not in text

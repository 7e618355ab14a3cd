"""A review's documents generated in the background from its page: every format, the frozen
files of a validated review kept as they are."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from pptx import Presentation

from ptsm.accounts.models import Role
from ptsm.documents.models import GeneratedDocument
from ptsm.evaluation import services
from ptsm.evaluation.jobs import REVIEW_DOCUMENTS_JOB
from ptsm.evaluation.models import ReviewKind
from ptsm.jobs.models import Job, JobState
from ptsm.jobs.services import run_job
from tests.documents.test_pipeline import docx_text, pdf_text
from tests.evaluation.test_evaluation import plan
from tests.factories import make_project, member
from tests.helpers import login, page_text, visible_text

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 24)


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère")


def _url(project, name="review_documents"):
    return reverse(f"evaluation:{name}", args=[project.slug, "six-mois"])


def _text(document) -> str:
    with document.content.open("rb") as handle:
        data = handle.read()
    if document.format == "pptx":
        slides = Presentation(io.BytesIO(data)).slides
        return "\n".join(s.text_frame.text for sl in slides for s in sl.shapes if s.has_text_frame)
    return docx_text(data) if document.format == "docx" else pdf_text(data)


def _files(project) -> dict[str, GeneratedDocument]:
    return {
        d.format: d
        for d in GeneratedDocument.objects.filter(project=project, kind="bilan-6-mois").order_by(
            "version"
        )
    }


def test_the_review_page_generates_its_three_documents_in_the_background(client, project):
    plan(project)
    review = services.ensure_review(project=project, kind=ReviewKind.SIX_MONTHS)
    services.save_review_texts(review=review, texts={"summary": "La plateforme a ouvert."})
    login(client, member(project, Role.PROJECT_LEAD))
    assert "Générer les documents du bilan" in visible_text(client.get(_url(project, "review")))
    response = client.post(_url(project), follow=True)
    text = " ".join(visible_text(response).split())
    assert "Génération des documents du bilan : Bilan à 6 mois" in text
    assert "3 fichiers générés." in text and "Voir les documents du bilan" in text
    assert "bilan-6-mois.pdf — version 1, SHA-256" in text
    assert reverse("documents:list", args=[project.slug]) in page_text(response)
    job = Job.objects.get(project=project, kind=REVIEW_DOCUMENTS_JOB)
    assert (job.state, job.done, job.total) == (JobState.DONE, 3, 3)
    files = _files(project)
    assert set(files) == {"pdf", "docx", "pptx"}
    for document in files.values():
        content = " ".join(_text(document).split())
        assert "Bilan à 6 mois" in content and "La plateforme a ouvert." in content, document


def test_a_validated_review_keeps_its_frozen_files_when_generated_again(client, project):
    plan(project)
    lead = member(project, Role.PROJECT_LEAD)
    review = services.ensure_review(project=project, kind=ReviewKind.SIX_MONTHS)
    services.save_review_texts(review=review, texts={"summary": "Bilan adopté."})
    services.validate_review(
        review=review, meeting=None, decision="Adopté", validated_on=DAY, user=lead
    )
    login(client, lead)
    client.post(_url(project), follow=True)
    first = {fmt: (d.pk, d.sha256) for fmt, d in _files(project).items()}
    assert set(first) == {"pdf", "docx", "pptx"}
    # The data changes after the validation; a new generation reuses the frozen files.
    services.save_review_texts(review=review, texts={"summary": "Texte réécrit ensuite."})
    response = client.post(_url(project), follow=True)
    text = " ".join(visible_text(response).split())
    assert "3 fichiers du bilan validé, repris tels que le COPIL les a validés" in text
    assert {fmt: (d.pk, d.sha256) for fmt, d in _files(project).items()} == first
    assert GeneratedDocument.objects.filter(project=project, kind="bilan-6-mois").count() == 3
    assert "Bilan adopté." in _text(_files(project)["pdf"])


def test_a_review_that_says_nothing_yet_starts_no_job(client, project):
    plan(project)
    login(client, member(project, Role.PROJECT_LEAD))
    response = client.post(_url(project), follow=True)
    assert "Les documents du bilan ne peuvent pas encore être générés" in visible_text(response)
    assert not Job.objects.filter(project=project).exists()
    assert not GeneratedDocument.objects.filter(project=project, kind="bilan-6-mois").exists()


def test_a_double_click_generates_the_review_once_but_another_review_has_its_own_job(
    client, project
):
    plan(project)
    for kind in (ReviewKind.SIX_MONTHS, ReviewKind.FINAL):
        review = services.ensure_review(project=project, kind=kind)
        services.save_review_texts(review=review, texts={"summary": "Bilan."})
    login(client, member(project, Role.PROJECT_LEAD))
    waiting = Job.objects.create(
        project=project,
        kind=REVIEW_DOCUMENTS_JOB,
        title="Génération",
        params={"document": "bilan-6-mois"},
    )
    response = client.post(_url(project))
    assert response["Location"] == reverse("jobs:detail", args=[project.slug, waiting.pk])
    final = client.post(reverse("evaluation:review_documents", args=[project.slug, "final"]))
    assert final["Location"] != response["Location"]
    assert Job.objects.filter(project=project).count() == 2


@pytest.mark.parametrize("role", [Role.COPIL_MEMBER, Role.READER, Role.ACTION_PILOT])
def test_only_those_who_generate_documents_start_it(client, project, role):
    plan(project)
    review = services.ensure_review(project=project, kind=ReviewKind.SIX_MONTHS)
    services.save_review_texts(review=review, texts={"summary": "Bilan."})
    login(client, member(project, role))
    assert "Générer les documents du bilan" not in page_text(client.get(_url(project, "review")))
    assert client.post(_url(project)).status_code == 403
    assert not Job.objects.filter(project=project).exists()
    assert not GeneratedDocument.objects.filter(project=project, kind="bilan-6-mois").exists()


# From the Documents page: a review's file goes through the review's own job.


def _generate(client, project, kind="bilan-6-mois", fmt="docx", **extra):
    return client.post(
        reverse("documents:generate", args=[project.slug]),
        {"kind": kind, "format": fmt, "variant": ""},
        **extra,
    )


def test_the_documents_page_queues_the_reviews_job_instead_of_composing_it(
    client, project, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    plan(project)
    review = services.ensure_review(project=project, kind=ReviewKind.SIX_MONTHS)
    services.save_review_texts(review=review, texts={"summary": "La plateforme a ouvert."})
    login(client, member(project, Role.PROJECT_LEAD))
    page = visible_text(client.get(reverse("documents:list", args=[project.slug])))
    assert "Générer bilan-6-mois.docx" in page
    assert page.count("« Générer » compose tous ses formats ensemble, en arrière-plan.") == 1
    response = _generate(client, project)
    job = Job.objects.get(project=project)
    assert response["Location"] == reverse("jobs:detail", args=[project.slug, job.pk])
    assert (job.kind, job.params, job.state) == (
        REVIEW_DOCUMENTS_JOB,
        {"document": "bilan-6-mois"},
        JobState.PENDING,
    )
    assert job.title == "Génération des documents du bilan : Bilan à 6 mois"
    # Nothing composed yet: the request only queued the work.
    assert not GeneratedDocument.objects.filter(project=project, kind__startswith="bilan").exists()
    # The review's page finds the same job waiting: one job per review, wherever it was asked.
    assert client.post(_url(project))["Location"] == response["Location"]
    assert _generate(client, project, fmt="pdf")["Location"] == response["Location"]
    assert Job.objects.filter(project=project).count() == 1
    run_job(job_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.message) == (JobState.DONE, "3 fichiers générés.")
    files = _files(project)
    assert set(files) == {"pdf", "docx", "pptx"}
    assert "La plateforme a ouvert." in " ".join(_text(files["docx"]).split())


def test_a_validated_review_generated_from_the_documents_page_keeps_its_frozen_files(
    client, project
):
    plan(project)
    lead = member(project, Role.PROJECT_LEAD)
    review = services.ensure_review(project=project, kind=ReviewKind.SIX_MONTHS)
    services.save_review_texts(review=review, texts={"summary": "Bilan adopté."})
    services.validate_review(
        review=review, meeting=None, decision="Adopté", validated_on=DAY, user=lead
    )
    frozen = {fmt: (d.pk, d.sha256) for fmt, d in _files(project).items()}
    assert set(frozen) == {"pdf", "docx", "pptx"}
    services.save_review_texts(review=review, texts={"summary": "Texte réécrit ensuite."})
    login(client, lead)
    response = _generate(client, project, fmt="pdf", follow=True)
    text = " ".join(visible_text(response).split())
    assert "3 fichiers du bilan validé, repris tels que le COPIL les a validés" in text
    assert {fmt: (d.pk, d.sha256) for fmt, d in _files(project).items()} == frozen
    assert GeneratedDocument.objects.filter(project=project, kind="bilan-6-mois").count() == 3
    assert "Bilan adopté." in _text(_files(project)["pdf"])


def test_a_review_that_says_nothing_yet_is_refused_on_the_documents_page(client, project):
    plan(project)
    login(client, member(project, Role.PROJECT_LEAD))
    response = _generate(client, project, follow=True)
    assert "Bilan à 6 mois : pas encore disponible." in visible_text(response)
    assert not Job.objects.filter(project=project).exists()
    assert not GeneratedDocument.objects.filter(project=project, kind__startswith="bilan").exists()


def test_an_unknown_format_of_a_review_starts_no_job(client, project):
    plan(project)
    review = services.ensure_review(project=project, kind=ReviewKind.SIX_MONTHS)
    services.save_review_texts(review=review, texts={"summary": "Bilan."})
    login(client, member(project, Role.PROJECT_LEAD))
    response = _generate(client, project, fmt="xlsx", follow=True)
    assert response.status_code == 200
    assert "Document ou format inconnu." in visible_text(response)
    assert not Job.objects.filter(project=project).exists()


@pytest.mark.parametrize("role", [Role.COPIL_MEMBER, Role.READER, Role.ACTION_PILOT])
def test_only_those_who_generate_documents_start_it_from_the_documents_page(client, project, role):
    plan(project)
    review = services.ensure_review(project=project, kind=ReviewKind.SIX_MONTHS)
    services.save_review_texts(review=review, texts={"summary": "Bilan."})
    login(client, member(project, role))
    page = page_text(client.get(reverse("documents:list", args=[project.slug])))
    assert "Générer" not in page
    assert _generate(client, project).status_code == 403
    assert not Job.objects.filter(project=project).exists()
    assert not GeneratedDocument.objects.filter(project=project, kind__startswith="bilan").exists()


def test_other_documents_are_still_composed_in_the_request(client, project, settings):
    """On the real queue: nothing would run a job here, so the file exists because the request
    composed it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    login(client, member(project, Role.PROJECT_LEAD))
    response = _generate(client, project, kind="carte-identite-territoire", fmt="pdf")
    assert response["Location"] == reverse("documents:list", args=[project.slug])
    assert not Job.objects.filter(project=project).exists()
    document = GeneratedDocument.objects.get(project=project)
    assert (document.kind, document.format, document.version) == (
        "carte-identite-territoire",
        "pdf",
        1,
    )
    page = visible_text(client.get(response["Location"]))
    assert "carte-identite-territoire.pdf généré (version 1, PDF/A)." in page

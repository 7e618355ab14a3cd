"""A consultation is recalled, with its figures, in the documents of the step it was about
(the roadmap's PDF and DOCX, the diagnostic report, a review) and on the page of the COPIL
meeting it is attached to — while the roadmap, diagnostic and evaluation apps know nothing of
consultations (the `documents.recalls` registry)."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from ptsm.consultations import services
from ptsm.documents.services import generate_document
from tests.consultations.conftest import answer, make_consultation
from tests.helpers import login, visible_text

pytestmark = pytest.mark.django_db


def _pdf_text(document) -> str:
    from pypdf import PdfReader

    with document.content.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    return _plain(text)


def _plain(text: str) -> str:
    """French typography's non-breaking spaces read as spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def _docx_text(document) -> str:
    from docx import Document

    with document.content.open("rb") as handle:
        return _plain("\n".join(p.text for p in Document(io.BytesIO(handle.read())).paragraphs))


def _closed_consultation(project, target="feuille-de-route:"):
    consultation = make_consultation(project, target=target)
    answer(consultation, "personne_concernee", scale=4)
    answer(consultation, "proche", scale=3)
    hidden = answer(consultation, "autre", scale=0)
    services.hide_response(response=hidden, reason="Nom cité", today=consultation.opens_on)
    services.close_consultation(consultation=consultation)
    services.save_summary(consultation=consultation, summary="Les orientations sont approuvées.")
    return consultation


def test_the_roadmap_documents_recall_the_consultation_and_its_figures(project):
    _closed_consultation(project)
    pdf = _pdf_text(generate_document(project=project, kind_slug="feuille-de-route", fmt="pdf"))
    assert "Consultations des personnes concernées et des proches" in pdf
    assert "Consultation n° 1 : Votre avis sur le projet de feuille de route" in pdf
    assert "2 réponses (personnes concernées : 1, proches : 1)" in pdf
    assert "1 réponse masquée par la modération" in pdf
    assert "Tout à fait d'accord : 1 (50 %)" in pdf
    assert "Les orientations sont approuvées." in pdf
    docx = _docx_text(generate_document(project=project, kind_slug="feuille-de-route", fmt="docx"))
    assert "Consultations des personnes concernées et des proches" in docx
    assert "2 réponses (personnes concernées : 1, proches : 1)" in docx
    assert "Synthèse : Les orientations sont approuvées." in docx


def test_a_draft_consultation_is_not_recalled_and_other_steps_are_not_concerned(project):
    make_consultation(project, open_=False)
    _closed_consultation(project, target="diagnostic:2")
    roadmap = _pdf_text(generate_document(project=project, kind_slug="feuille-de-route", fmt="pdf"))
    assert "Consultations des personnes concernées" not in roadmap
    report = _docx_text(generate_document(project=project, kind_slug="diagnostic", fmt="docx"))
    assert "Consultation n° 2 : Votre avis" in report
    assert "Constats de la porte d'entrée 2" in report


def test_the_meeting_page_shows_the_consultation_presented_there(client, project, lead):
    from ptsm.governance import services as governance
    from ptsm.governance.models import Body, Meeting

    governance.create_default_bodies(project=project)
    start = timezone.now() + dt.timedelta(days=20)
    meeting = Meeting.objects.create(
        body=Body.objects.filter(project=project).first(),
        title="COPIL de validation de la feuille de route",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    consultation = _closed_consultation(project)
    services.update_consultation(consultation=consultation, meeting=meeting)
    login(client, lead)
    page = visible_text(
        client.get(reverse("governance:meeting", kwargs={"slug": project.slug, "pk": meeting.pk}))
    )
    assert "Consultation n° 1 : Votre avis sur le projet de feuille de route" in page
    assert "2 réponses" in page

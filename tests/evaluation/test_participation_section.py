"""The reviews' « Participation des personnes concernées et des proches » section (issue 19),
filled from the participation figures: on the page and in the PDF and DOCX."""

import datetime as dt

import pytest
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.documents.registry import get_kind
from ptsm.documents.services import render
from tests.documents.test_pipeline import docx_text, pdf_text
from tests.factories import make_project, member
from tests.governance.participation_setup import build_copil_participation
from tests.helpers import login, visible_text

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 24)
MEMBERS = (
    "Membres des instances représentant les personnes concernées ou les proches : "
    "2 sur 8 membres, dans 1 instance sur 1 (personnes concernées : 2)"
)
ATTENDANCE = "Leur présence aux séances tenues : 3 présences sur 4 invitations aux séances tenues"


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère")


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("kind", ["six-mois", "final"])
def test_the_review_page_shows_the_participation(client, project, kind):
    build_copil_participation(project)
    login(client, member(project, Role.COPIL_MEMBER))
    page = words(visible_text(client.get(reverse("evaluation:review", args=[project.slug, kind]))))
    section = page.split("Participation des personnes concernées et des proches")[1]
    assert section.startswith(" Instances et groupes de travail")
    assert MEMBERS in section and ATTENDANCE in section
    assert "Comité de pilotage (COPIL) : 2 sur 8 membres ; 3 présences sur 4" in section


def test_a_project_without_figures_says_so_rather_than_print_zeros(client, project):
    login(client, member(project, Role.COPIL_MEMBER))
    page = words(
        visible_text(client.get(reverse("evaluation:review", args=[project.slug, "six-mois"])))
    )
    assert "Aucune donnée de participation n'est encore enregistrée dans le projet" in page


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_review_documents_carry_the_participation(project, fmt):
    build_copil_participation(project)
    data = render(project, get_kind("bilan-6-mois"), "", fmt, DAY)
    text = words(docx_text(data) if fmt == "docx" else pdf_text(data))
    section = text.split("Participation des personnes concernées et des proches")[1]
    section = section.split("Avancement du plan d'actions")[0]
    assert "Instances et groupes de travail" in section
    assert MEMBERS in section
    assert ATTENDANCE in section


def test_the_review_deck_has_a_participation_slide(project):
    import io

    from pptx import Presentation

    build_copil_participation(project)
    deck = Presentation(io.BytesIO(render(project, get_kind("bilan-6-mois"), "", "pptx", DAY)))
    texts = [
        words(" ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame))
        for slide in deck.slides
    ]
    (slide,) = [t for t in texts if t.startswith("Participation des personnes concernées")]
    assert "Instances et groupes de travail — " + MEMBERS in slide
    assert ATTENDANCE in slide


def test_the_review_deck_has_no_participation_slide_without_figures(project):
    import io

    from pptx import Presentation

    deck = Presentation(io.BytesIO(render(project, get_kind("bilan-6-mois"), "", "pptx", DAY)))
    assert not any(
        "Participation des personnes concernées" in s.text_frame.text
        for slide in deck.slides
        for s in slide.shapes
        if s.has_text_frame
    )

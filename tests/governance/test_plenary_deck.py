import datetime as dt
import io

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from ptsm.core.formatting import NARROW_NBSP
from ptsm.documents.registry import get_kind
from ptsm.documents.services import render
from ptsm.governance.models import Body, BodyKind, BodyMember
from ptsm.governance.services import create_default_bodies
from ptsm.organisations.models import Contact, Organisation
from ptsm.territories.models import Commune
from tests.factories import make_project

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 24)


def slide_texts(data: bytes) -> list[str]:
    texts = []
    for slide in Presentation(io.BytesIO(data)).slides:
        parts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
        texts.append("\n".join(parts))
    return texts


@pytest.fixture
def project():
    project = make_project(departement="29", name="PTSM du Finistère", start=dt.date(2026, 1, 15))
    create_default_bodies(project=project)
    organisation = Organisation.objects.create(
        project=project, name="UNAFAM Finistère", category="usagers_familles"
    )
    contact = Contact.objects.create(
        project=project, organisation=organisation, first_name="Loïc", last_name="Tanguy"
    )
    group = Body.objects.get(project=project, kind=BodyKind.WORKING_GROUP, entry_door=3)
    BodyMember.objects.create(body=group, contact=contact, role="facilitator")
    return project


def test_plenary_deck_presents_the_project_from_its_data(project):
    data = render(project, get_kind("presentation-pleniere"), "", "pptx", DAY)
    slides = slide_texts(data)
    titles = [text.split("\n")[0] for text in slides]
    assert titles == [
        "Plénière de lancement — PTSM du Finistère",
        "Le contexte",
        "Les objectifs de la démarche",
        "La méthode : cinq étapes".replace(" :", "\u00a0:"),
        "Le territoire",
        "La gouvernance",
        "Le calendrier prévisionnel",
        "Les groupes de travail",
        "Comment participer",
    ]
    population = sum(
        Commune.objects.filter(departement_id="29").values_list("population", flat=True)
    )
    assert f"{population:,}".replace(",", NARROW_NBSP) in slides[4]
    assert "Comité de pilotage (COPIL)" in slides[5]
    assert "Signature de la lettre de cadrage" in slides[6] and "15 janvier 2026" in slides[6]
    # A member's part written as a function, as in the framing letter: no « / », no « (e) ».
    assert "Loïc Tanguy (UNAFAM Finistère, animation)" in slides[7]
    assert not any(" / " in slide or "(e)" in slide for slide in slides)
    assert "Groupe de travail 5" in slides[7]
    assert "article 69" in slides[1]
    territory_slide = Presentation(io.BytesIO(data)).slides[4]
    assert any(shape.shape_type == MSO_SHAPE_TYPE.PICTURE for shape in territory_slide.shapes)


def test_plenary_deck_is_deterministic(project):
    kind = get_kind("presentation-pleniere")
    assert render(project, kind, "", "pptx", DAY) == render(project, kind, "", "pptx", DAY)

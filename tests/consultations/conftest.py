import datetime as dt

import pytest

from ptsm.accounts.models import Role
from ptsm.consultations import services
from ptsm.consultations.models import QuestionKind
from ptsm.consultations.targets import find_target
from tests.factories import make_project, member

TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def project(db):
    return make_project()


@pytest.fixture
def lead(project):
    return member(project, Role.PROJECT_LEAD)


def make_consultation(
    project, *, open_=True, opens_on=None, closes_on=None, target="feuille-de-route:"
):
    """A consultation on the draft roadmap with one question of each kind."""
    consultation = services.create_consultation(
        project=project,
        title="Votre avis sur le projet de feuille de route",
        introduction="Le COPIL veut savoir si les orientations répondent à vos besoins.",
        target=find_target(project, target),
        opens_on=opens_on or dt.date(2026, 3, 1),
        closes_on=closes_on or dt.date(2026, 3, 31),
    )
    services.add_question(
        consultation=consultation,
        kind=QuestionKind.SCALE,
        text="Les orientations répondent à vos besoins.",
    )
    services.add_question(
        consultation=consultation,
        kind=QuestionKind.SINGLE,
        text="Quelle orientation est la plus urgente ?",
        choices=["Accès aux soins", "Logement", "Crise"],
    )
    services.add_question(
        consultation=consultation,
        kind=QuestionKind.MULTIPLE,
        text="Par quels moyens voulez-vous être informé ?",
        choices=["Courriel", "Affiches", "GEM"],
    )
    services.add_question(
        consultation=consultation, kind=QuestionKind.TEXT, text="Qu'ajouteriez-vous ?"
    )
    if open_:
        consultation = services.open_consultation(consultation=consultation)
    return consultation


def answer(
    consultation,
    category="personne_concernee",
    *,
    scale=3,
    single=0,
    multiple=(0,),
    text="",
    today=None,
):
    q = list(consultation.questions.all())
    answers = {q[0].pk: {"choices": [scale]}, q[1].pk: {"choices": [single]}}
    if multiple:
        answers[q[2].pk] = {"choices": list(multiple)}
    if text:
        answers[q[3].pk] = {"text": text}
    # Answered on its first day unless told otherwise.
    return services.submit_response(
        consultation=consultation,
        category=category,
        answers=answers,
        today=today or consultation.opens_on,
    )

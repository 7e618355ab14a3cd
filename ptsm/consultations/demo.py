"""The demo's consultations: one on the draft roadmap, closed, with answers from several
categories, one hidden by moderation and the chef de projet's summary, presented at the COPIL
that validated the roadmap (so that the roadmap's documents recall it); one open now on the
6-month review, with its public link."""

import datetime as dt

from . import services
from .models import QuestionKind
from .targets import find_target

# (category, agreement 0–4, most urgent orientation, free text) of each answer.
ROADMAP_ANSWERS = [
    ("personne_concernee", 3, 0, "Pouvoir parler à un pair-aidant dès la sortie de l'hôpital."),
    ("personne_concernee", 4, 0, ""),
    ("personne_concernee", 2, 1, "Des horaires du CMP compatibles avec un travail."),
    ("proche", 3, 2, "Savoir qui appeler la nuit quand la situation se dégrade."),
    ("proche", 1, 2, ""),
    ("professionnel", 3, 1, "Un logement accompagné de plus sur le pays de Morlaix."),
    ("elu", 4, 1, ""),
    ("autre", 3, 0, ""),
]
# Hidden by the chef de projet: it names a person and where she is cared for.
HIDDEN_ANSWER = (
    "proche",
    0,
    2,
    "Ma sœur Anne L. attend depuis six mois au CMP de Landerneau.",
)
HIDDEN_REASON = "La réponse nomme une personne et son lieu de soins."
SUMMARY = (
    "Huit réponses, dont trois de personnes concernées et deux de proches. Les orientations "
    "recueillent l'accord de la plupart des participants ; l'accès aux soins et la réponse "
    "aux situations de crise, la nuit surtout, sont jugés les plus urgents.\n"
    "Le COPIL retient deux demandes pour les fiches-actions : la pair-aidance dès la sortie "
    "d'hospitalisation et un numéro joignable la nuit pour les proches."
)


def load_consultations_demo(*, project, meeting, today: dt.date):
    """Called before the roadmap is validated at `meeting`, so that its frozen documents
    recall the consultation."""
    if project.consultations.exists():
        return
    held_on = meeting.starts_at.date()
    roadmap = services.create_consultation(
        project=project,
        title="Votre avis sur le projet de feuille de route",
        introduction=(
            "Le comité de pilotage prépare la feuille de route du projet. Avant de la valider, "
            "il veut savoir si elle répond à ce que vivent les personnes concernées et leurs "
            "proches. Répondre prend cinq minutes."
        ),
        target=find_target(project, "feuille-de-route:"),
        opens_on=held_on - dt.timedelta(days=42),
        closes_on=held_on - dt.timedelta(days=7),
        meeting=meeting,
    )
    agreement = services.add_question(
        consultation=roadmap,
        kind=QuestionKind.SCALE,
        text="Les orientations répondent aux besoins des personnes concernées.",
        required=True,
    )
    urgent = services.add_question(
        consultation=roadmap,
        kind=QuestionKind.SINGLE,
        text="Quelle orientation vous paraît la plus urgente ?",
        choices=[
            "L'accès aux soins et au diagnostic",
            "Le logement et l'accompagnement",
            "Les situations de crise",
        ],
    )
    missing = services.add_question(
        consultation=roadmap,
        kind=QuestionKind.TEXT,
        text="Que manque-t-il à ce projet de feuille de route ?",
    )
    roadmap = services.open_consultation(consultation=roadmap)
    for index, (category, scale, choice, text) in enumerate([*ROADMAP_ANSWERS, HIDDEN_ANSWER]):
        answers = {agreement.pk: {"choices": [scale]}, urgent.pk: {"choices": [choice]}}
        if text:
            answers[missing.pk] = {"text": text}
        response = services.submit_response(
            consultation=roadmap,
            category=category,
            answers=answers,
            today=roadmap.opens_on + dt.timedelta(days=2 + 3 * index),
        )
    services.hide_response(response=response, reason=HIDDEN_REASON, today=roadmap.closes_on)
    services.close_consultation(consultation=roadmap)
    services.save_summary(consultation=roadmap, summary=SUMMARY)

    review = services.create_consultation(
        project=project,
        title="Six mois après : qu'est-ce qui a changé pour vous ?",
        introduction=(
            "Le bilan à 6 mois du projet se prépare. Dites-nous ce qui a changé, ou non, depuis "
            "la signature des engagements. Vos réponses sont anonymes."
        ),
        target=find_target(project, "bilan:bilan-6-mois"),
        opens_on=today - dt.timedelta(days=5),
        closes_on=today + dt.timedelta(days=25),
    )
    services.add_question(
        consultation=review,
        kind=QuestionKind.SCALE,
        text="L'accès aux soins s'est amélioré depuis six mois.",
    )
    services.add_question(
        consultation=review,
        kind=QuestionKind.MULTIPLE,
        text="Quelles actions du projet connaissez-vous ?",
        choices=[
            "La plateforme d'orientation",
            "La pair-aidance",
            "Les équipes mobiles",
            "Aucune",
        ],
    )
    services.add_question(
        consultation=review, kind=QuestionKind.TEXT, text="Que faudrait-il changer en priorité ?"
    )
    services.open_consultation(consultation=review)

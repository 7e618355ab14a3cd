"""The demo's roadmap in plain language (issue 19): summaries written for the people the
project is for, on both orientations and on four fiches-actions of five — the Documents page
then says that one is still to write (`ptsm.demo.loader` calls this once)."""

from .models import Action, Orientation
from .services import save_action, save_item

ORIENTATIONS = {
    "Faciliter l'accès aux soins et la continuité des parcours": (
        "Nous voulons que vous puissiez être soigné vite, près de chez vous.\n"
        "Vous ne devez pas avoir à raconter votre histoire à chaque nouvelle personne."
    ),
    "Favoriser l'inclusion et prévenir les crises": (
        "Nous voulons que vous puissiez vivre chez vous, travailler et voir d'autres personnes.\n"
        "Quand ça va mal, une aide doit venir vite."
    ),
}
ACTIONS = {
    "Créer une plateforme d'orientation et d'accueil en CMP": (
        "Vous pourrez appeler un seul numéro pour demander de l'aide.\n"
        "Une personne vous écoute et vous donne un rendez-vous près de chez vous."
    ),
    "Former les médecins généralistes au repérage": (
        "Votre médecin de famille apprend à mieux voir quand vous n'allez pas bien.\n"
        "Il peut alors vous aider plus tôt."
    ),
    "Développer des places de résidence accueil": (
        "De nouveaux logements ouvrent pour vous.\n"
        "Vous avez votre appartement, et une équipe est là si vous en avez besoin."
    ),
    "Équipe mobile de crise 24 h sur 24": (
        "Si tout va mal, une équipe peut venir chez vous, le jour et la nuit.\n"
        "Elle vous aide, vous et vos proches, à passer ce moment difficile."
    ),
}


def write_plain_summaries(project) -> None:
    for orientation in Orientation.objects.filter(project=project, title__in=ORIENTATIONS):
        orientation.plain_summary = ORIENTATIONS[orientation.title]
        save_item(item=orientation)
    for action in Action.objects.filter(
        objective__theme__orientation__project=project, title__in=ACTIONS
    ).select_related("objective__theme__orientation__project"):
        action.plain_summary = ACTIONS[action.title]
        save_action(action=action)

"""The framing letter's sections, in the order of seed 000 (ANAP « Lettre de cadrage »).

Each editable section has a default text written by the team from the seed; lists are written
one item per line. Sections marked `derived` are filled from the project's live data when the
letter is generated (their text, if any, is shown before the data).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class SectionSpec:
    key: str
    heading: str
    part: str  # "presentation", "letter" or "annex"
    level: int = 2
    default: str = ""
    is_list: bool = False
    derived: str = ""  # what the generation adds from live data
    help: str = ""


PRESENTATION, LETTER, ANNEX = "presentation", "letter", "annex"

SECTIONS: list[SectionSpec] = [
    SectionSpec(
        "enjeux",
        "Enjeux",
        PRESENTATION,
        default=(
            "La mise en œuvre d'un projet de parcours en psychiatrie et santé mentale dans un territoire "
            "repose sur une démarche partenariale mobilisant des acteurs très nombreux et de statuts divers.\n"
            "La lettre de cadrage a pour objectif de créer le climat de confiance nécessaire pour permettre "
            "aux acteurs de s'engager dans un travail collectif d'appréciation de la situation locale pour "
            "proposer des solutions d'amélioration dans les organisations afin de mieux répondre aux besoins "
            "des personnes vivant avec des troubles psychiques dans le territoire d'action.\n"
            "La lettre de cadrage, cosignée par le directeur général de l'ARS et le président du conseil "
            "départemental, permet le lancement officiel de la démarche et l'engagement des différents "
            "partenaires dans cette démarche."
        ),
    ),
    SectionSpec(
        "moyens",
        "Moyens",
        PRESENTATION,
        default=(
            "Cette phase permet de légitimer et d'objectiver la démarche en définissant la faisabilité, "
            "les objectifs poursuivis, les moyens, la gouvernance, le territoire, les interlocuteurs clés "
            "et les partenaires, l'implication des usagers et de leur entourage et la mobilisation des acteurs."
        ),
    ),
    SectionSpec(
        "faisabilite",
        "La faisabilité",
        PRESENTATION,
        level=3,
        default=(
            "Les acteurs du territoire se sont déclarés prêts à s'engager ; l'ARS et le conseil "
            "départemental mobilisent un chef de projet et une équipe-projet."
        ),
    ),
    SectionSpec(
        "clarification_objectifs",
        "La clarification des objectifs poursuivis",
        PRESENTATION,
        level=3,
        default="Améliorer le parcours de santé et de vie des personnes adultes vivant avec des "
        "troubles psychiques sur le territoire, à partir d'un diagnostic partagé.",
    ),
    SectionSpec(
        "identification_moyens",
        "L'identification des moyens",
        PRESENTATION,
        level=3,
        default="Un chef de projet mandaté par le directeur général de l'ARS, une équipe-projet, "
        "l'appui des délégations départementales et des organismes ressources.",
    ),
    SectionSpec(
        "gouvernance_copilotage",
        "La gouvernance du projet : copilotage ou pas avec le conseil départemental",
        PRESENTATION,
        level=3,
        derived="copiloting",
        default="La démarche est pilotée par un comité de pilotage territorial.",
    ),
    SectionSpec(
        "choix_territoire",
        "Le choix du territoire",
        PRESENTATION,
        level=3,
        derived="territory",
        default="Le territoire retenu correspond au périmètre d'action commun des acteurs du parcours.",
    ),
    SectionSpec(
        "interlocuteurs",
        "L'identification des interlocuteurs clés et des partenaires",
        PRESENTATION,
        level=3,
        derived="actor_categories",
        default="L'annuaire des acteurs incontournables recense les partenaires à associer.",
    ),
    SectionSpec(
        "implication_usagers",
        "L'implication des usagers et de leur entourage",
        PRESENTATION,
        level=3,
        derived="users_organisations",
        default="Les usagers et leurs familles sont associés dès le lancement, dans chaque instance "
        "et chaque groupe de travail.",
    ),
    SectionSpec(
        "mobilisation",
        "La mobilisation des acteurs",
        PRESENTATION,
        level=3,
        default="Des contacts préalables avec les acteurs suscitent la curiosité et l'envie de "
        "participer avant la plénière de lancement.",
    ),
    SectionSpec(
        "plan_communication",
        "Le plan de communication",
        PRESENTATION,
        level=3,
        derived="communication",
        default="C'est dès cette phase que le plan de communication relatif à la démarche est "
        "préparé, la lettre de cadrage en constituant une étape clé.",
    ),
    SectionSpec(
        "acteurs_concernes",
        "Acteurs concernés",
        PRESENTATION,
        default="La rédaction du document incombe au chef de projet.",
    ),
    SectionSpec(
        "facteurs_succes",
        "Facteurs clés de succès",
        PRESENTATION,
        is_list=True,
        default=(
            "Adhésion des membres des groupes de travail au document\n"
            "Adhésion de leurs institutions ou organismes"
        ),
    ),
    SectionSpec(
        "fiches_associees",
        "Fiches associées",
        PRESENTATION,
        is_list=True,
        default=(
            "Fiche 2 : le comité de pilotage territorial\n"
            "Fiche 3 : le chef de projet\n"
            "Fiche 4 : l'équipe-projet ou groupe-projet\n"
            "Fiche 5 : la liste des acteurs incontournables et son annuaire\n"
            "Fiche 6 : l'aide au repérage des démarches locales\n"
            "Fiche 7 : le plan de communication\n"
            "Support 1 : la plénière de lancement"
        ),
    ),
    SectionSpec(
        "outils_associes",
        "Outils associés",
        PRESENTATION,
        is_list=True,
        default=(
            "Fiche outil 2 : la carte d'identité du territoire et sa grille d'indicateurs\n"
            "Fiche outil 3 : les caractéristiques du parcours et sa grille d'indicateurs\n"
            "Fiche outil 4 : la grille MDPH et sa notice d'utilisation"
        ),
    ),
    SectionSpec("preambule", "Préambule", LETTER, level=1, default=""),
    SectionSpec(
        "contexte",
        "Contexte / historique",
        LETTER,
        default=(
            "Cadre : la démarche s'inscrit dans la mise en œuvre de l'article 69 de la loi n° 2016-41 du "
            "26 janvier 2016 de modernisation de notre système de santé (article L3221-2 du code de la santé "
            "publique) et du décret n° 2017-1200 du 27 juillet 2017 relatif au projet territorial de santé mentale."
        ),
    ),
    SectionSpec(
        "objectifs_principaux",
        "Objectifs principaux",
        LETTER,
        is_list=True,
        default=(
            "Améliorer la qualité de vie des personnes adultes vivant avec des troubles psychiques et de "
            "leurs familles ou proches\n"
            "Adapter les pratiques professionnelles à leur parcours de santé\n"
            "Créer les conditions favorables à la transversalité et à la coordination des acteurs\n"
            "Améliorer les relations de travail entre partenaires en fluidifiant et simplifiant les échanges "
            "et développant un langage commun"
        ),
    ),
    SectionSpec(
        "objectifs_demarche",
        "Objectifs de la démarche",
        LETTER,
        level=1,
        default=(
            "Confirmer la mobilisation des acteurs du territoire autour d'un engagement réciproque et "
            "collectif afin d'améliorer le parcours de santé des personnes adultes vivant avec des troubles "
            "psychiques sur le territoire. Parvenir à la rédaction et à la mise en œuvre d'une feuille de "
            "route permettant d'améliorer les réponses apportées par l'ensemble des acteurs du territoire.\n"
            "Cette feuille de route sera formalisée par un contrat territorial de santé mentale."
        ),
    ),
    SectionSpec(
        "perimetre_engagement",
        "Périmètre de l'engagement",
        LETTER,
        level=1,
        is_list=True,
        help="Le périmètre se concrétise par la capacité des professionnels et institutions concernés à :",
        default=(
            "S'impliquer dans la réalisation du diagnostic territorial\n"
            "Apporter son expertise et associer les professionnels\n"
            "S'impliquer dans la rédaction de la feuille de route partagée au niveau du territoire\n"
            "Contribuer et appuyer les actions attendues qui viseront à fluidifier le parcours actuel "
            "des personnes concernées\n"
            "Participer aux instances de pilotage\n"
            "Contribuer au suivi et à l'évaluation de la démarche\n"
            "Prendre part à la diffusion de l'information et soutenir la démarche"
        ),
    ),
    SectionSpec("duree_engagement", "Durée de l'engagement", LETTER, level=1, derived="duration"),
    SectionSpec("signataires", "Signataires", LETTER, level=1, derived="signatories"),
    SectionSpec(
        "axes_travail",
        "Axes de travail",
        ANNEX,
        is_list=True,
        default=(
            "Élaborer un diagnostic partagé à partir des 5 portes d'entrée de la Rosace\n"
            "Élaborer une feuille de route maîtrisée\n"
            "Mettre en œuvre la feuille de route selon le cadre fixé ci-après"
        ),
    ),
    SectionSpec(
        "acteurs_prestations",
        "Acteurs et prestations concernés",
        ANNEX,
        derived="actor_categories",
        default=(
            "La feuille de route concerne l'ensemble des acteurs intervenant tout au long du parcours de "
            "la personne et de son entourage. La démarche associe donc les acteurs du champ sanitaire "
            "hospitalier et du premier recours, médico-social et social, les familles et usagers des services.\n"
            "Elle couvre l'ensemble des champs de la prévention au soin, du parcours de soin et du "
            "parcours de vie, notamment à domicile.\n"
            "Sont associés à la démarche des organismes tels que l'ORS, le CREAI, le Crehpsy et les "
            "centres ressources."
        ),
    ),
    SectionSpec(
        "perimetre_geographique",
        "Périmètre géographique",
        ANNEX,
        derived="territory_card",
        default="Le périmètre géographique et le choix du territoire sont rappelés ci-dessous.",
    ),
    SectionSpec(
        "partage_donnees",
        "Partage d'informations et de données",
        ANNEX,
        derived="data_holders",
        default=(
            "La mise en œuvre des actions nécessitera de recueillir et partager les informations et données "
            "détenues par les établissements et services, l'ARS, l'assurance maladie, le conseil départemental "
            "et la MDPH.\n"
            "Le traitement des données devra respecter les règles de protection édictées par la CNIL et le "
            "RGPD : les formalités (registre des traitements, analyse d'impact le cas échéant, information des "
            "personnes) seront anticipées. Aucune donnée permettant d'identifier un patient n'est partagée dans "
            "le cadre de la démarche."
        ),
    ),
    SectionSpec(
        "gouvernance",
        "Gouvernance (missions et composition)",
        ANNEX,
        derived="governance",
        default="Présentation des instances de gouvernance pré-identifiées à date, ainsi que le rôle "
        "attendu des partenaires dans ce cadre.",
    ),
    SectionSpec(
        "calendrier", "Calendrier prévisionnel de mise en œuvre", ANNEX, derived="milestones"
    ),
    SectionSpec(
        "groupes_travail", "Constitution des groupes de travail", ANNEX, derived="working_groups"
    ),
]
SECTION_BY_KEY = {spec.key: spec for spec in SECTIONS}
PART_TITLES = {
    PRESENTATION: "Présentation du document",
    LETTER: "Lettre de cadrage",
    ANNEX: "Annexe à la lettre de cadrage (diaporama)",
}
# Headings of seed 000 that every generated letter must show (checked by the tests).
SEED_HEADINGS = [
    "Présentation du document",
    "Enjeux",
    "Moyens",
    "Acteurs concernés",
    "Facteurs clés de succès",
    "Fiches associées",
    "Outils associés",
    "Préambule",
    "Contexte / historique",
    "Objectifs principaux",
    "Objectifs de la démarche",
    "Périmètre de l'engagement",
    "Durée de l'engagement",
    "Signataires",
    "Annexe à la lettre de cadrage",
    "Axes de travail",
    "Acteurs et prestations concernés",
    "Périmètre géographique",
    "Carte d'identité du territoire",
    "Partage d'informations et de données",
    "Gouvernance (missions et composition)",
    "Calendrier prévisionnel de mise en œuvre",
    "Constitution des groupes de travail",
]

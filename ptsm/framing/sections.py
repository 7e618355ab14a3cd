"""The framing letter's sections, in the order of seed 000 (ANAP « Lettre de cadrage »).

Each editable section has a default text written by the team from the seed; lists are written
one item per line. Sections marked `derived` are filled from the project's live data when the
letter is generated (their text, if any, is shown before the data).
"""

from dataclasses import dataclass

from ptsm.core.guidance import GuidanceItem, GuidanceSection


@dataclass(frozen=True)
class SectionSpec:
    key: str
    heading: str
    part: str  # "letter" or "annex"
    level: int = 2
    default: str = ""
    is_list: bool = False
    derived: str = ""  # what the generation adds from live data
    help: str = ""


LETTER, ANNEX = "letter", "annex"

# Seed 000's « Présentation du document »: ANAP's guidance to the chef de projet. It is shown on
# the letter's page and never printed in the letter. Texts of these sections stored by earlier
# versions (keys "enjeux", "moyens"…) stay in `FramingLetter.texts` and are ignored.
GUIDANCE = [
    GuidanceSection(
        "Enjeux",
        (
            "La mise en œuvre d'un projet de parcours en psychiatrie et santé mentale dans un "
            "territoire repose sur une démarche partenariale mobilisant des acteurs très nombreux "
            "et de statuts divers.",
            "La lettre de cadrage a pour objectif de créer le climat de confiance nécessaire pour "
            "permettre aux acteurs de s'engager dans un travail collectif d'appréciation de la "
            "situation locale pour proposer des solutions d'amélioration dans les organisations afin "
            "de mieux répondre aux besoins des personnes vivant avec des troubles psychiques dans le "
            "territoire d'action.",
            "La lettre de cadrage, idéalement cosignée par le directeur général de l'ARS et le "
            "président du conseil départemental, permet le lancement officiel de la démarche et "
            "l'engagement des différents partenaires dans cette démarche.",
        ),
    ),
    GuidanceSection(
        "Moyens",
        ("Cette phase va permettre de légitimer et d'objectiver la démarche en définissant :",),
        (
            GuidanceItem("La faisabilité"),
            GuidanceItem("La clarification des objectifs poursuivis"),
            GuidanceItem("L'identification des moyens"),
            GuidanceItem(
                "La gouvernance du projet : copilotage ou pas avec le conseil départemental",
                "governance:bodies",
            ),
            GuidanceItem("Le choix du territoire", "projects:territory"),
            GuidanceItem(
                "L'identification des interlocuteurs clés et des partenaires",
                "organisations:checklist",
            ),
            GuidanceItem("L'implication des usagers et de leur entourage", "organisations:list"),
            GuidanceItem(
                "La mobilisation des acteurs en suscitant de la curiosité et une envie de participer "
                "en établissant des contacts au préalable"
            ),
        ),
        "C'est dès cette phase que le plan de communication relatif à la démarche doit être "
        "préparé, la lettre de cadrage en constituant une étape clé.",
    ),
    GuidanceSection("Acteurs concernés", ("La rédaction du document incombe au chef de projet.",)),
    GuidanceSection(
        "Facteurs clés de succès",
        items=(
            GuidanceItem("Adhésion des membres des groupes de travail au document"),
            GuidanceItem("Adhésion de leurs institutions ou organismes"),
        ),
    ),
    GuidanceSection(
        "Fiches associées",
        items=(
            GuidanceItem("Fiche 2 : le comité de pilotage territorial", "governance:bodies"),
            GuidanceItem("Fiche 3 : le chef de projet", "projects:members"),
            GuidanceItem("Fiche 4 : l'équipe-projet ou groupe-projet", "governance:bodies"),
            GuidanceItem(
                "Fiche 5 : la liste des acteurs incontournables et son annuaire",
                "organisations:list",
            ),
            GuidanceItem(
                "Fiche 6 : l'aide au repérage des démarches locales", "governance:initiatives"
            ),
            GuidanceItem("Fiche 7 : le plan de communication", "governance:communication"),
            GuidanceItem("Support 1 : la plénière de lancement", "documents:list"),
        ),
    ),
    GuidanceSection(
        "Outils associés",
        items=(
            GuidanceItem(
                "Fiche outil 2 : la carte d'identité du territoire et sa grille d'indicateurs",
                "diagnostic:overview",
            ),
            GuidanceItem(
                "Fiche outil 3 : les caractéristiques du parcours et sa grille d'indicateurs",
                "diagnostic:overview",
            ),
            GuidanceItem(
                "Fiche outil 4 : la grille MDPH et sa notice d'utilisation", "diagnostic:import"
            ),
        ),
    ),
]

SECTIONS: list[SectionSpec] = [
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
            "Apporter leur expertise et associer les professionnels\n"
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
    LETTER: "Lettre de cadrage",
    ANNEX: "Annexe à la lettre de cadrage (diaporama)",
}
# Headings of seed 000 that every generated letter shows, in this order (checked by the tests);
# the letter starts at « Préambule ».
SEED_HEADINGS = [
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

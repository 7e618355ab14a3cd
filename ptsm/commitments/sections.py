"""Sections of the commitment letter (seed 001, ANAP « Trame de lettre d'engagement »), in order."""

from dataclasses import dataclass

from ptsm.core.guidance import GuidanceItem, GuidanceSection


@dataclass(frozen=True)
class SectionSpec:
    key: str
    heading: str
    level: int = 2
    default: str = ""
    derived: str = ""
    is_list: bool = False


COLLECTIVE_SECTIONS = [
    SectionSpec(
        "preambule",
        "Préambule",
        1,
        derived="roadmap_validation",
        default=(
            "La présente lettre formalise la participation et l'implication des acteurs du territoire en vue de "
            "garantir la mise en œuvre de la feuille de route du projet territorial de santé mentale."
        ),
    ),
    SectionSpec(
        "rappel_phases",
        "Rappel des différentes phases : diagnostic et feuille de route",
        1,
        default="La démarche a associé l'ensemble des partenaires à chacune de ses étapes.",
    ),
    SectionSpec(
        "rappel_diagnostic",
        "Rappel du diagnostic",
        2,
        derived="diagnostic",
        default="Le diagnostic partagé a été établi à partir des cinq portes d'entrée de la Rosace.",
    ),
    SectionSpec("orientations", "Les orientations stratégiques", 2, derived="orientations"),
    SectionSpec(
        "thematiques", "Les grandes thématiques de la feuille de route", 2, derived="themes"
    ),
    SectionSpec(
        "objectifs_plan", "Objectifs stratégiques et plan d'action", 2, derived="objectives"
    ),
    SectionSpec("signataires", "Les signataires", 1, derived="signatories"),
    SectionSpec("duree", "Durée de l'engagement", 2, derived="duration"),
    SectionSpec("contenu", "Le contenu de la lettre d'engagement collective", 1),
    SectionSpec(
        "demarche",
        "Démarche retenue dans le cadre de la mise en œuvre de la feuille de route",
        2,
        default=(
            "Chaque fiche-action est conduite par un pilote, avec les opérateurs qui s'y engagent ; le groupe des "
            "pilotes d'actions se réunit régulièrement et rend compte au comité de pilotage."
        ),
    ),
    SectionSpec(
        "pilotes",
        "Composition du groupe des pilotes d'actions chargés de la mise en œuvre",
        2,
        derived="pilots",
    ),
    SectionSpec(
        "rappel_fiches",
        "Rappel des fiches-actions et engagement de l'opérateur correspondant",
        2,
        derived="actions",
    ),
    SectionSpec("financement", "Financement global", 2, derived="funding"),
    SectionSpec("calendrier", "Calendrier de mise en œuvre", 2, derived="calendar"),
    SectionSpec(
        "evaluation",
        "Les principes de l'évaluation de la démarche",
        2,
        is_list=True,
        default=(
            "Bilan à 6 mois : état d'avancement de chaque fiche-action et des indicateurs, "
            "présenté au comité de pilotage\n"
            "Bilan final : atteinte des résultats attendus, au terme de l'engagement\n"
            "Suites de la démarche : actualisation de la feuille de route et du projet territorial "
            "de santé mentale"
        ),
    ),
    SectionSpec(
        "page_signatures",
        "Page des signatures",
        1,
        derived="commitments",
        default=(
            "La présente lettre confirme la mobilisation des partenaires autour d'un engagement réciproque "
            "et collectif "
            "afin de construire une démarche intégrative autour du parcours de santé des personnes vivant avec des "
            "troubles psychiques."
        ),
    ),
    SectionSpec(
        "engagements",
        "Engagements des partenaires",
        2,
        is_list=True,
        derived="action_plan",
        default=(
            "Apporter leur expertise et associer les professionnels\n"
            "Contribuer et appuyer les actions attendues pour améliorer le parcours actuel des personnes "
            "adultes présentant des troubles psychiques chroniques\n"
            "Participer aux instances de pilotage\n"
            "Contribuer au suivi et à l'évaluation du plan d'actions\n"
            "Prendre part à la diffusion de l'information et soutenir la démarche"
        ),
    ),
    SectionSpec(
        "annexes",
        "Annexes",
        1,
        derived="annex_list",
        default="Une annexe par opérateur signataire précise son engagement (articles 1 à 6).",
    ),
]
SECTION_BY_KEY = {s.key: s for s in COLLECTIVE_SECTIONS}
# Seed 001's « Présentation du document »: ANAP's guidance, shown on the page, never printed.
GUIDANCE = [
    GuidanceSection(
        "Enjeux",
        (
            "La lettre d'engagement permet de formaliser la participation et l'implication des "
            "acteurs sur un territoire en vue de garantir la mise en œuvre de la feuille de route "
            "validée dans le cadre de l'élaboration d'un projet de parcours en psychiatrie et santé "
            "mentale.",
        ),
    ),
    GuidanceSection(
        "Moyens",
        (
            "Ce document présente une partie collective qui est ensuite déclinée par opérateur "
            "intervenant à la mise en œuvre de la feuille de route.",
            "Les modalités de signature sont au choix :",
        ),
        (
            GuidanceItem(
                "Une séance de signature collective, à l'issue par exemple du comité de pilotage "
                "de validation de la feuille de route",
                "governance:meetings",
            ),
            GuidanceItem(
                "L'enliassement des volets individuels signés en bilatéral : régulateur - opérateur"
            ),
        ),
    ),
    GuidanceSection(
        "Acteurs concernés",
        ("Cette lettre d'engagement s'adresse à l'ensemble des intervenants :",),
        tuple(
            GuidanceItem(label)
            for label in (
                "ARS",
                "Conseil départemental",
                "DRJSCS",
                "Assurance maladie",
                "Professionnels",
                "Institutions (établissements de santé, médico-sociaux et sociaux)",
                "Associations",
                "Autres acteurs impliqués : élus",
            )
        ),
    ),
    GuidanceSection(
        "Facteurs clés de succès",
        (
            "Ce document doit permettre de concrétiser l'ensemble de la démarche en transparence "
            "et d'en permettre l'évaluation. Il est le socle de l'implication de chacun à l'atteinte "
            "des objectifs ciblés dans la feuille de route et issus du diagnostic partagé.",
        ),
    ),
    GuidanceSection(
        "Fiches associées",
        items=(
            GuidanceItem("Fiche 10 : l'animation des séances de travail", "governance:meetings"),
            GuidanceItem("Document-type 3 : la trame de feuille de route", "roadmap:tree"),
            GuidanceItem("Le tableau de synthèse du plan d'actions", "roadmap:synthesis"),
            GuidanceItem("Le tableau de synthèse des crédits mobilisés", "roadmap:synthesis"),
            GuidanceItem(
                "Support 3 : la présentation de la feuille de route devant le comité de pilotage",
                "documents:list",
            ),
            GuidanceItem("Support 4 : la fiche-action", "roadmap:actions"),
        ),
    ),
    GuidanceSection("Outils associés", ("Aucun outil associé dans le modèle ANAP.",)),
]
SEED_HEADINGS = [s.heading for s in COLLECTIVE_SECTIONS]
ARTICLES = [
    "Article 1 : rappel du dispositif global : feuille de route",
    "Article 2 : identification de l'opérateur",
    "Article 3 : contenu de l'engagement de l'opérateur",
    "Article 4 : engagement du régulateur",
    "Article 5 : conditions d'évaluation",
    "Article 6 : conditions de révision",
]
ARTICLE_DEFAULTS = {
    "article4": (
        "Le régulateur (l'agence régionale de santé et, le cas échéant, le conseil départemental) "
        "accompagne l'opérateur dans la mise en œuvre de ses actions, instruit les demandes d'autorisation "
        "et de financement correspondantes et réunit le comité de pilotage."
    ),
    "article5": (
        "L'opérateur renseigne les indicateurs d'évaluation de ses fiches-actions ; un bilan est présenté "
        "au comité de pilotage six mois après la signature puis au terme de l'engagement."
    ),
    "article6": (
        "La présente annexe peut être révisée par avenant signé des deux parties, notamment pour tenir "
        "compte de l'évolution des actions, du calendrier ou des financements."
    ),
}

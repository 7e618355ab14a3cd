"""ANAP actor categories, sub-types and the checklist of key actors (fiche 5)."""

from dataclasses import dataclass

from django.db import models


class Category(models.TextChoices):
    HOSPITAL_PUBLIC = "sanitaire_public", "Sanitaire hospitalier public"
    HOSPITAL_PRIVATE = "sanitaire_prive", "Sanitaire hospitalier privé"
    PRIMARY_CARE = "premier_recours", "Premier recours"
    MEDICO_SOCIAL = "medico_social", "Médico-social"
    SOCIAL = "social", "Social"
    HOUSING = "logement", "Logement"
    EMPLOYMENT = "emploi_insertion", "Emploi et insertion"
    USERS_FAMILIES = "usagers_familles", "Usagers et familles"
    LOCAL_AUTHORITIES = "collectivites", "Collectivités"
    INSTITUTIONS = "institutions_financeurs", "Institutions et financeurs"
    JUSTICE_EDUCATION = "justice_police_education", "Justice, police, éducation"
    SUPPORT = "ressources_appui", "Ressources et appui"


SUB_TYPES: dict[str, tuple[str, str]] = {
    # code: (label, category)
    "etab_psy_public": ("Établissement public autorisé en psychiatrie", Category.HOSPITAL_PUBLIC),
    "ght_cpt": ("GHT ou communauté psychiatrique de territoire", Category.HOSPITAL_PUBLIC),
    "ch_mco": ("Centre hospitalier (MCO, urgences)", Category.HOSPITAL_PUBLIC),
    "structure_psy_publique": (
        "Structure de psychiatrie publique (CMP, CATTP…)",
        Category.HOSPITAL_PUBLIC,
    ),
    "etab_psy_espic": ("Établissement ESPIC autorisé en psychiatrie", Category.HOSPITAL_PRIVATE),
    "clinique_psy": ("Clinique psychiatrique privée", Category.HOSPITAL_PRIVATE),
    "clinique_mco": ("Clinique (MCO)", Category.HOSPITAL_PRIVATE),
    "structure_psy_privee": ("Structure de psychiatrie privée ou ESPIC", Category.HOSPITAL_PRIVATE),
    "medecin_generaliste": ("Médecin généraliste", Category.PRIMARY_CARE),
    "urps": ("URPS", Category.PRIMARY_CARE),
    "cpts": ("CPTS", Category.PRIMARY_CARE),
    "msp": ("Maison ou centre de santé, équipe de soins primaires", Category.PRIMARY_CARE),
    "psychologue": ("Psychologue", Category.PRIMARY_CARE),
    "jeunes": (
        "Maison des adolescents, point accueil écoute jeunes",
        Category.PRIMARY_CARE,
    ),
    "savs_samsah": ("SAVS ou SAMSAH", Category.MEDICO_SOCIAL),
    "fam_mas": ("FAM ou MAS", Category.MEDICO_SOCIAL),
    "esat": ("ESAT", Category.MEDICO_SOCIAL),
    "foyer": ("Foyer d'hébergement ou de vie", Category.MEDICO_SOCIAL),
    "addictologie": ("Addictologie (CSAPA, CAARUD)", Category.MEDICO_SOCIAL),
    "cmpp": ("CMPP, CAMSP, BAPU", Category.MEDICO_SOCIAL),
    "enfance_handicap": (
        "Établissement ou service pour enfants handicapés (IME, ITEP, SESSAD…)",
        Category.MEDICO_SOCIAL,
    ),
    "precarite_sante": ("Soins des personnes précaires (ACT, LHSS, LAM)", Category.MEDICO_SOCIAL),
    "ehpad": ("EHPAD, hébergement pour personnes âgées", Category.MEDICO_SOCIAL),
    "ccas": ("CCAS", Category.SOCIAL),
    "siao": ("SIAO", Category.SOCIAL),
    "chrs": ("CHRS et autres centres d'hébergement", Category.SOCIAL),
    "ase": ("Aide sociale à l'enfance", Category.SOCIAL),
    "pmi": ("PMI (protection maternelle et infantile)", Category.SOCIAL),
    "protection_majeurs": (
        "Mandataire judiciaire à la protection des majeurs",
        Category.SOCIAL,
    ),
    "bailleur_social": ("Bailleur social", Category.HOUSING),
    "logement_accompagne": (
        "Logement accompagné (pension de famille, résidence accueil)",
        Category.HOUSING,
    ),
    "insertion_emploi": ("Insertion et emploi (France Travail, Cap emploi…)", Category.EMPLOYMENT),
    "unafam": ("UNAFAM", Category.USERS_FAMILIES),
    "gem": ("GEM (groupe d'entraide mutuelle)", Category.USERS_FAMILIES),
    "pair_aidance": ("Pair-aidance", Category.USERS_FAMILIES),
    "representant_usagers": ("Représentants des usagers", Category.USERS_FAMILIES),
    "commune": ("Commune", Category.LOCAL_AUTHORITIES),
    "epci": ("EPCI", Category.LOCAL_AUTHORITIES),
    "cls": ("Contrat local de santé (CLS)", Category.LOCAL_AUTHORITIES),
    "clsm": ("Conseil local de santé mentale (CLSM)", Category.LOCAL_AUTHORITIES),
    "conseil_departemental": ("Conseil départemental", Category.LOCAL_AUTHORITIES),
    "ars": ("Agence régionale de santé (ARS)", Category.INSTITUTIONS),
    "mdph": ("MDPH", Category.INSTITUTIONS),
    "assurance_maladie": ("Assurance maladie (CPAM, MSA)", Category.INSTITUTIONS),
    "services_etat": ("Services de l'État (DREETS, préfecture…)", Category.INSTITUTIONS),
    "justice": ("Justice, PJJ, administration pénitentiaire", Category.JUSTICE_EDUCATION),
    "police": ("Police, gendarmerie", Category.JUSTICE_EDUCATION),
    "education": ("Éducation nationale, enseignement supérieur", Category.JUSTICE_EDUCATION),
    "dac": ("Dispositif d'appui à la coordination (DAC)", Category.SUPPORT),
    "ors_creai": ("ORS, CREAI, Crehpsy", Category.SUPPORT),
    "centre_ressources": ("Centre ressources", Category.SUPPORT),
    "autre": ("Autre", None),
}

SUB_TYPE_CHOICES = [(code, label) for code, (label, _category) in SUB_TYPES.items()]


@dataclass(frozen=True)
class KeyActor:
    code: str
    label: str
    sub_types: tuple[str, ...]


# ANAP fiche 5: the actors a PTSM must involve. An item is covered when the directory holds at
# least one organisation of one of its sub-types.
KEY_ACTORS = [
    KeyActor("ars", "Agence régionale de santé", ("ars",)),
    KeyActor("cd", "Conseil départemental", ("conseil_departemental",)),
    KeyActor("mdph", "MDPH", ("mdph",)),
    KeyActor("am", "Assurance maladie", ("assurance_maladie",)),
    KeyActor(
        "etat",
        "Services de l'État (DREETS, préfecture, justice, PJJ, police)",
        ("services_etat", "justice", "police"),
    ),
    KeyActor("education", "Éducation nationale et enseignement supérieur", ("education",)),
    KeyActor("ase", "Aide sociale à l'enfance", ("ase",)),
    KeyActor(
        "psy",
        "Établissements autorisés en psychiatrie (public, ESPIC, privé), GHT",
        (
            "etab_psy_public",
            "etab_psy_espic",
            "clinique_psy",
            "ght_cpt",
            "structure_psy_publique",
            "structure_psy_privee",
        ),
    ),
    KeyActor("mco", "Autres établissements de santé (MCO, urgences)", ("ch_mco", "clinique_mco")),
    KeyActor(
        "premier_recours",
        "Premier recours (médecins généralistes, URPS, CPTS, MSP), psychologues",
        ("medecin_generaliste", "urps", "cpts", "msp", "psychologue", "jeunes"),
    ),
    KeyActor("dac", "Dispositif d'appui à la coordination", ("dac",)),
    KeyActor(
        "medico_social",
        "Médico-social (SAVS, SAMSAH, FAM, MAS, ESAT, addictologie)",
        (
            "savs_samsah",
            "fam_mas",
            "esat",
            "foyer",
            "addictologie",
            "cmpp",
            "enfance_handicap",
            "precarite_sante",
        ),
    ),
    KeyActor(
        "social",
        "Social (CCAS, SIAO, CHRS), logement et insertion",
        ("ccas", "siao", "chrs", "bailleur_social", "logement_accompagne", "insertion_emploi"),
    ),
    KeyActor(
        "usagers",
        "Usagers et familles (UNAFAM, GEM, pair-aidants, représentants des usagers)",
        ("unafam", "gem", "pair_aidance", "representant_usagers"),
    ),
    KeyActor(
        "collectivites",
        "Collectivités (communes, EPCI, CLS, CLSM, élus)",
        ("commune", "epci", "cls", "clsm"),
    ),
    KeyActor(
        "appui",
        "Ressources et appui (ORS, CREAI, Crehpsy, centres ressources)",
        ("ors_creai", "centre_ressources"),
    ),
]


class Represents(models.TextChoices):
    """Whom an organisation speaks for in the project (issue 19: the participation of people
    with lived experience of psychic disorders and of their families, measured)."""

    LIVED_EXPERIENCE = "personnes_concernees", "Personnes concernées"
    FAMILIES = "proches", "Proches et familles"
    BOTH = "personnes_concernees_proches", "Personnes concernées et proches"


# The ANAP « usagers et familles » organisations that obviously represent them (a data
# migration and the imports pre-fill the flag from these; the user may change it).
REPRESENTS_BY_SUB_TYPE = {
    "unafam": Represents.FAMILIES,
    "gem": Represents.LIVED_EXPERIENCE,
    "pair_aidance": Represents.LIVED_EXPERIENCE,
    "representant_usagers": Represents.BOTH,
}


def default_represents(category: str, sub_type: str) -> str:
    """Whom an organisation of this category and sub-type represents by default ("" for none):
    a GEM its members, the UNAFAM the families, any other « usagers et familles » organisation
    both."""
    if sub_type in REPRESENTS_BY_SUB_TYPE:
        return REPRESENTS_BY_SUB_TYPE[sub_type]
    if category == Category.USERS_FAMILIES:
        return Represents.BOTH
    return ""


def category_of(sub_type: str) -> str | None:
    entry = SUB_TYPES.get(sub_type)
    return entry[1] if entry else None

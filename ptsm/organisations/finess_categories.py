"""FINESS establishment categories a PTSM involves, in groups the user chooses from.

Codes and labels: ANS nomenclature TRE_R66 « Catégorie d'établissement » (the `categetab` column
of the FINESS extraction). Each group sits under an ANAP category of the directory (fiche 5);
categories that are not listed here (pharmacies, laboratories, dialysis…) are never imported.
"""

from dataclasses import dataclass

from .categories import Category


@dataclass(frozen=True)
class FinessCategory:
    category: str
    sub_type: str
    mental_health: bool = False
    private_category: str | None = None  # used when the establishment is not public
    private_sub_type: str | None = None


@dataclass(frozen=True)
class FinessGroup:
    key: str
    label: str
    heading: str  # the ANAP category (or categories) the group belongs to
    codes: dict[str, str]  # categetab -> official label (TRE_R66), for the page
    mapping: dict[str, FinessCategory]
    default: bool = True  # ticked when the user first sees the choice


HOSPITAL = "Sanitaire hospitalier (public et privé)"


def _group(key, label, heading, codes, mapping, default=True) -> FinessGroup:
    if isinstance(mapping, FinessCategory):
        mapping = dict.fromkeys(codes, mapping)
    return FinessGroup(key, label, heading, codes, mapping, default)


_PSY_STRUCTURE = FinessCategory(
    Category.HOSPITAL_PUBLIC,
    "structure_psy_publique",
    True,
    Category.HOSPITAL_PRIVATE,
    "structure_psy_privee",
)
_PSY_CODES = {
    "292": "Centre hospitalier spécialisé de lutte contre les maladies mentales",
    "161": "Maison de santé pour maladies mentales",
    "156": "Centre médico-psychologique (CMP)",
    "425": "Centre d'accueil thérapeutique à temps partiel (CATTP)",
    "366": "Atelier thérapeutique",
    "412": "Appartement thérapeutique",
    "415": "Service médico-psychologique régional (SMPR)",
    "430": "Centre postcure pour malades mentaux",
    "444": "Centre de crise et d'accueil permanent",
}

GROUPS: list[FinessGroup] = [
    _group(
        "psychiatrie",
        "Psychiatrie : établissements autorisés et leurs structures (CMP, CATTP, SMPR…)",
        HOSPITAL,
        _PSY_CODES,
        {
            "292": FinessCategory(
                Category.HOSPITAL_PUBLIC,
                "etab_psy_public",
                True,
                Category.HOSPITAL_PRIVATE,
                "etab_psy_espic",
            ),
            "161": FinessCategory(Category.HOSPITAL_PRIVATE, "clinique_psy", True),
            **{code: _PSY_STRUCTURE for code in _PSY_CODES if code not in ("292", "161")},
        },
    ),
    _group(
        "hopitaux",
        "Autres établissements de santé (centres hospitaliers, cliniques)",
        HOSPITAL,
        {
            "101": "Centre hospitalier régional (CHR)",
            "106": "Centre hospitalier (ex Hôpital local)",
            "355": "Centre hospitalier (CH)",
            "365": "Etablissement de soins pluridisciplinaire",
            "128": "Etablissement de soins chirurgicaux",
            "129": "Etablissement de soins médicaux",
        },
        {
            "101": FinessCategory(Category.HOSPITAL_PUBLIC, "ch_mco"),
            "106": FinessCategory(Category.HOSPITAL_PUBLIC, "ch_mco"),
            "355": FinessCategory(Category.HOSPITAL_PUBLIC, "ch_mco"),
            "365": FinessCategory(Category.HOSPITAL_PRIVATE, "clinique_mco"),
            "128": FinessCategory(Category.HOSPITAL_PRIVATE, "clinique_mco"),
            "129": FinessCategory(Category.HOSPITAL_PRIVATE, "clinique_mco"),
        },
    ),
    _group(
        "premier_recours",
        "Centres et maisons de santé, CPTS",
        Category.PRIMARY_CARE.label,
        {
            "124": "Centre de santé",
            "439": "Centre de santé polyvalent",
            "603": "Maison de santé (L6223-3)",
            "604": "Communauté professionnelle territoriale de santé (CPTS)",
        },
        {
            "124": FinessCategory(Category.PRIMARY_CARE, "msp"),
            "439": FinessCategory(Category.PRIMARY_CARE, "msp"),
            "603": FinessCategory(Category.PRIMARY_CARE, "msp"),
            "604": FinessCategory(Category.PRIMARY_CARE, "cpts"),
        },
    ),
    _group(
        "jeunes",
        "Maisons des adolescents, points accueil écoute jeunes",
        Category.PRIMARY_CARE.label,
        {
            "701": "Maison des adolescents (MDA)",
            "702": "Point accueil écoute jeunes (PAEJ)",
            "703": "Espace santé jeunes (ESJ)",
        },
        FinessCategory(Category.PRIMARY_CARE, "jeunes", True),
    ),
    _group(
        "enfance_soins",
        "Enfance : CMPP, CAMSP, BAPU",
        Category.MEDICO_SOCIAL.label,
        {
            "189": "Centre médico-psycho-pédagogique (CMPP)",
            "190": "Centre action médico-sociale précoce (CAMSP)",
            "221": "Bureau d'aide psychologique universitaire (BAPU)",
        },
        FinessCategory(Category.MEDICO_SOCIAL, "cmpp", True),
    ),
    _group(
        "enfance_handicap",
        "Enfance handicapée : IME, ITEP, SESSAD et autres établissements",
        Category.MEDICO_SOCIAL.label,
        {
            "183": "Institut médico-éducatif (IME)",
            "186": "Institut thérapeutique éducatif et pédagogique (ITEP)",
            "182": "Service d'éducation spéciale et de soins à domicile (SESSAD)",
            "188": "Etablissement pour enfants ou adolescents polyhandicapés",
            "192": "Institut d'éducation motrice",
            "194": "Institut pour déficients visuels",
            "195": "Institut pour déficients auditifs",
            "196": "Institut d'éducation sensorielle sourd-aveugle",
            "377": "Etablissement expérimental pour enfance handicapée",
            "390": "Etablissement d'accueil temporaire d'enfants handicapés",
            "396": "Foyer d'hébergement pour enfants et adolescents handicapés",
            "402": "Jardin d'enfants spécialisé",
        },
        FinessCategory(Category.MEDICO_SOCIAL, "enfance_handicap"),
    ),
    _group(
        "adultes_handicap",
        "Adultes handicapés : SAVS, SAMSAH, FAM, MAS, ESAT, foyers, lieux de vie",
        Category.MEDICO_SOCIAL.label,
        {
            "446": "Service d'accompagnement à la vie sociale (SAVS)",
            "445": "Service d'accompagnement médico-social pour adultes handicapés (SAMSAH)",
            "437": "Foyer d'accueil médicalisé pour adultes handicapés (FAM)",
            "448": "Etablissement d'accueil médicalisé en tout ou partie personnes handicapées",
            "255": "Maison d'accueil spécialisée (MAS)",
            "246": "Etablissement et service d'aide par le travail (ESAT)",
            "382": "Foyer de vie pour adultes handicapés",
            "449": "Etablissement d'accueil non médicalisé pour personnes handicapées",
            "252": "Foyer d'hébergement d'adultes handicapés",
            "253": "Foyer d'accueil polyvalent pour adultes handicapés",
            "395": "Etablissement d'accueil temporaire pour adultes handicapés",
            "379": "Etablissement expérimental pour adultes handicapés",
            "462": "Lieux de vie et d'accueil",
        },
        {
            "446": FinessCategory(Category.MEDICO_SOCIAL, "savs_samsah"),
            "445": FinessCategory(Category.MEDICO_SOCIAL, "savs_samsah"),
            "437": FinessCategory(Category.MEDICO_SOCIAL, "fam_mas"),
            "448": FinessCategory(Category.MEDICO_SOCIAL, "fam_mas"),
            "255": FinessCategory(Category.MEDICO_SOCIAL, "fam_mas"),
            "246": FinessCategory(Category.MEDICO_SOCIAL, "esat"),
            **{
                code: FinessCategory(Category.MEDICO_SOCIAL, "foyer")
                for code in ("382", "449", "252", "253", "395", "379", "462")
            },
        },
    ),
    _group(
        "addictologie_precarite",
        "Addictologie et soins des personnes précaires (CSAPA, CAARUD, ACT, LHSS, LAM)",
        Category.MEDICO_SOCIAL.label,
        {
            "197": "Centre de soins d'accompagnement et de prévention en addictologie (CSAPA)",
            "178": "Centre d'accueil et d'accompagnement à la réduction des risques pour usagers "
            "de drogues (CAARUD)",
            "165": "Appartement de coordination thérapeutique (ACT)",
            "180": "Lits halte soins santé (LHSS)",
            "213": "Lits d'accueil médicalisés (LAM)",
            "608": "Equipe mobile médico-sociale précarité (EMMSP)",
        },
        {
            "197": FinessCategory(Category.MEDICO_SOCIAL, "addictologie"),
            "178": FinessCategory(Category.MEDICO_SOCIAL, "addictologie"),
            **{
                code: FinessCategory(Category.MEDICO_SOCIAL, "precarite_sante")
                for code in ("165", "180", "213", "608")
            },
        },
    ),
    _group(
        "personnes_agees",
        "Personnes âgées : EHPAD et autres établissements d'hébergement",
        Category.MEDICO_SOCIAL.label,
        {
            "500": "Etablissement d'hébergement pour personnes âgées dépendantes (EHPAD)",
            "501": "EHPA percevant des crédits d'assurance maladie",
            "502": "EHPA ne percevant pas des crédits d'assurance maladie",
        },
        FinessCategory(Category.MEDICO_SOCIAL, "ehpad"),
        default=False,  # numerous; a PTSM involves them through their federation, not one by one
    ),
    _group(
        "hebergement_social",
        "Hébergement et réinsertion : CHRS, centres d'accueil, CADA",
        Category.SOCIAL.label,
        {
            "214": "Centre d'hébergement et de réinsertion sociale (CHRS)",
            "219": "Autre centre d'accueil",
            "442": "Centre provisoire d'hébergement",
            "443": "Centre d'accueil de demandeurs d'asile (CADA)",
        },
        FinessCategory(Category.SOCIAL, "chrs"),
    ),
    _group(
        "protection_enfance",
        "Protection de l'enfance : MECS, foyers de l'enfance, AEMO, prévention spécialisée",
        Category.SOCIAL.label,
        {
            "177": "Maison d'enfants à caractère social",
            "175": "Foyer de l'enfance",
            "176": "Village d'enfants",
            "172": "Pouponnière à caractère social",
            "166": "Centre Parents-Enfants de moins de 3 ans",
            "236": "Service de placement familial (SPF)",
            "295": "Service AEMO et AED",
            "286": "Service de prévention spécialisée",
        },
        FinessCategory(Category.SOCIAL, "ase"),
    ),
    _group(
        "pmi",
        "PMI et centres de santé sexuelle",
        Category.SOCIAL.label,
        {
            "223": "Protection maternelle et infantile (PMI)",
            "228": "Centre de santé sexuelle",
            "230": "Etablissement consultation protection infantile",
        },
        FinessCategory(Category.SOCIAL, "pmi"),
    ),
    _group(
        "protection_majeurs",
        "Mandataires judiciaires à la protection des majeurs",
        Category.SOCIAL.label,
        {
            "340": "Service mandataire judiciaire à la protection des majeurs",
            "341": "Service dédié aux mesures d'accompagnement social personnalisé",
            "342": "Service d'information et de soutien aux tuteurs familiaux",
        },
        FinessCategory(Category.SOCIAL, "protection_majeurs"),
    ),
    _group(
        "logement_accompagne",
        "Pensions de famille, maisons relais et résidences sociales",
        Category.HOUSING.label,
        {
            "258": "Maison relais, Pension de famille",
            "259": "Autres résidences sociales",
        },
        FinessCategory(Category.HOUSING, "logement_accompagne"),
    ),
    _group(
        "gem",
        "Groupes d'entraide mutuelle (GEM)",
        Category.USERS_FAMILIES.label,
        {"705": "Groupe d'entraide mutuelle (GEM)"},
        FinessCategory(Category.USERS_FAMILIES, "gem", True),
    ),
    _group(
        "mdph",
        "Maisons départementales des personnes handicapées (MDPH)",
        Category.INSTITUTIONS.label,
        {"609": "Maison départementale pour personnes handicapées (MDPH)"},
        FinessCategory(Category.INSTITUTIONS, "mdph"),
    ),
    _group(
        "pjj",
        "Protection judiciaire de la jeunesse (placement, investigation, milieu ouvert)",
        Category.JUSTICE_EDUCATION.label,
        {
            "241": "Établissement de placement",
            "242": "Service d'activité de jour",
            "440": "Service d'investigation éducative",
            "441": "Service d'intervention éducative en milieu ouvert",
        },
        FinessCategory(Category.JUSTICE_EDUCATION, "justice"),
    ),
    _group(
        "appui",
        "Dispositifs d'appui à la coordination (DAC), centres de ressources",
        Category.SUPPORT.label,
        {
            "606": "Dispositif d'appui à la coordination (DAC)",
            "461": "Centres de ressources SAI (sans aucune indication)",
        },
        {
            "606": FinessCategory(Category.SUPPORT, "dac"),
            "461": FinessCategory(Category.SUPPORT, "centre_ressources"),
        },
    ),
]

GROUPS_BY_KEY: dict[str, FinessGroup] = {group.key: group for group in GROUPS}
# categetab -> (group key, mapping): every category appears in one group only.
FINESS_CATEGORIES: dict[str, tuple[str, FinessCategory]] = {
    code: (group.key, mapping) for group in GROUPS for code, mapping in group.mapping.items()
}
DEFAULT_GROUPS = [group.key for group in GROUPS if group.default]

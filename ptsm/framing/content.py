"""The letter's content as plain data: editable texts and what the project's live data adds."""

from django.db.models import Count

from ptsm.core.formatting import french_date
from ptsm.core.guards import counted
from ptsm.documents.letters import letter_frame
from ptsm.governance.models import ROLE_IN_DOCUMENTS, BodyKind
from ptsm.governance.selectors import project_bodies
from ptsm.organisations.categories import Category
from ptsm.organisations.models import Organisation
from ptsm.organisations.selectors import missing_key_actors
from ptsm.territories.selectors import (
    default_place,
    territory_card,
    territory_map_svg,
    territory_of,
)

from .sections import ANNEX, LETTER, PART_TITLES, SECTIONS

# Who holds which data useful to the démarche (aggregated data only, never about a person).
DATA_HELD = {
    "ars": "activité et capacités des établissements (SAE, RIM-P), autorisations, FINESS",
    "assurance_maladie": "affections de longue durée, recours aux soins de ville, consommation de soins",
    "conseil_departemental": "aide sociale à l'enfance, prestations de compensation, hébergement social",
    "mdph": "demandes et orientations liées au handicap psychique (SAVS, SAMSAH, FAM, MAS, ESAT)",
}
DATA_HOLDER_SUB_TYPES = list(DATA_HELD)


def section_text(letter, key: str) -> str:
    spec = next(s for s in SECTIONS if s.key == key)
    return letter.texts.get(key, spec.default)


def _split(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# A member's place in a body as the letter writes it (no "(e)": the function, not the person).


def _members(body) -> str:
    names = [
        f"{m.contact.full_name} ({m.contact.organisation.name}, "
        f"{ROLE_IN_DOCUMENTS.get(m.role, m.get_role_display().lower())})"
        for m in body.members.all()
    ]
    return "; ".join(names) or "aucun membre désigné à ce jour"


def _signatory(contact, role: str, title: str) -> dict:
    """A signature block: the institution, the signatory's title (their function in the
    directory, or the seed's title) and name ("" until one is chosen: see `readiness`)."""
    if contact is None:
        return {
            "role": role,
            "title": title,
            "name": "",
            "organisation": "",
            "line": f"{role} : {title}",
        }
    function = contact.function or title
    return {
        "role": contact.organisation.name,
        "title": function,
        "name": contact.full_name,
        "organisation": contact.organisation.name,
        "line": f"{contact.organisation.name} : {contact.full_name}, {function}",
    }


class LiveData:
    """Everything the letter takes from the project, read once (bounded number of queries)."""

    def __init__(self, project, letter):
        self.project = project
        self.letter = letter
        self.card = territory_card(project.territory)
        self.bodies = list(project_bodies(project))
        self.categories = list(
            Organisation.objects.filter(project=project)
            .values_list("category")
            .annotate(n=Count("pk"))
            .order_by("category")
        )
        self.data_holders = list(
            Organisation.objects.filter(
                project=project, sub_type__in=DATA_HOLDER_SUB_TYPES
            ).values_list("name", "sub_type")
        )
        self.establishments = Organisation.objects.filter(project=project, finess_et__gt="").count()
        self.missing = missing_key_actors(project)
        self.milestones = list(project.milestones.all())
        self.directory = {}
        for organisation in Organisation.objects.filter(
            project=project, sub_type__in=["ars", "conseil_departemental"]
        ).order_by("-pk"):
            self.directory[organisation.sub_type] = organisation  # the oldest one wins

    def copil(self):
        return next((b for b in self.bodies if b.kind == BodyKind.COPIL), None)

    def derived(self, kind: str) -> dict:
        labels = dict(Category.choices)
        card = self.card
        if kind == "copiloting":
            copil = self.copil()
            text = (
                "Le comité de pilotage est copiloté par l'ARS et le conseil départemental."
                if copil and copil.co_piloted
                else "Le comité de pilotage est piloté par l'ARS, sans copilotage du conseil départemental."
            )
            return {"paragraphs": [text]}
        if kind == "territory":
            return {
                "paragraphs": [
                    f"Territoire retenu : {card.name} — {dict(card.as_rows())['Population municipale']}, "
                    f"{counted(card.communes, 'commune', 'communes')[0] if card.communes else 'aucune commune'}, "
                    f"{card.epcis} EPCI ({', '.join(card.departements)})."
                ]
            }
        if kind == "actor_categories":
            items = [
                f"{labels.get(category, category)} : {n} organisation{'s' if n > 1 else ''}"
                for category, n in self.categories
            ]
            if self.missing:
                items.append(
                    "Catégories d'acteurs incontournables encore à mobiliser : "
                    + ", ".join(a.label for a in self.missing)
                )
            return {"bullets": items}
        if kind == "duration":
            return {
                "paragraphs": [
                    f"Cet engagement mutuel est valable pour la durée du projet ({self.letter.duration_months} mois), "
                    "et entre en vigueur à partir de la signature de la présente lettre."
                ]
            }
        if kind == "signatories":
            return {
                "paragraphs": [
                    "La présente lettre est cosignée par le directeur général de l'agence "
                    "régionale de santé et le président du conseil départemental."
                ]
            }
        if kind == "territory_card":
            # The identity card of the referential (never an indicator of the diagnostic).
            return {
                "paragraphs": self.derived("territory")["paragraphs"],
                "subheading": "Carte d'identité du territoire",
                "rows": [[label, value] for label, value in card.as_rows()],
                "image": "map",
            }
        if kind == "data_holders":
            items = [f"{name} : {DATA_HELD[sub_type]}" for name, sub_type in self.data_holders]
            if self.establishments:
                structures = counted(self.establishments, "structure", "structures")[0]
                items.append(
                    f"Établissements et services de l'annuaire ({structures}) : "
                    "file active et activité, délais d'accès, places"
                )
            return {"bullets": items}
        if kind == "governance":
            return {
                "paragraphs": self.derived("copiloting")["paragraphs"],
                "rows": [
                    [b.name, f"{b.missions} Composition : {_members(b)}"]
                    for b in self.bodies
                    if b.kind != BodyKind.WORKING_GROUP
                ],
                "header": ["Instance", "Missions et composition"],
            }
        if kind == "milestones":
            return {
                "rows": [[french_date(m.due_date), m.title] for m in self.milestones],
                "header": ["Échéance", "Étape"],
            }
        if kind == "working_groups":
            return {
                "rows": [
                    [b.name, _members(b)] for b in self.bodies if b.kind == BodyKind.WORKING_GROUP
                ],
                "header": ["Groupe de travail", "Composition"],
            }
        raise KeyError(kind)

    def signatories(self) -> list[dict]:
        return [
            _signatory(
                self.letter.ars_signatory,
                "Agence régionale de santé",
                "Directeur général de l'agence régionale de santé",
            ),
            _signatory(
                self.letter.cd_signatory,
                "Conseil départemental",
                "Président du conseil départemental",
            ),
        ]

    def institutions(self) -> list[tuple[str, object]]:
        """The two signing institutions, for the letterhead: the signatories' organisations, or
        the directory's ARS and conseil départemental."""
        found = []
        for contact, sub_type, name in (
            (self.letter.ars_signatory, "ars", "Agence régionale de santé"),
            (self.letter.cd_signatory, "conseil_departemental", "Conseil départemental"),
        ):
            organisation = contact.organisation if contact else self.directory.get(sub_type)
            found.append((organisation.name, organisation.logo) if organisation else (name, None))
        return found


def letter_sections(project, letter, live: LiveData) -> list[dict]:
    sections = []
    for spec in SECTIONS:
        text = section_text(letter, spec.key)
        block = {
            "key": spec.key,
            "heading": spec.heading,
            "level": spec.level,
            "part": spec.part,
            "intro": spec.help,
            "paragraphs": [],
            "bullets": [],
            "rows": [],
            "header": [],
            "subheading": "",
            "image": "",
        }
        if spec.is_list:
            block["bullets"] = _split(text)
        else:
            block["paragraphs"] = _split(text)
        if spec.derived:
            extra = live.derived(spec.derived)
            block["paragraphs"] += extra.get("paragraphs", [])
            block["bullets"] += extra.get("bullets", [])
            for name in ("rows", "header", "subheading", "image"):
                if name in extra:
                    block[name] = extra[name]
        sections.append(block)
    return sections


def letter_place(letter) -> str:
    """ "Fait à …": the place set on the letter, or the chef-lieu of the territory's département."""
    return letter.place or default_place(letter.project.territory)


def letter_context(project, letter) -> dict:
    live = LiveData(project, letter)
    sections = letter_sections(project, letter, live)
    territory = project.territory.name
    of_territory = territory_of(project.territory)  # "du Finistère"
    return {
        "title": "Lettre de cadrage",
        "subtitle": "Mettre en œuvre un projet de parcours en psychiatrie et santé mentale",
        "parts": [
            {
                "key": part,
                "title": PART_TITLES[part],
                "sections": [s for s in sections if s["part"] == part],
            }
            for part in (LETTER, ANNEX)
        ],
        "by_key": {s["key"]: s for s in sections},
        "signatures": live.signatories(),
        "territory": {"name": territory},
        "duration": f"{letter.duration_months} mois",
        "status": letter.get_status_display(),
        "images": {"map": territory_map_svg(project.territory)},
        **letter_frame(
            institutions=live.institutions(),
            place=letter_place(letter),
            subject="lettre de cadrage du projet territorial de santé mentale (PTSM) "
            f"{of_territory}",
            addressees=[f"Aux partenaires du PTSM {of_territory}"],
            draft_mark=""
            if letter.status in ("validee", "signee")
            else f"Projet de lettre ({letter.get_status_display().lower()}) — ne pas signer",
        ),
    }


def context_lines(context: dict) -> list[str]:
    """The letter as lines of text, to compare two versions."""
    lines = []
    for part in context["parts"]:
        lines.append(f"# {part['title']}")
        for section in part["sections"]:
            lines.append(f"## {section['heading']}")
            lines += section["paragraphs"]
            lines += [f"- {item}" for item in section["bullets"]]
            lines += [" | ".join(row) for row in section["rows"]]
    lines += [s["line"] for s in context["signatures"]]
    return lines

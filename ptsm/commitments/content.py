"""Commitment letters as plain data, derived from the roadmap (no re-typing)."""

from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils.text import slugify

from ptsm.core.formatting import french_date, french_euros
from ptsm.core.guards import counted
from ptsm.core.prefetch import choice_label, prefetched
from ptsm.diagnostic.selectors import report_content
from ptsm.documents.letters import letter_frame
from ptsm.governance.models import Body, BodyKind
from ptsm.organisations.models import Organisation
from ptsm.roadmap.content import commitment_data
from ptsm.roadmap.levels import levels_of, project_levels
from ptsm.roadmap.models import COMMITTED_STATUSES, FundingNature
from ptsm.roadmap.selectors import (
    annexed_actions,
    credits_table,
    project_actions,
    roadmap_tree,
    roadmap_versions,
)
from ptsm.territories.selectors import (
    default_place,
    territory_card,
    territory_map_svg,
    territory_of,
)

from .models import CommitmentLetter
from .sections import ARTICLE_DEFAULTS, ARTICLES, COLLECTIVE_SECTIONS


def euros(amount) -> str:
    # The one rule for amounts (cents kept when there are any), as on the pages and the roadmap.
    return french_euros(amount)


def funding_cell(total, acquired) -> str:
    """'60 000 € (acquis)', '90 000 € (sollicité)', '625 000 € dont 90 000 € acquis'."""
    if acquired == total:
        return f"{euros(total)} (acquis)"
    if not acquired:
        return f"{euros(total)} (sollicité)"
    return f"{euros(total)} dont {euros(acquired)} acquis"


def committed_actions(project) -> list:
    """Actions validated by the COPIL (validated, in progress or done): they carry commitments."""
    return [a for a in project_actions(project) if a.status in COMMITTED_STATUSES]


def operators(project, actions: list | None = None) -> list[Organisation]:
    """Organisations that carry at least one validated action, in name order (`actions`: the
    committed actions when the caller has already read them)."""
    actions = committed_actions(project) if actions is None else actions
    found = {o.pk: o for action in actions for o in prefetched(action, "operators")}
    return sorted(found.values(), key=lambda o: (o.name.lower(), o.pk))


def operator_slugs(project) -> dict[int, str]:
    """A file-name slug for each organisation of the project, unique within it. Names that
    slugify the same ("CH Morlaix", "C.H. Morlaix") would give two annexes one file name: the
    oldest organisation keeps the plain slug, the next ones get "-2", "-3"… (by creation order,
    so a name does not change when another operator joins)."""
    taken: set[str] = set()
    slugs = {}
    for pk, name in (
        Organisation.objects.filter(project=project).order_by("pk").values_list("pk", "name")
    ):
        base = slugify(name)[:60] or f"operateur-{pk}"
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        taken.add(slug)
        slugs[pk] = slug
    return slugs


def operator_slug(organisation: Organisation, slugs: dict[int, str] | None = None) -> str:
    slugs = slugs if slugs is not None else operator_slugs(organisation.project_id)
    return (
        slugs.get(organisation.pk)
        or slugify(organisation.name)[:60]
        or f"operateur-{organisation.pk}"
    )


def current_letter(project) -> CommitmentLetter:
    letter = CommitmentLetter.objects.select_related(
        "regulator", "regulator_signatory__organisation", "cd_signatory__organisation", "session"
    ).filter(project=project).first() or CommitmentLetter(project=project)
    letter.project = project  # already read: no query when the letter's checks need it
    return letter


def roadmap_validated_on(project):
    """The date of the COPIL's latest validation of the roadmap, or None before any (read once
    per project object: a page checks it for the letters and for their annexes)."""
    if "_roadmap_validated_on" not in project.__dict__:
        latest = roadmap_versions(project).first()
        project.__dict__["_roadmap_validated_on"] = latest.validated_on if latest else None
    return project.__dict__["_roadmap_validated_on"]


def cd_co_pilots(project) -> bool:
    """The conseil départemental co-pilots the COPIL: it signs the commitment letters too."""
    return Body.objects.filter(project=project, kind=BodyKind.COPIL, co_piloted=True).exists()


def letter_place(letter) -> str:
    """ "Fait à …": the place set on the letter, or the chef-lieu of the territory's département."""
    return letter.place or default_place(letter.project.territory)


def signature_block(organisation_name: str, contact, title: str) -> dict:
    """A signature block: the institution, the signatory's title (their function) and name."""
    return {
        "role": organisation_name,
        "title": (contact.function if contact and contact.function else title),
        "name": contact.full_name if contact else "",
    }


def cd_organisation(project, letter) -> Organisation | None:
    """The co-piloting conseil départemental: its signatory's organisation, or the directory's."""
    if letter.cd_signatory is not None:
        return letter.cd_signatory.organisation
    return (
        Organisation.objects.filter(project=project, sub_type="conseil_departemental")
        .order_by("pk")
        .first()
    )


def institution_blocks(project, letter, co_pilots: bool) -> list[dict]:
    """The regulator's block, and the conseil départemental's when it co-pilots."""
    blocks = [
        signature_block(
            letter.regulator.name if letter.regulator else "Agence régionale de santé",
            letter.regulator_signatory,
            "Directeur général de l'agence régionale de santé",
        )
    ]
    if co_pilots:
        cd = cd_organisation(project, letter)
        blocks.append(
            signature_block(
                cd.name if cd else "Conseil départemental",
                letter.cd_signatory,
                "Président du conseil départemental",
            )
        )
    return blocks


def letterhead_institutions(project, letter, co_pilots: bool) -> list[tuple[str, object]]:
    found = [
        (letter.regulator.name, letter.regulator.logo)
        if letter.regulator
        else ("Agence régionale de santé", None)
    ]
    if co_pilots:
        cd = cd_organisation(project, letter)
        found.append((cd.name, cd.logo) if cd else ("Conseil départemental", None))
    return found


# Until the COPIL validated the roadmap, the commitments cannot be signed: their documents say so.
UNVALIDATED_ROADMAP_MARK = (
    "Projet — feuille de route en cours de validation par le comité de pilotage — ne pas signer"
)


def draft_mark(validated_on) -> str:
    return "" if validated_on else UNVALIDATED_ROADMAP_MARK


def roadmap_sentence(validated_on) -> str:
    if validated_on:
        return (
            "La feuille de route a été validée par le comité de pilotage du "
            f"{french_date(validated_on)}."
        )
    return "La feuille de route est en cours de validation par le comité de pilotage."


def _text(letter, key: str, default: str) -> str:
    return letter.texts.get(key, default)


def _split(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _operator_lines(actions, organisation) -> tuple[list, Decimal, Decimal]:
    lines = [
        line
        for a in actions
        for line in a.funding_lines.all()
        if line.operator_id == organisation.pk
    ]
    self_total = sum(
        (line.amount for line in lines if line.nature == FundingNature.SELF), Decimal(0)
    )
    aid_total = sum((line.amount for line in lines if line.nature == FundingNature.AID), Decimal(0))
    return lines, self_total, aid_total


def collective_context(project, actions: list | None = None) -> dict:
    """The collective letter's data (`actions`: the committed actions, when the bundle has
    already read them for the annexes)."""
    letter = current_letter(project)
    actions = committed_actions(project) if actions is None else actions
    tree = [o for o in roadmap_tree(project) if not o.archived]
    carriers = operators(project, actions)
    diagnostic = report_content(project)
    credits = credits_table(actions)
    validated_on = roadmap_validated_on(project)
    co_pilots = cd_co_pilots(project)
    of_territory = territory_of(project.territory)  # "du Finistère"
    contacts = (
        {s.organisation_id: s.contact for s in letter.signatories.select_related("contact")}
        if letter.pk
        else {}
    )
    derived = {
        "roadmap_validation": {"paragraphs": [roadmap_sentence(validated_on)]},
        "action_plan": {
            "paragraphs": [
                "L'engagement se concrétise, selon les modalités retenues dans la feuille de "
                "route, par la capacité, à moyens dédiés ou dans la limite de leurs propres "
                "moyens, des partenaires concernés à :"
            ],
            "first_bullets": [
                "S'impliquer dans la réalisation du diagnostic territorial à travers le plan "
                + (
                    f"d'actions validé par le comité de pilotage du {french_date(validated_on)}"
                    if validated_on
                    else "d'actions en cours de validation par le comité de pilotage"
                )
            ],
        },
        "diagnostic": {
            # The identity card of the referential, never an indicator of the diagnostic.
            "rows": [
                [label, value] for label, value in territory_card(project.territory).as_rows()
            ],
            "bullets": [
                f"{d['title']} — priorité : {d['priorities'][0]}"
                for d in diagnostic["doors"]
                if d["priorities"]
            ],
        },
        "orientations": {"bullets": [f"{o.code}. {o.title}" for o in tree]},
        "themes": {
            "bullets": [
                f"{t.code} {t.title}"
                for o in tree
                for t in o.themes.all()
                if not t.archived and not t.implicit
            ]
        },
        "objectives": {
            "bullets": [
                f"{ob.code} {ob.title} ("
                + (
                    counted(
                        len(
                            [
                                a
                                for a in ob.actions.all()
                                if not a.archived and a.status in COMMITTED_STATUSES
                            ]
                        ),
                        "fiche-action validée",
                        "fiches-actions validées",
                    )
                    or ["aucune fiche-action validée"]
                )[0]
                + ")"
                for o in tree
                for t in o.themes.all()
                if not t.archived
                for ob in t.objectives.all()
                if not ob.archived
            ]
        },
        "signatories": {
            "bullets": [
                f"{block['role']} ({'régulateur' if index == 0 else 'copilote du comité de pilotage'})"
                for index, block in enumerate(institution_blocks(project, letter, co_pilots))
            ]
            + [o.name for o in carriers]
        },
        "duration": {
            "paragraphs": [
                f"Cet engagement mutuel est valable pour une durée de {letter.term_months} "
                "mois, et entre en vigueur à partir de la signature de la présente lettre."
            ]
        },
        "pilots": {
            "bullets": sorted(
                {
                    f"{a.pilot_organisation.name}"
                    + (f" ({a.pilot_contact.full_name})" if a.pilot_contact else "")
                    for a in actions
                    if a.pilot_organisation
                }
            )
        },
        "actions": {
            "rows": [
                [f"{a.code} {a.title}", ", ".join(o.name for o in a.operators.all()) or "—"]
                for a in actions
            ],
            "header": ["Fiche-action", "Opérateurs engagés"],
        },
        "funding": {
            # Requested money is never presented as secured: each amount says what is acquired.
            "rows": [
                [label, funding_cell(amount, credits.acquired_by_funder.get(label, 0))]
                for label, amount in sorted(credits.by_funder.items())
            ]
            + [["Total", funding_cell(credits.total, credits.acquired)]],
            "header": ["Financeur", "Montant (sollicité ou acquis)"],
        },
        "calendar": {
            "rows": [
                [a.code, f"{french_date(a.start_date) or '—'} – {french_date(a.end_date) or '—'}"]
                for a in actions
            ],
            "header": ["Fiche-action", "Calendrier"],
        },
        "commitments": {
            "paragraphs": [
                (
                    "La feuille de route annexée à la présente lettre, validée par le comité de "
                    f"pilotage du {french_date(validated_on)}, précise"
                    if validated_on
                    else "La feuille de route, en cours de validation par le comité de pilotage, "
                    "précisera"
                )
                + " les éléments du projet d'amélioration du parcours retenu pour le territoire "
                f"{of_territory}."
            ]
        },
        "annex_list": {"bullets": [f"Annexe — {o.name}" for o in carriers]},
    }
    levels = project_levels(project)
    headings = {  # the roadmap's levels as the project names them
        "orientations": None
        if levels.is_default("orientation")
        else f"Les {levels.orientations.lower()}",
        "thematiques": None
        if levels.is_default("theme")
        else f"Les {levels.themes.lower()} de la feuille de route",
        "objectifs_plan": None
        if levels.is_default("objective")
        else f"{levels.objectives} et plan d'action",
    }
    sections = []
    for spec in COLLECTIVE_SECTIONS:
        if spec.key == "thematiques" and not levels.uses_themes:
            continue  # a roadmap without the theme level
        text = _text(letter, spec.key, spec.default)
        block = {
            "key": spec.key,
            "heading": headings.get(spec.key) or spec.heading,
            "level": spec.level,
            "paragraphs": [] if spec.is_list else _split(text),
            "bullets": _split(text) if spec.is_list else [],
            "rows": [],
            "header": [],
        }
        extra = derived.get(spec.derived, {})
        block["paragraphs"] += extra.get("paragraphs", [])
        block["bullets"] = extra.get("first_bullets", []) + block["bullets"]
        block["bullets"] += extra.get("bullets", [])
        block["rows"] = extra.get("rows", [])
        block["header"] = extra.get("header", [])
        sections.append(block)
    return {
        "title": "Lettre d'engagement collective",
        "sections": sections,
        "by_key": {s["key"]: s for s in sections},
        "duration": f"{letter.term_months} mois",
        "mode": letter.get_signature_mode_display(),
        "signatures": institution_blocks(project, letter, co_pilots)
        + [
            signature_block(o.name, contacts.get(o.pk), "Représentant de l'opérateur")
            for o in carriers
        ],
        "images": {"map": territory_map_svg(project.territory)},
        "operator_count": len(carriers),
        **letter_frame(
            institutions=letterhead_institutions(project, letter, co_pilots),
            place=letter_place(letter),
            subject="lettre d'engagement collective pour la mise en œuvre de la feuille de "
            f"route du projet territorial de santé mentale (PTSM) {of_territory}",
            addressees=[f"Aux partenaires du PTSM {of_territory}"],
            draft_mark=draft_mark(validated_on),
        ),
    }


class Snapshot:
    """What every annex of a project shares, read once (a bundle renders all of them). With
    `only`, what one operator's annex needs: its own actions and contact, and the project's
    counts (one annex alone does not read the whole roadmap)."""

    def __init__(self, project, only: Organisation | None = None):
        self.letter = current_letter(project)
        self.only = only
        if only is None:
            self.actions = committed_actions(project)  # read once per "Tout générer"
            self.action_count = len(self.actions)
        else:
            committed = project_actions(project).filter(status__in=COMMITTED_STATUSES)
            self.actions = list(annexed_actions(project, only))
        # The counts, the roadmap's level names and whether the CD co-pilots, in one query (one
        # annex alone costs a query per fact).
        counted_project = (
            type(project)
            .objects.filter(pk=project.pk)
            .select_related("roadmap_levels")
            .annotate(
                active_orientations=Count("orientations", filter=Q(orientations__archived=False)),
                cd_co_pilots=Exists(
                    Body.objects.filter(
                        project=OuterRef("pk"), kind=BodyKind.COPIL, co_piloted=True
                    )
                ),
            )
        )
        if only is not None:
            counted_project = counted_project.annotate(
                committed_actions=Subquery(
                    committed.order_by()
                    .values("objective__theme__orientation__project")
                    .annotate(count=Count("pk"))
                    .values("count")[:1]
                )
            )
        counted_project = counted_project.get()
        if only is not None:
            self.action_count = counted_project.committed_actions or 0
        self.__dict__["co_pilots"] = counted_project.cd_co_pilots  # the cached property's value
        self.orientation_count = counted_project.active_orientations
        self.levels = levels_of(getattr(counted_project, "roadmap_levels", None))
        self.project = project
        self.validated_on = roadmap_validated_on(project)
        self._actions_by_operator: dict[int, list] = {}
        for action in self.actions:
            for operator in prefetched(action, "operators"):
                self._actions_by_operator.setdefault(operator.pk, []).append(action)
        # The operators' first contacts only (a directory may hold thousands of organisations).
        if only is not None:
            self.first_contact = {only.pk: only.contacts.order_by("pk").first()}
        else:
            contacts = {}
            for organisation in Organisation.objects.filter(
                project=project, pk__in=list(self._actions_by_operator)
            ).prefetch_related("contacts"):
                contacts[organisation.pk] = min(
                    organisation.contacts.all(), key=lambda c: c.pk, default=None
                )
            self.first_contact = contacts

    # The letter's layout, read once for every annex, and only when documents are composed.
    @cached_property
    def signing_contacts(self) -> dict:
        """Each operator's signatory: the one chosen in the campaign, else its first contact."""
        contacts = dict(self.first_contact)
        if self.letter.pk:
            signatories = self.letter.signatories.select_related("contact")
            if self.only is not None:  # one annex: its operator's signatory only
                signatories = signatories.filter(organisation=self.only)
            for signatory in signatories:
                if signatory.contact is not None:
                    contacts[signatory.organisation_id] = signatory.contact
        return contacts

    @cached_property
    def of_territory(self) -> str:
        return territory_of(self.project.territory)  # "du Finistère", once for every annex

    @cached_property
    def co_pilots(self) -> bool:
        return cd_co_pilots(self.project)

    @cached_property
    def regulator_block(self) -> dict:
        return institution_blocks(self.project, self.letter, self.co_pilots)[0]

    @cached_property
    def frame(self) -> dict:
        return letter_frame(
            institutions=letterhead_institutions(self.project, self.letter, self.co_pilots),
            place=letter_place(self.letter),
            subject="",
            addressees=[],
            draft_mark=draft_mark(self.validated_on),
        )

    def actions_of(self, organisation) -> list:
        return self._actions_by_operator.get(organisation.pk, [])

    def operators(self) -> list[Organisation]:
        """Organisations that carry at least one validated action, in name order."""
        found = {o.pk: o for action in self.actions for o in prefetched(action, "operators")}
        return sorted(found.values(), key=lambda o: (o.name.lower(), o.pk))


def annex_context(
    project, organisation: Organisation, snapshot: Snapshot | None = None, *, document=True
) -> dict:
    """The annex's data; with `document=False`, without the letter's layout (letterhead,
    addressees, signature blocks): enough to compare its text with a stored version."""
    snapshot = snapshot or Snapshot(project, only=organisation)
    letter = snapshot.letter
    actions = snapshot.actions_of(organisation)
    lines, self_total, aid_total = _operator_lines(actions, organisation)
    contact = (snapshot.signing_contacts if document else snapshot.first_contact).get(
        organisation.pk
    )
    actions_count = counted(snapshot.action_count, "fiche-action", "fiches-actions")
    orientations = counted(
        snapshot.orientation_count,
        snapshot.levels.orientation.lower(),
        snapshot.levels.orientations.lower(),
    )
    validation = (
        f"validée par le comité de pilotage du {french_date(snapshot.validated_on)}"
        if snapshot.validated_on
        else "en cours de validation par le comité de pilotage"
    )
    address = " ".join(
        p
        for p in (
            organisation.address,
            organisation.postcode,
            organisation.commune.name if organisation.commune else "",
        )
        if p
    )
    context = {
        "title": f"Annexe à la lettre d'engagement — {organisation.name}",
        "articles": ARTICLES,
        "article1": (
            f"La feuille de route du projet territorial de santé mentale « {project.name} », "
            f"{validation}, comprend "
            f"{(actions_count or ['aucune fiche-action'])[0]}"
            + (f", réparties en {orientations[0]}" if orientations else "")
            + ". Le présent opérateur s'engage sur les fiches-actions ci-dessous."
        ),
        "operator": {
            "name": organisation.name,
            "category": choice_label(organisation, "category"),
            "legal_status": choice_label(organisation, "legal_status")
            if organisation.legal_status
            else "—",
            "finess": organisation.finess_et or "—",
            "siret": organisation.siret or "—",
            "address": address or "—",
            "signatory": ", ".join(p for p in (contact.full_name, contact.function) if p)
            if contact
            else "—",
        },
        "actions": [commitment_data(a) for a in actions],
        "resources": [
            {
                "action": next(a.code for a in actions if a.pk == line.action_id),
                "funder": choice_label(line, "funder"),
                "nature": line.get_nature_display(),
                "year": str(line.year),
                "amount": euros(line.amount),
                "status": choice_label(line, "status"),
            }
            for line in lines
        ],
        "self_total": euros(self_total),
        "aid_total": euros(aid_total),
        "article4": _text(letter, "article4", ARTICLE_DEFAULTS["article4"]),
        "article5": _text(letter, "article5", ARTICLE_DEFAULTS["article5"]),
        "article6": _text(letter, "article6", ARTICLE_DEFAULTS["article6"]),
        "duration": f"{letter.term_months} mois",
    }
    if not document:
        return context
    frame = snapshot.frame
    context |= {
        "regulator": snapshot.regulator_block,
        "operator_block": signature_block(
            organisation.name, contact, "Représentant de l'opérateur"
        ),
        "letter": {
            **frame["letter"],
            "object": "annexe à la lettre d'engagement collective — engagement de l'opérateur "
            f"« {organisation.name} » dans la mise en œuvre de la feuille de route du PTSM "
            f"{snapshot.of_territory}",
            "addressees": [organisation.name, *([address] if address else [])],
            "salutation": "",  # articles of a bilateral commitment, not a letter's prose
            "closing": "",
        },
        "logos": frame["logos"],
    }
    return context


def annex_signature_context(context: dict) -> dict:
    """Adds the bilateral signature blocks (regulator – operator) to an annex context."""
    context["signatures"] = [context["regulator"], context["operator_block"]]
    return context


def annex_lines(context: dict) -> list[str]:
    """The annex as text lines, to compare versions (amendments)."""
    lines = [context["article1"]]
    for action in context["actions"]:
        lines.append(
            f"{action['code']} {action['title']} — {action['period']} — conditions : {action['conditions']}"
        )
        lines += [f"  jalon {m['date']} : {m['title']}" for m in action["milestones"]]
    lines += [
        f"{r['action']} {r['funder']} ({r['nature']}) {r['year']} : {r['amount']} — {r['status']}"
        for r in context["resources"]
    ]
    lines += [
        f"Autofinancement : {context['self_total']}",
        f"Aide : {context['aid_total']}",
        context["article4"],
        context["article5"],
        context["article6"],
    ]
    return lines

"""Commitment letters as plain data, derived from the roadmap (no re-typing)."""

from decimal import Decimal

from django.utils.text import slugify

from ptsm.core.formatting import french_date, french_number
from ptsm.diagnostic.selectors import identity_card_rows, report_content
from ptsm.organisations.models import Organisation
from ptsm.roadmap.content import action_data
from ptsm.roadmap.models import COMMITTED_STATUSES, FundingNature, Orientation
from ptsm.roadmap.selectors import credits_table, project_actions, roadmap_tree
from ptsm.territories.selectors import territory_map_svg

from .models import CommitmentLetter
from .sections import ARTICLE_DEFAULTS, ARTICLES, COLLECTIVE_SECTIONS


def euros(amount) -> str:
    return f"{french_number(amount, 0)} €"


def committed_actions(project) -> list:
    """Actions validated by the COPIL (validated, in progress or done): they carry commitments."""
    return [a for a in project_actions(project) if a.status in COMMITTED_STATUSES]


def operators(project) -> list[Organisation]:
    """Organisations that carry at least one validated action, in name order."""
    found = {o.pk: o for action in committed_actions(project) for o in action.operators.all()}
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
    return CommitmentLetter.objects.select_related(
        "regulator", "regulator_signatory__organisation", "session"
    ).filter(project=project).first() or CommitmentLetter(project=project)


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


def collective_context(project) -> dict:
    letter = current_letter(project)
    actions = committed_actions(project)
    tree = [o for o in roadmap_tree(project) if not o.archived]
    carriers = operators(project)
    diagnostic = report_content(project)
    credits = credits_table(actions)
    derived = {
        "diagnostic": {
            "rows": identity_card_rows(project),
            "bullets": [
                f"{d['title']} — priorité : {d['priorities'][0]}"
                for d in diagnostic["doors"]
                if d["priorities"]
            ],
        },
        "orientations": {"bullets": [f"{o.code}. {o.title}" for o in tree]},
        "themes": {
            "bullets": [
                f"{t.code} {t.title}" for o in tree for t in o.themes.all() if not t.archived
            ]
        },
        "objectives": {
            "bullets": [
                f"{ob.code} {ob.title} ({len([a for a in ob.actions.all() if not a.archived])} "
                "fiche(s)-action(s))"
                for o in tree
                for t in o.themes.all()
                if not t.archived
                for ob in t.objectives.all()
                if not ob.archived
            ]
        },
        "signatories": {
            "bullets": ([f"{letter.regulator.name} (régulateur)"] if letter.regulator else [])
            + [o.name for o in carriers]
        },
        "duration": {
            "paragraphs": [
                f"Cet engagement mutuel est valable pour une durée de {letter.duration_months} "
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
            "rows": [[label, euros(amount)] for label, amount in sorted(credits.by_funder.items())]
            + [["Total", euros(credits.total)]],
            "header": ["Financeur", "Montant"],
        },
        "calendar": {
            "rows": [
                [a.code, f"{french_date(a.start_date) or '—'} – {french_date(a.end_date) or '—'}"]
                for a in actions
            ],
            "header": ["Fiche-action", "Calendrier"],
        },
        "commitments": {},
        "annex_list": {"bullets": [f"Annexe — {o.name}" for o in carriers]},
    }
    sections = []
    for spec in COLLECTIVE_SECTIONS:
        text = _text(letter, spec.key, spec.default)
        block = {
            "key": spec.key,
            "heading": spec.heading,
            "level": spec.level,
            "paragraphs": [] if spec.is_list else _split(text),
            "bullets": _split(text) if spec.is_list else [],
            "rows": [],
            "header": [],
        }
        extra = derived.get(spec.derived, {})
        block["paragraphs"] += extra.get("paragraphs", [])
        block["bullets"] += extra.get("bullets", [])
        block["rows"] = extra.get("rows", [])
        block["header"] = extra.get("header", [])
        sections.append(block)
    regulator_signatory = letter.regulator_signatory
    return {
        "title": "Lettre d'engagement collective",
        "sections": sections,
        "by_key": {s["key"]: s for s in sections},
        "duration": f"{letter.duration_months} mois",
        "mode": letter.get_signature_mode_display(),
        "signature_rows": [[o.name, ""] for o in carriers],
        "regulator": {
            "name": letter.regulator.name if letter.regulator else "Agence régionale de santé",
            "signatory": regulator_signatory.full_name
            if regulator_signatory
            else "le directeur général",
        },
        "images": {"map": territory_map_svg(project.territory)},
        "operator_count": len(carriers),
    }


class Snapshot:
    """What every annex of a project shares, read once (a bundle renders all of them). With
    `only`, what one operator's annex needs: its own actions and contact, and the project's
    counts (one annex alone does not read the whole roadmap)."""

    def __init__(self, project, only: Organisation | None = None):
        self.letter = current_letter(project)
        if only is None:
            self.actions = committed_actions(project)  # read once per "Tout générer"
            self.action_count = len(self.actions)
        else:
            committed = project_actions(project).filter(status__in=COMMITTED_STATUSES)
            self.actions = list(committed.filter(operators=only))
            self.action_count = committed.count()
        self.orientation_count = Orientation.objects.filter(project=project, archived=False).count()
        organisations = Organisation.objects.filter(project=project)
        if only is not None:
            organisations = organisations.filter(pk=only.pk)
        contacts = {}
        for organisation in organisations.prefetch_related("contacts"):
            contacts[organisation.pk] = min(
                organisation.contacts.all(), key=lambda c: c.pk, default=None
            )
        self.first_contact = contacts
        self._actions_by_operator: dict[int, list] = {}
        for action in self.actions:
            for operator in action.operators.all():
                self._actions_by_operator.setdefault(operator.pk, []).append(action)

    def actions_of(self, organisation) -> list:
        return self._actions_by_operator.get(organisation.pk, [])

    def operators(self) -> list[Organisation]:
        """Organisations that carry at least one validated action, in name order."""
        found = {o.pk: o for action in self.actions for o in action.operators.all()}
        return sorted(found.values(), key=lambda o: (o.name.lower(), o.pk))


def annex_context(project, organisation: Organisation, snapshot: Snapshot | None = None) -> dict:
    snapshot = snapshot or Snapshot(project, only=organisation)
    letter = snapshot.letter
    actions = snapshot.actions_of(organisation)
    lines, self_total, aid_total = _operator_lines(actions, organisation)
    contact = snapshot.first_contact.get(organisation.pk)
    regulator_signatory = letter.regulator_signatory
    return {
        "title": f"Annexe à la lettre d'engagement — {organisation.name}",
        "articles": ARTICLES,
        "article1": (
            f"La feuille de route du projet territorial de santé mentale « {project.name} » comprend "
            f"{snapshot.action_count} fiche(s)-action(s) validée(s) par le comité de pilotage, "
            f"réparties en {snapshot.orientation_count} orientation(s) "
            "stratégique(s). Le présent opérateur s'engage sur les fiches-actions ci-dessous."
        ),
        "operator": {
            "name": organisation.name,
            "category": organisation.get_category_display(),
            "legal_status": organisation.get_legal_status_display()
            if organisation.legal_status
            else "—",
            "finess": organisation.finess_et or "—",
            "siret": organisation.siret or "—",
            "address": " ".join(
                p
                for p in (
                    organisation.address,
                    organisation.postcode,
                    organisation.commune.name if organisation.commune else "",
                )
                if p
            )
            or "—",
            "signatory": f"{contact.full_name}, {contact.function}" if contact else "à désigner",
        },
        "actions": [action_data(a) for a in actions],
        "resources": [
            {
                "action": next(a.code for a in actions if a.pk == line.action_id),
                "funder": line.get_funder_display(),
                "nature": line.get_nature_display(),
                "year": str(line.year),
                "amount": euros(line.amount),
                "status": line.get_status_display(),
            }
            for line in lines
        ],
        "self_total": euros(self_total),
        "aid_total": euros(aid_total),
        "article4": _text(letter, "article4", ARTICLE_DEFAULTS["article4"]),
        "article5": _text(letter, "article5", ARTICLE_DEFAULTS["article5"]),
        "article6": _text(letter, "article6", ARTICLE_DEFAULTS["article6"]),
        "regulator": {
            "name": letter.regulator.name if letter.regulator else "Agence régionale de santé",
            "signatory": regulator_signatory.full_name
            if regulator_signatory
            else "le directeur général",
        },
        "duration": f"{letter.duration_months} mois",
    }


def annex_signature_context(context: dict) -> dict:
    """Adds the bilateral signature block (regulator – operator) to an annex context."""
    context["signature"] = [
        {
            "regulator": f"{context['regulator']['name']} — {context['regulator']['signatory']}",
            "operator": f"{context['operator']['name']} — {context['operator']['signatory']}",
        }
    ]
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

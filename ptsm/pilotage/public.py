"""What a published project shows to everyone: the transparency page, its Atom feed and its open
data (CSV and JSON described by a Frictionless data package). Institutions, figures and validated
content only — never a person: no contact, no pilot's name, no account."""

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import timezone

from ptsm.commitments.selectors import engagement_period, signed_commitments
from ptsm.core.anap import EntryDoor
from ptsm.diagnostic.selectors import diagnostic_versions, display, indicator_rows
from ptsm.evaluation.selectors import milestone_summary, validated_reviews
from ptsm.governance.selectors import body_institutions
from ptsm.projects.models import Project
from ptsm.projects.selectors import phase_history, phase_steps
from ptsm.roadmap.models import ActionStatus
from ptsm.roadmap.selectors import project_actions, roadmap_versions
from ptsm.territories.selectors import territory_card, territory_map_svg

from .models import PublicPage

SCHEMA_DIR = Path(__file__).parent / "opendata"
DATAPACKAGE = SCHEMA_DIR / "datapackage.json"


def page_of(project) -> PublicPage:
    return PublicPage.objects.filter(project=project).first() or PublicPage(project=project)


def published_project(slug: str) -> Project | None:
    return (
        Project.objects.select_related("territory", "region", "public_page")
        .filter(slug=slug, public_page__published=True)
        .first()
    )


@dataclass
class PublicContent:
    project: Project
    page: PublicPage
    card_rows: list
    map_svg: str
    steps: list
    milestones: list
    bodies: list
    roadmap_validated_on: dt.date | None
    actions: list = field(default_factory=list)  # (action, doors, status label, progress)
    indicators: list = field(default_factory=list)
    validations: list = field(default_factory=list)  # (date, what)
    signed: int = 0
    expected: int = 0
    files: list = field(default_factory=list)  # (resource name, title) of the open data
    # The roadmap in plain language: (orientation title, its summary's paragraphs,
    # [(fiche-action title, its summary's paragraphs)]) — only what has been written.
    plain: list = field(default_factory=list)
    documents: list = field(default_factory=list)  # PublicFile: frozen PDF, stored


def _public_actions(project) -> list:
    """The fiches-actions of the validated roadmap (those the COPIL has not validated yet are
    drafts and stay private)."""
    return [a for a in project_actions(project) if a.status != ActionStatus.DRAFT]


def _doors(action) -> str:
    labels = dict(EntryDoor.choices)
    return ", ".join(labels[d] for d in action.entry_doors if d in labels)


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def plain_language(actions) -> list:
    """The plain-language summaries of the validated fiches-actions, under their orientation
    (with its own summary): an orientation is shown when something about it was written."""
    groups: dict[int, tuple] = {}
    for action in actions:
        orientation = action.objective.theme.orientation
        if orientation.pk not in groups:
            groups[orientation.pk] = (orientation.title, _paragraphs(orientation.plain_summary), [])
        if action.plain_summary.strip():
            groups[orientation.pk][2].append((action.title, _paragraphs(action.plain_summary)))
    return [group for group in groups.values() if group[1] or group[2]]


def public_content(project) -> PublicContent:
    today = timezone.localdate()
    page = project.public_page
    versions = list(roadmap_versions(project))
    period = engagement_period(project)
    content = PublicContent(
        project=project,
        page=page,
        card_rows=territory_card(project.territory).as_rows(),
        map_svg=territory_map_svg(project.territory),
        steps=phase_steps(project),
        milestones=list(project.milestones.all()),
        bodies=body_institutions(project),
        roadmap_validated_on=versions[0].validated_on if versions else None,
        signed=period.signed,
        expected=period.expected,
    )
    if versions:
        public_actions = _public_actions(project)
        content.actions = [
            (a, _doors(a), a.get_status_display(), milestone_summary(a, today))
            for a in public_actions
        ]
        content.plain = plain_language(public_actions)
    chosen = set(page.indicator_codes)
    content.indicators = [r for r in indicator_rows(project) if r.indicator.code in chosen]
    content.validations = feed_events(project)
    content.documents = published_documents(project, page)
    content.files = [(r["name"], r["title"]) for r in _schema_package()["resources"]]
    return content


def published_documents(project, page: PublicPage | None = None) -> list:
    """The frozen PDF the chef de projet publishes, each as stored (its SHA-256 is the one of the
    Documents page); a validated document whose PDF was never generated is not offered."""
    from ptsm.documents.selectors import public_files

    page = page or page_of(project)
    return [f for f in public_files(project, page.document_kinds) if f.document is not None]


@dataclass(frozen=True)
class DocumentChoice:
    """A kind of document the chef de projet may publish, and where this project stands."""

    kind: object  # documents.registry.DocumentKind
    stored: int  # frozen PDF stored: what the page offers once chosen
    waiting: int  # frozen but never generated: generate it from the Documents page


def document_choices(project) -> list[DocumentChoice]:
    """Every kind the registry allows on a public page that this project has (an annual review
    only for a contract that has it), with its frozen files."""
    from ptsm.documents.selectors import public_files, publishable_kinds

    kinds = [kind for kind in publishable_kinds() if kind.variants_for(project)]
    files = public_files(project, [kind.slug for kind in kinds])
    return [
        DocumentChoice(
            kind=kind,
            stored=sum(1 for f in files if f.kind.slug == kind.slug and f.document is not None),
            waiting=sum(1 for f in files if f.kind.slug == kind.slug and f.document is None),
        )
        for kind in kinds
    ]


def published_document(project, pk: int):
    """The stored file of one published document, or None (not published, not frozen)."""
    return next((f.document for f in published_documents(project) if f.document.pk == pk), None)


# Atom feed --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedEvent:
    date: dt.date
    key: str  # stable, for the entry's id
    title: str


def feed_events(project) -> list[FeedEvent]:
    """What changed in public: phases reached, validations by the COPIL, signatures, reviews."""
    events = [
        FeedEvent(
            c.changed_on,
            f"phase-{c.pk}",
            f"Le projet entre en phase « {c.get_to_phase_display()} »",
        )
        for c in phase_history(project)
    ]
    events += [
        FeedEvent(
            v.validated_on,
            f"diagnostic-{v.number}",
            f"Diagnostic partagé validé par le COPIL (version {v.number})",
        )
        for v in diagnostic_versions(project)
    ]
    events += [
        FeedEvent(
            v.validated_on,
            f"feuille-de-route-{v.number}",
            f"Feuille de route validée par le COPIL (version {v.number})",
        )
        for v in roadmap_versions(project)
    ]
    events += [
        FeedEvent(s.signed_on, f"signature-{s.pk}", f"Engagement signé : {s.organisation.name}")
        for s in signed_commitments(project)
    ]
    events += [
        FeedEvent(
            v.validated_on, f"bilan-{v.pk}", f"{v.review.get_kind_display()} validé par le COPIL"
        )
        for v in validated_reviews(project)
    ]
    return sorted(events, key=lambda e: (e.date, e.key), reverse=True)


def atom_feed(project, page_url: str) -> bytes:
    events = feed_events(project)
    updated = events[0].date if events else project.start_date

    def stamp(date: dt.date) -> str:
        return f"{date.isoformat()}T00:00:00Z"

    entries = "".join(
        "<entry>"
        f"<id>{escape(page_url)}#{escape(e.key)}</id>"
        f"<title>{escape(e.title)}</title>"
        f"<updated>{stamp(e.date)}</updated>"
        f'<link rel="alternate" type="text/html" href="{escape(page_url)}"/>'
        "</entry>"
        for e in events
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">'
        f"<id>{escape(page_url)}</id>"
        f"<title>{escape(project.name)} — ce qui change</title>"
        f"<updated>{stamp(updated)}</updated>"
        f"<author><name>{escape(project.name)}</name></author>"
        f'<link rel="alternate" type="text/html" href="{escape(page_url)}"/>'
        f'<link rel="self" type="application/atom+xml" href="{escape(page_url)}flux.atom"/>'
        f"{entries}</feed>"
    ).encode()


# Open data --------------------------------------------------------------------------------------


def _schema_package() -> dict:
    return json.loads(DATAPACKAGE.read_text(encoding="utf-8"))


def _rows(project) -> dict[str, list[dict]]:
    """Each resource's rows, keyed by the field names of its Table Schema."""
    actions = _public_actions(project) if roadmap_versions(project).exists() else []
    fiches, funding = [], []
    for action in actions:
        objective = action.objective
        fiches.append(
            {
                "numero": action.number,
                "intitule": action.title,
                "orientation": objective.theme.orientation.title,
                "thematique": objective.theme.title,
                "objectif": objective.title,
                "portes_entree": _doors(action),
                "statut": action.get_status_display(),
                "debut": action.start_date.isoformat() if action.start_date else "",
                "fin": action.end_date.isoformat() if action.end_date else "",
                "organisation_pilote": action.pilot_organisation.name
                if action.pilot_organisation
                else "",
            }
        )
        for line in action.funding_lines.all():
            funding.append(
                {
                    "fiche_action": action.number,
                    "financeur": line.get_funder_display(),
                    "nature": line.get_nature_display(),
                    "annee": line.year,
                    "montant": line.amount,
                    "statut": line.get_status_display(),
                    "reconductible": line.recurring,
                    "operateur": line.operator.name if line.operator else "",
                }
            )
    chosen = set(page_of(project).indicator_codes)
    indicators = []
    for row in indicator_rows(project):
        if row.indicator.code not in chosen:
            continue
        for _level, value in sorted(row.values.items()):
            indicators.append(
                {
                    "code": row.indicator.code,
                    "intitule": row.indicator.label,
                    "niveau": value.get_level_display(),
                    "annee": value.year,
                    "valeur": None if value.masked else value.value,
                    "masque": value.masked,
                    "affichage": display(value),
                    "unite": row.indicator.unit,
                    "source": value.source or row.indicator.source,
                }
            )
    bodies = [
        {"instance": body.name, "type": body.get_kind_display(), "organisation": name}
        for body, names in body_institutions(project)
        for name in names or [""]
    ]
    return {
        "fiches-actions": fiches,
        "financements": funding,
        "indicateurs": indicators,
        "instances": bodies,
    }


def _csv(fields: list[str], rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow(
            [
                ("true" if row[f] else "false")
                if isinstance(row[f], bool)
                else ("" if row[f] is None else row[f])
                for f in fields
            ]
        )
    return buffer.getvalue().encode("utf-8")


def datapackage(project) -> dict:
    """The project's data package: the versioned schemas of `opendata/datapackage.json`, with
    the project's name and both files (CSV, JSON) of each resource."""
    package = _schema_package()
    package["name"] = f"ptsm-{project.slug}"
    package["title"] = f"{project.name} — données publiques"
    resources = []
    for resource in package.pop("resources"):
        name = resource["name"]
        # The dialect is stated, never sniffed: a label holding « ; » must not make a reader
        # take it for the delimiter.
        resources.append(
            {
                **resource,
                "path": f"{name}.csv",
                "format": "csv",
                "dialect": {"delimiter": ",", "header": True, "doubleQuote": True},
            }
        )
        resources.append(
            {
                **resource,
                "name": f"{name}-json",
                "title": f"{resource['title']} (JSON)",
                "path": f"{name}.json",
                "format": "json",
                "mediatype": "application/json",
            }
        )
    package["resources"] = resources
    return package


def open_data_file(project, name: str) -> tuple[bytes, str] | None:
    if name == "datapackage.json":
        return (
            json.dumps(datapackage(project), ensure_ascii=False, indent=2).encode(),
            "application/json",
        )
    stem, _, extension = name.rpartition(".")
    schemas = {r["name"]: r["schema"] for r in _schema_package()["resources"]}
    if stem not in schemas or extension not in ("csv", "json"):
        return None
    rows = _rows(project)[stem]
    fields = [f["name"] for f in schemas[stem]["fields"]]
    if extension == "csv":
        return _csv(fields, rows), "text/csv; charset=utf-8"
    # Rows as arrays under a header row (Frictionless' tabular JSON): an empty resource stays a
    # readable table.
    records = [fields] + [
        [float(row[f]) if isinstance(row[f], Decimal) else row[f] for f in fields] for row in rows
    ]
    return json.dumps(records, ensure_ascii=False).encode(), "application/json"

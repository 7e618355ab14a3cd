"""Reads of the commitments app: the campaign, the engagement period, the bundle's parts."""

import datetime as dt
import difflib
from concurrent.futures import Future
from dataclasses import dataclass

from django.db.models import Subquery
from django.utils import timezone

from ptsm.accounts.permissions import sees_every_operator
from ptsm.core.formatting import french_date
from ptsm.documents.letters import Missing
from ptsm.documents.registry import get_kind
from ptsm.documents.rendering import ConcurrentRenderer
from ptsm.documents.services import (
    document_meta,
    frozen_document,
    frozen_states,
    generate_document,
)
from ptsm.organisations.models import Organisation
from ptsm.projects.models import Milestone, MilestoneKey, add_months

from .bundle import BundlePart
from .content import (
    Snapshot,
    annex_context,
    annex_lines,
    annex_signature_context,
    collective_context,
    current_letter,
    operator_slugs,
)
from .documents import ANNEX_KIND, COLLECTIVE_KIND
from .models import AnnexVersion, Signatory, SignatoryStatus

EXPIRY_WARNING_DAYS = 60


def operator_scope(queryset, *, role, organisation_id):
    """Signatories or annex versions a role may see: all of them, or for a signataire
    d'opérateur only those of the organisation their membership names (none without one)."""
    if sees_every_operator(role):
        return queryset
    if organisation_id is None:
        return queryset.none()
    return queryset.filter(organisation_id=organisation_id)


def signatories(letter):
    if letter.pk is None:
        return Signatory.objects.none()
    return letter.signatories.select_related(
        "organisation", "contact", "annex_version__pdf"
    ).order_by("organisation__name")


@dataclass(frozen=True)
class Period:
    start: dt.date | None
    end: dt.date | None
    signed: int
    expected: int

    @property
    def complete(self) -> bool:
        return self.expected > 0 and self.signed == self.expected

    def warning(self, today: dt.date) -> str:
        if not self.end:
            return ""
        if self.end < today:
            return f"Les engagements ont expiré le {self.end:%d/%m/%Y}."
        if (self.end - today).days <= EXPIRY_WARNING_DAYS:
            return f"Les engagements expirent le {self.end:%d/%m/%Y} : préparez le bilan final et les suites."
        return ""


def engagement_period(project) -> Period:
    """The commitment starts at the last signature, once every operator has signed. Once
    started (the project's « engagements signés » milestone done on that date), it keeps its
    start: an operator joining later (a fiche-action added during a contract) or an amendment
    signed does not move it. It runs for the contract's duration (CTSM) or the letter's."""
    letter = current_letter(project)
    started = Milestone.objects.filter(
        project=project, key=MilestoneKey.COMMITMENTS_SIGNED, done_on__isnull=False
    ).values("done_on")[:1]
    # One query: each signatory's state, and the date the commitments started (if they did).
    rows = list(
        signatories(letter)
        .annotate(started=Subquery(started))
        .values_list("status", "signed_on", "started")
    )
    signed_dates = [d for status, d, _started in rows if status == SignatoryStatus.SIGNED and d]
    complete = rows and len(signed_dates) == len(rows)
    started_on = rows[0][2] if rows else None
    # (A milestone marked done by hand while nobody signed starts nothing.)
    start = (started_on or (max(signed_dates) if complete else None)) if signed_dates else None
    return Period(
        start=start,
        end=add_months(start, project.contract_months or letter.duration_months) if start else None,
        signed=len(signed_dates),
        expected=len(rows),
    )


def latest_annex_versions(letter) -> dict[int, AnnexVersion]:
    """Operator → its latest annex version."""
    if letter.pk is None:
        return {}
    latest = {}
    for version in letter.annex_versions.select_related("pdf").order_by(
        "organisation_id", "-number"
    ):
        latest.setdefault(version.organisation_id, version)
    return latest


@dataclass(frozen=True)
class AnnexState:
    organisation: Organisation
    version: AnnexVersion | None
    current: bool  # the version says what the roadmap says now
    # Fiches-actions of the operator added since its latest version (« 2.1.3 Équipe mobile »):
    # once signed, they bind it only through an amendment.
    added: tuple[str, ...] = ()

    @property
    def amendment_reason(self) -> str:
        """The amendment's motive, proposed when fiches-actions were added."""
        if not self.added:
            return ""
        return (
            "Ajout de la fiche-action " if len(self.added) == 1 else "Ajout des fiches-actions "
        ) + ", ".join(self.added)

    @property
    def label(self) -> str:
        if self.version is None:
            return "Non générée"
        if self.current:
            return f"Version {self.version.number}, à jour"
        return f"Version {self.version.number} périmée : la feuille de route a changé depuis, " + (
            "établissez un avenant" if self.version.signed else "générez l'annexe de nouveau"
        )


def is_amendment_pending(signatory, latest_version) -> bool:
    """Signed, and a newer version (an amendment) of the annex awaits its own signature."""
    return bool(
        signatory.status == SignatoryStatus.SIGNED
        and latest_version is not None
        and latest_version.pk != signatory.annex_version_id
        and not latest_version.signed
    )


def annex_states(project, letter) -> dict[int, AnnexState]:
    """Operator → whether its latest annex still matches the roadmap, in operator order (one read
    of the roadmap)."""
    snapshot = Snapshot(project)
    latest = latest_annex_versions(letter)
    states = {}
    for organisation in snapshot.operators():
        version = latest.get(organisation.pk)
        current = version is not None and version.lines == annex_lines(
            annex_context(project, organisation, snapshot, document=False)
        )
        added = ()
        if version is not None and not current:
            added = tuple(
                f"{action.code} « {action.title} »"
                for action in snapshot.actions_of(organisation)
                if not any(
                    line.startswith(f"{action.code} {action.title} — ") for line in version.lines
                )
            )
        states[organisation.pk] = AnnexState(organisation, version, current, added)
    return states


def annexes_to_generate(project, letter, states: dict[int, AnnexState] | None = None) -> list:
    """Operators that have not signed and whose annex has no version matching the roadmap
    (`states`: the annex states when already read)."""
    states = annex_states(project, letter) if states is None else states
    signed = set(
        letter.signatories.filter(status=SignatoryStatus.SIGNED).values_list(
            "organisation_id", flat=True
        )
    )
    return [
        state.organisation
        for state in states.values()
        if state.organisation.pk not in signed and not state.current
    ]


def amendments(project) -> list[AnnexVersion]:
    """The amendments (avenants) of the project's annexes, oldest first."""
    return list(
        AnnexVersion.objects.filter(letter__project=project, is_amendment=True)
        .select_related("organisation")
        .order_by("created_at", "pk")
    )


def commitment_statuses(project) -> dict[int, str]:
    """Operator → status of its commitment (for the roadmap's synthesis table)."""
    return dict(
        Signatory.objects.filter(letter__project=project).values_list("organisation_id", "status")
    )


def signatory_of(project, organisation) -> Signatory | None:
    return (
        Signatory.objects.filter(letter__project=project, organisation=organisation)
        .select_related("annex_version")
        .first()
    )


def annex_diff(old, new) -> list[dict]:
    kinds = {"- ": "removed", "+ ": "added", "  ": "same"}
    return [
        {"kind": kinds[line[:2]], "text": line[2:]}
        for line in difflib.ndiff(old.lines, new.lines)
        if line[:2] in kinds
    ]


ROADMAP_KIND = "feuille-de-route"
PENDING = "en attente de signature"


def bundle_heading(signed: int, expected: int) -> str:
    """The cover says what the bundle is: signed only when every commitment is."""
    if expected and signed == expected:
        return "Liasse des engagements signés"
    return f"Liasse des engagements — {signed} {'signés' if signed > 1 else 'signé'} sur {expected}"


@dataclass(frozen=True)
class BundleContents:
    heading: str
    parts: list[BundlePart]


def _read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def _validated_roadmap(project) -> tuple[bytes, str] | None:
    """The roadmap's PDF as the COPIL validated it (its frozen file), with the date."""
    kind = get_kind(ROADMAP_KIND)
    freeze = frozen_states(project, kind).get("")
    if freeze is None:
        return None
    document = frozen_document(project, kind, "", "pdf", freeze) or generate_document(
        project=project, kind_slug=ROADMAP_KIND, fmt="pdf"
    )
    return _read(document.content), f"validée par le COPIL le {french_date(freeze.on)}"


def _collective_part(project, renderer, snapshot, meta) -> bytes | Future:
    kind = get_kind(COLLECTIVE_KIND)
    freeze = frozen_states(project, kind).get("")
    if freeze is not None:  # frozen at the first signature
        document = frozen_document(project, kind, "", "pdf", freeze)
        if document is not None:
            return _read(document.content)
    # The same context as the document kind's, from the actions the annexes already read.
    context = collective_context(project, actions=snapshot.actions)
    return renderer.submit(kind.renderers["pdf"], {**context, "meta": meta})


def bundle_parts(project) -> BundleContents:
    """The collective letter, the validated roadmap (annexed to it), then each operator's annex
    in name order: its signed PDF when received, otherwise its latest annex version if it still
    matches the roadmap, otherwise the annex composed now. Shared data is read once for all
    annexes, and the annexes composed now are composed concurrently while the next contexts
    are prepared."""
    today = timezone.localdate()
    letter = current_letter(project)
    by_operator = {s.organisation_id: s for s in signatories(letter)}
    annex = get_kind(ANNEX_KIND)
    snapshot = Snapshot(project)
    meta = document_meta(project, today)
    versions = latest_annex_versions(letter)
    annexes = []  # (title, file name, PDF or its future, note), in operator order
    signed_dates = []
    with ConcurrentRenderer() as renderer:
        collective = _collective_part(project, renderer, snapshot, meta)
        slugs = operator_slugs(project)
        for organisation in snapshot.operators():
            signatory = by_operator.get(organisation.pk)
            stem = f"annexe-{slugs[organisation.pk]}"
            title = f"Annexe — {organisation.name}"
            if signatory is not None and signatory.status == SignatoryStatus.SIGNED:
                note = f"signée le {french_date(signatory.signed_on)}"
                signed_dates.append(signatory.signed_on)
                if signatory.signed_file:
                    data = _read(signatory.signed_file)
                    annexes.append((title, f"{stem}-signee.pdf", data, note))
                else:  # signed in session: the version signed, whatever changed since
                    data = _read(signatory.annex_version.pdf.content)
                    annexes.append((title, f"{stem}.pdf", data, note))
                continue
            # Compared without the letter's layout (the stored lines hold only the text); an
            # operator without a stored version has nothing to compare.
            latest = versions.get(organisation.pk)
            if latest is not None and latest.lines == annex_lines(
                annex_context(project, organisation, snapshot, document=False)
            ):
                data = _read(latest.pdf.content)
            else:
                context = annex_signature_context(annex_context(project, organisation, snapshot))
                data = renderer.submit(annex.renderers["pdf"], {**context, "meta": meta})
            annexes.append((title, f"{stem}.pdf", data, PENDING))
    expected = len(annexes)
    complete = expected > 0 and len(signed_dates) == expected
    parts = [
        BundlePart(
            "Lettre d'engagement collective",
            "lettre-engagement-collective.pdf",
            collective,
            f"signée le {french_date(max(signed_dates))}" if complete else PENDING,
        )
    ]
    roadmap = _validated_roadmap(project)
    if roadmap is not None:
        parts.append(BundlePart("Feuille de route", "feuille-de-route.pdf", *roadmap))
    parts += [BundlePart(title, name, source, note) for title, name, source, note in annexes]
    return BundleContents(heading=bundle_heading(len(signed_dates), expected), parts=parts)


def letter_guidance(project, role=None) -> list[dict]:
    """Seed 001's « Présentation du document », with links to the matching pages."""
    from ptsm.core.guidance import guidance_panel

    from .sections import GUIDANCE

    return guidance_panel(GUIDANCE, project, role)


def readiness(
    letter, organisation=None, *, place: str | None = None, signatories=None
) -> list[Missing]:
    """What the commitment letters lack before they are sent for signature or signed, with where
    to fix it. With `organisation`, only what that operator's annex needs (its own signatory,
    not the other operators')."""
    from django.urls import reverse

    from ptsm.organisations.selectors import signatory_gaps

    from .content import cd_co_pilots, letter_place, roadmap_validated_on
    from .sections import COLLECTIVE_SECTIONS

    project = letter.project
    slug = project.slug
    settings_url = reverse("commitments:letter", kwargs={"slug": slug}) + "#parametres"
    missing = []
    if letter.regulator is None:
        missing.append(Missing("Régulateur (ARS) à désigner.", settings_url))
    gaps = signatory_gaps(
        letter.regulator_signatory, who="régulateur", choose_url=settings_url, slug=slug
    )
    if cd_co_pilots(project):
        gaps += signatory_gaps(
            letter.cd_signatory,
            who="conseil départemental, copilote du comité de pilotage",
            choose_url=settings_url,
            slug=slug,
        )
    if signatories is None:
        signatories = (
            letter.signatories.select_related("organisation", "contact") if letter.pk else []
        )
    for signatory in signatories:
        if organisation is not None and signatory.organisation_id != organisation.pk:
            continue
        gaps += signatory_gaps(
            signatory.contact,
            who=f"opérateur {signatory.organisation.name}",
            choose_url=reverse(
                "organisations:detail", kwargs={"slug": slug, "pk": signatory.organisation_id}
            ),
            slug=slug,
        )
    missing += [Missing(label, url) for label, url in gaps]
    if roadmap_validated_on(project) is None:
        missing.append(
            Missing(
                "La feuille de route n'est pas encore validée par le comité de pilotage.",
                reverse("roadmap:validate", kwargs={"slug": slug}),
            )
        )
    if not (letter_place(letter) if place is None else place):
        missing.append(Missing("Lieu de signature (« Fait à … ») non renseigné.", settings_url))
    if organisation is None:
        for spec in COLLECTIVE_SECTIONS:
            if spec.default and not letter.texts.get(spec.key, spec.default).strip():
                missing.append(
                    Missing(
                        f"Section « {spec.heading} » vide.",
                        reverse("commitments:text", kwargs={"slug": slug, "key": spec.key}),
                    )
                )
    return missing


def engagement_periods(project_ids) -> dict[int, Period]:
    """`engagement_period` for several projects in one query (regional cockpit): signatures n/N
    and, once every operator has signed, the period they run for."""
    from django.db.models import Count, Max, Q

    signed = Q(status=SignatoryStatus.SIGNED, signed_on__isnull=False)
    rows = (
        Signatory.objects.filter(letter__project_id__in=project_ids)
        .values("letter__project_id")
        .annotate(
            expected=Count("pk"),
            signed=Count("pk", filter=signed),
            last=Max("signed_on", filter=signed),
            months=Max("letter__duration_months"),
        )
        .values_list("letter__project_id", "expected", "signed", "last", "months")
        .order_by()
    )
    periods = {}
    for project_id, expected, signed_count, last, months in rows:
        start = last if expected and signed_count == expected else None
        periods[project_id] = Period(
            start=start,
            end=add_months(start, months) if start else None,
            signed=signed_count,
            expected=expected,
        )
    return periods


def organisation_commitments(organisation_ids) -> list[Signatory]:
    """The commitments (one signatory per operator and project) of some directory rows, with
    their project: one query."""
    return list(
        Signatory.objects.filter(organisation_id__in=list(organisation_ids))
        .select_related("letter__project", "organisation")
        .order_by("letter__project__name")
    )


def signed_commitments(project):
    """The operators whose commitment is signed, with the date, latest first."""
    return (
        Signatory.objects.filter(
            letter__project=project, status=SignatoryStatus.SIGNED, signed_on__isnull=False
        )
        .select_related("organisation")
        .order_by("-signed_on", "-pk")
    )

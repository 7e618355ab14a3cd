"""The commitments' « À faire » lines: « Mon engagement » for a signataire d'opérateur (their
organisation's annex, the collective letter, the upload of the signed PDF, the signature's
status and the amendments concerning them), the annexes still unsigned for the chef de projet,
and the engagement period's warning on the project's home page."""

from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.core.formatting import plural
from ptsm.documents.models import GeneratedDocument
from ptsm.projects.models import Phase
from ptsm.projects.todo import (
    LEAD_ROLES,
    DashboardPanel,
    TodoContext,
    TodoItem,
    TodoProvider,
    TodoSection,
    register,
    register_panel,
)

from .documents import COLLECTIVE_KIND
from .models import AnnexVersion, Signatory, SignatoryStatus
from .selectors import engagement_period, is_amendment_pending

UNSIGNED_NAMES_SHOWN = 5


def my_commitment(context: TodoContext) -> TodoSection:
    """Only the organisation the signataire's membership names: never another operator's annex
    or signatory (nor their e-mail address)."""
    project = context.project
    section = {"key": "mon-engagement", "title": "Mon engagement"}
    if context.organisation_id is None:
        return TodoSection(
            **section,
            items=[],
            empty="Votre rôle dans le projet n'est rattaché à aucun opérateur signataire : "
            "demandez au chef de projet de l'indiquer.",
        )
    signatory = (
        Signatory.objects.filter(letter__project=project, organisation_id=context.organisation_id)
        .select_related("organisation", "contact", "letter")
        .first()
    )
    if signatory is None:
        return TodoSection(
            **section,
            items=[],
            empty="Votre organisation ne porte pas encore de fiche-action validée : aucune lettre "
            "d'engagement ne lui est destinée pour le moment.",
        )
    versions = list(
        AnnexVersion.objects.filter(
            letter=signatory.letter, organisation_id=signatory.organisation_id
        )
        .select_related("pdf", "docx")
        .order_by("-number")
    )
    latest = versions[0] if versions else None
    collective = (
        GeneratedDocument.objects.filter(project=project, kind=COLLECTIVE_KIND, format="pdf")
        .order_by("-version")
        .first()
    )
    amendment_pending = is_amendment_pending(signatory, latest)
    to_sign = latest is not None and (
        signatory.status != SignatoryStatus.SIGNED or amendment_pending
    )
    items = []
    if to_sign:
        items.append(
            TodoItem(
                label=(
                    f"Signer l'avenant de {signatory.organisation.name}"
                    if amendment_pending
                    else f"Signer l'annexe de {signatory.organisation.name}"
                ),
                url="#depot-annexe-signee",
                detail="Téléchargez l'annexe, faites-la signer par la personne habilitée, puis "
                "déposez le PDF signé ci-dessous",
            )
        )
    return TodoSection(
        **section,
        items=items,
        template="commitments/_todo_engagement.html",
        extra={
            "slug": project.slug,
            "signatory": signatory,
            "latest": latest,
            "amendments": [v for v in versions if v.is_amendment],
            "collective": collective,
            "to_sign": to_sign,
            "amendment_pending": amendment_pending,
            "today": context.today,
        },
    )


def unsigned_annexes(context: TodoContext) -> list[TodoItem]:
    project = context.project
    if project.phase not in (Phase.COMMITMENT, Phase.IMPLEMENTATION):
        return []
    rows = list(
        Signatory.objects.filter(letter__project=project)
        .exclude(status=SignatoryStatus.SIGNED)
        .values_list("organisation__name", "status")
        .order_by("organisation__name")
    )
    if not rows:
        return []
    names = ", ".join(name for name, _status in rows[:UNSIGNED_NAMES_SHOWN])
    to_send = sum(1 for _name, status in rows if status == SignatoryStatus.TO_PREPARE)
    return [
        TodoItem(
            label="Obtenir la signature des lettres d'engagement",
            url=reverse("commitments:letter", kwargs={"slug": project.slug}),
            detail=plural(len(rows), "annexe non signée", "annexes non signées")
            + (f" (dont {to_send} à envoyer)" if to_send else "")
            + f" : {names}"
            + ("…" if len(rows) > UNSIGNED_NAMES_SHOWN else ""),
        )
    ]


def period_panel(project, today) -> dict | None:
    phases = list(Phase.values)
    if phases.index(project.phase) < phases.index(Phase.COMMITMENT):
        return None  # nothing signed yet, nothing to expire (and no query spent on it)
    warning = engagement_period(project).warning(today)
    return {"warning": warning} if warning else None


def register_todo() -> None:
    register(
        TodoProvider(
            key="mon-engagement",
            roles=frozenset({Role.OPERATOR_SIGNATORY}),
            provider=my_commitment,
            order=10,
        )
    )
    register(
        TodoProvider(
            key="engagements",
            roles=LEAD_ROLES,
            provider=unsigned_annexes,
            order=16,
            section="etapes",
        )
    )
    register_panel(
        DashboardPanel(
            key="periode-engagement",
            template="commitments/_dashboard_panel.html",
            context=period_panel,
            order=10,
        )
    )

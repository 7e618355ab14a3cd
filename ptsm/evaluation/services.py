"""Writes of the evaluation app: indicator values, review texts and assessments, COPIL validation."""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ptsm.core.concurrency import save_sections
from ptsm.core.mail import header_text
from ptsm.governance.validation import record_validation
from ptsm.projects.services import record_method_event

from .events import validated_event
from .models import ActionAssessment, ActionIndicatorValue, Review, ReviewKind, ReviewValidation
from .sections import document_stem, review_sections
from .selectors import REVIEWED_STATUSES, measurement_requests, review_context, review_lines

MAX_TEXT = 20_000


def ensure_review(*, project, kind: str, number: int = 0) -> Review:
    if kind == ReviewKind.ANNUAL and not 1 <= number <= project.annual_reviews:
        raise ValidationError(
            f"Ce projet n'a pas de bilan annuel n° {number} : "
            + (
                f"son contrat en prévoit {project.annual_reviews}."
                if project.is_contract
                else "seul un CTSM a des bilans annuels."
            )
        )
    review, _ = Review.objects.get_or_create(
        project=project, kind=kind, number=number if kind == ReviewKind.ANNUAL else 0
    )
    return review


@transaction.atomic
def record_indicator_value(
    *, indicator, measured_on: dt.date, value: str, comment: str = "", user=None
) -> ActionIndicatorValue:
    value = (value or "").strip()
    if not value:
        raise ValidationError("Indiquez la valeur mesurée.")
    if measured_on is None:
        raise ValidationError("Indiquez la date de la mesure.")
    if measured_on > timezone.localdate():
        raise ValidationError("La date de la mesure ne peut pas être dans le futur.")
    return ActionIndicatorValue.objects.create(
        indicator=indicator,
        measured_on=measured_on,
        value=value[:100],
        comment=(comment or "").strip()[:255],
        recorded_by=user if user is not None and user.is_authenticated else None,
    )


@transaction.atomic
def delete_indicator_value(*, value: ActionIndicatorValue) -> None:
    value.delete()


@transaction.atomic
def save_review_texts(
    *, review: Review, texts: dict[str, str], user=None, bases: dict[str, str] | None = None
) -> Review:
    """Save the review's texts under a row lock: with `bases` (fingerprints of the sections as
    the form loaded them) only the sections this user changed are written, so two people
    writing two sections at once both keep their text (see `ptsm.core.concurrency`)."""
    sections = {s.key: s.heading for s in review_sections(review.kind)}
    unknown = set(texts) - set(sections)
    if unknown:
        raise ValidationError(f"Section inconnue : {', '.join(sorted(unknown))}.")
    for text in texts.values():
        if len(text) > MAX_TEXT:
            raise ValidationError(f"Texte trop long ({MAX_TEXT} caractères au plus).")
    saved = save_sections(
        Review,
        review.pk,
        field="texts",
        texts=texts,
        bases=bases,
        labels=sections,
        extra={"updated_by": user if user is not None and user.is_authenticated else None},
    )
    review.texts = saved.texts
    return review


@transaction.atomic
def save_assessments(*, review: Review, comments: dict[int, str]) -> int:
    """One comment per fiche-action of the plan; an empty comment removes the assessment."""
    from ptsm.roadmap.models import Action

    allowed = set(
        Action.objects.filter(
            objective__theme__orientation__project=review.project, status__in=REVIEWED_STATUSES
        ).values_list("pk", flat=True)
    )
    if set(comments) - allowed:
        raise ValidationError("Cette fiche-action n'appartient pas au plan d'actions du projet.")
    existing = {a.action_id: a for a in review.assessments.all()}
    changed = 0
    for action_id, comment in comments.items():
        comment = comment.strip()
        if len(comment) > MAX_TEXT:
            raise ValidationError(f"Appréciation trop longue ({MAX_TEXT} caractères au plus).")
        current = existing.get(action_id)
        if current is None and comment:
            ActionAssessment.objects.create(review=review, action_id=action_id, comment=comment)
        elif current is not None and not comment:
            current.delete()
        elif current is not None and current.comment != comment:
            current.comment = comment
            current.save(update_fields=["comment"])
        else:
            continue
        changed += 1
    return changed


@transaction.atomic
def validate_review(
    *, review: Review, meeting, decision: str, validated_on: dt.date, user=None
) -> ReviewValidation:
    """The COPIL validates the review as it reads now: its content is frozen with its SHA-256,
    and its documents stored as validated."""
    from ptsm.documents.services import freeze_documents

    from .documents import review_freeze

    lines = review_lines(review_context(review.project, review, validated_on))
    digest = hashlib.sha256(json.dumps(lines, ensure_ascii=False).encode()).hexdigest()
    validation = record_validation(
        model=ReviewValidation,
        project=review.project,
        meeting=meeting,
        decision=decision,
        validated_on=validated_on,
        user=user,
        digest=digest,
        unchanged_message="Ce bilan est identique à la dernière version validée.",
        scope={"review": review},
        lines=lines,
    )
    freeze_documents(
        project=review.project,
        kind_slugs=[document_stem(review.kind, review.number)],
        freeze=review_freeze(review.project, review.kind, review.number),
        user=user,
        today=validated_on,
    )
    record_method_event(
        project=review.project,
        key=validated_event(review.project, review.kind, review.number).key,
        happened_on=validated_on,
        user=user,
    )
    return validation


@dataclass(frozen=True)
class ReminderReport:
    sent: int
    unreachable: list[str]  # actions whose pilot has no e-mail address


def ask_pilots_for_measurements(
    *, project, base_url: str, already_sent=(), on_sent=None, progress=None
) -> ReminderReport:
    """One e-mail per pilot listing the indicators of the actions they pilot (validated or in
    progress), with their latest value and the page where to record a new one. Each e-mail is
    reported to `on_sent` as soon as it left; the addresses in `already_sent` (a sending resumed
    after an interruption) are not written to again."""
    requests, unreachable = measurement_requests(project)
    sent = 0
    with get_connection() as connection:
        for index, request in enumerate(requests):
            if progress is not None:
                progress(index, len(requests), "Envoi des courriels aux pilotes")
            sent += 1
            if request.email in already_sent:
                continue
            EmailMessage(
                subject=header_text(f"[ptsm] Indicateurs à mesurer — {project.name}"),
                body=render_to_string(
                    "evaluation/emails/measurements.txt",
                    {
                        "project": project,
                        "request": request,
                        "lines": [
                            {
                                "row": row,
                                "url": base_url
                                + reverse(
                                    "evaluation:indicator",
                                    kwargs={"slug": project.slug, "pk": row.indicator.pk},
                                ),
                            }
                            for row in request.rows
                        ],
                    },
                ),
                to=[request.email],
                connection=connection,
            ).send()
            if on_sent is not None:
                on_sent(request.email)
    return ReminderReport(sent=sent, unreachable=[f"{a.code} {a.title}" for a in unreachable])

"""Writes of the consultations app: set up, open, answer, moderate, close, summarise, archive."""

import datetime as dt

from auditlog.context import disable_auditlog
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from ptsm.core.concurrency import AlreadyDone
from ptsm.core.mail import header_text

from .models import (
    TEXT_ANSWER_MAX,
    Answer,
    Consultation,
    ConsultationStatus,
    InvitationSending,
    Question,
    QuestionKind,
    Response,
)
from .targets import Target

# A second sending of the link to the same body within this delay is a double click.
RESEND_INTERVAL = dt.timedelta(minutes=10)


def _locked(consultation: Consultation) -> Consultation:
    """The consultation's row, locked and read again (a double click waits, then sees the
    first request's result)."""
    return Consultation.objects.select_for_update().get(pk=consultation.pk)


@transaction.atomic
def create_consultation(
    *,
    project,
    title: str,
    introduction: str,
    target: Target,
    opens_on: dt.date,
    closes_on: dt.date,
    meeting=None,
) -> Consultation:
    # The project's row is locked so that two creations at once do not take the same number.
    type(project).objects.select_for_update().filter(pk=project.pk).values_list("pk").first()
    number = (project.consultations.aggregate(n=Max("number"))["n"] or 0) + 1
    consultation = Consultation(
        project=project,
        number=number,
        title=title,
        introduction=introduction,
        target_kind=target.kind,
        target_ref=target.ref,
        target_label=target.label,
        opens_on=opens_on,
        closes_on=closes_on,
        meeting=meeting,
    )
    _check_dates(consultation)
    consultation.full_clean()
    consultation.save()
    return consultation


def _check_dates(consultation: Consultation) -> None:
    if consultation.closes_on < consultation.opens_on:
        raise ValidationError({"closes_on": "La clôture des réponses doit suivre leur ouverture."})
    if (
        consultation.meeting_id is not None
        and consultation.meeting.body.project_id != consultation.project_id
    ):
        raise ValidationError({"meeting": "Cette séance n'appartient pas au projet."})


@transaction.atomic
def update_consultation(
    *,
    consultation: Consultation,
    target: Target | None = None,
    expected_version: int | None = None,
    **fields,
) -> Consultation:
    """Change the title, introduction, dates, step or meeting. The questions and the step are
    fixed once answers arrived (the answers were given to those questions). With
    `expected_version` (the form's), a change saved meanwhile by someone else is not overwritten."""
    locked = _locked(consultation)
    locked.expect_version(expected_version)
    if target is not None and (target.kind, target.ref) != (locked.target_kind, locked.target_ref):
        if locked.responses.exists():
            raise ValidationError("L'étape concernée ne change plus une fois des réponses reçues.")
        locked.target_kind, locked.target_ref, locked.target_label = (
            target.kind,
            target.ref,
            target.label,
        )
    for name, value in fields.items():
        setattr(locked, name, value)
    if locked.status == ConsultationStatus.ARCHIVED:
        raise ValidationError("Une consultation archivée ne se modifie plus.")
    _check_dates(locked)
    locked.full_clean()
    locked.save()
    return locked


def _editable_questions(consultation: Consultation) -> None:
    if consultation.status != ConsultationStatus.DRAFT:
        raise ValidationError(
            "Les questions ne se modifient que tant que la consultation est en brouillon."
        )


@transaction.atomic
def add_question(
    *,
    consultation: Consultation,
    kind: str,
    text: str,
    choices: list[str] = (),
    help_text: str = "",
    required: bool = False,
) -> Question:
    locked = _locked(consultation)
    _editable_questions(locked)
    choices = [c.strip() for c in choices if c.strip()]
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and len(choices) < 2:
        raise ValidationError({"choices": "Proposez au moins deux réponses, une par ligne."})
    if kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        choices = []
    position = (locked.questions.aggregate(p=Max("position"))["p"] or 0) + 1
    question = Question(
        consultation=locked,
        position=position,
        kind=kind,
        text=text,
        help_text=help_text,
        choices=choices,
        required=required,
    )
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def delete_question(*, question: Question) -> None:
    _editable_questions(_locked(question.consultation))
    question.delete()


@transaction.atomic
def open_consultation(*, consultation: Consultation) -> Consultation:
    locked = _locked(consultation)
    if locked.status == ConsultationStatus.OPEN:
        raise AlreadyDone("La consultation est déjà ouverte.")
    if locked.status == ConsultationStatus.ARCHIVED:
        raise ValidationError("Une consultation archivée ne se rouvre pas.")
    if not locked.questions.exists():
        raise ValidationError("Ajoutez au moins une question avant d'ouvrir la consultation.")
    locked.status = ConsultationStatus.OPEN
    locked.opened_at = locked.opened_at or timezone.now()
    locked.closed_at = None
    locked.save(update_fields=["status", "opened_at", "closed_at", "updated_at"])
    return locked


@transaction.atomic
def close_consultation(*, consultation: Consultation) -> Consultation:
    locked = _locked(consultation)
    if locked.status == ConsultationStatus.CLOSED:
        raise AlreadyDone("La consultation est déjà close.")
    if locked.status != ConsultationStatus.OPEN:
        raise ValidationError("Seule une consultation ouverte peut être close.")
    locked.status = ConsultationStatus.CLOSED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    return locked


@transaction.atomic
def archive_consultation(*, consultation: Consultation) -> Consultation:
    locked = _locked(consultation)
    if locked.status == ConsultationStatus.ARCHIVED:
        raise AlreadyDone("La consultation est déjà archivée.")
    if locked.status == ConsultationStatus.OPEN:
        raise ValidationError("Clôturez la consultation avant de l'archiver.")
    locked.status = ConsultationStatus.ARCHIVED
    locked.save(update_fields=["status", "updated_at"])
    return locked


@transaction.atomic
def delete_consultation(*, consultation: Consultation) -> None:
    locked = _locked(consultation)
    if locked.responses.exists():
        raise ValidationError(
            "Cette consultation a reçu des réponses : elle ne peut pas être supprimée. "
            "Vous pouvez l'archiver."
        )
    locked.delete()


@transaction.atomic
def save_summary(*, consultation: Consultation, summary: str) -> Consultation:
    locked = _locked(consultation)
    if locked.status not in (ConsultationStatus.CLOSED, ConsultationStatus.ARCHIVED):
        raise ValidationError("La synthèse se rédige une fois la consultation close.")
    locked.summary = summary.strip()
    locked.summarised_at = timezone.now() if locked.summary else None
    locked.full_clean()
    locked.save(update_fields=["summary", "summarised_at", "updated_at"])
    return locked


def accepts_answers(consultation: Consultation, today: dt.date) -> bool:
    return (
        consultation.status == ConsultationStatus.OPEN
        and consultation.opens_on <= today <= consultation.closes_on
    )


def refusal_reason(consultation: Consultation, today: dt.date) -> str | None:
    """Why the consultation takes no answer today (in French), or None when it does."""
    if accepts_answers(consultation, today):
        return None
    if consultation.status == ConsultationStatus.DRAFT or (
        consultation.status == ConsultationStatus.OPEN and today < consultation.opens_on
    ):
        if consultation.status == ConsultationStatus.OPEN:
            return (
                "Cette consultation n'est pas encore ouverte : vous pourrez répondre à partir "
                f"du {consultation.opens_on:%d/%m/%Y}."
            )
        return "Cette consultation n'est pas encore ouverte."
    return "Cette consultation est close : elle ne reçoit plus de réponses. Merci de votre intérêt."


@transaction.atomic
def submit_response(
    *, consultation: Consultation, category: str, answers: dict[int, dict], today: dt.date
) -> Response:
    """Record one participant's answers: `answers` maps a question's id to {"text": …} or
    {"choices": [positions]}. Nothing identifying is stored: the category and the date only."""
    locked = _locked(consultation)
    if reason := refusal_reason(locked, today):
        raise ValidationError(reason)
    questions = {q.pk: q for q in locked.questions.all()}
    response = Response(consultation=locked, category=category, submitted_on=today)
    response.full_clean()
    rows = []
    for pk, value in answers.items():
        question = questions.get(pk)
        if question is None:
            raise ValidationError("Cette question n'appartient pas à la consultation.")
        text = (value.get("text") or "").strip()
        choices = sorted(set(value.get("choices") or []))
        if len(text) > TEXT_ANSWER_MAX:
            raise ValidationError(
                f"Votre réponse dépasse {TEXT_ANSWER_MAX} caractères : raccourcissez-la."
            )
        if any(not 0 <= c < len(question.options) for c in choices) or (
            question.kind != QuestionKind.MULTIPLE and len(choices) > 1
        ):
            raise ValidationError("Cette réponse n'est pas proposée.")
        if text or choices:
            rows.append(Answer(question=question, text=text, choices=choices))
    if not rows:
        raise ValidationError("Répondez à au moins une question.")
    # Not journalled: the journal's entry would keep the participant's IP address beside their
    # answer. Only the moderation (the chef de projet's act) is.
    with disable_auditlog():
        response.save()
    for row in rows:
        row.response = response
    Answer.objects.bulk_create(rows)
    return response


@transaction.atomic
def hide_response(*, response: Response, reason: str, today: dt.date) -> Response:
    """Hide an answer from the results, with the reason (the journal keeps who did it)."""
    locked = Response.objects.select_for_update().get(pk=response.pk)
    if locked.hidden:
        raise AlreadyDone("Cette réponse est déjà masquée.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"hidden_reason": "Indiquez le motif du masquage."})
    locked.hidden, locked.hidden_reason, locked.hidden_on = True, reason, today
    locked.full_clean()
    locked.save(update_fields=["hidden", "hidden_reason", "hidden_on"])
    return locked


@transaction.atomic
def show_response(*, response: Response) -> Response:
    locked = Response.objects.select_for_update().get(pk=response.pk)
    if not locked.hidden:
        raise AlreadyDone("Cette réponse est déjà affichée.")
    locked.hidden, locked.hidden_reason, locked.hidden_on = False, "", None
    locked.save(update_fields=["hidden", "hidden_reason", "hidden_on"])
    return locked


@transaction.atomic
def claim_link_sending(
    *, consultation: Consultation, body_id: int, body_name: str, emails: list[str]
) -> InvitationSending:
    """Record that the answer link is being sent to a body's members, under the consultation's
    lock: a second click within minutes raises AlreadyDone instead of sending it twice."""
    locked = _locked(consultation)
    if locked.status != ConsultationStatus.OPEN:
        raise ValidationError("Ouvrez la consultation avant d'en envoyer le lien.")
    if not recipients_of(emails):
        raise ValidationError("Aucun membre de cette instance n'a d'adresse électronique.")
    last = locked.invitation_sendings.filter(body_name=body_name).order_by("-sent_at").first()
    if last is not None and timezone.now() - last.sent_at < RESEND_INTERVAL:
        raise AlreadyDone(
            f"Le lien vient d'être envoyé aux membres de « {body_name} » : aucun courriel "
            "n'est envoyé une seconde fois."
        )
    return InvitationSending.objects.create(
        consultation=locked,
        body_id=body_id,
        body_name=body_name,
        recipients=len(recipients_of(emails)),
    )


def recipients_of(emails: list[str]) -> list[str]:
    """Each address once, in a stable order (a resumed sending skips those already sent)."""
    return sorted({e.strip().lower() for e in emails if e and e.strip()})


def send_link(
    *, sending: InvitationSending, emails: list[str], answer_url: str, progress=None
) -> int:
    """E-mail the answer link to each address. Every member gets the same public link: an
    answer cannot be traced back to an invitation; which addresses is not kept. Returns how
    many e-mails left."""
    consultation = sending.consultation
    body = render_to_string(
        "consultations/emails/invitation.txt",
        {"consultation": consultation, "project": consultation.project, "answer_url": answer_url},
    )
    subject = header_text(f"[ptsm] Votre avis : {consultation.title}")
    addresses = recipients_of(emails)
    for index, email in enumerate(addresses):
        if progress is not None:
            progress(index, len(addresses), "Envoi du lien de la consultation")
        if index < sending.sent:
            continue  # sent before an interruption
        EmailMessage(subject=subject, body=body, to=[email]).send()
        sending.sent = index + 1
        sending.save(update_fields=["sent"])
    return sending.sent

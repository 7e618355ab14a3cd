"""Reads of the consultations app: the list, the results (a fixed number of queries whatever
the number of answers), the participation figures of one or many projects."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from .models import (
    CATEGORY_PLURALS,
    Answer,
    Consultation,
    ParticipantCategory,
    Question,
    QuestionKind,
    Response,
)


def project_consultations(project) -> QuerySet[Consultation]:
    return (
        Consultation.objects.filter(project=project)
        .select_related("meeting")
        .annotate(
            shown_count=Count("responses", filter=Q(responses__hidden=False)),
            hidden_count=Count("responses", filter=Q(responses__hidden=True)),
        )
        .order_by("-number")
    )


def consultation(project, number: int) -> Consultation:
    return Consultation.objects.select_related("project", "meeting__body").get(
        project=project, number=number
    )


def consultation_by_token(token: str) -> Consultation:
    return Consultation.objects.select_related("project").get(token=token)


def questions(consultation: Consultation) -> list[Question]:
    return list(consultation.questions.all())


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


@dataclass(frozen=True)
class Tally:
    label: str
    count: int
    percent: int


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    options: list[Tally] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    @property
    def is_text(self) -> bool:
        return self.question.kind == QuestionKind.TEXT


@dataclass
class Results:
    consultation: Consultation
    shown: int  # answers counted in the results
    hidden: int  # answers hidden by moderation: counted here only, for transparency
    categories: list[Tally]
    questions: list[QuestionResult]


def results(consultation: Consultation, questions_: list[Question] | None = None) -> Results:
    """The published results: hidden answers are left out of every count but their number."""
    questions_ = questions_ if questions_ is not None else list(consultation.questions.all())
    rows = list(consultation.responses.values_list("category", "hidden"))
    shown = [category for category, hidden in rows if not hidden]
    by_category = Counter(shown)
    categories = [
        Tally(CATEGORY_PLURALS[c], by_category[c.value], percent(by_category[c.value], len(shown)))
        for c in ParticipantCategory
    ]
    answers = defaultdict(list)
    for answer in Answer.objects.filter(
        response__consultation=consultation, response__hidden=False
    ).order_by("pk"):
        answers[answer.question_id].append(answer)
    results_ = []
    for question in questions_:
        given = answers[question.pk]
        result = QuestionResult(question, answered=len(given))
        if question.kind == QuestionKind.TEXT:
            result.texts = [a.text for a in given if a.text]
        else:
            chosen = Counter(c for a in given for c in a.choices)
            result.options = [
                Tally(label, chosen[i], percent(chosen[i], len(given)))
                for i, label in enumerate(question.options)
            ]
        results_.append(result)
    return Results(consultation, len(shown), len(rows) - len(shown), categories, results_)


def responses_for_moderation(consultation: Consultation) -> list[Response]:
    """Every answer, hidden ones included, with its texts (three queries); each answer gets
    `display`: its text, or the options chosen."""
    responses = list(consultation.responses.prefetch_related("answers__question").order_by("-pk"))
    for response in responses:
        for answer in response.answers.all():
            options = answer.question.options
            answer.display = answer.text or " ; ".join(
                options[i] for i in answer.choices if 0 <= i < len(options)
            )
    return responses


# Participation figures -------------------------------------------------------------------------

HELD = ~Q(opened_at=None)


@dataclass(frozen=True)
class ProjectParticipation:
    held: int
    answers: int
    by_category: dict[str, int]


def participation(project_ids: list[int]) -> dict[int, ProjectParticipation]:
    """Consultations held (opened at least once) and their answers not hidden, by category, for
    many projects in two queries."""
    held = dict(
        Consultation.objects.filter(HELD, project_id__in=project_ids)
        .values_list("project_id")
        .annotate(n=Count("pk"))
    )
    counts: dict[int, Counter] = defaultdict(Counter)
    for project_id, category, n in (
        Response.objects.filter(consultation__project_id__in=project_ids, hidden=False)
        .values_list("consultation__project_id", "category")
        .annotate(n=Count("pk"))
    ):
        counts[project_id][category] += n
    return {
        pk: ProjectParticipation(
            held=held.get(pk, 0), answers=sum(counts[pk].values()), by_category=dict(counts[pk])
        )
        for pk in project_ids
        if held.get(pk) or counts[pk]
    }

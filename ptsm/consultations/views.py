import hashlib
import secrets

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from ptsm.accounts.permissions import Capability, role_allows
from ptsm.accounts.security import client_ip
from ptsm.core.concurrency import AlreadyDone, EditConflict
from ptsm.documents.registry import CONTENT_TYPES
from ptsm.documents.services import generate_document
from ptsm.governance import selectors as governance
from ptsm.projects.access import project_view

from . import selectors, services
from .documents import SLUG
from .forms import (
    AnswerForm,
    ConsultationForm,
    HideForm,
    QuestionForm,
    SendLinkForm,
    SummaryForm,
)
from .jobs import start_link_sending
from .models import TEXT_ANSWER_MAX, Consultation, ConsultationStatus, Question, Response

# The participant's browser: set by the answer form, it keys the rate limit with the address.
BROWSER_COOKIE = "ptsm_consultation"
RATE_LIMIT_SECONDS = 60


def _can_manage(request) -> bool:
    return role_allows(request.project_role, Capability.MANAGE_CONSULTATIONS)


def _consultation(project, number) -> Consultation:
    try:
        return selectors.consultation(project, number)
    except Consultation.DoesNotExist as exc:
        raise Http404("Consultation introuvable.") from exc


def _answer_url(request, consultation) -> str:
    return request.build_absolute_uri(reverse("consultations:answer", args=[consultation.token]))


def _detail(consultation):
    return redirect(
        "consultations:detail", slug=consultation.project.slug, number=consultation.number
    )


def _run(request, action, success: str) -> bool:
    try:
        action()
    except AlreadyDone as done:
        messages.info(request, done.messages[0])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    else:
        messages.success(request, success)
    return True


def _meetings(project):
    return list(governance.project_meetings(project).select_related("body"))


@project_view(Capability.VIEW_PROJECT)
@require_safe
def consultation_list(request, project):
    consultations = list(selectors.project_consultations(project))
    return render(
        request,
        "consultations/list.html",
        {
            "page_title": "Consultations",
            "consultations": [(c, _answer_url(request, c)) for c in consultations],
            "can_manage": _can_manage(request),
        },
    )


@project_view(Capability.MANAGE_CONSULTATIONS)
def consultation_create(request, project):
    form = ConsultationForm(request.POST or None, project=project, meetings=_meetings(project))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consultation = services.create_consultation(
                project=project,
                title=data["title"],
                introduction=data["introduction"],
                target=data["target"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                meeting=data["meeting"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "La consultation est créée : ajoutez ses questions.")
            return _detail(consultation)
    return render(
        request,
        "consultations/form.html",
        {"page_title": "Nouvelle consultation", "form": form},
    )


@project_view(Capability.MANAGE_CONSULTATIONS)
def consultation_edit(request, project, number):
    consultation = _consultation(project, number)
    initial = {
        "title": consultation.title,
        "introduction": consultation.introduction,
        "target": f"{consultation.target_kind}:{consultation.target_ref}",
        "opens_on": consultation.opens_on,
        "closes_on": consultation.closes_on,
        "meeting": consultation.meeting_id,
        "version": consultation.version,
    }
    form = ConsultationForm(
        request.POST or None, initial=initial, project=project, meetings=_meetings(project)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_consultation(
                consultation=consultation,
                target=data["target"],
                title=data["title"],
                introduction=data["introduction"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                meeting=data["meeting"],
                expected_version=data["version"],
            )
        except EditConflict as conflict:
            # The user's input stays; the next save goes over the version they have now seen.
            rebased = form.data.copy()
            rebased["version"] = conflict.current.version
            form.data = rebased
            form.add_error(None, conflict)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "La consultation est enregistrée.")
            return _detail(consultation)
    return render(
        request,
        "consultations/form.html",
        {
            "page_title": f"Modifier la consultation n° {number}",
            "form": form,
            "consultation": consultation,
        },
    )


@project_view(Capability.MANAGE_CONSULTATIONS)
def consultation_detail(request, project, number):
    consultation = _consultation(project, number)
    question_form = QuestionForm(request.POST or None)
    if request.method == "POST" and question_form.is_valid():
        data = question_form.cleaned_data
        try:
            services.add_question(consultation=consultation, **data)
        except ValidationError as exc:
            question_form.add_error(None, exc)
        else:
            messages.success(request, "La question est ajoutée.")
            return _detail(consultation)
    bodies = list(governance.project_bodies(project))
    has_answers = consultation.responses.exists()
    return render(
        request,
        "consultations/detail.html",
        {
            "page_title": f"Consultation n° {consultation.number} : {consultation.title}",
            "consultation": consultation,
            "questions": selectors.questions(consultation),
            "question_form": question_form
            if consultation.status == ConsultationStatus.DRAFT
            else None,
            "send_form": SendLinkForm(bodies=bodies)
            if consultation.status == ConsultationStatus.OPEN
            else None,
            "summary_form": SummaryForm(initial={"summary": consultation.summary})
            if consultation.status in (ConsultationStatus.CLOSED, ConsultationStatus.ARCHIVED)
            else None,
            "answer_url": _answer_url(request, consultation),
            "has_answers": has_answers,
            "sendings": list(consultation.invitation_sendings.all()),
            "text_limit": TEXT_ANSWER_MAX,
        },
    )


@project_view(Capability.MANAGE_CONSULTATIONS)
@require_POST
def question_delete(request, project, number, pk):
    consultation = _consultation(project, number)
    question = get_object_or_404(Question, consultation=consultation, pk=pk)
    _run(request, lambda: services.delete_question(question=question), "La question est retirée.")
    return _detail(consultation)


@project_view(Capability.MANAGE_CONSULTATIONS)
@require_POST
def consultation_open(request, project, number):
    consultation = _consultation(project, number)
    _run(
        request,
        lambda: services.open_consultation(consultation=consultation),
        "La consultation est ouverte : son lien de réponse est actif aux dates prévues.",
    )
    return _detail(consultation)


@project_view(Capability.MANAGE_CONSULTATIONS)
@require_POST
def consultation_close(request, project, number):
    consultation = _consultation(project, number)
    _run(
        request,
        lambda: services.close_consultation(consultation=consultation),
        "La consultation est close : elle ne reçoit plus de réponses.",
    )
    return _detail(consultation)


@project_view(Capability.MANAGE_CONSULTATIONS)
@require_POST
def consultation_archive(request, project, number):
    consultation = _consultation(project, number)
    _run(
        request,
        lambda: services.archive_consultation(consultation=consultation),
        "La consultation est archivée.",
    )
    return _detail(consultation)


@project_view(Capability.MANAGE_CONSULTATIONS)
def consultation_delete(request, project, number):
    """A confirmation page, then the deletion (refused once answers arrived: archive it)."""
    consultation = _consultation(project, number)
    if request.method != "POST":
        return render(
            request,
            "consultations/confirm_delete.html",
            {
                "page_title": f"Supprimer la consultation n° {consultation.number}",
                "consultation": consultation,
                "has_answers": consultation.responses.exists(),
            },
        )
    if _run(
        request,
        lambda: services.delete_consultation(consultation=consultation),
        "La consultation est supprimée.",
    ):
        return redirect("consultations:list", slug=project.slug)
    return _detail(consultation)


@project_view(Capability.MANAGE_CONSULTATIONS)
@require_POST
def consultation_summary(request, project, number):
    consultation = _consultation(project, number)
    form = SummaryForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.save_summary(
                consultation=consultation, summary=form.cleaned_data["summary"]
            ),
            "La synthèse est enregistrée.",
        )
    else:
        messages.error(request, " ".join(form.errors.get("summary", [])))
    return _detail(consultation)


@project_view(Capability.MANAGE_CONSULTATIONS)
@require_POST
def consultation_send(request, project, number):
    consultation = _consultation(project, number)
    bodies = list(governance.project_bodies(project))
    form = SendLinkForm(request.POST, bodies=bodies)
    if not form.is_valid():
        messages.error(request, "Choisissez une instance du projet.")
        return _detail(consultation)
    try:
        job = start_link_sending(
            consultation=consultation,
            body=form.cleaned_data["body"],
            answer_url=_answer_url(request, consultation),
            user=request.user,
        )
    except AlreadyDone as done:
        messages.info(request, done.messages[0])
        return _detail(consultation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _detail(consultation)
    return redirect("jobs:detail", slug=project.slug, pk=job.pk)


@project_view(Capability.VIEW_PROJECT)
@require_safe
def consultation_results(request, project, number):
    consultation = _consultation(project, number)
    return render(
        request,
        "consultations/results.html",
        {
            "page_title": f"Résultats de la consultation n° {consultation.number}",
            "consultation": consultation,
            "results": selectors.results(consultation),
            "can_manage": _can_manage(request),
        },
    )


@project_view(Capability.MANAGE_CONSULTATIONS)
def consultation_moderation(request, project, number):
    consultation = _consultation(project, number)
    return render(
        request,
        "consultations/moderation.html",
        {
            "page_title": f"Modération de la consultation n° {consultation.number}",
            "consultation": consultation,
            "responses": selectors.responses_for_moderation(consultation),
        },
    )


@project_view(Capability.MANAGE_CONSULTATIONS)
@require_POST
def response_hide(request, project, number, pk):
    consultation = _consultation(project, number)
    response = get_object_or_404(Response, consultation=consultation, pk=pk)
    form = HideForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.hide_response(
                response=response,
                reason=form.cleaned_data["hidden_reason"],
                today=timezone.localdate(),
            ),
            "La réponse est masquée : elle n'est plus comptée dans les résultats.",
        )
    else:
        messages.error(request, "Indiquez le motif du masquage.")
    return redirect("consultations:moderation", slug=project.slug, number=number)


@project_view(Capability.MANAGE_CONSULTATIONS)
@require_POST
def response_show(request, project, number, pk):
    consultation = _consultation(project, number)
    response = get_object_or_404(Response, consultation=consultation, pk=pk)
    _run(
        request,
        lambda: services.show_response(response=response),
        "La réponse est de nouveau comptée dans les résultats.",
    )
    return redirect("consultations:moderation", slug=project.slug, number=number)


@project_view(Capability.VIEW_PROJECT)
@require_safe
def consultation_export(request, project, number, fmt):
    consultation = _consultation(project, number)
    if consultation.opened_at is None:
        messages.error(request, "Une consultation jamais ouverte n'a pas de résultats à exporter.")
        return redirect("consultations:list", slug=project.slug)
    document = generate_document(
        project=project, kind_slug=SLUG, fmt=fmt, variant_key=str(number), user=request.user
    )
    return FileResponse(
        document.content.open("rb"),
        as_attachment=True,
        filename=document.file_name,
        content_type=CONTENT_TYPES[fmt],
    )


# The participant's side: no account -------------------------------------------------------------


def _rate_key(request, consultation) -> str:
    browser = request.COOKIES.get(BROWSER_COOKIE, "")
    digest = hashlib.sha256(f"{browser}|{client_ip(request)}".encode()).hexdigest()
    return f"consultation-answer:{consultation.pk}:{digest}"


def answer(request, token):
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    try:
        consultation = selectors.consultation_by_token(token)
    except Consultation.DoesNotExist as exc:
        raise Http404("Cette consultation n'existe pas. Vérifiez le lien reçu.") from exc
    today = timezone.localdate()
    context = {"page_title": consultation.title, "consultation": consultation}
    if reason := services.refusal_reason(consultation, today):
        status = 403 if request.method == "POST" else 200
        return render(
            request,
            "consultations/answer_closed.html",
            {**context, "reason": reason},
            status=status,
        )
    questions = selectors.questions(consultation)
    form = AnswerForm(request.POST or None, questions=questions)
    if request.method == "POST":
        key = _rate_key(request, consultation)
        if cache.get(key) is not None:
            return render(request, "consultations/answer_too_soon.html", context, status=429)
        if form.is_valid():
            # `add` is atomic: of two submissions at once, one only goes through.
            if not cache.add(key, 1, timeout=RATE_LIMIT_SECONDS):
                return render(request, "consultations/answer_too_soon.html", context, status=429)
            try:
                services.submit_response(
                    consultation=consultation,
                    category=form.cleaned_data["category"],
                    answers=form.answers(),
                    today=today,
                )
            except ValidationError as exc:
                cache.delete(key)
                form.add_error(None, exc)
            else:
                return redirect("consultations:thanks", token=token)
    response = render(
        request,
        "consultations/answer.html",
        {**context, "form": form},
        status=400 if request.method == "POST" else 200,
    )
    if BROWSER_COOKIE not in request.COOKIES:
        response.set_cookie(
            BROWSER_COOKIE,
            secrets.token_urlsafe(16),
            max_age=24 * 60 * 60,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


@require_safe
def thanks(request, token):
    try:
        consultation = selectors.consultation_by_token(token)
    except Consultation.DoesNotExist as exc:
        raise Http404("Cette consultation n'existe pas.") from exc
    return render(
        request,
        "consultations/answer_thanks.html",
        {"page_title": "Merci pour votre réponse", "consultation": consultation},
    )

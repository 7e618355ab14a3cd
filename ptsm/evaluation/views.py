from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from ptsm.accounts.permissions import Capability, role_allows
from ptsm.core.concurrency import AlreadyDone, SectionConflict, parse_bases
from ptsm.core.formatting import plural
from ptsm.documents.registry import get_kind
from ptsm.documents.services import unavailable_reason
from ptsm.jobs.services import start_job
from ptsm.projects.access import project_view
from ptsm.projects.freshness import cached_page
from ptsm.roadmap.models import ActionIndicator
from ptsm.roadmap.selectors import may_edit_action

from . import selectors, services
from .forms import AssessmentsForm, CopilValidationForm, IndicatorValueForm, ReviewTextsForm
from .jobs import PILOTS_JOB, start_review_documents
from .models import ActionIndicatorValue, Review
from .sections import ReviewSlot, document_stem, review_slots, slot_from_slug


def _can_edit(request) -> bool:
    return role_allows(request.project_role, Capability.EDIT_EVALUATION)


def raise_denied():
    raise PermissionDenied(
        "Seuls le pilote de cette fiche-action et le chef de projet en mesurent les indicateurs."
    )


def _slot(project, kind_slug: str) -> ReviewSlot:
    """The review this URL names: « six-mois », « annuel-<n> » (a contract's) or « final »."""
    slot = slot_from_slug(project, kind_slug)
    if slot is None:
        raise Http404("Bilan inconnu.")
    return slot


def _review(project, kind_slug: str) -> Review:
    slot = _slot(project, kind_slug)
    return selectors.review_of(project, slot.kind, slot.number)


def _ensure(project, kind_slug: str) -> Review:
    slot = _slot(project, kind_slug)
    return services.ensure_review(project=project, kind=slot.kind, number=slot.number)


@project_view(Capability.VIEW_PROJECT)
@cached_page
@require_safe
def overview(request, project):
    today = timezone.localdate()
    schedule = selectors.review_schedule(project)
    reviews = selectors.reviews(project)
    validated = selectors.review_validation_dates(project)
    return render(
        request,
        "evaluation/overview.html",
        {
            "page_title": "Mise en œuvre et évaluation",
            "schedule": schedule,
            "progress": selectors.progress(project, today),
            "review_rows": [
                {
                    "slug": slot.slug,
                    "label": slot.label,
                    "due": schedule.due(slot.kind, slot.number),
                    "review": reviews.get((slot.kind, slot.number)),
                    "validated_on": validated.get((slot.kind, slot.number)),
                }
                for slot in review_slots(project)
            ],
            "today": today,
            "can_remind": role_allows(request.project_role, Capability.EDIT_ROADMAP),
        },
    )


@project_view(Capability.VIEW_PROJECT)
def indicator(request, project, pk):
    indicator = get_object_or_404(
        ActionIndicator.objects.select_related("action"),
        pk=pk,
        action__objective__theme__orientation__project=project,
    )
    can_record = may_edit_action(request.project_role, request.user, indicator.action)
    form = IndicatorValueForm(request.POST or None, initial={"measured_on": timezone.localdate()})
    if request.method == "POST":
        if not can_record:
            raise_denied()
        if form.is_valid():
            try:
                services.record_indicator_value(
                    indicator=indicator, user=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "La valeur mesurée a été enregistrée.")
                return redirect("evaluation:indicator", slug=project.slug, pk=indicator.pk)
    return render(
        request,
        "evaluation/indicator.html",
        {
            "page_title": f"Indicateur — {indicator.name}",
            "indicator": indicator,
            "action": indicator.action,
            "values": indicator.values.select_related("recorded_by"),
            "form": form,
            "can_record": can_record,
        },
    )


@project_view(Capability.EDIT_ACTIONS)
@require_POST
def value_delete(request, project, pk):
    value = get_object_or_404(
        ActionIndicatorValue.objects.select_related("indicator__action"),
        pk=pk,
        indicator__action__objective__theme__orientation__project=project,
    )
    if not may_edit_action(request.project_role, request.user, value.indicator.action):
        raise_denied()
    indicator_pk = value.indicator_id
    services.delete_indicator_value(value=value)
    messages.success(request, "La valeur mesurée a été supprimée.")
    return redirect("evaluation:indicator", slug=project.slug, pk=indicator_pk)


@project_view(Capability.VIEW_PROJECT)
@require_safe
def review(request, project, kind):
    return _review_page(request, project, kind)


def _review_page(request, project, kind, texts_form=None):
    review = _review(project, kind)
    today = timezone.localdate()
    context = selectors.review_context(project, review, today)
    can_edit = _can_edit(request)
    return render(
        request,
        "evaluation/review.html",
        {
            "page_title": review.label,
            "review": review,
            "kind_slug": kind,
            "content": context,
            "document_stem": document_stem(review.kind, review.number),
            "validations": selectors.review_validations(review),
            "can_edit": can_edit,
            "can_generate": role_allows(request.project_role, Capability.GENERATE_DOCUMENTS),
            "texts_form": (texts_form or ReviewTextsForm(review=review)) if can_edit else None,
            "assessments_form": AssessmentsForm(
                actions=context["actions"],
                comments={a["pk"]: a["comment"] for a in context["actions"]},
            )
            if can_edit
            else None,
            "validation_form": CopilValidationForm(project=project, initial={"validated_on": today})
            if can_edit
            else None,
        },
    )


@project_view(Capability.EDIT_EVALUATION)
@require_POST
def review_texts(request, project, kind):
    review = _ensure(project, kind)
    form = ReviewTextsForm(request.POST, review=review)
    if not form.is_valid():
        return _review_page(request, project, kind, texts_form=form)
    try:
        services.save_review_texts(
            review=review,
            texts=form.texts(),
            user=request.user,
            bases=parse_bases(form.cleaned_data["bases"]) or None,
        )
    except SectionConflict as conflict:
        form.show_conflict(conflict)
        return _review_page(request, project, kind, texts_form=form)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _review_page(request, project, kind, texts_form=form)
    messages.success(request, "Les textes du bilan ont été enregistrés.")
    return redirect("evaluation:review", slug=project.slug, kind=kind)


@project_view(Capability.EDIT_EVALUATION)
@require_POST
def review_assessments(request, project, kind):
    review = _ensure(project, kind)
    actions = selectors.review_context(project, review, timezone.localdate())["actions"]
    form = AssessmentsForm(request.POST, actions=actions, comments={})
    if form.is_valid():
        try:
            changed = services.save_assessments(review=review, comments=form.comments())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                plural(changed, "appréciation enregistrée", "appréciations enregistrées") + ".",
            )
    else:
        messages.error(request, "Appréciations non enregistrées : vérifiez le formulaire.")
    return redirect("evaluation:review", slug=project.slug, kind=kind)


@project_view(Capability.EDIT_EVALUATION)
@require_POST
def review_validate(request, project, kind):
    review = _ensure(project, kind)
    form = CopilValidationForm(request.POST, project=project)
    if not form.is_valid():
        messages.error(
            request,
            "Validation incomplète : "
            + " ".join(str(e) for errors in form.errors.values() for e in errors),
        )
        return redirect("evaluation:review", slug=project.slug, kind=kind)
    try:
        version = services.validate_review(review=review, user=request.user, **form.cleaned_data)
    except AlreadyDone as done:
        messages.info(request, done.messages[0])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"{review.label} validé : version {version.number} figée "
            f"(SHA-256 {version.sha256[:16]}…).",
        )
    return redirect("evaluation:review", slug=project.slug, kind=kind)


@project_view(Capability.EDIT_ROADMAP)
@require_POST
def remind_pilots(request, project):
    """One e-mail per pilot, sent in the background: the job page follows the sending."""
    job = start_job(
        project=project,
        kind=PILOTS_JOB,
        user=request.user,
        once=True,
        params={"base_url": request.build_absolute_uri("/").rstrip("/")},
    )
    return redirect("jobs:detail", slug=project.slug, pk=job.pk)


@project_view(Capability.GENERATE_DOCUMENTS)
@require_POST
def review_documents(request, project, kind):
    """The review's documents in every format, generated in the background (the job page follows
    each format). A review that says nothing yet has no documents: it is said at once."""
    review = _review(project, kind)
    stem = document_stem(review.kind, review.number)
    if reason := unavailable_reason(project, get_kind(stem)):
        messages.error(
            request, f"Les documents du bilan ne peuvent pas encore être générés : {reason}"
        )
        return redirect("evaluation:review", slug=project.slug, kind=kind)
    job = start_review_documents(
        project=project, review_label=review.label, stem=stem, user=request.user
    )
    return redirect("jobs:detail", slug=project.slug, pk=job.pk)

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from ptsm.accounts.permissions import Capability, role_allows
from ptsm.audit.services import record_download
from ptsm.core.concurrency import AlreadyDone, SectionConflict, fingerprint, show_section_conflict
from ptsm.core.guards import counted
from ptsm.jobs.services import start_job
from ptsm.projects.access import project_view
from ptsm.projects.freshness import cached_page

from . import selectors, services
from .content import current_letter, letter_place
from .forms import AmendmentForm, RefusalForm, SettingsForm, SignedPdfForm, TextForm
from .jobs import BUNDLE_JOB, REMIND_ALL_JOB, SEND_ALL_JOB
from .models import AnnexVersion, Signatory
from .sections import COLLECTIVE_SECTIONS, SECTION_BY_KEY

EDITABLE = {s.key: s.heading for s in COLLECTIVE_SECTIONS if s.default} | {
    "article4": "Article 4 : engagement du régulateur",
    "article5": "Article 5 : conditions d'évaluation",
    "article6": "Article 6 : conditions de révision",
}


def _can_manage(request) -> bool:
    return role_allows(request.project_role, Capability.MANAGE_COMMITMENTS)


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _back(project):
    return redirect("commitments:letter", slug=project.slug)


@project_view(Capability.VIEW_PROJECT)
@cached_page
@require_safe
def letter(request, project):
    letter = current_letter(project)
    versions = (
        list(_scoped(request, letter.annex_versions.select_related("organisation", "pdf", "docx")))
        if letter.pk
        else []
    )
    rows = _with_annex_states(request, project, letter)
    place = letter_place(letter)
    return render(
        request,
        "commitments/letter.html",
        {
            "page_title": "Lettres d'engagement",
            "letter": letter,
            "signatories": rows,
            "versions": versions,
            "period": (period := selectors.engagement_period(project)),
            "period_warning": period.warning(timezone.localdate()),
            "today": timezone.localdate(),
            "editable": EDITABLE,
            "settings_form": SettingsForm(
                project=project,
                initial={
                    "signature_mode": letter.signature_mode,
                    "session": letter.session_id,
                    "duration_months": letter.duration_months,
                    "regulator_signatory": letter.regulator_signatory_id,
                    "cd_signatory": letter.cd_signatory_id,
                    "place": letter.place,
                },
            ),
            "guidance": selectors.letter_guidance(project, request.project_role),
            "missing": selectors.readiness(letter, place=place, signatories=rows),
            "default_place": place,
            "signed_form": SignedPdfForm(initial={"signed_on": timezone.localdate()}),
            "refusal_form": RefusalForm(initial={"refused_on": timezone.localdate()}),
            "amendment_form": AmendmentForm(),
            "can_manage": _can_manage(request),
            "can_sign": role_allows(request.project_role, Capability.SIGN_COMMITMENT),
        },
    )


def _scoped(request, queryset):
    return selectors.operator_scope(
        queryset, role=request.project_role, organisation_id=request.project_organisation_id
    )


def _with_annex_states(request, project, letter) -> list:
    states = selectors.annex_states(project, letter)
    rows = list(_scoped(request, selectors.signatories(letter)))
    for signatory in rows:
        signatory.annex_state = state = states.get(signatory.organisation_id)
        signatory.amendment_pending = selectors.is_amendment_pending(
            signatory, state.version if state else None
        )
    return rows


@project_view(Capability.MANAGE_COMMITMENTS)
@require_POST
def prepare(request, project):
    letter = services.ensure_letter(project=project)
    messages.success(
        request,
        counted(
            letter.signatories.count(),
            "opérateur signataire dans la campagne.",
            "opérateurs signataires dans la campagne.",
        )[0]
        if letter.signatories.exists()
        else "Aucun opérateur signataire dans la campagne.",
    )
    return _back(project)


@project_view(Capability.MANAGE_COMMITMENTS)
@require_POST
def settings(request, project):
    letter = services.ensure_letter(project=project)
    form = SettingsForm(request.POST, project=project)
    if form.is_valid():
        try:
            services.update_settings(letter=letter, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Mode de signature, durée, signataires et lieu enregistrés.")
    else:
        messages.error(request, "Paramètres invalides.")
    return _back(project)


@project_view(Capability.MANAGE_COMMITMENTS)
def text_edit(request, project, key):
    if key not in EDITABLE:
        raise Http404("Section inconnue.")
    letter = services.ensure_letter(project=project)
    default = SECTION_BY_KEY[key].default if key in SECTION_BY_KEY else ""
    if not default:
        from .sections import ARTICLE_DEFAULTS

        default = ARTICLE_DEFAULTS.get(key, "")
    loaded = letter.texts.get(key, default)
    form = TextForm(request.POST or None, initial={"text": loaded, "base": fingerprint(loaded)})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_text(
                letter=letter,
                key=key,
                text=form.cleaned_data["text"],
                base=form.cleaned_data["base"] or None,
                default=default,
                label=EDITABLE[key],
            )
        except SectionConflict as conflict:
            show_section_conflict(form, conflict, key)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"« {EDITABLE[key]} » enregistré.")
            return _back(project)
    return render(request, "core/form_page.html", {"form": form, "page_title": EDITABLE[key]})


def _signatory(request, project, pk) -> Signatory:
    """The signatory, 404 when it is not of the project or another operator's for a signataire."""
    return get_object_or_404(
        _scoped(request, Signatory.objects.select_related("letter", "organisation", "contact")),
        letter__project=project,
        pk=pk,
    )


def _run(request, project, action, success: str):
    try:
        action()
    except AlreadyDone as done:
        messages.info(request, done.messages[0])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    if request.POST.get("retour") == "accueil":  # « Mon engagement » on the project's home page
        return redirect("projects:dashboard", slug=project.slug)
    return _back(project)


@project_view(Capability.MANAGE_COMMITMENTS)
@require_POST
def annex_generate(request, project, pk):
    signatory = _signatory(request, project, pk)
    return _run(
        request,
        project,
        lambda: services.generate_annex(
            letter=signatory.letter, organisation=signatory.organisation, user=request.user
        ),
        f"Annexe de {signatory.organisation.name} générée.",
    )


@project_view(Capability.MANAGE_COMMITMENTS)
@require_POST
def amendment(request, project, pk):
    signatory = _signatory(request, project, pk)
    form = AmendmentForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _run(
        request,
        project,
        lambda: services.generate_annex(
            letter=signatory.letter,
            organisation=signatory.organisation,
            user=request.user,
            amendment=True,
            reason=reason,
        ),
        f"Avenant à l'annexe de {signatory.organisation.name} établi : nouvelle signature requise.",
    )


@project_view(Capability.MANAGE_COMMITMENTS)
@require_POST
def send(request, project, pk):
    signatory = _signatory(request, project, pk)
    return _run(
        request,
        project,
        lambda: services.send_for_signature(signatory=signatory, base_url=_base_url(request)),
        f"Annexe envoyée à {signatory.organisation.name}.",
    )


@project_view(Capability.MANAGE_COMMITMENTS)
@require_POST
def reminder(request, project, pk):
    signatory = _signatory(request, project, pk)
    return _run(
        request,
        project,
        lambda: services.remind(signatory=signatory, base_url=_base_url(request)),
        f"Relance envoyée à {signatory.organisation.name}.",
    )


@project_view(Capability.SIGN_COMMITMENT)
@require_POST
def signed(request, project, pk):
    signatory = _signatory(request, project, pk)
    form = SignedPdfForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(
            request,
            "Dépôt incomplet : " + " ".join(str(e) for errs in form.errors.values() for e in errs),
        )
        if request.POST.get("retour") == "accueil":
            return redirect("projects:dashboard", slug=project.slug)
        return _back(project)
    return _run(
        request,
        project,
        lambda: services.record_signed_pdf(
            signatory=signatory,
            upload=form.cleaned_data["file"],
            signed_on=form.cleaned_data["signed_on"],
            user=request.user,
            signed_outside=form.cleaned_data["signed_outside"],
        ),
        f"Engagement de {signatory.organisation.name} signé.",
    )


@project_view(Capability.MANAGE_COMMITMENTS)
@require_POST
def refused(request, project, pk):
    signatory = _signatory(request, project, pk)
    form = RefusalForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez la date et le motif du refus.")
        return _back(project)
    return _run(
        request,
        project,
        lambda: services.record_refusal(signatory=signatory, **form.cleaned_data),
        f"Refus de {signatory.organisation.name} enregistré.",
    )


@project_view(Capability.MANAGE_COMMITMENTS)
@require_POST
def session_signatures(request, project):
    letter = services.ensure_letter(project=project)
    count = 0

    def record():
        nonlocal count
        count = services.record_session_signatures(letter=letter)

    return _run(request, project, record, "Signatures de la séance collective enregistrées.")


@project_view(Capability.VIEW_PROJECT)
@require_safe
def signed_download(request, project, pk):
    signatory = _signatory(request, project, pk)
    if not signatory.signed_file:
        raise Http404("Aucun PDF signé déposé.")
    file_name = f"annexe-signee-{signatory.organisation_id}.pdf"
    handle = signatory.signed_file.open("rb")
    record_download(project=project, user=request.user, obj=signatory, file_name=file_name)
    return FileResponse(
        handle, as_attachment=True, content_type="application/pdf", filename=file_name
    )


@project_view(Capability.VIEW_PROJECT)
@require_safe
def annex_diff(request, project, pk):
    version = get_object_or_404(
        _scoped(request, AnnexVersion.objects.select_related("organisation")),
        letter__project=project,
        pk=pk,
    )
    old = version.letter.annex_versions.filter(
        organisation=version.organisation, number__lt=version.number
    ).first()
    return render(
        request,
        "commitments/diff.html",
        {
            "page_title": f"Annexe {version.organisation.name} : version {version.number}",
            "new": version,
            "old": old,
            "lines": selectors.annex_diff(old, version) if old else [],
        },
    )


@project_view(Capability.GENERATE_DOCUMENTS)
@require_POST
def bundle(request, project):
    """The bundle is built in the background (annexes to store, then the merge): the job page
    shows its progress and the download link."""
    job = start_job(project=project, kind=BUNDLE_JOB, user=request.user, once=True)
    return redirect("jobs:detail", slug=project.slug, pk=job.pk)


def _campaign_job(request, project, kind: str):
    job = start_job(
        project=project,
        kind=kind,
        user=request.user,
        once=True,
        params={"base_url": _base_url(request)},
    )
    return redirect("jobs:detail", slug=project.slug, pk=job.pk)


@project_view(Capability.MANAGE_COMMITMENTS)
@require_POST
def send_all(request, project):
    """Every annex not sent yet, one e-mail per operator, in the background."""
    return _campaign_job(request, project, SEND_ALL_JOB)


@project_view(Capability.MANAGE_COMMITMENTS)
@require_POST
def remind_all(request, project):
    """Every operator whose annex awaits its signature, reminded in the background."""
    return _campaign_job(request, project, REMIND_ALL_JOB)

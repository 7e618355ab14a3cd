from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from ptsm.accounts.permissions import Capability, role_allows
from ptsm.audit.services import record_download
from ptsm.core.concurrency import AlreadyDone, SectionConflict, fingerprint, show_section_conflict
from ptsm.documents.selectors import Viewer, may_download
from ptsm.projects.access import project_view

from . import selectors, services
from .content import letter_place
from .documents import LETTER_KIND, letter_freeze
from .forms import LetterSettingsForm, SectionForm, SignatureForm
from .models import LetterStatus, LetterVersion
from .sections import SECTION_BY_KEY


def _can_edit(request) -> bool:
    return role_allows(request.project_role, Capability.EDIT_FRAMING)


@project_view(Capability.VIEW_PROJECT)
@require_safe
def letter_detail(request, project):
    letter, _context, rows = selectors.letter_screen(project)
    versions = list(selectors.letter_versions(letter))
    return render(
        request,
        "framing/letter.html",
        {
            "page_title": "Lettre de cadrage",
            "letter": letter,
            "rows": rows,
            "versions": versions,
            "history": selectors.letter_history(letter)[:20],
            "can_edit": _can_edit(request),
            # A lecteur or a signataire gets the letter's files once it is validated only.
            "can_download": may_download(
                project,
                Viewer(request.project_role, getattr(request, "project_organisation_id", None)),
                kind_slug=LETTER_KIND,
                variant_key="",
            ),
            "settings_form": LetterSettingsForm(
                project=project,
                initial={
                    "duration_months": letter.duration_months,
                    "ars_signatory": letter.ars_signatory_id,
                    "cd_signatory": letter.cd_signatory_id,
                    "place": letter.place,
                },
            ),
            "default_place": letter_place(letter),
            "guidance": selectors.letter_guidance(project, request.project_role),
            "missing": selectors.readiness(letter),
            "signature_form": SignatureForm(),
            "can_sign": letter.status == LetterStatus.VALIDATED
            and versions
            and versions[0].status == LetterStatus.VALIDATED,
        },
    )


@project_view(Capability.EDIT_FRAMING)
def section_edit(request, project, key):
    spec = SECTION_BY_KEY.get(key)
    if spec is None:
        raise Http404("Section inconnue.")
    letter = services.ensure_letter(project=project)
    loaded = letter.texts.get(key, spec.default)
    form = SectionForm(request.POST or None, initial={"text": loaded, "base": fingerprint(loaded)})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_section(
                letter=letter,
                key=key,
                text=form.cleaned_data["text"],
                user=request.user,
                base=form.cleaned_data["base"] or None,
            )
        except SectionConflict as conflict:
            show_section_conflict(form, conflict, key)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if request.htmx:
                _letter, _context, rows = selectors.letter_screen(project)
                row = next(r for r in rows if r["spec"].key == key)
                return render(
                    request,
                    "framing/_section.html",
                    {"row": row, "can_edit": True, "saved": True},
                )
            messages.success(request, f"Section « {spec.heading} » enregistrée.")
            return redirect(
                reverse("framing:letter", kwargs={"slug": project.slug}) + f"#section-{key}"
            )
    template = "framing/_section_form.html" if request.htmx else "framing/section_form.html"
    return render(request, template, {"form": form, "spec": spec, "page_title": spec.heading})


@project_view(Capability.EDIT_FRAMING)
@require_POST
def letter_settings(request, project):
    letter = services.ensure_letter(project=project)
    form = LetterSettingsForm(request.POST, project=project)
    if form.is_valid():
        try:
            services.update_settings(letter=letter, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Durée, signataires et lieu enregistrés.")
    else:
        messages.error(
            request,
            "Durée ou signataire invalide : "
            + " ".join(str(e) for errors in form.errors.values() for e in errors),
        )
    return redirect("framing:letter", slug=project.slug)


@project_view(Capability.EDIT_FRAMING)
@require_POST
def letter_status(request, project):
    letter = services.ensure_letter(project=project)
    try:
        services.change_status(
            letter=letter,
            to_status=request.POST.get("status", ""),
            user=request.user,
            comment=request.POST.get("comment", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        message = f"La lettre est maintenant « {letter.get_status_display()} »."
        if letter.status in (LetterStatus.REVIEW, LetterStatus.VALIDATED):
            version = letter.versions.first()
            message += f" Version {version.number} générée (DOCX et PDF)" + (
                " : son PDF est celui à signer." if letter.status == LetterStatus.VALIDATED else "."
            )
        messages.success(request, message)
    return redirect("framing:letter", slug=project.slug)


@project_view(Capability.EDIT_FRAMING)
@require_POST
def letter_generate(request, project):
    letter = services.ensure_letter(project=project)
    frozen = letter_freeze(project)
    version = services.generate_version(letter=letter, user=request.user)
    if frozen is not None:
        messages.info(
            request,
            f"La lettre est {letter.get_status_display().lower()} : sa version {version.number} "
            f"est figée depuis le {frozen.on:%d/%m/%Y}, aucune nouvelle version n'est générée. "
            "Pour la modifier, rouvrez-la (ou ouvrez un avenant).",
        )
    else:
        messages.success(request, f"Version {version.number} générée (DOCX et PDF).")
    return redirect("framing:letter", slug=project.slug)


@project_view(Capability.VIEW_PROJECT)
@require_safe
def version_diff(request, project, number):
    letter = selectors.current_letter(project)
    versions = selectors.letter_versions(letter)
    new = get_object_or_404(versions, number=number)
    other = request.GET.get("avec")
    try:
        old = (
            versions.get(number=int(other)) if other else versions.filter(number__lt=number).first()
        )
    except (ValueError, LetterVersion.DoesNotExist) as exc:
        raise Http404("Version inconnue.") from exc
    return render(
        request,
        "framing/diff.html",
        {
            "page_title": f"Lettre de cadrage : version {number}",
            "new": new,
            "old": old,
            "lines": selectors.version_diff(old, new) if old else [],
            "versions": versions,
        },
    )


@project_view(Capability.EDIT_FRAMING)
@require_POST
def version_sign(request, project, number):
    letter = services.ensure_letter(project=project)
    version = get_object_or_404(LetterVersion, letter=letter, number=number)
    form = SignatureForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(
            request,
            "Signature incomplète : "
            + " ".join(str(e) for errors in form.errors.values() for e in errors),
        )
        return redirect("framing:letter", slug=project.slug)
    try:
        version = services.sign_version(
            version=version,
            user=request.user,
            mode=form.cleaned_data["mode"],
            signed_on=form.cleaned_data["signed_on"],
            upload=form.cleaned_data["file"],
            signed_outside=form.cleaned_data["signed_outside"],
        )
    except AlreadyDone as done:
        messages.info(request, done.messages[0])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"Version {version.number} signée et figée (SHA-256 {version.signed_sha256[:16]}…).",
        )
    return redirect("framing:letter", slug=project.slug)


@project_view(Capability.VIEW_PROJECT)
@require_safe
def signed_download(request, project, number):
    letter = selectors.current_letter(project)
    version = get_object_or_404(LetterVersion, letter=letter, number=number, signed=True)
    if not version.signed_file:
        raise Http404("Signature en séance : le PDF signé est le PDF de la version.")
    file_name = f"lettre-de-cadrage-v{version.number}-signee.pdf"
    handle = version.signed_file.open("rb")
    record_download(project=project, user=request.user, obj=version, file_name=file_name)
    return FileResponse(
        handle, as_attachment=True, filename=file_name, content_type="application/pdf"
    )

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ptsm.accounts.permissions import Capability, may_see_contact_details, role_allows
from ptsm.audit.services import record_export
from ptsm.commitments.selectors import signatory_of
from ptsm.core.formatting import plural
from ptsm.core.guards import deletion_obstacles, deletion_summary
from ptsm.core.tables import Column, SortableTable
from ptsm.core.views import form_view
from ptsm.documents.spreadsheets import to_csv
from ptsm.governance.selectors import memberships_of_organisation
from ptsm.projects.access import project_view
from ptsm.projects.freshness import cached_page
from ptsm.roadmap.selectors import operator_actions

from . import personal_data, selectors, services
from .forms import ContactForm, DirectoryFilterForm, LogoForm, OrganisationForm
from .models import Contact, Organisation

PER_PAGE = 50
DIRECTORY_COLUMNS = [
    Column("nom", "Organisation", ("name",)),
    Column("categorie", "Catégorie", ("category", "sub_type", "name")),
    Column("commune", "Commune", ("commune__name", "name")),
    Column("finess", "FINESS ET", ("finess_et", "name")),
    Column("contacts", "Contacts", ("contact_count", "name")),
]
CONTACT_COLUMNS = [
    Column("nom", "Nom", ("last_name", "first_name")),
    Column("organisation", "Organisation", ("organisation__name", "last_name", "first_name")),
    Column("fonction", "Fonction", ("function", "last_name", "first_name")),
]


def _can_edit(request) -> bool:
    return role_allows(request.project_role, Capability.EDIT_DIRECTORY)


def _filters(form: DirectoryFilterForm) -> selectors.DirectoryFilters:
    if not form.is_valid():
        return selectors.DirectoryFilters()
    data = form.cleaned_data
    return selectors.DirectoryFilters(
        query=data["q"].strip(),
        category=data["category"],
        sub_type=data["sub_type"],
        mental_health=data["mental_health"],
        archived=data["archived"],
    )


@project_view(Capability.VIEW_PROJECT)
@cached_page
@require_safe
def organisation_list(request, project):
    form = DirectoryFilterForm(request.GET or None)
    table = SortableTable(request.GET, DIRECTORY_COLUMNS, default="nom")
    organisations = table.order(selectors.directory(project, _filters(form)))
    page = Paginator(organisations, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/organisation_list.html",
        {
            "page_title": "Annuaire des acteurs",
            "form": form,
            "page_obj": page,
            "columns": table.headers,
            "query_string": table.query_string,
            "can_edit": _can_edit(request),
        },
    )


@project_view(Capability.EDIT_DIRECTORY)
def organisation_create(request, project):
    form = OrganisationForm(request.POST or None, instance=Organisation(project=project))
    return form_view(
        request,
        form=form,
        save=lambda f: services.save_organisation(organisation=f.save(commit=False)),
        success_message="L'organisation a été ajoutée à l'annuaire.",
        success_url=lambda: reverse("organisations:detail", args=[project.slug, form.instance.pk]),
        template="organisations/organisation_form.html",
        context={"page_title": "Nouvelle organisation"},
    )


@project_view(Capability.EDIT_DIRECTORY)
def organisation_edit(request, project, pk):
    organisation = get_object_or_404(Organisation, project=project, pk=pk)
    form = OrganisationForm(request.POST or None, instance=organisation)
    return form_view(
        request,
        form=form,
        save=lambda f: services.save_organisation(organisation=f.save(commit=False)),
        success_message="L'organisation a été mise à jour.",
        success_url=lambda: reverse("organisations:detail", args=[project.slug, organisation.pk]),
        template="organisations/organisation_form.html",
        context={
            "organisation": organisation,
            "page_title": f"Modifier {organisation.name}",
            "logo_form": LogoForm(),
        },
    )


@project_view(Capability.EDIT_DIRECTORY)
@require_POST
def organisation_logo(request, project, pk):
    """Upload (or remove, with `supprimer`) the logo shown in the letters' letterhead."""
    organisation = get_object_or_404(Organisation, project=project, pk=pk)
    back = reverse("organisations:edit", args=[project.slug, organisation.pk])
    if "supprimer" in request.POST:
        services.set_organisation_logo(organisation=organisation, upload=None)
        messages.success(request, "Le logo a été retiré.")
        return redirect(back)
    form = LogoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choisissez un fichier PNG ou JPEG à déposer.")
        return redirect(back)
    try:
        services.set_organisation_logo(organisation=organisation, upload=form.cleaned_data["logo"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, "Le logo a été enregistré : il figure dans l'en-tête des lettres."
        )
    return redirect(back)


@project_view(Capability.EDIT_DIRECTORY)
@require_http_methods(["GET", "HEAD", "POST"])
def organisation_delete(request, project, pk):
    """GET: a confirmation naming what would be deleted with it (or why it cannot be)."""
    organisation = get_object_or_404(Organisation, project=project, pk=pk)
    back = reverse("organisations:detail", args=[project.slug, organisation.pk])
    if request.method == "POST":
        try:
            services.delete_organisation(organisation=organisation)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(back)
        messages.success(request, f"« {organisation.name} » a été retirée de l'annuaire.")
        return redirect("organisations:list", slug=project.slug)
    return _confirm_delete(
        request,
        organisation,
        title=f"Supprimer « {organisation.name} »",
        subject=f"L'organisation « {organisation.name} »",
        subject_short="l'organisation",
        cancel_url=back,
        archive_url=reverse("organisations:archive", args=[project.slug, organisation.pk]),
    )


def _confirm_delete(request, record, *, title, subject, subject_short, cancel_url, archive_url):
    return render(
        request,
        "core/confirm_delete.html",
        {
            "page_title": title,
            "subject": subject,
            "subject_short": subject_short,
            "obstacles": deletion_obstacles(record),
            "lost": deletion_summary(record),
            "cancel_url": cancel_url,
            "archive_url": archive_url,
        },
    )


@project_view(Capability.EDIT_DIRECTORY)
@require_POST
def organisation_archive(request, project, pk):
    organisation = get_object_or_404(Organisation, project=project, pk=pk)
    archived = request.POST.get("archived", "1") == "1"
    services.set_organisation_archived(organisation=organisation, archived=archived)
    messages.success(
        request,
        f"« {organisation.name} » a été {'archivée' if archived else 'restaurée'}.",
    )
    return redirect("organisations:detail", slug=project.slug, pk=organisation.pk)


@project_view(Capability.VIEW_PROJECT)
@require_safe
def organisation_detail(request, project, pk):
    organisation = get_object_or_404(
        Organisation.objects.select_related("commune"), project=project, pk=pk
    )
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "page_title": organisation.name,
            "organisation": organisation,
            "contacts": organisation.contacts.all(),
            "body_memberships": memberships_of_organisation(organisation),
            "actions": operator_actions(project, organisation),
            "commitment": signatory_of(project, organisation),
            "can_edit": _can_edit(request),
        },
    )


@project_view(Capability.VIEW_PROJECT)
@require_safe
def contact_list(request, project):
    query = request.GET.get("q", "").strip()
    include_archived = request.GET.get("archives") == "1"
    contacts = selectors.contacts(
        project,
        query,
        include_archived,
        by_contact_details=may_see_contact_details(request.project_role),
    )
    table = SortableTable(request.GET, CONTACT_COLUMNS, default="nom")
    page = Paginator(table.order(contacts), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/contact_list.html",
        {
            "include_archived": include_archived,
            "page_title": "Contacts",
            "page_obj": page,
            "q": query,
            "columns": table.headers,
            "query_string": table.query_string,
            "can_edit": _can_edit(request),
            "can_export": role_allows(request.project_role, Capability.EXPORT_CONTACTS),
        },
    )


@project_view(Capability.EDIT_DIRECTORY)
def contact_create(request, project):
    initial = {"organisation": request.GET.get("organisation")}
    form = ContactForm(request.POST or None, project=project, initial=initial)
    return form_view(
        request,
        form=form,
        save=lambda f: services.save_contact(contact=f.save(commit=False)),
        success_message="Le contact a été ajouté.",
        success_url=lambda: reverse(
            "organisations:detail", args=[project.slug, form.instance.organisation_id]
        ),
        template="organisations/contact_form.html",
        context={"page_title": "Nouveau contact"},
    )


@project_view(Capability.EDIT_DIRECTORY)
def contact_edit(request, project, pk):
    contact = get_object_or_404(Contact, project=project, pk=pk)
    form = ContactForm(request.POST or None, project=project, instance=contact)
    return form_view(
        request,
        form=form,
        save=lambda f: services.save_contact(contact=f.save(commit=False)),
        success_message="Le contact a été mis à jour.",
        success_url=lambda: reverse(
            "organisations:detail", args=[project.slug, form.instance.organisation_id]
        ),
        template="organisations/contact_form.html",
        context={
            "contact": contact,
            "page_title": f"Modifier {contact}",
            "can_manage_personal_data": role_allows(
                request.project_role, Capability.MANAGE_PERSONAL_DATA
            ),
        },
    )


@project_view(Capability.MANAGE_PERSONAL_DATA)
def contact_export(request, project, pk, fmt):
    """Everything ptsm holds about a contact (RGPD right of access), as JSON or CSV."""
    contact = get_object_or_404(
        Contact.objects.select_related("organisation"), project=project, pk=pk
    )
    if fmt == "json":
        data, content_type = personal_data.contact_data_json(contact), "application/json"
    elif fmt == "csv":
        data, content_type = to_csv(*personal_data.contact_data_rows(contact)), "text/csv"
    else:
        raise Http404("Format inconnu.")
    file_name = f"donnees-contact-{contact.pk}.{fmt}"
    record_export(project=project, user=request.user, what="donnees-contact", file_name=file_name)
    response = HttpResponse(data, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


@project_view(Capability.MANAGE_PERSONAL_DATA)
def contact_erase(request, project, pk):
    """RGPD erasure: a confirmation page naming what will happen, then the erasure."""
    contact = get_object_or_404(
        Contact.objects.select_related("organisation"), project=project, pk=pk
    )
    if request.method == "POST":
        report = personal_data.erase_contact(contact=contact, user=request.user)
        drafts = plural(
            report.draft_documents,
            "brouillon de document supprimé",
            "brouillons de documents supprimés",
        )
        messages.success(
            request, f"Les données personnelles du contact ont été effacées ({drafts})."
        )
        return redirect("organisations:detail", slug=project.slug, pk=contact.organisation_id)
    return render(
        request,
        "organisations/contact_erase.html",
        {
            "page_title": f"Effacer les données de {contact}",
            "contact": contact,
            "plan": personal_data.erasure_plan(contact),
        },
    )


@project_view(Capability.EDIT_DIRECTORY)
@require_http_methods(["GET", "HEAD", "POST"])
def contact_delete(request, project, pk):
    """GET: a confirmation naming what would be deleted with the contact (or why it cannot be)."""
    contact = get_object_or_404(Contact, project=project, pk=pk)
    back = reverse("organisations:detail", args=[project.slug, contact.organisation_id])
    if request.method == "POST":
        try:
            services.delete_contact(contact=contact)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(back)
        messages.success(request, f"{contact.full_name} a été retiré de l'annuaire.")
        return redirect(back)
    return _confirm_delete(
        request,
        contact,
        title=f"Supprimer le contact {contact.full_name}",
        subject=f"Le contact {contact.full_name}",
        subject_short="le contact",
        cancel_url=reverse("organisations:contact_edit", args=[project.slug, contact.pk]),
        archive_url=reverse("organisations:contact_archive", args=[project.slug, contact.pk]),
    )


@project_view(Capability.EDIT_DIRECTORY)
@require_POST
def contact_archive(request, project, pk):
    contact = get_object_or_404(Contact, project=project, pk=pk)
    archived = request.POST.get("archived", "1") == "1"
    services.set_contact_archived(contact=contact, archived=archived)
    messages.success(
        request, f"{contact.full_name} a été {'archivé(e)' if archived else 'restauré(e)'}."
    )
    return redirect("organisations:detail", slug=project.slug, pk=contact.organisation_id)


@project_view(Capability.VIEW_PROJECT)
@require_safe
def organisation_search(request, project):
    """The organisations matching what is typed in a form's organisation field (an htmx
    fragment of at most 20 choices, see `widgets.py`)."""
    query = request.GET.get("q", "")[:200]
    matches = selectors.organisation_matches(project, query) if query.strip() else None
    return render(
        request,
        "organisations/_search_matches.html",
        {"matches": matches, "limit": selectors.SEARCH_LIMIT},
    )


@project_view(Capability.VIEW_PROJECT)
@require_safe
def checklist(request, project):
    return render(
        request,
        "organisations/checklist.html",
        {"page_title": "Acteurs incontournables", "items": selectors.key_actor_checklist(project)},
    )

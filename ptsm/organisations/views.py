from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from ptsm.accounts.permissions import Capability, may_see_contact_details, role_allows
from ptsm.commitments.selectors import signatory_of
from ptsm.core.views import form_view
from ptsm.governance.selectors import memberships_of_organisation
from ptsm.projects.access import project_view
from ptsm.roadmap.selectors import operator_actions

from . import selectors, services
from .forms import ContactForm, DirectoryFilterForm, OrganisationForm
from .models import Contact, Organisation

PER_PAGE = 50


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
    )


@project_view(Capability.VIEW_PROJECT)
@require_safe
def organisation_list(request, project):
    form = DirectoryFilterForm(request.GET or None)
    organisations = selectors.directory(project, _filters(form))
    page = Paginator(organisations, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "organisations/organisation_list.html",
        {
            "page_title": "Annuaire des acteurs",
            "form": form,
            "page_obj": page,
            "query_string": query.urlencode(),
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
        context={"organisation": organisation, "page_title": f"Modifier {organisation.name}"},
    )


@project_view(Capability.EDIT_DIRECTORY)
@require_POST
def organisation_delete(request, project, pk):
    organisation = get_object_or_404(Organisation, project=project, pk=pk)
    services.delete_organisation(organisation=organisation)
    messages.success(request, f"« {organisation.name} » a été retirée de l'annuaire.")
    return redirect("organisations:list", slug=project.slug)


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
    contacts = selectors.contacts(
        project, query, by_contact_details=may_see_contact_details(request.project_role)
    )
    page = Paginator(contacts, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/contact_list.html",
        {
            "page_title": "Contacts",
            "page_obj": page,
            "q": query,
            "query_string": f"q={query}" if query else "",
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
        context={"contact": contact, "page_title": f"Modifier {contact}"},
    )


@project_view(Capability.EDIT_DIRECTORY)
@require_POST
def contact_delete(request, project, pk):
    contact = get_object_or_404(Contact, project=project, pk=pk)
    services.delete_contact(contact=contact)
    messages.success(request, f"{contact} a été retiré(e) de l'annuaire.")
    return redirect("organisations:detail", slug=project.slug, pk=contact.organisation_id)


@project_view(Capability.VIEW_PROJECT)
@require_safe
def checklist(request, project):
    return render(
        request,
        "organisations/checklist.html",
        {"page_title": "Acteurs incontournables", "items": selectors.key_actor_checklist(project)},
    )

"""The directory's part of the project's search: organisations and their contacts (names,
functions and organisation only — never an e-mail address or a phone number)."""

from django.urls import reverse

from ptsm.search.registry import Hit, SearchKind, register
from ptsm.search.text import matching

from .models import Contact, Organisation


def find_organisations(project, terms, access, limit):
    organisations = matching(
        Organisation.objects.filter(project=project, archived=False).select_related("commune"),
        ["name", "address", "commune__name", "finess_et", "siret"],
        terms,
    )[:limit]
    return [
        Hit(
            title=organisation.name,
            url=reverse(
                "organisations:detail", kwargs={"slug": project.slug, "pk": organisation.pk}
            ),
            detail=" — ".join(
                part
                for part in (
                    organisation.get_category_display(),
                    organisation.commune.name if organisation.commune else "",
                )
                if part
            ),
        )
        for organisation in organisations
    ]


def find_contacts(project, terms, access, limit):
    contacts = matching(
        Contact.objects.filter(project=project, archived=False).select_related("organisation"),
        ["first_name", "last_name", "function", "organisation__name"],
        terms,
    )[:limit]
    return [
        Hit(
            title=f"{contact.first_name} {contact.last_name}",
            url=reverse(
                "organisations:detail",
                kwargs={"slug": project.slug, "pk": contact.organisation_id},
            )
            + f"#contact-{contact.pk}",
            detail=" — ".join(p for p in (contact.function, contact.organisation.name) if p),
        )
        for contact in contacts
    ]


register(SearchKind("organisations", "Organisations", find_organisations, order=10))
register(SearchKind("contacts", "Contacts", find_contacts, order=20))

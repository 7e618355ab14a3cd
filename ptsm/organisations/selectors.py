"""Reads of the organisations app: the directory, its filters and the key-actor checklist."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from ptsm.core.folding import Folded, fold

from .categories import KEY_ACTORS, KeyActor
from .models import Contact, Organisation


@dataclass(frozen=True)
class DirectoryFilters:
    query: str = ""
    category: str = ""
    sub_type: str = ""
    mental_health: bool = False
    commune: str = ""
    archived: bool = False


def directory(project, filters: DirectoryFilters = DirectoryFilters()) -> QuerySet[Organisation]:
    organisations = (
        Organisation.objects.filter(project=project)
        .select_related("commune")
        .annotate(contact_count=Count("contacts"))
        .order_by("name")
    )
    if not filters.archived:
        organisations = organisations.filter(archived=False)
    if filters.query:
        q = filters.query
        organisations = organisations.filter(
            Q(name__icontains=q)
            | Q(finess_et__startswith=q.upper())
            | Q(siret__startswith=q)
            | Q(commune__name__icontains=q)
            | Q(contacts__last_name__icontains=q)
        ).distinct()
    if filters.category:
        organisations = organisations.filter(category=filters.category)
    if filters.sub_type:
        organisations = organisations.filter(sub_type=filters.sub_type)
    if filters.mental_health:
        organisations = organisations.filter(mental_health=True)
    if filters.commune:
        organisations = organisations.filter(commune_id=filters.commune)
    return organisations


SEARCH_LIMIT = 20


def organisation_matches(project, query: str, limit: int = SEARCH_LIMIT) -> list[Organisation]:
    """The project's organisations (archived ones left out) whose name, FINESS number or
    commune holds every word typed, accents and case ignored: at most `limit`, by name."""
    words = fold(query).split()[:8]
    if not words:
        return []
    organisations = (
        Organisation.objects.filter(project=project, archived=False)
        .select_related("commune")
        .annotate(folded_name=Folded("name"), folded_commune=Folded("commune__name"))
    )
    for word in words:
        organisations = organisations.filter(
            Q(folded_name__contains=word)
            | Q(folded_commune__contains=word)
            | Q(finess_et__startswith=word.upper())
        )
    return list(organisations.order_by("name", "pk")[:limit])


def contacts(
    project, query: str = "", include_archived: bool = False, *, by_contact_details: bool = True
) -> QuerySet[Contact]:
    """The project's contacts matching the query (archived ones on request); by e-mail address
    too only for the roles that may see it (otherwise the search would disclose it)."""
    result = Contact.objects.filter(project=project).select_related("organisation")
    if not include_archived:
        result = result.filter(archived=False)
    if query:
        matches = (
            Q(last_name__icontains=query)
            | Q(first_name__icontains=query)
            | Q(organisation__name__icontains=query)
            | Q(function__icontains=query)
        )
        if by_contact_details:
            matches |= Q(email__icontains=query)
        result = result.filter(matches)
    return result.order_by("last_name", "first_name")


@dataclass(frozen=True)
class ChecklistItem:
    actor: KeyActor
    organisations: int

    @property
    def covered(self) -> bool:
        return self.organisations > 0


def key_actor_checklist(project) -> list[ChecklistItem]:
    """ANAP fiche 5 checklist: each category of key actors, covered or missing, in one query."""
    counts = dict(
        Organisation.objects.filter(project=project)
        .exclude(sub_type="")
        .values_list("sub_type")
        .annotate(n=Count("pk"))
    )
    return [
        ChecklistItem(actor=actor, organisations=sum(counts.get(s, 0) for s in actor.sub_types))
        for actor in KEY_ACTORS
    ]


def missing_key_actors(project) -> list[KeyActor]:
    return [item.actor for item in key_actor_checklist(project) if not item.covered]


def organisation_for(project, pk: int) -> Organisation:
    return Organisation.objects.select_related("commune").get(project=project, pk=pk)


def signatory_gaps(
    contact: Contact | None, *, who: str, choose_url: str, slug: str
) -> list[tuple[str, str]]:
    """What a letter's signatory lacks (label, where to fix it): a contact chosen, a name and a
    title (the contact's function)."""
    from django.urls import reverse

    if contact is None:
        return [(f"Signataire à désigner : {who}.", choose_url)]
    edit = reverse("organisations:contact_edit", kwargs={"slug": slug, "pk": contact.pk})
    gaps = []
    if not contact.first_name.strip() or not contact.last_name.strip():
        gaps.append((f"Nom ou prénom du signataire ({who}) manquant dans l'annuaire.", edit))
    if not contact.function.strip():
        gaps.append((f"Fonction de {contact.full_name} ({who}) manquante dans l'annuaire.", edit))
    return gaps


def institution_logos(project) -> list[bytes]:
    """The logos uploaded for the institutions that pilot the PTSM — the ARS, then the conseil
    départemental — as they appear in the project's directory (none when not uploaded)."""
    found = []
    for sub_type in ("ars", "conseil_departemental"):
        organisation = (
            Organisation.objects.filter(project=project, sub_type=sub_type, archived=False)
            .exclude(logo="")
            .order_by("pk")
            .first()
        )
        if organisation is not None:
            with organisation.logo.open("rb") as handle:
                found.append(handle.read())
    return found


def signing_contacts(project, sub_type: str, category: str, *, chosen=None):
    """The contacts of the project's organisations of that sub-type (the ARS, the conseil
    départemental), else of that ANAP category when no organisation has the sub-type."""
    contacts = Contact.objects.filter(project=project).select_related("organisation")
    of_institution = Q(organisation__sub_type=sub_type)
    if not contacts.filter(of_institution).exists():
        of_institution = Q(organisation__category=category)
    if chosen and str(chosen).isdigit():
        of_institution |= Q(pk=int(chosen))
    return contacts.filter(of_institution).order_by("last_name", "first_name")


def organisations_by_identifier(projects, identifier: str) -> list[Organisation]:
    """The directory rows, in the given projects, of one organisation known by its FINESS (ET or
    EJ) or its SIRET (or the SIREN its SIRET starts with): one query."""
    match = Q(finess_et=identifier) | Q(finess_ej=identifier) | Q(siret=identifier)
    if len(identifier) == 9 and identifier.isdigit():
        match |= Q(siret__startswith=identifier)
    return list(
        Organisation.objects.filter(match, project__in=projects).select_related(
            "project__territory", "project__region"
        )
    )

"""Writes of the pilotage app: the chef de projet publishes or withdraws the project's
transparency page and chooses the indicators it shows. Each change is a change of `PublicPage`,
recorded in the project's journal with its author (django-auditlog, `audit.tracked`)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ptsm.core.concurrency import AlreadyDone

from .models import PublicPage


def _locked_page(project) -> PublicPage:
    page, _ = PublicPage.objects.get_or_create(project=project)
    return PublicPage.objects.select_for_update().get(pk=page.pk)


@transaction.atomic
def publish(*, project) -> PublicPage:
    page = _locked_page(project)
    if page.published:
        raise AlreadyDone("La page publique est déjà en ligne.")
    page.published = True
    page.published_at = timezone.now()
    page.full_clean()
    page.save()
    return page


@transaction.atomic
def withdraw(*, project) -> PublicPage:
    page = _locked_page(project)
    if not page.published:
        raise AlreadyDone("La page publique n'est pas en ligne.")
    page.published = False
    page.withdrawn_at = timezone.now()
    page.full_clean()
    page.save()
    return page


@transaction.atomic
def choose_indicators(*, project, codes: list[str]) -> PublicPage:
    from ptsm.diagnostic.selectors import catalogue

    known = {i.code for section in catalogue(project) for i in section.indicators}
    unknown = sorted(set(codes) - known)
    if unknown:
        raise ValidationError(f"Indicateur inconnu : {', '.join(unknown)}.")
    page = _locked_page(project)
    page.indicator_codes = sorted(set(codes))
    page.full_clean()
    page.save()
    return page


@transaction.atomic
def choose_documents(*, project, kinds: list[str]) -> PublicPage:
    """The kinds of frozen documents (validated or signed PDF) the public page offers: only kinds
    the documents' registry allows on a public page (never a file listing contacts)."""
    from ptsm.documents.selectors import publishable_kinds

    allowed = {kind.slug for kind in publishable_kinds()}
    refused = sorted(set(kinds) - allowed)
    if refused:
        raise ValidationError(f"Ce document ne peut pas être publié : {', '.join(refused)}.")
    page = _locked_page(project)
    page.document_kinds = [kind.slug for kind in publishable_kinds() if kind.slug in set(kinds)]
    page.full_clean()
    page.save()
    return page

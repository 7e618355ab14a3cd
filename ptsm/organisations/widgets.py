"""Organisations chosen in a form through a search of the project's directory (the
`organisations:search` view), so that a page never carries a whole directory of 2,000
organisations (core/widgets.py says how a short directory and pages without JavaScript fare).
Validation is the field's: its queryset, the project's organisations, still decides."""

from django import forms
from django.urls import reverse

from ptsm.core.widgets import use_search

from .models import Organisation


def search_organisations(field: forms.ModelChoiceField, project, queryset=None) -> None:
    """Make `field` (one organisation or several) choose among `queryset` (the project's
    organisations by default) by searching them."""
    use_search(
        field,
        search_url=reverse("organisations:search", kwargs={"slug": project.slug}),
        search_label=f"{field.label} : rechercher une organisation",
    )
    field.queryset = (
        queryset if queryset is not None else Organisation.objects.filter(project=project)
    ).order_by("name")

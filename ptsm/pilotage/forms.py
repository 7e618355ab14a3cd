from urllib.parse import urlencode

from django import forms
from django.http import QueryDict

from ptsm.core.tables import Column, SortableTable
from ptsm.projects.models import Phase

from .selectors import DEFAULT_SORT, SORTS, CockpitFilters

SORT_LABELS = {
    "nom": "Projet",
    "territoire": "Territoire",
    "region": "Région",
    "phase": "Phase",
    "depuis": "Depuis le",
    "fiches": "Fiches-actions",
    "acquis": "Crédits acquis",
    "retards": "Jalons en retard",
    "bilan": "Prochain bilan",
}


class CockpitFilterForm(forms.Form):
    """The cockpit's filters and sort, read from the query string (links work without JS)."""

    region = forms.ChoiceField(label="Région", required=False)
    phase = forms.ChoiceField(
        label="Phase", required=False, choices=[("", "Toutes les phases"), *Phase.choices]
    )
    q = forms.CharField(label="Projet ou territoire", required=False, max_length=100)
    tri = forms.ChoiceField(
        label="Trier par", required=False, choices=[(k, v) for k, v in SORT_LABELS.items()]
    )
    ordre = forms.ChoiceField(
        label="Ordre",
        required=False,
        choices=[("asc", "croissant"), ("desc", "décroissant")],
    )

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = list(regions)
        self.fields["region"].choices = [("", "Toutes les régions")] + [
            (r.code, r.name) for r in self.regions
        ]
        self._valid = self.is_valid() if self.is_bound else False

    def _value(self, name: str) -> str:
        return self.cleaned_data.get(name) or "" if self._valid else ""

    def filters(self) -> CockpitFilters:
        sort = self._value("tri")
        return CockpitFilters(
            region=self._value("region"),
            phase=self._value("phase"),
            query=self._value("q").strip(),
            sort=sort if sort in SORTS else DEFAULT_SORT,
            descending=self._value("ordre") == "desc",
        )

    def chosen_region(self):
        code = self._value("region")
        return next((r for r in self.regions if r.code == code), None)

    def query_string(self, **changes) -> str:
        filters = self.filters()
        params = {
            "region": filters.region,
            "phase": filters.phase,
            "q": filters.query,
            "tri": filters.sort,
            "ordre": "desc" if filters.descending else "asc",
        }
        params.update(changes)
        return urlencode({k: v for k, v in params.items() if v})

    def sort_links(self) -> dict[str, dict]:
        """Column → link sorting by it (again: the other way round), and the current state for
        `aria-sort` (the long tables' mechanism, `core.tables`)."""
        columns = [Column(key, label, ()) for key, label in SORT_LABELS.items()]
        return SortableTable(QueryDict(self.query_string()), columns, DEFAULT_SORT).headers


class PublicPageForm(forms.Form):
    indicators = forms.MultipleChoiceField(
        label="Indicateurs du diagnostic publiés (choisis par le COPIL)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, indicators, page, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].choices = [(i.code, i.label) for i in indicators]
        self.initial["indicators"] = list(page.indicator_codes)


class PublicDocumentsForm(forms.Form):
    documents = forms.MultipleChoiceField(
        label="Documents validés ou signés publiés (PDF figé)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, kinds, page, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].choices = [(k.slug, k.title) for k in kinds]
        self.initial["documents"] = list(page.document_kinds)

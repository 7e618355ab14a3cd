"""Choices fed by the server: a select that holds only what is chosen, and a search box whose
matches come from a view (htmx), for lists too long to send whole (2,000 organisations).

Without JavaScript the search cannot run, so a list short enough to send
(`SearchSelect.threshold` rows at most) stays a plain select of every row, filtered in the
browser by `select-filter.js` and usable with JavaScript off; above it, the page carries only
the chosen rows, which can be kept or cleared without JavaScript, and the search box with
`autocomplete.js` adds others.
"""

from django import forms

SEARCH_THRESHOLD = 100


class _SearchChoices:
    template_name = "core/widgets/autocomplete.html"
    threshold = SEARCH_THRESHOLD

    def __init__(self, *args, search_url: str, search_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.search_url, self.search_label = search_url, search_label

    def _searching(self) -> bool:
        queryset = getattr(self.choices, "queryset", None)
        return queryset is not None and queryset.count() > self.threshold

    def get_context(self, name, value, attrs):
        searching = self._searching()
        if not searching:
            return super().get_context(name, value, attrs)
        iterator = self.choices
        chosen = [v for v in self.format_value(value) if str(v).isdigit()]
        rows = [iterator.choice(o) for o in iterator.queryset.filter(pk__in=chosen)]
        if iterator.field.empty_label is not None and not self.allow_multiple_selected:
            rows.insert(0, ("", iterator.field.empty_label))
        self.choices = rows
        try:
            context = super().get_context(name, value, attrs)
        finally:
            self.choices = iterator
        context["widget"].update(
            searching=True,
            # A field the user may not change (a pilot's view of who pilots) has no search.
            search_url="" if context["widget"]["attrs"].get("disabled") else self.search_url,
            search_label=self.search_label,
        )
        return context


class SearchSelect(_SearchChoices, forms.Select):
    pass


class SearchSelectMultiple(_SearchChoices, forms.SelectMultiple):
    pass


def use_search(field: forms.ModelChoiceField, *, search_url: str, search_label: str) -> None:
    """Render `field` (one row or several) as a search: call before setting its queryset."""
    old = field.widget
    widget_class = (
        SearchSelectMultiple if isinstance(field, forms.ModelMultipleChoiceField) else SearchSelect
    )
    field.widget = widget_class(
        attrs={k: v for k, v in old.attrs.items() if k != "data-ptsm-filter"},
        search_url=search_url,
        search_label=search_label,
    )
    if hasattr(old, "group_class"):
        field.widget.group_class = old.group_class

"""Long tables: columns sorted by a click on their header (`?tri=<colonne>&ordre=desc`), the
state told to screen readers (`aria-sort`), and the filters, sort and page kept in every link.

A view declares its sortable columns and orders its queryset with them; the template renders
each header with `core/_sortable_th.html` and the pagination with `core/pagination.html`.
"""

from dataclasses import dataclass

from django.http import QueryDict

SORT, ORDER, PAGE = "tri", "ordre", "page"


@dataclass(frozen=True)
class Column:
    key: str  # the value of `?tri=`, in French
    label: str
    ordering: tuple[str, ...]  # ORM fields, the first one deciding, the others breaking ties


class SortableTable:
    def __init__(
        self,
        params: QueryDict,
        columns: list[Column],
        default: str,
        *,
        default_descending: bool = False,
    ):
        """`default_descending`: the default column is read the other way round (the newest
        first) until the user picks a column."""
        self.columns = {column.key: column for column in columns}
        self.params = params
        requested = params.get(SORT, "")
        self.chosen = requested in self.columns
        self.sort = requested if self.chosen else default
        self.descending = params.get(ORDER) == "desc" if self.chosen else default_descending

    def order(self, queryset):
        fields = self.columns[self.sort].ordering
        return queryset.order_by(*(f"-{f}" if self.descending else f for f in fields), "pk")

    def _query(self, **changes) -> str:
        query = self.params.copy()
        query.pop(PAGE, None)  # a new order starts on the first page
        for key, value in changes.items():
            query[key] = value
        return query.urlencode()

    @property
    def headers(self) -> dict[str, dict]:
        """Column key → its label, the link sorting by it (the other way round when it is the
        current one) and its `aria-sort` state."""
        links = {}
        for key, column in self.columns.items():
            current = key == self.sort
            descending = current and not self.descending
            links[key] = {
                "label": column.label,
                "url": "?" + self._query(**{SORT: key, ORDER: "desc" if descending else "asc"}),
                "aria": ("descending" if self.descending else "ascending") if current else "none",
                "current": current,
            }
        return links

    @property
    def query_string(self) -> str:
        """The filters and the sort, for the pagination's links."""
        query = self.params.copy()
        query.pop(PAGE, None)
        return query.urlencode()

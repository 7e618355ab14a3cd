from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    """Stable pages that stay right while rows are added: the next page's cursor is opaque."""

    ordering = ("pk",)
    page_size = 100
    page_size_query_param = "taille"
    max_page_size = 1000
    invalid_cursor_message = "Curseur de pagination invalide : reprenez le lien « next » reçu."

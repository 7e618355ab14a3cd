"""French formatting for templates, the same rules as the generated documents."""

from django import template

from ptsm.core.formatting import french_euros
from ptsm.core.formatting import plural as french_plural

register = template.Library()


@register.filter
def euros(amount) -> str:
    """{{ line.amount|euros }} -> '1 000,50 €' (cents kept when there are any)."""
    return "" if amount is None or amount == "" else french_euros(amount)


@register.simple_tag
def plural(count, singular: str, plural_form: str) -> str:
    """{% plural rows|length "ligne de financement" "lignes de financement" %}"""
    return french_plural(count, singular, plural_form)


@register.filter
def dmy(value) -> str:
    """{{ date|dmy }} -> '05/06/2025': what `date:"d/m/Y"` writes, without the localisation
    machinery (long tables: the cockpit writes hundreds of dates)."""
    return value.strftime("%d/%m/%Y") if value else ""

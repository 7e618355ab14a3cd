from django.utils.functional import SimpleLazyObject

from ptsm.accounts.permissions import cockpit_scope


def cockpit(request):
    """`cockpit_scope`, read only by the pages that show the link to the cockpit (lazy: the
    other pages pay no query)."""
    return {"cockpit_scope": SimpleLazyObject(lambda: cockpit_scope(request.user))}

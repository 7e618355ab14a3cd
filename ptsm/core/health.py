"""Health endpoints for load balancers and orchestrators.

``/sante/vivant``: the process answers (no dependency is checked: a stuck database must not get
every web process restarted). ``/sante/pret``: the process can serve — the database answers, the
file storage accepts a write, and every check other apps register (the task queue) passes.
"""

import uuid
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

_CHECKS: dict[str, Callable[[], None]] = {}


def register_check(name: str, check: Callable[[], None]) -> None:
    """A readiness check: a callable that raises when the dependency is not usable."""
    _CHECKS[name] = check


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_storage() -> None:
    name = default_storage.save(f"sante/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)


register_check("base_de_donnees", check_database)
register_check("stockage", check_storage)


@never_cache
@require_safe
def alive(request):
    return JsonResponse({"etat": "ok"})


@never_cache
@require_safe
def ready(request):
    results = {}
    for name, check in _CHECKS.items():
        try:
            check()
        except Exception as error:  # any failure means "not ready", and is reported
            results[name] = f"en échec : {error.__class__.__name__}"
        else:
            results[name] = "ok"
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse(
        {"etat": "ok" if healthy else "indisponible", "verifications": results},
        status=200 if healthy else 503,
    )

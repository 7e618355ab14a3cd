"""A project's main pages served again, whole, while nothing in the project has changed.

Each project carries `data_version`. It is raised after every request that may write (any
method but GET, HEAD, OPTIONS and TRACE): for that project when the address names it
(`/projets/<slug>/…`), for every project otherwise (the API, a public consultation's answer,
the administration). Background jobs raise it as they write, and so do the management commands
that change data. A cached page is keyed on that version, read from the database with the
project at the start of each request, so a page never outlives a change, whichever machine or
worker serves it; the cache itself (local memory, or Redis when `CACHE_URL` is set) only saves
work.

A page that saves data while it is read (a letter or a review created on its first visit) outdates
the others as a write does (`post_save` of ptsm's own models is watched during each request).

A page is kept for one user, one session's CSRF secret (its forms stay valid), one role, one
day (dates and delays are written relative to today) and one address with its query string.
It is not kept when a message waits to be shown, for htmx fragments, nor for any answer but a
200.
"""

import gzip
import hashlib
import re
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.db.models import F
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string

from .models import Project

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
PROJECT_PATH = re.compile(r"^/projets/(?P<slug>[-\w]+)/")
# Requests that write nothing a project's pages show (signing in and out, the second factor).
NOT_PROJECT_DATA = (
    "/comptes/connexion/",
    "/comptes/deconnexion/",
    "/comptes/double-authentification/",
)
PAGE_SECONDS = 60 * 60
# Response headers a cached page is served with again (never its cookies).
KEPT_HEADERS = ("Content-Type", "Content-Language", "X-Frame-Options", "Vary")
# Stored compressed (as the GZip middleware would send it, with its random padding against
# BREACH): a hit is neither rendered nor compressed again, and the cache holds a tenth.
GZIP_MIN_BYTES = 200


def bump(*, project_id: int) -> None:
    Project.objects.filter(pk=project_id).update(data_version=F("data_version") + 1)


def bump_all() -> None:
    Project.objects.update(data_version=F("data_version") + 1)


def connect() -> None:
    """Called once the apps are ready: a management command's writes (`DataCommand`) outdate
    every page."""
    from django.db.models.signals import post_save

    from ptsm.core.signals import data_changed

    data_changed.connect(_on_data_changed, dispatch_uid="ptsm-freshness")
    post_save.connect(_on_saved, dispatch_uid="ptsm-freshness-saved")


# During a request: whether it saved one of ptsm's own models (a GET may create a letter).
_saved_during_request: ContextVar[list | None] = ContextVar("ptsm_saved", default=None)


def _on_saved(sender, **kwargs) -> None:
    saved = _saved_during_request.get()
    if saved is not None and not saved[0] and sender._meta.app_config.name.startswith("ptsm."):
        saved[0] = True


class DataVersionMiddleware:
    """Raise the data version once a writing request has been answered (after its transaction:
    a page read meanwhile is stored under the old version, which is never asked again)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _saved_during_request.set([False])
        try:
            return self.get_response(request)
        finally:
            saved = _saved_during_request.get()[0]
            _saved_during_request.reset(token)
            if request.method not in SAFE_METHODS or saved:
                self._bump_for(request.path)

    @staticmethod
    def _bump_for(path: str) -> None:
        if path.startswith(NOT_PROJECT_DATA):
            return
        match = PROJECT_PATH.match(path)
        if match:
            Project.objects.filter(slug=match["slug"]).update(data_version=F("data_version") + 1)
        else:
            bump_all()


def _key(request, project) -> str | None:
    csrf_secret = request.META.get("CSRF_COOKIE")
    if not csrf_secret:  # a first visit: the page would set the cookie, not kept
        return None
    parts = "|".join(
        str(p)
        for p in (
            project.pk,
            project.data_version,
            request.user.pk,
            request.project_role,
            request.project_organisation_id,
            csrf_secret,
            timezone.localdate().isoformat(),
            request.get_full_path(),
        )
    )
    return "page:" + hashlib.sha256(parts.encode()).hexdigest()


def cached_page(view=None, *, unless_roles=frozenset()):
    """Decorate a project view (inside `project_view`) whose GET page depends only on the
    project's data, the user, their role and the day. `unless_roles`: roles for which the page
    also shows other projects' data (never kept for them)."""
    if view is None:
        return lambda view: cached_page(view, unless_roles=unless_roles)

    @wraps(view)
    def wrapper(request, project, *args, **kwargs):
        if (
            not settings.PTSM_PAGE_CACHE
            or request.method != "GET"
            or request.project_role in unless_roles
            or getattr(request, "htmx", False)
            or len(messages.get_messages(request))
        ):
            return view(request, project, *args, **kwargs)
        key = _key(request, project)
        if key is None:
            return view(request, project, *args, **kwargs)
        store = caches[settings.PTSM_PAGE_CACHE_ALIAS]
        stored = store.get(key)
        if stored is not None:
            return _served_again(request, *stored)
        response = view(request, project, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            if len(response.content) >= GZIP_MIN_BYTES and not response.has_header(
                "Content-Encoding"
            ):
                headers = [(h, response[h]) for h in KEPT_HEADERS if h in response]
                store.set(key, (compress_string(response.content), headers), PAGE_SECONDS)
        return response

    return wrapper


def _served_again(request, compressed: bytes, headers) -> HttpResponse:
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(compressed)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(compressed))
    for name, value in headers:
        response[name] = value
    patch_vary_headers(response, ("Accept-Encoding", "Cookie"))
    return response


def _on_data_changed(sender, **kwargs) -> None:
    bump_all()

"""Every project view goes through `project_view`: it loads the project and checks the role."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404

from ptsm.accounts.permissions import Capability, project_access, role_allows

from .models import Project

ALLOWED_METHODS = {"GET", "HEAD", "POST"}


def project_view(capability: Capability):
    """Decorate a view taking `slug`: 404 for users with no role in the project (its existence
    is not disclosed), 403 when their role lacks the capability, login page for anonymous users,
    405 for methods other than GET, HEAD and POST once access is granted.
    The view receives the project as its second argument; `request.project_role` and
    `request.project_organisation_id` (the organisation the membership names) are set."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            project = get_object_or_404(
                Project.objects.select_related("region", "territory"), slug=slug
            )
            access = project_access(request.user, project)
            role = access.role
            if role is None:
                raise Http404("Projet introuvable.")
            if not role_allows(role, capability):
                raise PermissionDenied("Votre rôle dans ce projet ne permet pas cette action.")
            if request.method not in ALLOWED_METHODS:
                # HTML forms only GET and POST: nothing answers PUT, PATCH or DELETE.
                return HttpResponseNotAllowed(sorted(ALLOWED_METHODS))
            request.project = project
            request.project_role = role
            request.project_organisation_id = access.organisation_id
            return view(request, project, *args, **kwargs)

        wrapper.required_capability = capability
        return wrapper

    return decorator

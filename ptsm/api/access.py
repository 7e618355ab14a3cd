"""Which projects a user reaches through the API, and with which role: exactly the interface's
rules (`accounts.permissions.project_access`), computed for every project at once."""

from ptsm.accounts.models import ArsAdministration, Membership, Role
from ptsm.accounts.permissions import Capability, ProjectAccess, role_allows
from ptsm.projects.models import Project


def project_accesses(user) -> dict[int, ProjectAccess]:
    """Project id → the user's access, for every project they have a role in (two queries).
    An administrateur ARS of the project's région outranks any membership they also hold."""
    if not user.is_authenticated or not user.is_active:
        return {}
    if user.is_superuser:
        return {
            pk: ProjectAccess(Role.ARS_ADMIN) for pk in Project.objects.values_list("pk", flat=True)
        }
    accesses = {
        pk: ProjectAccess(Role(role), organisation_id)
        for pk, role, organisation_id in Membership.objects.filter(user=user).values_list(
            "project_id", "role", "organisation_id"
        )
    }
    regions = ArsAdministration.objects.filter(user=user).values("region_id")
    for pk in Project.objects.filter(region_id__in=regions).values_list("pk", flat=True):
        accesses[pk] = ProjectAccess(Role.ARS_ADMIN)
    return accesses


def request_accesses(request) -> dict[int, ProjectAccess]:
    """The accesses of the request's user, computed once per request."""
    cached = getattr(request, "_ptsm_api_accesses", None)
    if cached is None:
        cached = project_accesses(request.user)
        request._ptsm_api_accesses = cached
    return cached


def projects_allowing(request, capability: Capability) -> list[int]:
    return [
        pk
        for pk, access in request_accesses(request).items()
        if role_allows(access.role, capability)
    ]

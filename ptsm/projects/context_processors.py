from django.urls import reverse

from ptsm.accounts.permissions import Capability, role_allows

# (url name, label, capability) of the project menu; apps of later phases add their entries here.
PROJECT_MENU = [
    ("projects:dashboard", "Tableau de bord", Capability.VIEW_PROJECT),
    ("projects:territory", "Territoire", Capability.VIEW_PROJECT),
    ("projects:milestones", "Jalons", Capability.VIEW_PROJECT),
    ("projects:members", "Membres", Capability.VIEW_PROJECT),
    ("documents:list", "Documents", Capability.VIEW_PROJECT),
]


def project_navigation(request):
    project = getattr(request, "project", None)
    if project is None:
        return {}
    match = request.resolver_match
    current = f"{match.namespace}:{match.url_name}" if match else ""
    role = request.project_role
    return {
        "project": project,
        "project_role": role,
        "project_nav": [
            {
                "url": reverse(name, kwargs={"slug": project.slug}),
                "label": label,
                "current": current == name,
            }
            for name, label, capability in PROJECT_MENU
            if role_allows(role, capability)
        ],
    }

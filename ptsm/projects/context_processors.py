from django.urls import reverse

from ptsm.accounts.permissions import Capability, may_see_contact_details, role_allows

# (url name, label, capability, url names that highlight the entry) of the project menu.
PROJECT_MENU = [
    (
        "projects:dashboard",
        "Tableau de bord",
        Capability.VIEW_PROJECT,
        ("projects:dashboard", "projects:edit", "projects:territory", "projects:milestone"),
    ),
    ("framing:letter", "Cadrage", Capability.VIEW_PROJECT, ("framing:",)),
    ("diagnostic:overview", "Diagnostic", Capability.VIEW_PROJECT, ("diagnostic:",)),
    ("roadmap:tree", "Feuille de route", Capability.VIEW_PROJECT, ("roadmap:",)),
    ("commitments:letter", "Engagements", Capability.VIEW_PROJECT, ("commitments:",)),
    ("evaluation:overview", "Évaluation", Capability.VIEW_PROJECT, ("evaluation:",)),
    ("organisations:list", "Annuaire", Capability.VIEW_PROJECT, ("organisations:",)),
    (
        "governance:bodies",
        "Gouvernance",
        Capability.VIEW_PROJECT,
        ("governance:",),
    ),
    ("projects:members", "Membres", Capability.VIEW_PROJECT, ("projects:member",)),
    ("documents:list", "Documents", Capability.VIEW_PROJECT, ("documents:",)),
    ("audit:journal", "Journal", Capability.VIEW_AUDIT_LOG, ("audit:",)),
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
        # Every template showing a contact's e-mail address or phone number asks this.
        "show_contact_details": may_see_contact_details(role),
        "project_nav": [
            {
                "url": reverse(name, kwargs={"slug": project.slug}),
                "label": label,
                "current": current.startswith(prefixes),
            }
            for name, label, capability, prefixes in PROJECT_MENU
            if role_allows(role, capability)
        ],
    }

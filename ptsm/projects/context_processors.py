from django.urls import reverse

from ptsm.accounts.permissions import Capability, may_see_contact_details, role_allows

# (url name, label, capability, url names that highlight the entry, group) of the project menu.
# Entries of one group share a drop-down menu, so that the menu fits on one line at 1280 px; the
# method's steps stay one click away.
PARTNERS = "Partenaires"
PROJECT_MENU = [
    (
        "projects:dashboard",
        "Tableau de bord",
        Capability.VIEW_PROJECT,
        ("projects:dashboard", "projects:edit", "projects:territory", "projects:milestone"),
        None,
    ),
    ("framing:letter", "Cadrage", Capability.VIEW_PROJECT, ("framing:",), None),
    ("diagnostic:overview", "Diagnostic", Capability.VIEW_PROJECT, ("diagnostic:",), None),
    ("roadmap:tree", "Feuille de route", Capability.VIEW_PROJECT, ("roadmap:",), None),
    ("commitments:letter", "Engagements", Capability.VIEW_PROJECT, ("commitments:",), None),
    ("evaluation:overview", "Évaluation", Capability.VIEW_PROJECT, ("evaluation:",), None),
    ("organisations:list", "Annuaire", Capability.VIEW_PROJECT, ("organisations:",), PARTNERS),
    ("governance:bodies", "Gouvernance", Capability.VIEW_PROJECT, ("governance:",), PARTNERS),
    ("projects:members", "Membres", Capability.VIEW_PROJECT, ("projects:member",), PARTNERS),
    (
        "consultations:list",
        "Consultations",
        Capability.VIEW_PROJECT,
        ("consultations:",),
        PARTNERS,
    ),
    ("documents:list", "Documents", Capability.VIEW_PROJECT, ("documents:",), None),
    ("audit:journal", "Journal", Capability.VIEW_AUDIT_LOG, ("audit:",), None),
]


def _menu(items: list[dict]) -> list[dict]:
    """The menu's top level: plain entries, and one entry per group holding its items."""
    menu: list[dict] = []
    groups: dict[str, dict] = {}
    for item in items:
        group = item["group"]
        if group is None:
            menu.append(item)
            continue
        if group not in groups:
            groups[group] = {
                "label": group,
                "children": [],
                "current": False,
                "id": f"menu-{len(groups)}",
            }
            menu.append(groups[group])
        groups[group]["children"].append(item)
        groups[group]["current"] |= item["current"]
    return menu


def project_navigation(request):
    project = getattr(request, "project", None)
    if project is None:
        return {}
    match = request.resolver_match
    current = f"{match.namespace}:{match.url_name}" if match else ""
    role = request.project_role
    items = [
        {
            "url": reverse(name, kwargs={"slug": project.slug}),
            "label": label,
            "current": current.startswith(prefixes),
            "group": group,
        }
        for name, label, capability, prefixes, group in PROJECT_MENU
        if role_allows(role, capability)
    ]
    section = next((item for item in items if item["current"]), None)
    return {
        "project": project,
        "project_role": role,
        # Every template showing a contact's e-mail address or phone number asks this.
        "show_contact_details": may_see_contact_details(role),
        "project_nav": _menu(items),
        # The breadcrumb's middle level (« Feuille de route » on a fiche-action's page), unless
        # the page is that section's own page.
        "project_section": section if section and section["url"] != request.path else None,
    }

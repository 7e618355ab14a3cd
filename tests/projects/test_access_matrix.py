"""Walk every URL of the URL conf for every role: a member of project A can neither read nor
change project B, anonymous users are sent to login, and inside a project each role gets exactly
what its capabilities allow."""

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ptsm.accounts.models import Membership, Role
from ptsm.accounts.permissions import role_allows
from ptsm.documents.services import generate_document
from tests.factories import make_project, member

PUBLIC = {
    "accounts:login",
    "accounts:logout",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
}
LOGIN_ONLY = {"projects:list", "territories:search"}
ARS_ADMIN_ONLY = {"projects:create"}
ALL_ROLES = list(Role)

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Route:
    callback: object
    arguments: frozenset  # URL arguments, including those of enclosing include()s


def consume(response) -> None:
    # Read streamed downloads through the test client's wrapper, which closes the file without
    # closing the database connection (response.close() would, inside a test transaction).
    if response.streaming:
        b"".join(response.streaming_content)


def _walk(patterns, namespace="", arguments=frozenset()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            child = ":".join(n for n in (namespace, entry.namespace) if n)
            yield from _walk(entry.url_patterns, child, arguments | set(entry.pattern.converters))
        elif isinstance(entry, URLPattern) and entry.name:
            name = ":".join(n for n in (namespace, entry.name) if n)
            yield name, Route(entry.callback, arguments | set(entry.pattern.converters))


def all_named_urls() -> dict[str, Route]:
    return dict(_walk(get_resolver().url_patterns))


def project_urls() -> dict[str, Route]:
    return {name: route for name, route in all_named_urls().items() if "slug" in route.arguments}


@pytest.fixture
def projects():
    """Project A (Finistère, Bretagne) and project B (Deux-Sèvres, Nouvelle-Aquitaine)."""
    a = make_project(departement="29", name="Projet A")
    b = make_project(departement="79", name="Projet B")
    for project in (a, b):
        member(project, Role.PROJECT_LEAD)
        generate_document(project=project, kind_slug="carte-identite-territoire", fmt="pdf")
    return a, b


def _url_for(name: str, pattern, project) -> str:
    kwargs = {"slug": project.slug}
    if "pk" in pattern.arguments:
        if "milestone" in name:
            kwargs["pk"] = project.milestones.first().pk
        elif "member" in name:
            kwargs["pk"] = project.memberships.first().pk
        elif name.startswith("documents:"):
            kwargs["pk"] = project.generated_documents.first().pk
        else:
            raise AssertionError(f"Add an object of the project for {name} to this test")
    return reverse(name, kwargs=kwargs)


def test_every_url_is_classified_and_every_project_view_checks_a_capability():
    for name, pattern in all_named_urls().items():
        if name in PUBLIC | LOGIN_ONLY | ARS_ADMIN_ONLY:
            continue
        assert "slug" in pattern.arguments, f"{name} is neither public nor project-scoped"
        assert hasattr(pattern.callback, "required_capability"), (
            f"{name} must be protected by project_view(capability)"
        )


def _snapshot(project):
    return (
        project.name,
        project.phase,
        project.territory.name,
        list(project.milestones.values_list("pk", "title", "due_date", "done_on")),
        list(Membership.objects.filter(project=project).values_list("pk", "user_id", "role")),
        project.generated_documents.count(),
    )


@pytest.mark.parametrize("role", ALL_ROLES, ids=[r.value for r in ALL_ROLES])
def test_a_member_of_project_a_can_neither_read_nor_change_project_b(client, projects, role):
    a, b = projects
    client.force_login(member(a, role))
    before = _snapshot(b)
    for name, pattern in project_urls().items():
        url = _url_for(name, pattern, b)
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"name": "piraté", "title": "piraté"})
            consume(response)
            assert response.status_code in (403, 404), f"{role} {method.upper()} {url}"
    b.refresh_from_db()
    assert _snapshot(b) == before


def test_anonymous_users_are_sent_to_login_everywhere(client, projects):
    _a, b = projects
    login = reverse("accounts:login")
    names = {
        **project_urls(),
        **{n: p for n, p in all_named_urls().items() if n in LOGIN_ONLY | ARS_ADMIN_ONLY},
    }
    for name, pattern in names.items():
        url = _url_for(name, pattern, b) if "slug" in pattern.arguments else reverse(name)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302, f"{method.upper()} {url}"
            assert response.url.startswith(login), url


@pytest.mark.parametrize("role", ALL_ROLES, ids=[r.value for r in ALL_ROLES])
def test_inside_its_project_each_role_gets_what_its_capabilities_allow(client, projects, role):
    a, _b = projects
    client.force_login(member(a, role))
    for name, pattern in project_urls().items():
        url = _url_for(name, pattern, a)
        response = client.get(url)
        consume(response)
        if not role_allows(role, pattern.callback.required_capability):
            assert response.status_code == 403, f"{role} GET {url}"
        else:
            assert response.status_code in (200, 405), f"{role} GET {url}"


@pytest.mark.parametrize("role", ALL_ROLES, ids=[r.value for r in ALL_ROLES])
def test_only_ars_administrators_can_create_projects(client, projects, role):
    a, _b = projects
    client.force_login(member(a, role))
    expected = 200 if role == Role.ARS_ADMIN else 403
    assert client.get(reverse("projects:create")).status_code == expected


def test_project_list_shows_only_granted_projects(client, projects):
    a, b = projects
    client.force_login(member(a, Role.READER))
    page = client.get(reverse("projects:list")).content.decode()
    assert "Projet A" in page
    assert "Projet B" not in page


def test_ars_administrator_sees_every_project_of_their_region_only(client, projects):
    a, b = projects
    other_in_region = make_project(departement="35", name="Projet Ille-et-Vilaine")
    client.force_login(member(a, Role.ARS_ADMIN))
    page = client.get(reverse("projects:list")).content.decode()
    assert "Projet A" in page and "Projet Ille-et-Vilaine" in page
    assert "Projet B" not in page
    assert (
        client.get(reverse("projects:dashboard", kwargs={"slug": other_in_region.slug})).status_code
        == 200
    )

"""The project menu and the breadcrumb: where am I, and one click to each step of the method."""

import re

import pytest
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.organisations.models import Organisation
from tests.factories import make_project, member
from tests.helpers import login, page_text

pytestmark = pytest.mark.django_db


def breadcrumb(page: str) -> list[str]:
    trail = page.split('class="fr-breadcrumb__list"', 1)[1].split("</ol>", 1)[0]
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", trail)]


def test_the_breadcrumb_names_the_section_between_the_project_and_the_page(client):
    project = make_project(departement="29", name="PTSM du Finistère")
    chu = Organisation.objects.create(
        project=project, name="CHU de Brest", category="sanitaire_public"
    )
    login(client, member(project, Role.PROJECT_LEAD))
    page = page_text(
        client.get(reverse("organisations:detail", kwargs={"slug": project.slug, "pk": chu.pk}))
    )
    assert breadcrumb(page)[:3] == ["Mes projets", "PTSM du Finistère", "Annuaire"]
    assert f'href="{reverse("organisations:list", kwargs={"slug": project.slug})}">Annuaire' in page
    # The section's own page does not repeat itself.
    page = page_text(client.get(reverse("organisations:list", kwargs={"slug": project.slug})))
    assert "Annuaire" not in breadcrumb(page)[:-1]


def test_the_menu_groups_the_partners_pages_and_keeps_each_step_one_click_away(client):
    project = make_project(departement="29", name="PTSM du Finistère")
    login(client, member(project, Role.PROJECT_LEAD))
    page = page_text(client.get(reverse("organisations:list", kwargs={"slug": project.slug})))
    menu = page.split('aria-label="Menu principal"', 1)[1].split("</nav>", 1)[0]
    top_level = re.findall(r'class="fr-nav__(?:link|btn)"[^>]*>([^<]+)<', menu)
    assert top_level[:7] == [
        "Tableau de bord",
        "Cadrage",
        "Diagnostic",
        "Feuille de route",
        "Engagements",
        "Évaluation",
        "Partenaires",
    ]
    assert menu.count('class="fr-nav__btn"') == 1  # only the group opens a drop-down
    # The group of the current page is marked current; its entries are inside it.
    assert re.search(r'class="fr-nav__btn"[^>]*aria-current="true"[^>]*>Partenaires<', menu)
    group = menu.split(">Partenaires<", 1)[1].split("</ul>", 1)[0]
    assert [label for label in ("Annuaire", "Gouvernance", "Membres") if label in group] == [
        "Annuaire",
        "Gouvernance",
        "Membres",
    ]
    assert "Journal" in menu
    login(client, member(project, Role.READER))
    page = page_text(client.get(reverse("projects:dashboard", kwargs={"slug": project.slug})))
    assert "Journal" not in page.split('aria-label="Menu principal"', 1)[1].split("</nav>", 1)[0]

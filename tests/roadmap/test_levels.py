"""The roadmap's levels fit real projects: the « thématique » level is optional, and a project
names its levels (the Manche PTSM's nine « Enjeux »); numbering, pages, documents and the
commitment letter follow."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.commitments.content import collective_context
from ptsm.documents.registry import get_kind
from ptsm.documents.services import render
from ptsm.roadmap import services
from ptsm.roadmap.models import Action, ActionStatus, Objective, Orientation, Theme
from tests.documents.test_pipeline import docx_text, pdf_text
from tests.factories import make_project, member
from tests.helpers import login, visible_text

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 24)


def words(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def enjeux_project(client):
    project = make_project(departement="50", name="PTSM de la Manche")
    lead = member(project, Role.PROJECT_LEAD)
    login(client, lead)
    response = client.post(
        reverse("roadmap:levels", args=[project.slug]),
        {
            "orientation_name": "Enjeu",
            "orientation_plural": "Enjeux",
            "theme_name": "Thématique",
            "theme_plural": "Thématiques",
            "objective_name": "Objectif",
            "objective_plural": "Objectifs",
            # uses_themes unchecked: orientation → objectif → fiche-action
        },
        follow=True,
    )
    assert "Les niveaux de la feuille de route ont été enregistrés." in visible_text(response)
    return project


def test_a_roadmap_without_themes_and_with_its_own_level_names(client):
    project = enjeux_project(client)
    for title in ("Prévenir les situations de crise", "Favoriser l'inclusion sociale"):
        services.save_item(item=Orientation(project=project, title=title))
    second = Orientation.objects.get(title="Favoriser l'inclusion sociale")
    tree = reverse("roadmap:tree", args=[project.slug])
    page = words(visible_text(client.get(tree)))
    assert "Ajouter : Enjeu" in page and "Ajouter : Objectif" in page
    assert "Ajouter une thématique" not in page

    # Under an « enjeu », the chef de projet adds an objective directly.
    add = reverse("roadmap:child_create", args=[project.slug, "orientation", second.pk])
    assert "Ajouter : Objectif — 2. Favoriser l'inclusion sociale" in words(
        visible_text(client.get(add))
    )
    response = client.post(add, {"title": "Accéder à un logement", "description": ""})
    assert response.status_code == 302
    objective = Objective.objects.get(title="Accéder à un logement")
    assert objective.theme.implicit and objective.theme.orientation == second
    Action.objects.create(
        objective=objective, title="Logement d'abord", status=ActionStatus.VALIDATED
    )
    services.renumber(project=project)
    action = Action.objects.get(title="Logement d'abord")
    assert (objective.code, action.code) == ("2.1", "2.1.1")

    page = words(visible_text(client.get(tree)))
    assert "2. Favoriser l'inclusion sociale" in page
    assert "2.1 Accéder à un logement" in page and "2.1.1 Logement d'abord" in page
    # The implicit theme is not shown: one heading and one set of controls for the orientation.
    assert page.count("Modifier Favoriser l'inclusion sociale") == 1

    for fmt in ("docx", "pdf"):
        data = render(project, get_kind("feuille-de-route"), "", fmt, DAY)
        text = words(docx_text(data) if fmt == "docx" else pdf_text(data))
        assert "Enjeux" in text and "Orientations stratégiques" not in text, fmt
        assert "Enjeu 2 : Favoriser l'inclusion sociale" in text, fmt
        assert "Objectif 2.1 : Accéder à un logement" in text, fmt
        assert "Thématique" not in text, fmt
        assert "Enjeu 1 : Prévenir les situations de crise" in text, fmt
    # The PDF says what a level still lacks, in the project's words.
    assert "Aucun élément « Objectif » n'est encore défini." in text

    letter = collective_context(project)
    headings = [section["heading"] for section in letter["sections"]]
    assert "Les enjeux" in headings and "Objectifs et plan d'action" in headings
    assert not any("thématiques" in heading.lower() for heading in headings)


def test_the_theme_level_is_kept_while_themes_carry_objectives(client):
    project = make_project(departement="29", name="PTSM à thématiques")
    orientation = services.save_item(item=Orientation(project=project, title="Accès aux soins"))
    theme = services.save_item(item=Theme(orientation=orientation, title="Soins"))
    services.save_item(item=Objective(theme=theme, title="Réduire les délais"))
    with pytest.raises(ValidationError, match="avant de retirer ce niveau"):
        services.save_levels(project=project, uses_themes=False)
    # Renaming alone is fine, and the default names read as the method's.
    services.save_levels(
        project=project, uses_themes=True, orientation_name="Axe", orientation_plural="Axes"
    )
    text = words(docx_text(render(project, get_kind("feuille-de-route"), "", "docx", DAY)))
    assert "Axe 1 : Accès aux soins" in text and "Thématique 1.1 : Soins" in text
    assert "Objectif stratégique 1.1.1 : Réduire les délais" in text


def test_dropping_the_theme_level_attaches_the_objectives_to_their_orientation(client):
    project = make_project(departement="29", name="PTSM qui simplifie sa feuille de route")
    lead = member(project, Role.PROJECT_LEAD)
    orientation = services.save_item(item=Orientation(project=project, title="Accès aux soins"))
    soins = services.save_item(item=Theme(orientation=orientation, title="Soins"))
    crise = services.save_item(item=Theme(orientation=orientation, title="Crise"))
    delais = services.save_item(item=Objective(theme=soins, title="Réduire les délais"))
    urgences = services.save_item(item=Objective(theme=crise, title="Anticiper les crises"))
    action = Action.objects.create(objective=urgences, title="Équipe mobile de crise")
    services.renumber(project=project)
    login(client, lead)
    url = reverse("roadmap:levels", args=[project.slug])
    names = {
        "orientation_name": "Orientation stratégique",
        "orientation_plural": "Orientations stratégiques",
        "theme_name": "Thématique",
        "theme_plural": "Thématiques",
        "objective_name": "Objectif stratégique",
        "objective_plural": "Objectifs stratégiques",
    }
    # Without the option the level is kept and the page says how to drop it.
    page = visible_text(client.post(url, names, follow=True))
    assert "cochez « Rattacher les objectifs directement à leur orientation »" in page
    assert Theme.objects.filter(archived=False, implicit=False).count() == 2

    page = visible_text(client.post(url, {**names, "attach_to_orientations": "on"}, follow=True))
    assert "Les niveaux de la feuille de route ont été enregistrés." in page
    delais.refresh_from_db()
    urgences.refresh_from_db()
    action.refresh_from_db()
    # Under the orientation, in the order of their former themes; numbered 1.1 and 1.2.
    assert delais.theme == urgences.theme and delais.theme.implicit
    assert (delais.code, urgences.code) == ("1.1", "1.2")
    assert action.objective == urgences and action.code == "1.2.1"
    # The emptied themes are archived, not deleted.
    assert set(Theme.objects.filter(archived=True).values_list("title", flat=True)) == {
        "Soins",
        "Crise",
    }
    text = words(docx_text(render(project, get_kind("feuille-de-route"), "", "docx", DAY)))
    assert "Objectif stratégique 1.2 : Anticiper les crises" in text and "Thématique" not in text

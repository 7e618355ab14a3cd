"""Plain language (« facile à lire et à comprendre », issue 19): a short summary on each
orientation and fiche-action, its limit and guidance, the document
`feuille-de-route-facile.pdf` and what the Documents page says of the summaries missing."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from ptsm.accounts.models import Role
from ptsm.documents.registry import get_kind
from ptsm.documents.services import render
from ptsm.roadmap.models import PLAIN_SUMMARY_MAX, Action, Objective, Orientation, Theme
from tests.factories import make_project, member
from tests.helpers import form_data, login, page_text

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 24)
CRISIS = (
    "Quand tout va mal, vous pouvez appeler une équipe.\n"
    "Elle vient chez vous, le jour même, et vous aide à trouver une solution."
)
PATHWAY = (
    "Nous voulons que vous soyez aidé sans attendre, sans avoir à raconter dix fois votre histoire."
)


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère")


def roadmap(project, *, summaries=(CRISIS, "", "Un seul numéro pour vous orienter.")):
    orientation = Orientation.objects.create(
        project=project, title="Des parcours sans rupture", number=1, plain_summary=PATHWAY
    )
    objective = Objective.objects.create(
        theme=Theme.objects.create(orientation=orientation, title="Crise"),
        title="Répondre à la crise",
    )
    titles = ["Équipe mobile de crise", "Formation des urgentistes", "Plateforme d'orientation"]
    return [
        Action.objects.create(
            objective=objective,
            title=title,
            position=i,
            number=i + 1,
            plain_summary=summary,
            start_date=dt.date(2026, 3, 1) if i == 0 else None,
            end_date=dt.date(2027, 12, 31) if i == 0 else None,
        )
        for i, (title, summary) in enumerate(zip(titles, summaries, strict=True))
    ]


def section_url(project, action):
    return reverse(
        "roadmap:action_section",
        kwargs={"slug": project.slug, "pk": action.pk, "section": "description"},
    )


def test_the_general_section_of_the_fiche_action_edits_the_summary_with_its_guidance(
    client, project
):
    action = roadmap(project)[1]
    login(client, member(project, Role.PROJECT_LEAD))
    url = section_url(project, action)
    page = page_text(client.get(url))
    assert "Résumé en langage facile de la fiche-action" in page
    assert f"{PLAIN_SUMMARY_MAX} caractères au plus" in page
    assert "aucun sigle" in page and "écrivez « vous »" in page
    assert f'maxlength="{PLAIN_SUMMARY_MAX}"' in page
    data = form_data(client.get(url), action=url)
    data["plain_summary"] = "Les médecins des urgences apprennent à mieux vous accueillir."
    assert client.post(url, data).status_code == 302
    action.refresh_from_db()
    assert action.plain_summary == "Les médecins des urgences apprennent à mieux vous accueillir."


def test_a_summary_over_the_limit_is_refused_in_french_and_nothing_changes(client, project):
    action = roadmap(project)[1]
    login(client, member(project, Role.PROJECT_LEAD))
    url = section_url(project, action)
    data = form_data(client.get(url), action=url)
    data["plain_summary"] = "Trop long. " * 60
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Assurez-vous que cette valeur comporte au plus 600 caractères" in page_text(response)
    action.refresh_from_db()
    assert action.plain_summary == ""


def test_the_orientation_form_edits_its_summary_within_the_limit(client, project):
    orientation = roadmap(project)[0].objective.theme.orientation
    login(client, member(project, Role.PROJECT_LEAD))
    url = reverse(
        "roadmap:item_edit",
        kwargs={"slug": project.slug, "level": "orientation", "pk": orientation.pk},
    )
    page = page_text(client.get(url))
    assert "Résumé en langage facile de l'orientation" in page
    data = form_data(client.get(url), action=url)
    data["plain_summary"] = "x" * (PLAIN_SUMMARY_MAX + 1)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "au plus 600 caractères" in page_text(response)
    orientation.refresh_from_db()
    assert orientation.plain_summary == PATHWAY
    data["plain_summary"] = "Être aidé sans attendre."
    assert client.post(url, data).status_code == 302
    orientation.refresh_from_db()
    assert orientation.plain_summary == "Être aidé sans attendre."


def test_a_reader_may_not_change_a_summary(client, project):
    action = roadmap(project)[1]
    login(client, member(project, Role.READER))
    assert client.post(section_url(project, action), {"plain_summary": "x"}).status_code == 403
    action.refresh_from_db()
    assert action.plain_summary == ""


def _pages(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def _font_sizes(page) -> set[float]:
    sizes = set()

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            sizes.add(round(font_size * abs(tm[3]) * abs(cm[3] or 1), 1))

    page.extract_text(visitor_text=visit)
    return sizes


def test_the_plain_roadmap_has_one_large_page_per_summarised_fiche_action(project):
    roadmap(project)
    data = render(project, get_kind("feuille-de-route-facile"), "", "pdf", DAY)
    pages = _pages(data)
    # A cover, then one page per fiche-action with a summary; the one without is left out.
    assert len(pages) == 3
    assert "La feuille de route en langage facile" in pages[0]
    assert "Équipe mobile de crise" in pages[0] and "Plateforme d'orientation" in pages[0]
    assert all("Formation des urgentistes" not in page for page in pages)
    crisis = pages[1]
    assert crisis.startswith(("PTSM du Finistère", "Équipe mobile de crise"))
    assert "Quand tout va mal, vous pouvez appeler une équipe." in crisis
    assert "Quand ? De mars 2026 à décembre 2027." in crisis
    assert "Cette action fait partie de : Des parcours sans rupture" in crisis
    assert "sans avoir à raconter dix fois votre histoire" in crisis
    assert "Un seul numéro pour vous orienter." in pages[2]
    assert "Quand ?" not in pages[2]  # no dates: nothing said, no placeholder
    # No codes of the roadmap (« 1.1.1 ») in a document for everyone.
    assert all("1.1.1" not in page for page in pages)
    # Large type: the body text is set in 17 pt (headings larger), never below 16 pt except
    # the page's header and footer.
    reader = PdfReader(io.BytesIO(data))
    sizes = _font_sizes(reader.pages[1])
    assert 17.0 in sizes
    assert {s for s in sizes if 9 < s < 16} == set()


def test_the_documents_page_says_how_many_summaries_are_missing(client, project):
    roadmap(project)
    login(client, member(project, Role.PROJECT_LEAD))
    page = " ".join(
        page_text(client.get(reverse("documents:list", kwargs={"slug": project.slug}))).split()
    )
    assert "feuille-de-route-facile.pdf" in page
    assert (
        "1 fiche-action n'a pas encore de résumé en langage facile : elle n'y figure pas "
        "(2 résumés écrits sur 3)." in page
    )


def test_without_any_summary_the_document_is_not_offered_yet(client, project):
    roadmap(project, summaries=("", "", ""))
    login(client, member(project, Role.PROJECT_LEAD))
    page = " ".join(
        page_text(client.get(reverse("documents:list", kwargs={"slug": project.slug}))).split()
    )
    assert (
        "Pas encore disponible : aucune fiche-action n'a encore de résumé en langage facile" in page
    )

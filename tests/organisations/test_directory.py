import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.organisations.models import Contact, Organisation
from ptsm.organisations.selectors import key_actor_checklist
from tests.factories import make_project, member
from tests.helpers import login, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère")


@pytest.fixture
def lead_client(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    return client


def _org(project, name="EPSM", **fields):
    return Organisation.objects.create(
        project=project, name=name, category="sanitaire_public", **fields
    )


def test_lead_adds_an_organisation_with_its_referential_commune(lead_client, project):
    response = lead_client.post(
        reverse("organisations:create", kwargs={"slug": project.slug}),
        {
            "name": "EPSM Finistère Sud",
            "category": "sanitaire_public",
            "sub_type": "etab_psy_public",
            "finess_et": "29 000 0975",
            "siret": "",
            "commune_code": "29232",
            "website": "epsm.fr",
        },
    )
    organisation = Organisation.objects.get(project=project)
    assert response.status_code == 302
    assert organisation.finess_et == "290000975"
    assert organisation.commune.name == "Quimper"
    assert organisation.website == "https://epsm.fr"


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"finess_et": "ABC"}, "Numéro FINESS invalide"),
        ({"siret": "12345678901234"}, "la clé de contrôle ne correspond pas"),
        ({"commune_code": "99999"}, "Code INSEE inconnu : 99999"),
        ({"sub_type": "gem"}, "Ce sous-type ne correspond pas à la catégorie choisie."),
        ({"email": "pas-une-adresse"}, "Saisissez une adresse de courriel valide."),
    ],
)
def test_invalid_organisations_are_refused_in_french(lead_client, project, fields, message):
    data = {"name": "X", "category": "sanitaire_public"} | fields
    response = lead_client.post(
        reverse("organisations:create", kwargs={"slug": project.slug}), data
    )
    assert message in page_text(response)
    assert not Organisation.objects.filter(project=project).exists()


def test_duplicate_finess_in_the_same_project_is_refused(lead_client, project):
    _org(project, finess_et="290000975")
    response = lead_client.post(
        reverse("organisations:create", kwargs={"slug": project.slug}),
        {"name": "Doublon", "category": "sanitaire_public", "finess_et": "290000975"},
    )
    assert "existe déjà dans l'annuaire du projet" in page_text(response)
    assert Organisation.objects.filter(project=project).count() == 1


def test_contacts_are_professional_and_unique_per_project(lead_client, project):
    organisation = _org(project)
    url = reverse("organisations:contact_create", kwargs={"slug": project.slug})
    data = {
        "organisation": organisation.pk,
        "civility": "Mme",
        "first_name": "Katell",
        "last_name": "Le Bihan",
        "function": "Psychiatre",
        "email": "K.LeBihan@epsm.fr",
        "legal_basis": "mission_interet_public",
        "notice_date": "2026-03-01",
    }
    assert lead_client.post(url, data).status_code == 302
    contact = Contact.objects.get(project=project)
    assert contact.email == "k.lebihan@epsm.fr"
    duplicate = lead_client.post(url, data | {"email": "k.lebihan@EPSM.fr", "first_name": "Autre"})
    assert "Un contact avec cette adresse électronique existe déjà" in page_text(duplicate)
    invalid = lead_client.post(url, data | {"email": "k.lebihan@"})
    assert "Saisissez une adresse de courriel valide." in page_text(invalid)
    assert Contact.objects.filter(project=project).count() == 1
    form_page = page_text(lead_client.get(url))
    assert "Seules des coordonnées professionnelles sont enregistrées" in form_page


def test_a_contact_cannot_be_attached_to_another_projects_organisation(lead_client, project):
    other = make_project(departement="79", name="Autre")
    foreign = _org(other, name="Étranger")
    response = lead_client.post(
        reverse("organisations:contact_create", kwargs={"slug": project.slug}),
        {
            "organisation": foreign.pk,
            "first_name": "A",
            "last_name": "B",
            "legal_basis": "interet_legitime",
        },
    )
    assert "Sélectionnez un choix valide" in page_text(response)
    assert not Contact.objects.exists()


def test_directory_search_and_filters(client, project):
    login(client, member(project, Role.READER))
    _org(project, name="EPSM Finistère Sud", sub_type="etab_psy_public", mental_health=True)
    Organisation.objects.create(
        project=project, name="GEM L'Escale", category="usagers_familles", sub_type="gem"
    )
    url = reverse("organisations:list", kwargs={"slug": project.slug})
    assert "2 organisations" in page_text(client.get(url))
    only_mh = page_text(client.get(url, {"mental_health": "on"}))
    assert "EPSM Finistère Sud" in only_mh and "GEM L'Escale" not in only_mh
    by_category = page_text(client.get(url, {"category": "usagers_familles"}))
    assert "GEM L'Escale" in by_category and "EPSM" not in by_category
    assert "GEM L'Escale" in page_text(client.get(url, {"q": "escale"}))


def test_checklist_marks_covered_and_missing_categories_and_the_dashboard_shows_missing(
    client, project
):
    Organisation.objects.create(
        project=project, name="ARS", category="institutions_financeurs", sub_type="ars"
    )
    Organisation.objects.create(
        project=project, name="UNAFAM", category="usagers_familles", sub_type="unafam"
    )
    checklist = {item.actor.code: item.covered for item in key_actor_checklist(project)}
    assert checklist["ars"] and checklist["usagers"]
    assert not checklist["mdph"] and not checklist["cd"]
    login(client, member(project, Role.READER))
    dashboard = page_text(client.get(reverse("projects:dashboard", kwargs={"slug": project.slug})))
    missing = dashboard[dashboard.index('id="missing-actors"') :]
    assert "MDPH" in missing and "Conseil départemental" in missing
    assert "Agence régionale de santé" not in missing[: missing.index("</ul>")]


def test_organisation_page_lists_contacts_and_bodies(client, project):
    from ptsm.governance.models import Body, BodyMember

    organisation = _org(project, name="EPSM Finistère Sud")
    contact = Contact.objects.create(
        project=project, organisation=organisation, first_name="Katell", last_name="Le Bihan"
    )
    body = Body.objects.create(project=project, kind="copil", name="Comité de pilotage (COPIL)")
    BodyMember.objects.create(body=body, contact=contact, role="member")
    login(client, member(project, Role.READER))
    page = page_text(
        client.get(
            reverse("organisations:detail", kwargs={"slug": project.slug, "pk": organisation.pk})
        )
    )
    assert "Katell Le Bihan" in page
    assert "Comité de pilotage (COPIL)" in page


def _bulk_directory(project, organisations: int, contacts: int) -> None:
    Organisation.objects.bulk_create(
        Organisation(
            project=project, name=f"Organisation {i:05d}", category="social", sub_type="ccas"
        )
        for i in range(organisations)
    )
    ids = list(Organisation.objects.filter(project=project).values_list("pk", flat=True))
    Contact.objects.bulk_create(
        Contact(
            project=project,
            organisation_id=ids[i % len(ids)],
            first_name="Prénom",
            last_name=f"Nom {i:05d}",
            email=f"contact{i}@exemple.fr",
        )
        for i in range(contacts)
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_directory_pages_keep_a_bounded_number_of_queries(client, project):
    small = make_project(departement="56", name="Petit")
    _bulk_directory(small, 3, 5)
    _bulk_directory(project, 2000, 5000)
    user = member(project, Role.READER)
    from ptsm.accounts.models import Membership

    Membership.objects.create(user=user, project=small, role=Role.READER)
    login(client, user)
    for name in ("organisations:list", "organisations:contacts", "organisations:checklist"):
        big = _queries(client, reverse(name, kwargs={"slug": project.slug}))
        tiny = _queries(client, reverse(name, kwargs={"slug": small.slug}))
        assert big == tiny <= 15, name
    assert "2000 organisations" in page_text(
        client.get(reverse("organisations:list", kwargs={"slug": project.slug}))
    )


def _rows(html: str) -> list[str]:
    """The organisations' names in the order of the directory's table."""
    import re

    return re.findall(r'<td><a href="/projets/[^"]+/annuaire/\d+/">([^<]+)</a>', html)


def test_the_directory_sorts_by_a_column_and_its_pages_keep_the_filters_and_the_order(
    client, project
):
    login(client, member(project, Role.READER))
    _org(project, name="Centre hospitalier de Quimper", sub_type="etab_psy_public")
    for name in ("Association Kerlaz", "Bretagne Santé Mentale"):
        Organisation.objects.create(project=project, name=name, category="social", sub_type="ccas")
    url = reverse("organisations:list", kwargs={"slug": project.slug})
    html = client.get(url).content.decode()
    assert _rows(html) == [
        "Association Kerlaz",
        "Bretagne Santé Mentale",
        "Centre hospitalier de Quimper",
    ]
    # The current column is announced; a click on it sorts the other way round.
    assert '<th scope="col" aria-sort="ascending"><a class="ptsm-sort ptsm-sort--ascending"' in html
    assert "?tri=nom&amp;ordre=desc" in html
    html = client.get(url, {"tri": "nom", "ordre": "desc"}).content.decode()
    assert _rows(html)[0] == "Centre hospitalier de Quimper"
    assert 'aria-sort="descending"' in html
    by_category = _rows(client.get(url, {"tri": "categorie"}).content.decode())
    assert by_category[0] == "Centre hospitalier de Quimper"  # « Sanitaire… » before « Social »
    # An unknown column is ignored, never an error.
    assert client.get(url, {"tri": "id; DROP TABLE", "ordre": "desc"}).status_code == 200

    # Past 50 rows the table is paginated; the next page keeps the filter and the order.
    Organisation.objects.bulk_create(
        Organisation(project=project, name=f"CCAS {i:03d}", category="social", sub_type="ccas")
        for i in range(60)
    )
    html = client.get(url, {"category": "social", "tri": "nom", "ordre": "desc"}).content.decode()
    assert "62 organisations — page 1 sur 2" in page_text_of(html)
    assert "?category=social&amp;tri=nom&amp;ordre=desc&amp;page=2" in html
    second = client.get(url, {"category": "social", "tri": "nom", "ordre": "desc", "page": 2})
    assert _rows(second.content.decode())[-1] == "Association Kerlaz"


def page_text_of(html: str) -> str:
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _matches(response) -> list[str]:
    import re

    return re.findall(r'data-ptsm-label="([^"]+)"', response.content.decode())


def test_the_organisation_search_ignores_accents_keeps_to_the_project_and_to_20(client, project):
    login(client, member(project, Role.READER))
    _org(project, name="Hôpital de Morlaix", finess_et="290000017")
    _org(project, name="Centre médico-psychologique", archived=True)
    Organisation.objects.bulk_create(
        Organisation(project=project, name=f"Élan {i:02d}", category="social") for i in range(30)
    )
    neighbour = make_project(name="PTSM voisin")
    _org(neighbour, name="Hôpital voisin")
    search = reverse("organisations:search", kwargs={"slug": project.slug})
    assert _matches(client.get(search, {"q": "HOPITAL"})) == ["Hôpital de Morlaix"]
    assert _matches(client.get(search, {"q": "hôpital morl"})) == ["Hôpital de Morlaix"]
    assert _matches(client.get(search, {"q": "2900000"})) == ["Hôpital de Morlaix"]  # FINESS
    assert _matches(client.get(search, {"q": "medico"})) == []  # archived
    many = client.get(search, {"q": "elan"})
    assert len(_matches(many)) == 20 and _matches(many)[0] == "Élan 00"
    assert "Les 20 premières organisations sont proposées" in page_text(many)
    assert "Aucune organisation ne correspond" in page_text(client.get(search, {"q": "zzz"}))
    assert _matches(client.get(search, {"q": ""})) == []
    # Members of other projects learn nothing of this one; anonymous users go to the login page.
    login(client, member(neighbour, Role.PROJECT_LEAD))
    assert client.get(search, {"q": "hopital"}).status_code == 404
    client.logout()
    assert client.get(search, {"q": "hopital"}).status_code == 302

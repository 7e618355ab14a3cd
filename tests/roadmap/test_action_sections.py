"""The fiche-action edit page in sections, each saved on its own, and its formset rows added and
removed in place."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.roadmap.models import Action, Objective, Orientation, Theme
from tests.factories import make_project, member
from tests.helpers import form_data, login, page_text, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère")


@pytest.fixture
def action(project):
    orientation = Orientation.objects.create(project=project, title="Parcours", position=1)
    objective = Objective.objects.create(
        theme=Theme.objects.create(orientation=orientation, title="Crise"), title="Répondre"
    )
    return Action.objects.create(
        objective=objective, title="Équipe mobile", description="Version initiale"
    )


def section_url(project, action, section):
    return reverse(
        "roadmap:action_section", kwargs={"slug": project.slug, "pk": action.pk, "section": section}
    )


def row_url(project, action, prefix):
    return reverse(
        "roadmap:action_row", kwargs={"slug": project.slug, "pk": action.pk, "prefix": prefix}
    )


def funding(prefix_index: int, amount: str, year: str = "2027") -> dict:
    p = f"financements-{prefix_index}-"
    return {p + "funder": "fir", p + "amount": amount, p + "year": year, p + "status": "sollicite"}


def test_the_edit_link_opens_the_first_section_with_a_menu_of_all(client, project, action):
    login(client, member(project, Role.PROJECT_LEAD))
    detail = client.get(reverse("roadmap:action", kwargs={"slug": project.slug, "pk": action.pk}))
    assert section_url(project, action, "description") in detail.content.decode()
    page = page_text(client.get(section_url(project, action, "description")))
    for title in (
        "Description",
        "Pilotage et partenaires",
        "Calendrier et jalons",
        "Financement",
        "Indicateurs",
        "Toute la fiche sur une page",
    ):
        assert title in page
    assert "Intitulé" in page and "Risques" not in page  # risks belong to « Pilotage »
    assert client.get(section_url(project, action, "inconnue")).status_code == 404
    # The former URL still edits the whole sheet on one page.
    whole = page_text(
        client.get(reverse("roadmap:action_edit", kwargs={"slug": project.slug, "pk": action.pk}))
    )
    assert "Enregistrer la fiche-action" in whole and "Risques" in whole


def test_each_section_saves_its_own_fields_and_lines(client, project, action):
    login(client, member(project, Role.PROJECT_LEAD))
    url = section_url(project, action, "description")
    data = form_data(client.get(url), action=url)
    data["title"] = "Équipe mobile de crise"
    response = client.post(url, data)
    assert response.status_code == 302 and response.url == url
    assert "section « Description » enregistrée" in page_text(client.get(url))

    url = section_url(project, action, "pilotage")
    data = form_data(client.get(url), action=url)
    data["risks"] = "Recrutement difficile"
    assert client.post(url, data).status_code == 302

    url = section_url(project, action, "calendrier")
    data = form_data(client.get(url), action=url)
    assert data["jalons-TOTAL_FORMS"] == "0"  # no empty row per save any more
    data.update(
        {
            "start_date": "2027-01-01",
            "end_date": "2028-12-31",
            "jalons-TOTAL_FORMS": "1",
            "jalons-0-title": "Recrutement",
            "jalons-0-due_date": "2027-03-01",
            "jalons-0-status": "prevu",
        }
    )
    assert client.post(url, data).status_code == 302

    url = section_url(project, action, "financement")
    data = form_data(client.get(url), action=url)
    data.update({"financements-TOTAL_FORMS": "2", **funding(0, "40000"), **funding(1, "5000")})
    assert client.post(url, data).status_code == 302

    url = section_url(project, action, "indicateurs")
    data = form_data(client.get(url), action=url)
    data.update({"indicateurs-TOTAL_FORMS": "1", "indicateurs-0-name": "File active"})
    assert client.post(url, data).status_code == 302

    action.refresh_from_db()
    assert action.title == "Équipe mobile de crise"
    assert action.description == "Version initiale"  # untouched by every section
    assert action.risks == "Recrutement difficile"
    assert (action.start_date, action.end_date) == (dt.date(2027, 1, 1), dt.date(2028, 12, 31))
    assert [m.title for m in action.milestones.all()] == ["Recrutement"]
    assert sorted(f.amount for f in action.funding_lines.all()) == [
        Decimal("5000"),
        Decimal("40000"),
    ]
    assert [i.name for i in action.indicators.all()] == ["File active"]

    # « Retirer cette ligne » on a saved line removes it at the next save.
    url = section_url(project, action, "financement")
    data = form_data(client.get(url), action=url)
    data["financements-0-DELETE"] = "on"
    assert client.post(url, data).status_code == 302
    assert action.funding_lines.count() == 1


def test_a_section_with_bad_input_saves_nothing_and_says_why_in_french(client, project, action):
    login(client, member(project, Role.PROJECT_LEAD))
    url = section_url(project, action, "financement")
    data = form_data(client.get(url), action=url)
    data.update({"financements-TOTAL_FORMS": "1", **funding(0, "beaucoup")})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Saisissez un nombre" in page_text(response)
    assert not action.funding_lines.exists()


def test_two_people_saving_different_sections_both_keep_their_work(client, project, action):
    alice, bruno = member(project, Role.PROJECT_LEAD), member(project, Role.ARS_ADMIN)
    description, money = (
        section_url(project, action, "description"),
        section_url(project, action, "financement"),
    )
    login(client, alice)
    alice_form = form_data(client.get(description), action=description)
    alice_pilotage = form_data(
        client.get(section_url(project, action, "pilotage")),
        action=section_url(project, action, "pilotage"),
    )
    login(client, bruno)
    bruno_form = form_data(client.get(money), action=money)
    bruno_form.update({"financements-TOTAL_FORMS": "1", **funding(0, "12000")})
    assert client.post(money, bruno_form).status_code == 302

    login(client, alice)
    alice_form["title"] = "Titre d'Alice"
    assert client.post(description, alice_form).status_code == 302
    alice_pilotage["risks"] = "Risque vu par Alice"  # loaded before both saves
    assert client.post(section_url(project, action, "pilotage"), alice_pilotage).status_code == 302

    action.refresh_from_db()
    assert action.title == "Titre d'Alice"
    assert action.risks == "Risque vu par Alice"
    assert [f.amount for f in action.funding_lines.all()] == [Decimal("12000")]


def test_two_people_changing_the_same_section_get_the_conflict(client, project, action):
    alice, bruno = member(project, Role.PROJECT_LEAD), member(project, Role.ARS_ADMIN)
    url = section_url(project, action, "description")
    login(client, alice)
    alice_form = form_data(client.get(url), action=url)
    login(client, bruno)
    bruno_form = form_data(client.get(url), action=url)
    bruno_form["description"] = "Étapes revues par Bruno"
    assert client.post(url, bruno_form).status_code == 302

    login(client, alice)
    alice_form["title"] = "Titre d'Alice"
    response = client.post(url, alice_form)
    page = page_text(response)
    assert response.status_code == 200
    assert "Quelqu'un d'autre a enregistré une modification" in page
    assert "Repris de la version enregistrée : Description et étapes" in page
    action.refresh_from_db()
    assert (action.title, action.description) == ("Équipe mobile", "Étapes revues par Bruno")
    # The re-shown form keeps her title, takes his description, and saves.
    reshown = form_data(response, action=url)
    assert client.post(url, reshown).status_code == 302
    action.refresh_from_db()
    assert (action.title, action.description) == ("Titre d'Alice", "Étapes revues par Bruno")


def test_two_people_adding_funding_lines_at_once_get_the_conflict(client, project, action):
    alice, bruno = member(project, Role.PROJECT_LEAD), member(project, Role.ARS_ADMIN)
    url = section_url(project, action, "financement")
    login(client, alice)
    alice_form = form_data(client.get(url), action=url)
    login(client, bruno)
    bruno_form = form_data(client.get(url), action=url)
    bruno_form.update({"financements-TOTAL_FORMS": "1", **funding(0, "12000")})
    assert client.post(url, bruno_form).status_code == 302

    login(client, alice)
    alice_form.update({"financements-TOTAL_FORMS": "1", **funding(0, "30000")})
    response = client.post(url, alice_form)
    assert response.status_code == 200
    assert "Quelqu'un d'autre a enregistré une modification" in page_text(response)
    assert [f.amount for f in action.funding_lines.all()] == [Decimal("12000")]


def test_add_a_row_in_place_and_without_javascript(client, project, action):
    login(client, member(project, Role.PROJECT_LEAD))
    fragment = client.get(row_url(project, action, "financements"), {"financements-TOTAL_FORMS": 2})
    html = fragment.content.decode()
    assert fragment.status_code == 200
    assert 'name="financements-2-amount"' in html
    assert "Financements — ligne 3 (nouvelle)" in page_text(fragment)
    # TOTAL_FORMS goes up by one, out of band, so that the next row gets the next index.
    assert 'id="id_financements-TOTAL_FORMS"' in html and 'value="3"' in html
    assert "hx-swap-oob" in html
    # « Retirer » on a new row leaves only its deletion mark, so the formset ignores it.
    removed = client.get(row_url(project, action, "financements"), {"retirer": "2"})
    assert removed.content == b'<input type="hidden" name="financements-2-DELETE" value="on">'
    bad = client.get(row_url(project, action, "financements"), {"financements-TOTAL_FORMS": "x"})
    assert bad.status_code == 400
    assert client.get(row_url(project, action, "inconnues")).status_code == 404

    # Without JavaScript, « Ajouter une ligne » submits the section and shows one more row.
    url = section_url(project, action, "financement")
    data = form_data(client.get(url), action=url)
    data["ajouter_ligne"] = "financements"
    response = client.post(url, data)
    assert response.status_code == 200
    assert 'name="financements-0-amount"' in response.content.decode()
    assert form_data(response, action=url)["financements-TOTAL_FORMS"] == "1"
    assert not action.funding_lines.exists()

    # Saving with a row removed in place (only its deletion mark left) ignores that row.
    data.pop("ajouter_ligne")
    data.update(
        {"financements-TOTAL_FORMS": "2", **funding(0, "8000"), "financements-1-DELETE": "on"}
    )
    assert client.post(url, data).status_code == 302
    assert [f.amount for f in action.funding_lines.all()] == [Decimal("8000")]


def test_a_pilot_edits_only_the_sections_of_their_own_action(client, project, action):
    pilot = member(project, Role.ACTION_PILOT)
    login(client, pilot)
    assert client.get(section_url(project, action, "financement")).status_code == 403
    assert client.get(row_url(project, action, "financements")).status_code == 403
    action.pilot_user = pilot
    action.save()
    assert client.get(section_url(project, action, "financement")).status_code == 200


# The pilot's contact is one of the pilot organisation's ------------------------------------


@pytest.fixture
def pilots(project):
    from ptsm.organisations.models import Contact, Organisation

    epsm = Organisation.objects.create(project=project, name="EPSM Finistère Sud", category="x")
    unafam = Organisation.objects.create(project=project, name="UNAFAM 29", category="x")
    return {
        "epsm": epsm,
        "unafam": unafam,
        "doctor": Contact.objects.create(
            project=project, organisation=epsm, first_name="Anne", last_name="Le Goff"
        ),
        "volunteer": Contact.objects.create(
            project=project, organisation=unafam, first_name="Yann", last_name="Kerbrat"
        ),
    }


def test_the_pilot_contacts_follow_the_pilot_organisation(client, project, action, pilots):
    login(client, member(project, Role.PROJECT_LEAD))
    action.pilot_organisation = pilots["epsm"]
    action.save()
    page = client.get(section_url(project, action, "pilotage")).content.decode()
    contact_select = page.split('id="id_pilot_contact"')[1].split("</select>")[0]
    assert "Anne Le Goff" in contact_select and "Yann Kerbrat" not in contact_select
    # Choosing another organisation swaps the contacts in place (htmx).
    options_url = reverse("roadmap:pilot_contacts", kwargs={"slug": project.slug})
    assert options_url in page
    options = client.get(options_url, {"pilot_organisation": pilots["unafam"].pk})
    assert "Yann Kerbrat" in options.content.decode()
    assert "Anne Le Goff" not in options.content.decode()
    assert "Sélectionner une option" in options.content.decode()


def test_a_contact_of_another_organisation_is_refused_in_french(client, project, action, pilots):
    login(client, member(project, Role.PROJECT_LEAD))
    url = section_url(project, action, "pilotage")
    data = form_data(client.get(url), action=url)
    data["pilot_organisation"] = str(pilots["epsm"].pk)
    data["pilot_contact"] = str(pilots["volunteer"].pk)
    page = visible_text(client.post(url, data))
    assert "Personne pilote : choisissez l'un des contacts de l'organisation pilote." in page
    action.refresh_from_db()
    assert action.pilot_contact is None and action.pilot_organisation is None


def test_the_pilot_contacts_list_is_for_the_roadmap_editors_only(client, project, pilots):
    login(client, member(project, Role.READER))
    options_url = reverse("roadmap:pilot_contacts", kwargs={"slug": project.slug})
    assert client.get(options_url, {"pilot_organisation": pilots["epsm"].pk}).status_code == 403


def test_a_large_directory_is_searched_not_sent_and_a_choice_is_saved(client, project, action):
    from ptsm.organisations.models import Organisation

    login(client, member(project, Role.PROJECT_LEAD))
    Organisation.objects.bulk_create(
        Organisation(project=project, name=f"Structure {i:04d}", category="social")
        for i in range(2000)
    )
    morlaix = Organisation.objects.create(
        project=project, name="Hôpital de Morlaix", category="sanitaire_public"
    )
    gem = Organisation.objects.create(project=project, name="GEM Brest", category="social")
    elsewhere = Organisation.objects.create(
        project=make_project(name="PTSM voisin"), name="Clinique voisine", category="social"
    )
    url = section_url(project, action, "pilotage")
    page = client.get(url).content.decode()
    # The page carries the chosen organisations only (none yet), and a search of the directory.
    assert page.count("<option") < 30
    assert "Structure 0001" not in page
    assert reverse("organisations:search", kwargs={"slug": project.slug}) in page
    assert "Organisation pilote : rechercher une organisation" in visible_text(client.get(url))

    data = form_data(client.get(url), action=url)
    data |= {"pilot_organisation": str(morlaix.pk), "partners": [str(gem.pk), str(morlaix.pk)]}
    response = client.post(url, data)
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.pilot_organisation == morlaix

    assert set(action.partners.all()) == {gem, morlaix}
    # Read back: the chosen ones are the page's options, selected.
    page = client.get(url).content.decode()
    assert f'<option value="{morlaix.pk}" selected>Hôpital de Morlaix</option>' in page
    assert f'<option value="{gem.pk}" selected>GEM Brest</option>' in page
    assert page.count("<option") < 30

    # Another project's organisation is still refused, in French, and nothing changes.
    data = form_data(client.get(url), action=url)
    data["pilot_organisation"] = str(elsewhere.pk)
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Sélectionnez un choix valide" in visible_text(refused)
    action.refresh_from_db()
    assert action.pilot_organisation == morlaix

    # A pilot sees who pilots without changing it: the chosen organisation, no search.
    pilot = member(project, Role.ACTION_PILOT)
    action.pilot_user = pilot
    action.save()
    login(client, pilot)
    page = client.get(url).content.decode()
    pilot_select = page.split('id="id_pilot_organisation"')[1].split("</select>")[0]
    assert "Hôpital de Morlaix" in pilot_select
    assert "Organisation pilote : rechercher une organisation" not in visible_text(client.get(url))
    assert page.count("<option") < 30

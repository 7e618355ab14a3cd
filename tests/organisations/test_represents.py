"""Whom an organisation represents (issue 19): people with lived experience, their families or
both — pre-filled for the « usagers et familles » organisations, editable on the form."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.organisations.categories import default_represents
from ptsm.organisations.models import Organisation
from tests.factories import make_project, member
from tests.helpers import login, page_text
from tests.organisations.test_import_export import ORGANISATIONS_CSV, confirm, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère")


@pytest.fixture
def lead(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    return client


@pytest.mark.parametrize(
    "category, sub_type, expected",
    [
        ("usagers_familles", "gem", "personnes_concernees"),
        ("usagers_familles", "pair_aidance", "personnes_concernees"),
        ("usagers_familles", "unafam", "proches"),
        ("usagers_familles", "representant_usagers", "personnes_concernees_proches"),
        ("usagers_familles", "", "personnes_concernees_proches"),
        ("sanitaire_public", "etab_psy_public", ""),
        ("medico_social", "", ""),
    ],
)
def test_the_usagers_et_familles_organisations_represent_them(category, sub_type, expected):
    assert default_represents(category, sub_type) == expected


def test_an_import_pre_fills_whom_the_gem_and_the_unafam_represent(lead, project):
    upload(lead, project, "acteurs.csv", ORGANISATIONS_CSV.encode("utf-8"))
    confirm(lead, project)
    represents = dict(
        Organisation.objects.filter(project=project).values_list("name", "represents")
    )
    assert represents == {
        "EPSM Finistère Sud": "",
        "GEM L'Escale": "personnes_concernees",
        "UNAFAM Finistère": "proches",
    }


def test_the_data_migration_pre_fills_the_directory_already_there(project):
    def org(name, category, sub_type="", represents=""):
        return Organisation.objects.create(
            project=project,
            name=name,
            category=category,
            sub_type=sub_type,
            represents=represents,
        )

    gem = org("GEM", "usagers_familles", "gem")
    association = org("Association d'usagers", "usagers_familles")
    chosen = org("UNAFAM", "usagers_familles", "unafam", represents="personnes_concernees")
    hospital = org("CHU", "sanitaire_public")
    migration = importlib.import_module("ptsm.organisations.migrations.0008_prefill_represents")
    migration.prefill(apps, None)
    for organisation in (gem, association, chosen, hospital):
        organisation.refresh_from_db()
    assert gem.represents == "personnes_concernees"
    assert association.represents == "personnes_concernees_proches"
    assert chosen.represents == "personnes_concernees"  # a choice already made is kept
    assert hospital.represents == ""


def test_the_flag_is_set_on_the_organisation_form_and_shown(lead, project):
    response = lead.post(
        reverse("organisations:create", kwargs={"slug": project.slug}),
        {
            "name": "Pairs en Cornouaille",
            "category": "usagers_familles",
            "sub_type": "pair_aidance",
            "represents": "personnes_concernees",
        },
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(project=project)
    assert organisation.represents == "personnes_concernees"
    detail = page_text(lead.get(response.url))
    assert "Représente : personnes concernées" in detail


def test_an_unknown_value_is_refused_in_french(lead, project):
    response = lead.post(
        reverse("organisations:create", kwargs={"slug": project.slug}),
        {"name": "X", "category": "usagers_familles", "represents": "tout le monde"},
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in page_text(response)
    assert not Organisation.objects.filter(project=project).exists()


def test_a_file_may_say_whom_an_organisation_represents_and_the_export_says_it_back(lead, project):
    content = (
        "Nom;Catégorie;Sous-type;Représente\n"
        "GEM L'Escale;;GEM (groupe d'entraide mutuelle);Personnes concernées et proches\n"
        "Association Pairs 29;usagers_familles;;non\n"
    )
    upload(lead, project, "acteurs.csv", content.encode("utf-8"))
    confirm(lead, project)
    represents = dict(
        Organisation.objects.filter(project=project).values_list("name", "represents")
    )
    assert represents == {
        "GEM L'Escale": "personnes_concernees_proches",  # the file's choice, not the default
        "Association Pairs 29": "",  # « non »: nobody
    }
    export = lead.get(
        reverse(
            "organisations:export",
            kwargs={"slug": project.slug, "what": "organisations", "fmt": "csv"},
        )
    )
    text = export.content.decode("utf-8-sig")
    assert text.splitlines()[0].endswith(";Représente")
    assert "Personnes concernées et proches" in text


def test_an_unknown_represents_cell_is_refused_in_french(lead, project):
    content = "Nom;Catégorie;Représente\nGEM;usagers_familles;tout le monde\n"
    page = page_text(upload(lead, project, "acteurs.csv", content.encode("utf-8")))
    assert "Représente : « tout le monde »" in page
    assert not Organisation.objects.filter(project=project).exists()

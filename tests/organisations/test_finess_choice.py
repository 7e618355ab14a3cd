"""The FINESS import in two steps: upload (analysed in the background), then the choice of the
groups of categories, with their counts in the territory, before anything is written."""

import io
from pathlib import Path

import pytest
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.organisations.models import Organisation, PendingFinessImport
from tests.factories import make_project, member
from tests.helpers import login, page_text, visible_text
from tests.organisations.test_finess_formats import (
    HEADER_2026,
    REUNION_GEOLOCATIONS,
    REUNION_STRUCTURES,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reunion():
    return make_project(departement="974", name="PTSM de La Réunion")


def _upload(client, project, *, name="etalab-cs1100507-stock-20260512-0339.csv"):
    data = "\r\n".join([HEADER_2026, *REUNION_STRUCTURES, *REUNION_GEOLOCATIONS]) + "\r\n"
    upload = io.BytesIO(data.encode("cp1252"))
    upload.name = name
    url = reverse("organisations:finess_import", kwargs={"slug": project.slug})
    return client.post(url, {"file": upload}, follow=True)


def _choice_url(project) -> str:
    pending = PendingFinessImport.objects.get(project=project)
    return reverse("organisations:finess_choose", kwargs={"slug": project.slug, "pk": pending.pk})


def test_the_user_sees_the_groups_found_with_their_counts_and_imports_the_ones_ticked(
    client, reunion, settings
):
    login(client, member(reunion, Role.PROJECT_LEAD))
    analysis = _upload(client, reunion)
    page = page_text(analysis)
    assert "Analyse terminée : 4 établissements du territoire dans les catégories d'un PTSM" in page
    assert "Ignorées : 1 — hors du territoire du projet" in page
    assert not Organisation.objects.filter(project=reunion).exists()  # nothing written yet
    # The national file is not kept: only the territory's establishments are.
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.csv"))

    choice = client.get(_choice_url(reunion))
    assert choice.status_code == 200
    text = visible_text(choice)
    assert "extraction du 12 mai 2026" in text
    for heading in ("Sanitaire hospitalier (public et privé)", "Médico-social"):
        assert heading in text
    assert (
        "Psychiatrie : établissements autorisés et leurs structures (CMP, CATTP, SMPR…) — 1 établissement"
        in text
    )
    assert "Centre médico-psycho-pédagogique (CMPP) (189) : 1" in text
    assert (
        "Personnes âgées : EHPAD et autres établissements d'hébergement — 1 établissement" in text
    )
    html = choice.content.decode()
    assert (
        'value="psychiatrie" id="group-psychiatrie" aria-describedby="group-psychiatrie-hint" checked'
        in html
    )
    assert (
        'value="personnes_agees" id="group-personnes_agees" aria-describedby="group-personnes_agees-hint">'
        in html
    )
    assert "Hébergement et réinsertion" not in text  # groups with no establishment are left out

    choose = _choice_url(reunion)
    done = client.post(
        choose, {"groups": ["psychiatrie", "enfance_soins", "adultes_handicap"]}, follow=True
    )
    page = page_text(done)
    assert "Import FINESS terminé : 3 établissements créés, 0 mis à jour, 0 inchangé" in page
    assert "Non importés (catégories non retenues) : 1 établissement" in page
    assert set(
        Organisation.objects.filter(project=reunion).values_list("finess_et", flat=True)
    ) == {
        "970401234",
        "970405550",
        "970409999",
    }
    assert not PendingFinessImport.objects.filter(project=reunion).exists()
    assert "Voir l'annuaire" in page
    # The directory shows them.
    directory = page_text(client.get(reverse("organisations:list", kwargs={"slug": reunion.slug})))
    assert "ETABLISSEMENT PUBLIC DE SANTÉ MENTALE DE LA RÉUNION" in directory
    assert 'LIEU DE VIE ET D\'ACCUEIL "KAZ MARMAY"' in directory
    # The same choice sent again (a double click, the back button) imports nothing twice.
    again = client.post(choose, {"groups": ["psychiatrie"]}, follow=True)
    assert "n'est plus disponible" in page_text(again)
    assert Organisation.objects.filter(project=reunion).count() == 3


@pytest.mark.parametrize(
    "groups, error",
    [
        ([], "Cochez au moins une catégorie d'établissements à importer."),
        (["pharmacies"], "Catégorie inconnue : « pharmacies »."),
    ],
)
def test_a_choice_without_a_known_group_is_refused_and_nothing_is_written(
    client, reunion, groups, error
):
    login(client, member(reunion, Role.PROJECT_LEAD))
    _upload(client, reunion)
    response = client.post(_choice_url(reunion), {"groups": groups})
    assert response.status_code == 200
    assert error in page_text(response)
    assert not Organisation.objects.filter(project=reunion).exists()
    assert PendingFinessImport.objects.filter(project=reunion).exists()


def test_a_second_click_on_import_goes_to_the_same_job(client, reunion):
    from ptsm.jobs.models import Job

    login(client, member(reunion, Role.PROJECT_LEAD))
    _upload(client, reunion)
    url = _choice_url(reunion)
    first = client.post(url, {"groups": ["psychiatrie"]})
    second = client.post(url, {"groups": ["psychiatrie"]}, follow=True)
    assert first.status_code == 302
    # The import ran (immediate backend in tests): the analysis is consumed.
    assert "Cet import FINESS a déjà été enregistré" in page_text(second) or (
        "n'est plus disponible" in page_text(second)
    )
    assert Job.objects.filter(project=reunion, kind="import-finess").count() == 1
    assert Organisation.objects.filter(project=reunion).count() == 1


def test_a_new_file_replaces_the_previous_analysis(client, reunion):
    login(client, member(reunion, Role.PROJECT_LEAD))
    _upload(client, reunion)
    first = PendingFinessImport.objects.get(project=reunion)
    _upload(client, reunion, name="etalab-cs1100502-stock-20260512-0339.csv")
    assert list(PendingFinessImport.objects.filter(project=reunion)) != [first]
    assert PendingFinessImport.objects.filter(project=reunion).count() == 1
    old = reverse("organisations:finess_choose", kwargs={"slug": reunion.slug, "pk": first.pk})
    response = client.get(old, follow=True)
    assert "n'est plus disponible" in page_text(response)


def test_members_who_edit_the_directory_see_the_choice_and_readers_may_not(client, reunion):
    login(client, member(reunion, Role.PROJECT_LEAD))
    _upload(client, reunion)
    url = _choice_url(reunion)
    login(client, member(reunion, Role.PROJECT_LEAD))  # another chef de projet may finish it
    assert client.get(url).status_code == 200
    login(client, member(reunion, Role.READER))
    assert client.get(url).status_code == 403
    assert client.post(url, {"groups": ["psychiatrie"]}).status_code == 403
    other = make_project(departement="29")
    login(client, member(other, Role.PROJECT_LEAD))
    assert client.get(url).status_code == 404
    assert not Organisation.objects.filter(project=reunion).exists()


def test_a_file_with_no_establishment_of_the_territory_says_so(client):
    finistere = make_project(departement="29")
    login(client, member(finistere, Role.PROJECT_LEAD))
    _upload(client, finistere)
    page = visible_text(client.get(_choice_url(finistere)))
    assert "Aucun établissement à importer" in page
    assert "5 — hors du territoire du projet" in page

"""A project's main pages are served again from the cache only while nothing has changed: every
write (a form, a background job, a management command, the API) shows on the next page."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.jobs.services import run_job, start_job
from ptsm.projects.models import Project
from tests.factories import make_project, member
from tests.helpers import login, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    from django.core.cache import caches

    settings.PTSM_PAGE_CACHE = True
    caches[settings.PTSM_PAGE_CACHE_ALIAS].clear()


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère")


@pytest.fixture
def lead(project):
    return member(project, Role.PROJECT_LEAD, first_name="Anne", last_name="Le Goff")


def _directory(slug: str) -> str:
    return reverse("organisations:list", kwargs={"slug": slug})


def _warm(client, url: str):
    """The first visit sets the CSRF cookie, the second stores the page: the next ones are hits."""
    client.get(url)
    return client.get(url)


def _queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), page_text(response)


def test_a_page_is_served_again_without_being_computed(client, project, lead):
    login(client, lead)
    url = reverse("roadmap:tree", kwargs={"slug": project.slug})
    computed = _warm(client, url)
    count, text = _queries(client, url)
    assert text == page_text(computed)
    # Session, user, project and role only: none of the roadmap's own queries.
    assert count <= 7


def test_a_form_saved_in_the_project_shows_on_the_next_page(client, project, lead):
    login(client, lead)
    _warm(client, _directory(project.slug))
    response = client.post(
        reverse("organisations:create", kwargs={"slug": project.slug}),
        {"name": "EPSM Finistère Sud", "category": "sanitaire_public", "sub_type": ""},
    )
    assert response.status_code == 302
    assert "EPSM Finistère Sud" in page_text(client.get(_directory(project.slug)))


def test_a_write_in_another_project_keeps_this_projects_pages(client, project, lead):
    other = make_project(departement="56", name="PTSM du Morbihan")
    other_lead = member(other, Role.PROJECT_LEAD)
    before = Project.objects.get(pk=project.pk).data_version
    login(client, other_lead)
    client.post(
        reverse("organisations:create", kwargs={"slug": other.slug}),
        {"name": "GEM de Vannes", "category": "usagers_familles", "sub_type": ""},
    )
    assert Project.objects.get(pk=project.pk).data_version == before
    assert Project.objects.get(pk=other.pk).data_version > 0


def test_the_message_of_a_save_is_shown_not_a_cached_page(client, project, lead):
    login(client, lead)
    _warm(client, _directory(project.slug))
    response = client.post(
        reverse("organisations:create", kwargs={"slug": project.slug}),
        {"name": "GEM L'Escale", "category": "usagers_familles", "sub_type": ""},
        follow=True,
    )
    assert "fr-alert" in page_text(response)


def test_another_member_never_gets_my_page(client, project, lead):
    reader = member(project, Role.READER, first_name="Paul", last_name="Morvan")
    login(client, lead)
    mine = page_text(_warm(client, _directory(project.slug)))
    assert "Anne Le Goff" in mine
    client.logout()
    login(client, reader)
    theirs = page_text(_warm(client, _directory(project.slug)))
    assert "Paul Morvan" in theirs and "Anne Le Goff" not in theirs


def test_a_background_job_outdates_the_pages(client, project, lead):
    login(client, lead)
    url = reverse("documents:list", kwargs={"slug": project.slug})
    before = page_text(_warm(client, url))
    job = start_job(project=project, kind="tout-generer", user=lead)
    run_job(job_id=job.pk)
    after = page_text(client.get(url))
    assert after != before


def test_a_management_command_outdates_every_project(project):
    other = make_project(departement="56", name="PTSM du Morbihan")
    call_command("purge_personal_data", verbosity=0)
    assert set(Project.objects.values_list("data_version", flat=True)) == {1}
    assert other.pk in set(Project.objects.values_list("pk", flat=True))


def test_saving_ones_account_outdates_every_page(client, project, lead):
    login(client, lead)
    _warm(client, _directory(project.slug))
    before = Project.objects.get(pk=project.pk).data_version
    client.post(reverse("accounts:account"), {})
    assert Project.objects.get(pk=project.pk).data_version == before + 1


def test_an_ars_administrators_dashboard_is_always_computed(client, project):
    """It lists the région's other projects, which change without this project changing."""
    admin = member(project, Role.ARS_ADMIN)
    login(client, admin)
    url = reverse("projects:dashboard", kwargs={"slug": project.slug})
    _warm(client, url)
    make_project(departement="56", name="PTSM du Morbihan")
    assert "PTSM du Morbihan" in page_text(client.get(url))


def test_signing_in_does_not_outdate_the_pages(client, project, lead):
    before = Project.objects.get(pk=project.pk).data_version
    client.post(reverse("accounts:login"), {"username": "personne@exemple.fr", "password": "x"})
    assert Project.objects.get(pk=project.pk).data_version == before


def test_a_page_that_creates_data_on_its_first_visit_outdates_the_others(client, project, lead):
    """A section of the framing letter, opened first, creates the letter; reading pages that
    create nothing keeps the cached ones."""
    from ptsm.framing.models import FramingLetter

    login(client, lead)
    before = Project.objects.get(pk=project.pk).data_version
    section = reverse("framing:section", kwargs={"slug": project.slug, "key": "preambule"})
    assert client.get(section).status_code == 200
    assert FramingLetter.objects.filter(project=project).exists()
    assert Project.objects.get(pk=project.pk).data_version == before + 1
    client.get(section)
    client.get(_directory(project.slug))
    assert Project.objects.get(pk=project.pk).data_version == before + 1

"""The lecteur sees institutions but never a contact's e-mail address or phone number, and only
the chef de projet (or the ARS administrator) exports the contacts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from ptsm.accounts.models import Role
from ptsm.accounts.permissions import may_see_contact_details
from ptsm.governance import services as governance
from ptsm.governance.models import Body, BodyMember, Meeting
from ptsm.organisations.models import Contact, Organisation
from tests.factories import make_project, member
from tests.helpers import login

pytestmark = pytest.mark.django_db
EMAIL = "secretariat.direction@ch-morlaix.fr"
PHONE = "02 98 62 61 60"


@pytest.fixture
def directory():
    project = make_project(departement="29", name="PTSM du Finistère")
    organisation = Organisation.objects.create(
        project=project, name="CH des Pays de Morlaix", category="sanitaire_public"
    )
    contact = Contact.objects.create(
        project=project,
        organisation=organisation,
        first_name="Gwenaëlle",
        last_name="Kerbrat",
        function="Directrice",
        email=EMAIL,
        phone=PHONE,
    )
    governance.create_default_bodies(project=project)
    body = Body.objects.filter(project=project).first()
    BodyMember.objects.create(body=body, contact=contact)
    start = timezone.now()
    meeting = Meeting.objects.create(
        body=body, title="COPIL", starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    governance.add_invitation(meeting=meeting, contact=contact)
    return project, organisation, body, meeting


def _pages(project, organisation, body, meeting) -> list[str]:
    def url(name, **kwargs):
        return reverse(name, kwargs={"slug": project.slug, **kwargs})

    return [
        url("organisations:contacts"),
        url("organisations:detail", pk=organisation.pk),
        url("governance:body", pk=body.pk),
        url("governance:meeting", pk=meeting.pk),
        url("commitments:letter"),
        url("projects:members"),
    ]


def test_only_the_lecteur_is_denied_contact_details():
    assert [role for role in Role if not may_see_contact_details(role)] == [Role.READER]
    assert not may_see_contact_details(None)


def test_the_lecteur_sees_the_contact_but_not_their_email_or_phone(client, directory):
    project, organisation, body, meeting = directory
    login(client, member(project, Role.READER))
    for url in _pages(*directory):
        page = client.get(url).content.decode()
        assert EMAIL not in page and PHONE not in page, url
    assert "Kerbrat" in client.get(_pages(*directory)[0]).content.decode()
    assert "CH des Pays de Morlaix" in client.get(_pages(*directory)[1]).content.decode()

    login(client, member(project, Role.COPIL_MEMBER))
    assert EMAIL in client.get(_pages(*directory)[0]).content.decode()
    detail = client.get(_pages(*directory)[1]).content.decode()
    assert EMAIL in detail and PHONE in detail


def test_the_lecteur_cannot_find_a_contact_by_their_email(client, directory):
    project = directory[0]
    url = reverse("organisations:contacts", kwargs={"slug": project.slug})
    login(client, member(project, Role.READER))
    assert "Kerbrat" not in client.get(url, {"q": "secretariat.direction"}).content.decode()
    assert "Kerbrat" in client.get(url, {"q": "Kerbrat"}).content.decode()
    login(client, member(project, Role.PROJECT_LEAD))
    assert "Kerbrat" in client.get(url, {"q": "secretariat.direction"}).content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_only_the_chef_de_projet_and_the_ars_exports_contacts(client, directory, fmt):
    project = directory[0]
    url = reverse("organisations:contacts_export", kwargs={"slug": project.slug, "fmt": fmt})
    listing = reverse("organisations:contacts", kwargs={"slug": project.slug})
    for role in Role:
        login(client, member(project, role))
        response = client.get(url)
        allowed = role in (Role.PROJECT_LEAD, Role.ARS_ADMIN)
        assert response.status_code == (200 if allowed else 403), role
        assert (url in client.get(listing).content.decode()) == allowed, role
    login(client, member(project, Role.PROJECT_LEAD))
    if fmt == "csv":
        assert EMAIL in client.get(url).content.decode("utf-8-sig")
    # The generic export no longer serves contacts; the organisations (institutions) stay open.
    generic = reverse(
        "organisations:export", kwargs={"slug": project.slug, "what": "contacts", "fmt": fmt}
    )
    assert generic == url  # the same address, now answered by the contacts export
    login(client, member(project, Role.READER))
    organisations = reverse(
        "organisations:export", kwargs={"slug": project.slug, "what": "organisations", "fmt": fmt}
    )
    assert client.get(organisations).status_code == 200

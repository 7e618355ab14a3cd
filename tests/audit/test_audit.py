"""The journal: who created, changed or deleted what and when, logins, exports, downloads of
signed files and role changes, per project, readable by the chef de projet and the ARS."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ptsm.accounts.models import Membership, Role
from ptsm.audit.models import AuditEntry, Kind
from ptsm.documents.services import generate_document
from ptsm.governance.models import Body, BodyMember
from ptsm.organisations.models import Contact, Organisation
from tests.factories import PASSWORD, UserFactory, make_project, member
from tests.helpers import login, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère")


@pytest.fixture
def lead(project):
    return member(project, Role.PROJECT_LEAD, email="cheffe@exemple.fr")


def _journal(client, project, **params):
    return client.get(reverse("audit:journal", kwargs={"slug": project.slug}), params)


def test_a_change_made_in_a_page_is_recorded_with_who_what_when_and_the_project(
    client, project, lead
):
    organisation = Organisation.objects.create(
        project=project, name="EPSM", category="sanitaire_public"
    )
    login(client, lead)
    response = client.post(
        reverse("organisations:edit", kwargs={"slug": project.slug, "pk": organisation.pk}),
        {"name": "EPSM Finistère Sud", "category": "sanitaire_public"},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get_for_object(organisation).get(action=AuditEntry.Action.UPDATE)
    assert entry.project == project
    assert entry.actor == lead
    assert entry.kind == Kind.CHANGE
    assert entry.changes["name"] == ["EPSM", "EPSM Finistère Sud"]
    page = page_text(_journal(client, project))
    assert "EPSM Finistère Sud" in page
    assert "Raison sociale : EPSM → EPSM Finistère Sud" in page
    assert "cheffe@exemple.fr" in page or str(lead) in page


def test_creations_and_deletions_of_nested_records_carry_their_project(project):
    organisation = Organisation.objects.create(
        project=project, name="CH", category="sanitaire_public"
    )
    contact = Contact.objects.create(
        project=project, organisation=organisation, first_name="Anne", last_name="Le Goff"
    )
    body = Body.objects.create(project=project, kind="copil", name="COPIL")
    body_member = BodyMember.objects.create(body=body, contact=contact)
    body_member_pk = body_member.pk
    body_member.delete()
    created, deleted = (
        AuditEntry.objects.get_for_model(BodyMember).get(object_id=body_member_pk, action=action)
        for action in (AuditEntry.Action.CREATE, AuditEntry.Action.DELETE)
    )
    assert created.project == deleted.project == project
    assert "Anne Le Goff" in deleted.object_repr
    # Foreign keys are stored as ids and named when the journal is read.
    assert created.changes["contact"] == ["None", str(contact.pk)]


def test_role_changes_are_recorded_as_such(client, project, lead):
    reader = member(project, Role.READER)
    membership = Membership.objects.get(user=reader, project=project)
    login(client, lead)
    client.post(
        reverse("projects:member_role", kwargs={"slug": project.slug, "pk": membership.pk}),
        {"role": Role.COPIL_MEMBER},
    )
    entry = AuditEntry.objects.get(kind=Kind.ROLE, action=AuditEntry.Action.UPDATE)
    assert entry.project == project and entry.actor == lead
    assert entry.changes["role"] == [Role.READER, Role.COPIL_MEMBER]
    page = page_text(_journal(client, project, type="roles"))
    assert "Changement de rôle (modification)" in page
    assert "Rôle : Lecteur → Membre du COPIL" in page


def test_logins_and_failed_logins_keep_the_address_never_the_password(client, project, lead):
    login = reverse("accounts:login")
    client.post(login, {"username": "cheffe@exemple.fr", "password": "mauvais-mot-de-passe"})
    client.post(login, {"username": "inconnu@exemple.fr", "password": "autre-secret-123"})
    client.post(login, {"username": "cheffe@exemple.fr", "password": PASSWORD})
    failed = AuditEntry.objects.filter(kind=Kind.LOGIN_FAILED).order_by("pk")
    assert [e.object_repr for e in failed] == ["cheffe@exemple.fr", "inconnu@exemple.fr"]
    assert AuditEntry.objects.get(kind=Kind.LOGIN).actor == lead
    for entry in AuditEntry.objects.all():
        stored = f"{entry.object_repr} {entry.changes} {entry.additional_data}"
        assert "mauvais-mot-de-passe" not in stored and "autre-secret-123" not in stored
    # The project's journal shows its members' logins, not those of unknown addresses.
    page = page_text(_journal(client, project, type="connexions"))
    assert "Échec de connexion" in page and "cheffe@exemple.fr" in page
    assert "inconnu@exemple.fr" not in page


def test_exports_are_recorded(client, project, lead):
    login(client, lead)
    response = client.get(
        reverse(
            "organisations:export",
            kwargs={"slug": project.slug, "what": "contacts", "fmt": "csv"},
        )
    )
    assert response.status_code == 200
    entry = AuditEntry.objects.get(kind=Kind.EXPORT)
    assert entry.project == project and entry.actor == lead
    assert entry.object_repr.startswith("annuaire-contacts-")


def test_downloads_of_signed_files_are_recorded_drafts_are_not(client, project, lead):
    from tests.projects.test_access_matrix import _signed_letter_version

    version = _signed_letter_version(project, lead)
    draft = generate_document(project=project, kind_slug="carte-identite-territoire", fmt="pdf")
    login(client, lead)
    slug = project.slug
    for url in (
        reverse("framing:signed_pdf", kwargs={"slug": slug, "number": version.number}),
        reverse("documents:download", kwargs={"slug": slug, "pk": version.pdf_id}),
        reverse("documents:download", kwargs={"slug": slug, "pk": draft.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 200
        b"".join(response.streaming_content)
    downloads = AuditEntry.objects.filter(kind=Kind.DOWNLOAD).order_by("pk")
    assert [e.object_repr for e in downloads] == [
        f"lettre-de-cadrage-v{version.number}-signee.pdf",
        version.pdf.file_name,
    ]
    assert all(e.project == project and e.actor == lead for e in downloads)


def test_downloads_of_signed_annexes_are_recorded(client, project, lead):
    from ptsm.commitments.models import AnnexVersion, Signatory
    from tests.projects.test_access_matrix import populate

    objects = populate(project)
    signatory = Signatory.objects.get(pk=objects["signatory"])
    annex = AnnexVersion.objects.get(pk=objects["annex"])
    login(client, lead)
    slug = project.slug
    for url in (
        reverse("commitments:signed_pdf", kwargs={"slug": slug, "pk": signatory.pk}),
        reverse("documents:download", kwargs={"slug": slug, "pk": annex.pdf_id}),
    ):
        response = client.get(url)
        assert response.status_code == 200
        b"".join(response.streaming_content)
    downloads = AuditEntry.objects.filter(kind=Kind.DOWNLOAD, project=project).order_by("pk")
    assert [e.object_repr for e in downloads] == [
        f"annexe-signee-{signatory.organisation_id}.pdf",
        annex.pdf.file_name,
    ]
    page = page_text(_journal(client, project, type="telechargements"))
    assert f"annexe-signee-{signatory.organisation_id}.pdf" in page


@pytest.mark.parametrize(
    "role, status",
    [
        (Role.ARS_ADMIN, 200),
        (Role.PROJECT_LEAD, 200),
        (Role.COPIL_MEMBER, 403),
        (Role.ACTION_PILOT, 403),
        (Role.OPERATOR_SIGNATORY, 403),
        (Role.READER, 403),
    ],
)
def test_only_the_chef_de_projet_and_the_ars_read_the_journal(client, project, role, status):
    login(client, member(project, role))
    assert _journal(client, project).status_code == status
    dashboard = page_text(client.get(reverse("projects:dashboard", kwargs={"slug": project.slug})))
    assert (reverse("audit:journal", kwargs={"slug": project.slug}) in dashboard) == (status == 200)


def test_a_project_journal_shows_only_that_project(client, project, lead):
    other = make_project(departement="56", name="Morbihan")
    Organisation.objects.create(project=other, name="Clinique voisine", category="social")
    Organisation.objects.create(project=project, name="CMP de Brest", category="social")
    login(client, lead)
    page = page_text(_journal(client, project))
    assert "CMP de Brest" in page
    assert "Clinique voisine" not in page


def test_the_journal_is_filtered_by_kind_and_paginated_in_bounded_queries(client, project, lead):
    login(client, lead)
    Organisation.objects.create(project=project, name="Première", category="social")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert _journal(client, project).status_code == 200
        return len(captured)

    few = queries()
    for i in range(120):
        Organisation.objects.create(project=project, name=f"Organisation {i}", category="social")
    # One query per kind of object named on the page at most, never one per entry.
    assert queries() <= few <= 15
    # The project's entries and the lead's login (force_login logs in like the login page).
    total = AuditEntry.objects.filter(project=project).count() + 1
    assert AuditEntry.objects.filter(kind=Kind.LOGIN, actor=lead).count() == 1
    assert total > 120
    page = page_text(_journal(client, project))
    assert f"{total} entrées" in page and f"sur {(total + 49) // 50}" in page
    assert "Organisation 119" in page and "Organisation 0<" not in page  # newest first
    exports = page_text(_journal(client, project, type="exports"))
    assert "Aucune entrée." in exports


def test_purge_removes_entries_older_than_the_retention_period(project, settings):
    settings.PTSM_AUDIT_RETENTION_DAYS = 365
    old = Organisation.objects.create(project=project, name="Ancienne", category="social")
    recent = Organisation.objects.create(project=project, name="Récente", category="social")
    AuditEntry.objects.update(timestamp=timezone.now() - dt.timedelta(days=366))
    AuditEntry.objects.get_for_object(recent).update(
        timestamp=timezone.now() - dt.timedelta(days=364)
    )
    call_command("purge_audit_log", stdout=io.StringIO())
    assert list(AuditEntry.objects.values_list("object_repr", flat=True)) == ["Récente"]
    assert old.name == "Ancienne"
    settings.PTSM_AUDIT_RETENTION_DAYS = 30
    call_command("purge_audit_log", stdout=io.StringIO())
    assert not AuditEntry.objects.exists()


def test_the_login_history_follows_the_same_retention(settings):
    from axes.models import AccessLog

    settings.PTSM_AUDIT_RETENTION_DAYS = 365
    now = timezone.now()
    for days, who in ((400, "ancien@ptsm.fr"), (10, "recent@ptsm.fr")):
        log = AccessLog.objects.create(username=who, ip_address="10.0.0.1")
        AccessLog.objects.filter(pk=log.pk).update(attempt_time=now - dt.timedelta(days=days))
    call_command("purge_audit_log", stdout=io.StringIO())
    assert list(AccessLog.objects.values_list("username", flat=True)) == ["recent@ptsm.fr"]


def test_actions_outside_a_request_have_no_actor(project):
    user = UserFactory()
    Organisation.objects.create(project=project, name="Sans requête", category="social")
    entry = AuditEntry.objects.get(object_repr="Sans requête")
    assert entry.actor is None and entry.actor != user


def test_deleting_a_project_keeps_its_journal_until_the_retention_purge(project):
    organisation = Organisation.objects.create(project=project, name="CH", category="social")
    Contact.objects.create(
        project=project, organisation=organisation, first_name="A", last_name="B"
    )
    project_pk = project.pk
    project.delete()
    connection.check_constraints()  # what the commit would check: no dangling reference fails
    deleted = AuditEntry.objects.filter(project_id=project_pk, action=AuditEntry.Action.DELETE)
    assert {e.object_repr for e in deleted} >= {"CH", "A B", "PTSM du Finistère"}


def _objects(html: str) -> list[str]:
    """The organisations named in the journal's « Objet » cells, in the table's order."""
    import re

    return re.findall(r"<td>Organisation : ([^<]+)</td>", html)


def test_the_journal_sorts_by_a_column_and_its_pages_keep_the_filter_and_the_order(
    client, project, lead
):
    login(client, lead)
    for name in ("Bretagne", "Armor", "Cornouaille"):
        Organisation.objects.create(project=project, name=name, category="social")
    html = _journal(client, project, type="modifications").content.decode()
    assert _objects(html) == ["Cornouaille", "Armor", "Bretagne"]  # newest first
    assert (
        '<th scope="col" aria-sort="descending"><a class="ptsm-sort ptsm-sort--descending"' in html
    )
    assert "?type=modifications&amp;tri=date&amp;ordre=asc" in html
    html = _journal(client, project, type="modifications", tri="objet").content.decode()
    assert _objects(html) == ["Armor", "Bretagne", "Cornouaille"]
    assert 'aria-sort="ascending"' in html
    html = _journal(client, project, type="modifications", tri="objet", ordre="desc")
    assert _objects(html.content.decode()) == ["Cornouaille", "Bretagne", "Armor"]
    # An unknown column is ignored, never an error.
    response = _journal(client, project, type="modifications", tri="id; DROP", ordre="asc")
    assert _objects(response.content.decode()) == ["Cornouaille", "Armor", "Bretagne"]

    # Past 50 rows the journal is paginated; the next page keeps the filter and the order.
    for i in range(60):
        Organisation.objects.create(project=project, name=f"Z {i:03d}", category="social")
    html = _journal(client, project, type="modifications", tri="objet").content.decode()
    assert "?type=modifications&amp;tri=objet&amp;page=2" in html
    second = _journal(client, project, type="modifications", tri="objet", page=2)
    assert _objects(second.content.decode())[-1] == "Z 059"

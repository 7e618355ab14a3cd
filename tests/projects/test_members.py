import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ptsm.accounts.models import Membership, Role, User
from ptsm.projects.services import change_member_role, remove_member
from tests.factories import make_project, member
from tests.helpers import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère")


def test_lead_invites_a_new_person_who_receives_a_link_by_smtp(
    client, project, smtp_server, django_capture_on_commit_callbacks
):
    login(client, member(project, Role.PROJECT_LEAD))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projects:members", kwargs={"slug": project.slug}),
            {
                "email": "Pilote@CH-Exemple.fr",
                "first_name": "Erwan",
                "last_name": "Morvan",
                "role": "action_pilot",
            },
        )
    assert response.status_code == 302
    invited = User.objects.get(email="pilote@ch-exemple.fr")
    assert not invited.has_usable_password()
    assert Membership.objects.get(user=invited, project=project).role == Role.ACTION_PILOT
    assert len(smtp_server.messages) == 1
    body = smtp_server.bodies()[0]
    assert "« PTSM du Finistère »" in smtp_server.messages[0]["Subject"]
    assert "Pilote d'action" in body
    link = re.search(r"http://testserver(/comptes/mot-de-passe/nouveau/\S+/)", body)
    assert link
    assert (
        client.get(link.group(1)).status_code == 302
    )  # Django hides the token, then shows the form


def test_inviting_twice_or_with_an_invalid_address_is_refused(client, project):
    lead = member(project, Role.PROJECT_LEAD)
    login(client, lead)
    url = reverse("projects:members", kwargs={"slug": project.slug})
    again = client.post(url, {"email": lead.email, "role": "reader"})
    assert "Cette personne a déjà un rôle dans ce projet." in again.content.decode()
    invalid = client.post(url, {"email": "pas-une-adresse", "role": "reader"})
    assert "Saisissez une adresse de courriel valide." in invalid.content.decode()
    assert project.memberships.count() == 1


def test_role_change_and_removal(client, project):
    lead = member(project, Role.PROJECT_LEAD)
    reader = member(project, Role.READER)
    login(client, lead)
    membership = Membership.objects.get(user=reader)
    client.post(
        reverse("projects:member_role", kwargs={"slug": project.slug, "pk": membership.pk}),
        {"role": "copil_member"},
    )
    membership.refresh_from_db()
    assert membership.role == Role.COPIL_MEMBER
    client.post(
        reverse("projects:member_remove", kwargs={"slug": project.slug, "pk": membership.pk})
    )
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_project_lead_cannot_be_removed(client, project):
    lead = member(project, Role.PROJECT_LEAD)
    login(client, member(project, Role.ARS_ADMIN))
    membership = Membership.objects.get(user=lead)
    response = client.post(
        reverse("projects:member_remove", kwargs={"slug": project.slug, "pk": membership.pk}),
        follow=True,
    )
    assert "Le projet doit garder au moins un chef de projet." in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_project_name_with_line_breaks_injects_no_mail_header(
    project, smtp_server, django_capture_on_commit_callbacks
):
    from ptsm.projects.services import add_member

    project.name = "PTSM 29\r\nBcc: x@evil.example"
    project.save(update_fields=["name"])
    with django_capture_on_commit_callbacks(execute=True):
        add_member(project=project, email="pilote@ch.fr", role=Role.READER, base_url="http://t")
    message = smtp_server.messages[0]
    assert message["Bcc"] is None
    subject = " ".join(message["Subject"].split())  # unfolded
    assert subject == "[ptsm] Vous êtes invité(e) au projet « PTSM 29 Bcc: x@evil.example »"


def test_the_last_project_lead_cannot_be_given_another_role(client, project):
    lead = member(project, Role.PROJECT_LEAD)
    login(client, member(project, Role.ARS_ADMIN))
    membership = Membership.objects.get(user=lead)
    url = reverse("projects:member_role", kwargs={"slug": project.slug, "pk": membership.pk})
    response = client.post(url, {"role": "reader"}, follow=True)
    assert "Le projet doit garder au moins un chef de projet." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.PROJECT_LEAD

    second = Membership.objects.get(user=member(project, Role.PROJECT_LEAD))
    client.post(url, {"role": "reader"})
    membership.refresh_from_db()
    assert membership.role == Role.READER
    # Now the second lead is the last one: neither a role change nor a removal is possible.
    with pytest.raises(ValidationError, match="au moins un chef de projet"):
        change_member_role(membership=second, role=Role.COPIL_MEMBER)
    with pytest.raises(ValidationError, match="au moins un chef de projet"):
        remove_member(membership=second)
    assert Membership.objects.get(pk=second.pk).role == Role.PROJECT_LEAD


def test_a_member_is_tied_to_an_organisation_of_the_project_only(client, project):
    from ptsm.organisations.models import Organisation

    own = Organisation.objects.create(project=project, name="CHU de Brest", category="social")
    elsewhere = make_project(departement="79", name="Autre projet")
    foreign = Organisation.objects.create(project=elsewhere, name="CH Niort", category="social")
    login(client, member(project, Role.PROJECT_LEAD))
    url = reverse("projects:members", kwargs={"slug": project.slug})

    refused = client.post(
        url, {"email": "x@niort.fr", "role": "operator_signatory", "organisation": foreign.pk}
    )
    assert "Sélectionnez un choix valide" in refused.content.decode()
    assert not Membership.objects.filter(user__email="x@niort.fr").exists()

    client.post(url, {"email": "y@brest.fr", "role": "operator_signatory", "organisation": own.pk})
    signatory = Membership.objects.get(user__email="y@brest.fr")
    assert signatory.organisation == own
    assert "CHU de Brest" in client.get(url).content.decode()

    # The service itself refuses another project's organisation, whatever the form offered.
    with pytest.raises(ValidationError, match="n'appartient pas à l'annuaire du projet"):
        change_member_role(membership=signatory, role=Role.OPERATOR_SIGNATORY, organisation=foreign)
    role_url = reverse("projects:member_role", kwargs={"slug": project.slug, "pk": signatory.pk})
    client.post(role_url, {"role": "operator_signatory", "organisation": foreign.pk})
    client.post(role_url, {"role": "operator_signatory", "organisation": ""})
    signatory.refresh_from_db()
    assert signatory.organisation is None


def test_a_reader_sees_members_names_but_not_their_addresses(client, project):
    lead = member(project, Role.PROJECT_LEAD, first_name="Anne", last_name="Le Goff")
    login(client, member(project, Role.READER))
    page = client.get(reverse("projects:members", kwargs={"slug": project.slug})).content.decode()
    assert "Anne Le Goff" in page
    assert lead.email not in page

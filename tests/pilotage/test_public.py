"""The transparency page: opt-in, published and withdrawn by the chef de projet (journal), its
Atom feed and its open data validated against the versioned Frictionless schema."""

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.audit.models import AuditEntry
from ptsm.diagnostic.models import Indicator, IndicatorValue, Level
from ptsm.organisations.models import Contact, Organisation
from ptsm.pilotage import services
from ptsm.pilotage.demo import populate_project
from ptsm.projects.models import Phase
from tests.factories import make_project, member
from tests.helpers import form_data, login, visible_text

pytestmark = pytest.mark.django_db
START = dt.date(2025, 1, 6)
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def project():
    project = make_project(departement="56", name="PTSM du Morbihan", start=START)
    populate_project(project, phase=Phase.IMPLEMENTATION, actions=6, start=START)
    organisation = Organisation.objects.filter(project=project).first()
    contact = Contact.objects.create(
        project=project,
        organisation=organisation,
        first_name="Soizic",
        last_name="Confidentielle",
        email="soizic.confidentielle@exemple.fr",
    )
    from ptsm.governance.models import Body, BodyMember

    body = Body.objects.create(project=project, kind="copil", name="Comité de pilotage")
    BodyMember.objects.create(body=body, contact=contact)
    from ptsm.roadmap.models import Action

    Action.objects.filter(objective__theme__orientation__project=project).update(
        pilot_contact=contact
    )
    return project


def public_url(project, url_name="pilotage:public", **kwargs):
    return reverse(url_name, kwargs={"projet": project.slug, **kwargs})


def test_an_unpublished_project_has_no_public_page(client, project):
    assert client.get(public_url(project)).status_code == 404
    assert client.get(public_url(project, "pilotage:public_feed")).status_code == 404
    assert (
        client.get(public_url(project, "pilotage:open_data", name="datapackage.json")).status_code
        == 404
    )
    assert client.get(reverse("pilotage:public", kwargs={"projet": "inconnu"})).status_code == 404


def test_the_chef_de_projet_publishes_and_withdraws_and_the_journal_records_both(client, project):
    lead = member(project, Role.PROJECT_LEAD)
    login(client, lead)
    settings_url = reverse("pilotage:public_settings", kwargs={"slug": project.slug})
    response = client.post(settings_url, {"action": "publier"}, follow=True)
    assert "La page publique est en ligne." in visible_text(response)
    client.logout()
    assert client.get(public_url(project)).status_code == 200  # no login needed
    login(client, lead)
    # A second click does nothing twice and says so.
    response = client.post(settings_url, {"action": "publier"}, follow=True)
    assert "déjà en ligne" in visible_text(response)
    client.post(settings_url, {"action": "retirer"})
    client.logout()
    assert client.get(public_url(project)).status_code == 404
    entries = AuditEntry.objects.filter(project=project, content_type__model="publicpage")
    published = [e.changes_dict.get("published") for e in entries.order_by("pk")]
    assert published[-2:] == [["False", "True"], ["True", "False"]]
    assert all(e.actor == lead for e in entries)
    login(client, lead)
    journal = visible_text(client.get(reverse("audit:journal", kwargs={"slug": project.slug})))
    assert "page publique" in journal.lower()


@pytest.mark.parametrize("role", [Role.COPIL_MEMBER, Role.READER, Role.ACTION_PILOT])
def test_only_the_chef_de_projet_and_the_ars_publish(client, project, role):
    login(client, member(project, role))
    url = reverse("pilotage:public_settings", kwargs={"slug": project.slug})
    assert client.post(url, {"action": "publier"}).status_code == 403
    assert client.get(public_url(project)).status_code == 404


def test_the_public_page_shows_the_project_without_any_personal_data(client, project):
    indicator = Indicator.objects.filter(is_count=True).first()
    IndicatorValue.objects.update_or_create(
        project=project,
        indicator=indicator,
        level=Level.TERRITORY,
        year=2023,
        defaults={"masked": True, "value": None},
    )
    services.publish(project=project)
    services.choose_indicators(project=project, codes=[indicator.code])
    response = client.get(public_url(project))
    text = visible_text(response)
    assert "PTSM du Morbihan" in text
    assert "Mise en œuvre" in text
    assert "Comité de pilotage" in text
    assert "Centre hospitalier de référence en psychiatrie" in text  # an institution
    assert "Fiche-action 1" in text and "En cours" in text
    assert indicator.label in text and "< 11" in text
    assert "hx-" not in response.content.decode()  # nothing on the page needs JavaScript
    for personal in ("Soizic", "Confidentielle", "soizic.confidentielle"):
        assert personal not in response.content.decode()
    # A draft roadmap's fiches-actions are not public.
    assert "Engagement signé" in text  # the feed's events listed on the page


def test_the_atom_feed_lists_validations_and_signatures(client, project):
    services.publish(project=project)
    response = client.get(public_url(project, "pilotage:public_feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 — our own feed
    titles = [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")]
    assert "Diagnostic partagé validé par le COPIL (version 1)" in titles
    assert "Feuille de route validée par le COPIL (version 1)" in titles
    assert any(t.startswith("Engagement signé : ") for t in titles)
    assert "Le projet entre en phase « Mise en œuvre »" in titles
    updated = [e.find(f"{ATOM}updated").text for e in feed.findall(f"{ATOM}entry")]
    assert updated == sorted(updated, reverse=True)


def test_open_data_is_a_valid_frictionless_package(client, project, tmp_path):
    """Every file of the data package, as served, validated against the versioned schema."""
    from frictionless import Package

    indicator = Indicator.objects.order_by("order").first()
    services.publish(project=project)
    services.choose_indicators(project=project, codes=[indicator.code])
    descriptor = client.get(public_url(project, "pilotage:open_data", name="datapackage.json"))
    package = json.loads(descriptor.content)
    (tmp_path / "datapackage.json").write_bytes(descriptor.content)
    for resource in package["resources"]:
        content = client.get(
            public_url(project, "pilotage:open_data", name=resource["path"])
        ).content
        (tmp_path / resource["path"]).write_bytes(content)
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(
        ["resourcePath", "rowNumber", "fieldName", "type", "note", "message"]
    )
    names = {r["name"] for r in package["resources"]}
    assert {"fiches-actions", "financements", "indicateurs", "instances"} <= names
    assert {"fiches-actions-json", "financements-json"} <= names
    fiches = list(csv.DictReader(io.StringIO((tmp_path / "fiches-actions.csv").read_text())))
    assert len(fiches) == 6
    header, *funding = json.loads((tmp_path / "financements.json").read_text())
    assert len(funding) == 12 and isinstance(funding[0][header.index("montant")], float)
    assert json.loads((tmp_path / "indicateurs.json").read_text())[0][0] == "code"
    bodies = (tmp_path / "instances.csv").read_text()
    assert "Comité de pilotage" in bodies
    everything = "".join(p.read_text() for p in tmp_path.iterdir())
    for personal in ("Soizic", "Confidentielle", "soizic"):
        assert personal not in everything
    # The schema served is the one versioned in the repository.
    assert package["version"] == "1.0.0"


def test_the_versioned_schema_is_a_valid_package_descriptor():
    from frictionless import Schema

    from ptsm.pilotage.public import DATAPACKAGE

    descriptor = json.loads(DATAPACKAGE.read_text())
    for resource in descriptor["resources"]:
        errors = Schema.validate_descriptor(resource["schema"]).errors
        assert not errors, (resource["name"], [e.message for e in errors])


def test_unknown_open_data_file_is_404(client, project):
    services.publish(project=project)
    for name in ("secret.csv", "fiches-actions.xml", "..%2Fsettings.py"):
        assert client.get(public_url(project, "pilotage:open_data", name=name)).status_code == 404


def test_publishing_from_the_settings_form_chooses_indicators(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    url = reverse("pilotage:public_settings", kwargs={"slug": project.slug})
    page = client.get(url)
    data = form_data(page, action="")
    codes = list(Indicator.objects.values_list("code", flat=True)[:2])
    client.post(url, {"indicators": codes, "action": "indicateurs"})
    from ptsm.pilotage.models import PublicPage

    assert sorted(PublicPage.objects.get(project=project).indicator_codes) == sorted(codes)
    assert "csrfmiddlewaretoken" in data


def test_the_chef_de_projet_finds_the_public_page_settings_from_the_project_settings(
    client, project
):
    login(client, member(project, Role.PROJECT_LEAD))
    page = client.get(reverse("projects:edit", kwargs={"slug": project.slug})).content.decode()
    settings_url = reverse("pilotage:public_settings", kwargs={"slug": project.slug})
    assert settings_url in page
    assert client.get(settings_url).status_code == 200


# Validated and signed documents ------------------------------------------------------------------


def _frozen_pdf(project, kind):
    from ptsm.documents.services import generate_document

    document = generate_document(project=project, kind_slug=kind, fmt="pdf")
    assert document.frozen_key, "a validated document is stored frozen"
    return document


def test_a_new_public_page_offers_the_validated_and_signed_documents_by_default(project):
    page = services.publish(project=project)
    assert page.document_kinds[:3] == ["lettre-de-cadrage", "diagnostic", "feuille-de-route"]
    assert "lettre-engagement-collective" in page.document_kinds
    assert "bilan-6-mois" in page.document_kinds and "bilan-final" in page.document_kinds
    for private in ("annexe-operateur", "fiche-action", "feuille-signature-engagements"):
        assert private not in page.document_kinds


def test_the_public_page_offers_each_frozen_pdf_as_stored_without_login(client, project):
    import hashlib

    diagnostic = _frozen_pdf(project, "diagnostic")
    roadmap = _frozen_pdf(project, "feuille-de-route")
    services.publish(project=project)
    response = client.get(public_url(project))
    text = visible_text(response)
    assert "Documents validés et signés" in text
    assert "Diagnostic partagé" in text and "Feuille de route" in text
    assert "version du 05/06/2025" in text  # the COPIL's validation (start + 150 days)
    assert diagnostic.sha256 in text and roadmap.sha256 in text
    html = response.content.decode()
    url = public_url(project, "pilotage:public_document", pk=diagnostic.pk)
    assert f'href="{url}"' in html
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert 'filename="diagnostic.pdf"' in download["Content-Disposition"]
    body = b"".join(download.streaming_content)
    # The very file of the Documents page: same SHA-256, same size.
    assert hashlib.sha256(body).hexdigest() == diagnostic.sha256
    assert len(body) == diagnostic.size
    lead = member(project, Role.PROJECT_LEAD)
    login(client, lead)
    documents_page = client.get(reverse("documents:list", kwargs={"slug": project.slug}))
    assert diagnostic.sha256 in documents_page.content.decode()


def test_a_draft_is_never_public(client):
    """A diagnostic the COPIL has not validated: its PDF is a draft, neither listed nor served."""
    from ptsm.documents.services import generate_document

    project = make_project(departement="56", name="PTSM en diagnostic", start=START)
    populate_project(project, phase=Phase.DIAGNOSTIC, actions=2, start=START)
    draft = generate_document(project=project, kind_slug="diagnostic", fmt="pdf")
    assert not draft.frozen_key
    services.publish(project=project)
    response = client.get(public_url(project))
    assert "Aucun document validé ou signé n'est publié" in visible_text(response)
    assert (
        client.get(public_url(project, "pilotage:public_document", pk=draft.pk)).status_code == 404
    )


def test_an_unpublished_or_unchosen_document_is_404(client, project):
    diagnostic = _frozen_pdf(project, "diagnostic")
    url = public_url(project, "pilotage:public_document", pk=diagnostic.pk)
    assert client.get(url).status_code == 404  # the page is not published
    services.publish(project=project)
    served = client.get(url)
    assert served.status_code == 200
    b"".join(served.streaming_content)
    services.choose_documents(project=project, kinds=["feuille-de-route"])
    assert client.get(url).status_code == 404
    assert f"/documents/{diagnostic.pk}/" not in client.get(public_url(project)).content.decode()
    services.choose_documents(project=project, kinds=["diagnostic"])
    services.withdraw(project=project)
    assert client.get(url).status_code == 404
    # Another project's document through this project's address: 404.
    other = make_project(departement="56", name="Autre PTSM", start=START)
    populate_project(other, phase=Phase.IMPLEMENTATION, actions=2, start=START)
    services.publish(project=other)
    assert (
        client.get(public_url(other, "pilotage:public_document", pk=diagnostic.pk)).status_code
        == 404
    )


def test_the_chef_de_projet_chooses_the_documents_and_the_journal_records_it(client, project):
    from ptsm.pilotage.models import PublicPage

    diagnostic = _frozen_pdf(project, "diagnostic")
    services.publish(project=project)
    lead = member(project, Role.PROJECT_LEAD)
    login(client, lead)
    url = reverse("pilotage:public_settings", kwargs={"slug": project.slug})
    page = visible_text(client.get(url))
    assert "Documents publiés" in page
    assert "1 fichier figé disponible" in page  # the diagnostic
    assert "nomme l'organisation pilote et la personne pilote" in page  # the roadmap's note
    assert "pas encore été généré" in page  # the roadmap, validated, its PDF never generated
    response = client.post(
        url, {"action": "documents", "documents": ["feuille-de-route"]}, follow=True
    )
    assert "Les documents publiés sont enregistrés." in visible_text(response)
    assert PublicPage.objects.get(project=project).document_kinds == ["feuille-de-route"]
    client.logout()
    assert (
        client.get(public_url(project, "pilotage:public_document", pk=diagnostic.pk)).status_code
        == 404
    )
    entry = AuditEntry.objects.filter(project=project, content_type__model="publicpage").latest(
        "pk"
    )
    assert "document_kinds" in entry.changes_dict and entry.actor == lead


def test_a_document_listing_contacts_cannot_be_published(client, project):
    from ptsm.pilotage.models import PublicPage

    services.publish(project=project)
    before = PublicPage.objects.get(project=project).document_kinds
    login(client, member(project, Role.PROJECT_LEAD))
    url = reverse("pilotage:public_settings", kwargs={"slug": project.slug})
    response = client.post(
        url, {"action": "documents", "documents": ["feuille-signature-engagements"]}
    )
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in visible_text(response)
    assert PublicPage.objects.get(project=project).document_kinds == before
    with pytest.raises(ValidationError):
        services.choose_documents(project=project, kinds=["feuille-signature-engagements"])

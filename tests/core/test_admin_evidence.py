import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.urls import reverse

from ptsm.accounts.models import User
from ptsm.commitments.models import AnnexVersion, Signatory, SignatureRecord
from ptsm.diagnostic.models import DiagnosticVersion
from ptsm.documents.models import GeneratedDocument
from ptsm.evaluation.models import ReviewValidation
from ptsm.framing.models import LetterVersion, StatusChange
from ptsm.roadmap.models import RoadmapVersion
from tests.factories import PASSWORD, make_project
from tests.helpers import login

pytestmark = pytest.mark.django_db

EVIDENCE = [
    GeneratedDocument,
    LetterVersion,
    StatusChange,
    Signatory,
    AnnexVersion,
    SignatureRecord,
    DiagnosticVersion,
    RoadmapVersion,
    ReviewValidation,
]


@pytest.fixture
def superuser(client):
    user = User.objects.create_superuser("admin@ptsm.fr", PASSWORD)
    login(client, user)
    return user


@pytest.fixture
def document():
    project = make_project()
    document = GeneratedDocument(
        project=project,
        kind="lettre-de-cadrage",
        format="pdf",
        file_name="lettre-de-cadrage.pdf",
        sha256="0" * 64,
        size=4,
    )
    document.content.save("lettre-de-cadrage.pdf", ContentFile(b"%PDF"), save=False)
    document.save()
    return document


@pytest.mark.parametrize("model", EVIDENCE, ids=[m.__name__ for m in EVIDENCE])
def test_evidence_is_registered_read_only_and_undeletable_even_for_a_superuser(model, superuser):
    request = RequestFactory().get("/admin/")
    request.user = superuser
    model_admin = admin.site._registry[model]
    assert not model_admin.has_delete_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_add_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)


def test_a_superuser_cannot_delete_a_generated_document_in_the_admin(client, superuser, document):
    url = reverse("admin:documents_generateddocument_delete", args=[document.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    changelist = client.get(reverse("admin:documents_generateddocument_changelist"))
    assert changelist.status_code == 200
    assert "lettre-de-cadrage.pdf" in changelist.content.decode()
    assert "delete_selected" not in changelist.content.decode()
    bulk = client.post(
        reverse("admin:documents_generateddocument_changelist"),
        {"action": "delete_selected", "_selected_action": [document.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert GeneratedDocument.objects.filter(pk=document.pk).exists()


def test_deleting_a_project_in_the_admin_cannot_take_its_evidence_with_it(
    client, superuser, document
):
    url = reverse("admin:projects_project_delete", args=[document.project.pk])
    page = client.get(url)
    assert "document généré" in page.content.decode()  # named as what blocks the deletion
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert GeneratedDocument.objects.filter(pk=document.pk).exists()

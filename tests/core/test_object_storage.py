"""Stored files on an S3-compatible object store (several machines share it): documents are
written there and streamed to the users the views allow, never linked to."""

import hashlib

import boto3
import pytest
from django.urls import reverse
from moto import mock_aws

from ptsm.accounts.models import Role
from ptsm.documents.models import GeneratedDocument
from ptsm.documents.services import generate_document
from tests.factories import make_project, member
from tests.helpers import login

pytestmark = pytest.mark.django_db
BUCKET = "ptsm-documents"


@pytest.fixture
def object_store(settings):
    with mock_aws():
        boto3.client("s3", region_name="eu-west-3").create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"}
        )
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": "eu-west-3",
                    "access_key": "test",
                    "secret_key": "test",
                    "default_acl": "private",
                    "file_overwrite": False,
                },
            },
        }
        yield boto3.client("s3", region_name="eu-west-3")


def test_documents_are_stored_in_the_bucket_and_streamed_through_the_checked_view(
    client, object_store
):
    project = make_project(departement="29")
    document = generate_document(project=project, kind_slug="lettre-de-cadrage", fmt="pdf")
    keys = [o["Key"] for o in object_store.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [document.content.name]
    stored = object_store.get_object(Bucket=BUCKET, Key=document.content.name)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == document.sha256

    url = reverse("documents:download", kwargs={"slug": project.slug, "pk": document.pk})
    login(client, member(project, Role.PROJECT_LEAD))
    response = client.get(url)
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == document.sha256
    # Outside the project, nothing: the bucket is never exposed.
    login(client, member(make_project(departement="79"), Role.PROJECT_LEAD))
    assert client.get(url).status_code == 404


def test_the_readiness_endpoint_checks_the_bucket(client, object_store):
    assert client.get("/sante/pret").json()["verifications"]["stockage"] == "ok"
    object_store.delete_bucket(Bucket=BUCKET)
    response = client.get("/sante/pret")
    assert response.status_code == 503
    assert response.json()["verifications"]["stockage"].startswith("en échec")
    assert GeneratedDocument.objects.count() == 0

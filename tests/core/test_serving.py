"""Serving in production: health endpoints, JSON request logs, compressed pages, fast failures."""

import gzip
import json
import logging

import pytest
from django.db import connection
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.core.observability import JsonLinesFormatter
from tests.factories import make_project, member
from tests.helpers import login

pytestmark = pytest.mark.django_db


def test_the_liveness_endpoint_answers_without_login(client):
    response = client.get("/sante/vivant")
    assert response.status_code == 200
    assert response.json() == {"etat": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert client.post("/sante/vivant").status_code == 405


def test_the_readiness_endpoint_checks_the_database_and_the_storage(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client.get("/sante/pret")
    assert response.status_code == 200
    assert response.json()["verifications"] == {
        "base_de_donnees": "ok",
        "stockage": "ok",
        "file_de_travaux": "ok",
    }
    assert list(tmp_path.rglob("*.txt")) == []  # the probe file is removed


def test_the_readiness_endpoint_fails_when_files_cannot_be_stored(client, settings, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the storage folder should be")
    settings.MEDIA_ROOT = blocked
    response = client.get("/sante/pret")
    assert response.status_code == 503
    body = response.json()
    assert body["etat"] == "indisponible"
    assert body["verifications"]["base_de_donnees"] == "ok"
    assert body["verifications"]["stockage"].startswith("en échec")


def test_health_endpoints_are_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/sante/vivant").status_code == 200
    assert client.get(reverse("accounts:login")).status_code == 301


def test_each_request_is_logged_as_one_json_line_with_its_context(client, caplog):
    project = make_project()
    user = member(project, Role.PROJECT_LEAD)
    login(client, user)
    caplog.set_level(logging.INFO, logger="ptsm.requests")
    response = client.get(
        reverse("projects:dashboard", kwargs={"slug": project.slug}),
        headers={"X-Request-ID": "proxy-id-12345"},
    )
    assert response.status_code == 200
    assert response["X-Request-ID"] == "proxy-id-12345"
    (record,) = [r for r in caplog.records if r.name == "ptsm.requests"]
    line = json.loads(JsonLinesFormatter().format(record))
    assert line["request_id"] == "proxy-id-12345"
    assert line["user_id"] == user.pk
    assert line["project"] == project.slug
    assert line["status"] == 200 and line["method"] == "GET"
    assert line["duration_ms"] >= 0
    assert "\n" not in JsonLinesFormatter().format(record)


def test_a_request_id_that_could_forge_log_lines_is_replaced(client):
    response = client.get("/sante/vivant", headers={"X-Request-ID": 'x"\n{"forged": 1}'})
    assert response["X-Request-ID"] != 'x"\n{"forged": 1}'
    assert len(response["X-Request-ID"]) == 32


def test_pages_are_sent_compressed_to_browsers_that_accept_it(client):
    response = client.get(reverse("accounts:login"), headers={"Accept-Encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert "Connexion" in gzip.decompress(response.content).decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL settings")
def test_a_stuck_database_fails_requests_fast():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"
    assert connection.settings_dict["OPTIONS"]["connect_timeout"] == 5

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from ptsm.accounts.models import Role
from tests.factories import make_project, member
from tests.helpers import login

ROOT = Path(__file__).resolve().parents[2]


def directives(header: str) -> dict[str, list[str]]:
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.django_db
def test_pages_carry_a_csp_without_inline_scripts_and_the_other_security_headers(client):
    project = make_project()
    lead = member(project, Role.PROJECT_LEAD)
    pages = [
        (None, reverse("accounts:login")),
        (lead, reverse("projects:dashboard", kwargs={"slug": project.slug})),
        (lead, reverse("accounts:otp_setup")),
    ]
    for user, url in pages:
        if user is not None:
            login(client, user)
        response = client.get(url)
        assert response.status_code == 200
        csp = directives(response["Content-Security-Policy"])
        assert csp["script-src"] == ["'self'"]
        assert csp["object-src"] == ["'none'"]
        assert csp["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in csp["default-src"]
        permissions = response["Permissions-Policy"]
        for feature in ["camera", "microphone", "geolocation", "payment"]:
            assert f"{feature}=()" in permissions
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        # Every script of the page is a file of ours: no inline code, no event attribute.
        html = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert re.search(r'\bsrc="/static/', tag), tag
        assert not re.search(r"\son[a-z]+=", html)


def test_no_template_has_an_inline_script_or_an_event_handler_attribute():
    templates = [p for p in (ROOT / "ptsm").rglob("templates/**/*.html")]
    assert len(templates) > 50
    offenders = []
    for path in templates:
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{path}: {tag}")
        if re.search(r"\s(on[a-z]+|hx-on[:\w-]*)=", text):
            offenders.append(f"{path}: event handler attribute")
    assert offenders == []


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Nothing from the test run's environment: only what a deployment would set.
    environment = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(ROOT)), **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "ptsm.example.fr",
}


def test_deploy_checks_pass_with_only_debug_off_a_secret_key_and_the_host_names():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_checks_fail_without_https_settings():
    # The check above can fail: turning HSTS off is reported.
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", SECURE_HSTS_SECONDS="0", **PRODUCTION
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout


def test_https_redirect_and_hsts_are_on_in_production_and_the_redirect_may_be_turned_off():
    show = (
        "from django.conf import settings; "
        "print(settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS, "
        "settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SECURE_HSTS_PRELOAD)"
    )
    on = run_manage("shell", "--no-imports", "-c", show, **PRODUCTION)
    assert on.stdout.split() == ["True", "31536000", "True", "True"], on.stderr
    behind_proxy = run_manage(
        "shell", "--no-imports", "-c", show, SECURE_SSL_REDIRECT="0", **PRODUCTION
    )
    assert behind_proxy.stdout.split() == ["False", "31536000", "True", "True"]
    assert not getattr(settings, "SECURE_SSL_REDIRECT", False)  # local runs stay on HTTP

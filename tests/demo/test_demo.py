import datetime as dt

import pytest
from django.core.management import call_command

from ptsm.accounts.models import ArsAdministration, Membership, Role, User
from ptsm.accounts.permissions import project_role
from ptsm.demo.loader import DEMO_PASSWORD, DEMO_SLUG, load_demo
from ptsm.projects.models import Project
from ptsm.territories.models import Commune
from ptsm.territories.selectors import territory_card

pytestmark = pytest.mark.django_db


def test_demo_project_is_a_real_departement_with_one_user_per_role(capsys):
    call_command("load_demo")
    output = capsys.readouterr().out
    project = Project.objects.get(slug=DEMO_SLUG)
    assert (
        territory_card(project.territory).communes
        == Commune.objects.filter(departement_id="29").count()
    )
    roles = {project_role(user, project) for user in User.objects.all()} - {None}
    assert roles == set(Role)
    for user in User.objects.filter(email__endswith="@demo.ptsm.fr"):
        assert user.check_password(DEMO_PASSWORD)
        assert user.email in output
    assert project.milestones.filter(done_on__isnull=False).exists()
    assert project.milestones.filter(done_on__isnull=True).exists()


def test_loading_the_demo_twice_changes_nothing():
    load_demo(today=dt.date(2026, 11, 24))
    counts = (
        Project.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        ArsAdministration.objects.count(),
    )
    load_demo(today=dt.date(2026, 11, 24))
    assert counts == (
        Project.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        ArsAdministration.objects.count(),
    )


def test_the_demo_ars_administrator_logs_in_with_the_printed_totp_secret(client, capsys):
    import re
    from base64 import b32decode

    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.helpers import totp_code

    call_command("load_demo")
    secret = re.search(r"application d'authentification : ([A-Z2-7]+)", capsys.readouterr().out)
    # What a person's authenticator application computes from the printed key.
    app = TOTPDevice(key=b32decode(secret.group(1)).hex())
    call_command("demo_totp_code")
    assert capsys.readouterr().out.startswith(totp_code(app))

    response = client.post(
        reverse("accounts:login"), {"username": "ars@demo.ptsm.fr", "password": DEMO_PASSWORD}
    )
    verify = client.get(response.url)
    assert verify.url.startswith(reverse("accounts:otp_verify"))
    done = client.post(verify.url, {"code": totp_code(app)}, follow=True)
    assert "PTSM du Finistère" in done.content.decode()

import pytest
from django.core.management import CommandError, call_command

from ptsm.accounts.models import ArsAdministration, User

pytestmark = pytest.mark.django_db


def test_grant_ars_admin_creates_the_account_once(capsys):
    call_command("grant_ars_admin", "Directrice@ars.sante.fr", "53", "--prenom", "Anne")
    call_command("grant_ars_admin", "directrice@ars.sante.fr", "53")
    user = User.objects.get(email="directrice@ars.sante.fr")
    assert not user.has_usable_password()
    assert list(
        ArsAdministration.objects.filter(user=user).values_list("region__name", flat=True)
    ) == ["Bretagne"]
    assert "Compte créé" in capsys.readouterr().out


def test_unknown_region_is_refused_in_french():
    with pytest.raises(CommandError, match="Région inconnue : 99"):
        call_command("grant_ars_admin", "x@ars.sante.fr", "99")
    assert not User.objects.exists()

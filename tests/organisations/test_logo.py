"""An organisation's logo, uploaded from its edit page, for the letters' letterhead."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from ptsm.accounts.models import Role
from ptsm.organisations.models import Organisation
from tests.factories import make_project, member
from tests.helpers import login, visible_text

pytestmark = pytest.mark.django_db


def png_bytes(size=(300, 120), colour=(0, 0, 145), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture
def ars(client):
    project = make_project()
    organisation = Organisation.objects.create(
        project=project, name="ARS Bretagne", category="institutions_financeurs", sub_type="ars"
    )
    login(client, member(project, Role.PROJECT_LEAD))
    return organisation


def _upload(client, organisation, name, data, content_type):
    url = reverse("organisations:logo", args=[organisation.project.slug, organisation.pk])
    return client.post(url, {"logo": SimpleUploadedFile(name, data, content_type)}, follow=True)


def test_a_png_logo_is_stored_and_shown_as_such_on_the_edit_page(client, ars):
    response = _upload(client, ars, "ars.png", png_bytes(), "image/png")
    ars.refresh_from_db()
    assert ars.logo.name.endswith(".png")
    with ars.logo.open("rb") as handle:
        assert handle.read() == png_bytes()
    text = visible_text(response)
    assert "Le logo a été enregistré" in text
    assert "Un logo est enregistré" in text
    # A JPEG is accepted too; removing it brings the name back in the letterhead.
    _upload(client, ars, "ars.jpg", png_bytes(fmt="JPEG"), "image/jpeg")
    ars.refresh_from_db()
    assert ars.logo.name.endswith(".jpg")
    url = reverse("organisations:logo", args=[ars.project.slug, ars.pk])
    client.post(url, {"supprimer": "1"})
    ars.refresh_from_db()
    assert not ars.logo


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("logo.png", b"%PDF-1.7 pas une image", "n'est pas une image PNG ou JPEG lisible"),
        ("logo.gif", None, "doit être une image PNG ou JPEG"),
        ("logo.png", b"\x89PNG" + b"0" * (1024 * 1024 + 1), "dépasse 1 Mo"),
        ("logo.png", png_bytes(size=(5000, 40)), "Dimensions du logo hors limites"),
        ("logo.png", png_bytes()[:200], "n'est pas une image PNG ou JPEG lisible"),
    ],
)
def test_a_file_that_is_not_a_bounded_png_or_jpeg_is_refused_in_french(
    client, ars, name, data, message
):
    if data is None:
        buffer = io.BytesIO()
        Image.new("RGB", (100, 100)).save(buffer, "GIF")
        data = buffer.getvalue()
    response = _upload(client, ars, name, data, "image/png")
    assert message in visible_text(response)
    ars.refresh_from_db()
    assert not ars.logo

import io
import re
from pathlib import Path

import pytest
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.organisations.finess import FinessFileError, import_finess
from ptsm.organisations.models import Organisation, PendingFinessImport, Source
from tests.factories import make_project, member
from tests.helpers import login, page_text
from tests.organisations.finess_sample import SAMPLE_LINES

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).parent / "data" / "finess-sample-latin1.csv"


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère")


def test_sample_file_imports_the_territory_establishments_with_anap_categories(project):
    with SAMPLE.open("rb") as stream:
        report = import_finess(project=project, stream=stream)
    assert (report.created, report.updated, report.unchanged) == (6, 0, 0)
    assert report.skipped["hors du territoire du projet"] == 1
    assert report.skipped["catégorie hors du périmètre du PTSM (pharmacie, laboratoire…)"] == 1
    assert report.skipped["ligne malformée"] == 1
    assert report.skipped["numéro FINESS invalide"] == 1
    assert any(e.startswith("Ligne 10 : ligne malformée") for e in report.examples)
    epsm = Organisation.objects.get(project=project, finess_et="290000975")
    assert epsm.name == "ÉTABLISSEMENT PUBLIC DE SANTÉ MENTALE FINISTÈRE SUD"  # Latin-1 decoded
    assert (epsm.category, epsm.sub_type, epsm.mental_health) == (
        "sanitaire_public",
        "etab_psy_public",
        True,
    )
    assert epsm.commune_id == "29232" and epsm.postcode == "29000"
    assert -4.3 < epsm.longitude < -3.9 and 47.8 < epsm.latitude < 48.2  # Quimper area
    cmp_private = Organisation.objects.get(project=project, finess_et="290004829")
    assert (cmp_private.category, cmp_private.sub_type) == (
        "sanitaire_prive",
        "structure_psy_privee",
    )
    mas = Organisation.objects.get(project=project, finess_et="290018373")
    assert (mas.category, mas.sub_type, mas.mental_health) == ("medico_social", "fam_mas", False)
    assert Organisation.objects.get(finess_et="290000017").siret == "26290002100018"
    assert not Organisation.objects.filter(finess_et__in=["560000127", "290030014"]).exists()


def test_reimport_updates_instead_of_duplicating_and_keeps_hand_made_categories(project):
    with SAMPLE.open("rb") as stream:
        import_finess(project=project, stream=stream)
    chu = Organisation.objects.get(project=project, finess_et="290000017")
    chu.name, chu.source, chu.sub_type = "Ancien nom", Source.MANUAL, "ght_cpt"
    chu.save()
    with SAMPLE.open("rb") as stream:
        report = import_finess(project=project, stream=stream)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 5)
    assert Organisation.objects.filter(project=project).count() == 6
    chu.refresh_from_db()
    assert chu.name == "CHU BREST" and chu.sub_type == "ght_cpt"


def test_utf8_file_gives_the_same_result(project):
    data = ("\n".join(SAMPLE_LINES) + "\n").encode("utf-8")
    report = import_finess(project=project, stream=io.BytesIO(data))
    assert report.created == 6
    assert Organisation.objects.get(finess_et="290000975").name.startswith("ÉTABLISSEMENT")


@pytest.mark.parametrize(
    "content",
    [
        b"nom;categorie\nCHU;sanitaire\n",  # another CSV
        "finess;etalab".encode("utf-16"),  # wrong encoding
        b"\x89PNG\r\n\x1a\n\x00\x00",  # not text at all
        b"",
    ],
)
def test_a_file_that_is_not_a_finess_extraction_is_refused_and_nothing_is_written(project, content):
    with pytest.raises(FinessFileError, match="n'est pas une extraction FINESS"):
        import_finess(project=project, stream=io.BytesIO(content))
    assert not Organisation.objects.filter(project=project).exists()


def _upload_and_choose(client, project, upload, groups=None) -> str:
    """Upload a file, follow its analysis to the choice page, tick `groups` (the ones ticked
    by default when None) and start the import: the import job page's text."""
    url = reverse("organisations:finess_import", kwargs={"slug": project.slug})
    analysis = client.post(url, {"file": upload}, follow=True)
    assert analysis.redirect_chain[0][0].startswith(f"/projets/{project.slug}/travaux/")
    pending = PendingFinessImport.objects.get(project=project)
    choose = reverse("organisations:finess_choose", kwargs={"slug": project.slug, "pk": pending.pk})
    assert choose in analysis.content.decode()  # the analysis's job page links to the choice
    if groups is None:
        page = client.get(choose).content.decode()
        groups = re.findall(r'name="groups" value="([a-z_]+)"[^>]*checked', page)
    response = client.post(choose, {"groups": groups}, follow=True)
    return page_text(response)


def test_finess_import_page_reports_in_french(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    url = reverse("organisations:finess_import", kwargs={"slug": project.slug})
    with SAMPLE.open("rb") as stream:
        page = _upload_and_choose(client, project, stream)
    assert "Import FINESS terminé : 6 établissements créés, 0 mis à jour, 0 inchangé" in page
    assert "Ignorées : 1 — hors du territoire du projet" in page
    bad = client.post(url, {"file": io.BytesIO(b"pas un fichier finess")}, format="multipart")
    assert bad.status_code == 200
    fake = io.BytesIO(b"x")
    fake.name = "etablissements.xlsx"
    page = page_text(client.post(url, {"file": fake}))
    assert "l'extraction FINESS est un fichier .csv" in page
    assert Organisation.objects.filter(project=project).count() == 6
    # Written in bulk, the import is journaled once, with its counts, for the project.
    from ptsm.audit.models import AuditEntry, Kind

    entry = AuditEntry.objects.get(project=project, kind=Kind.IMPORT)
    assert "6 établissements créés, 0 mis à jour" in entry.object_repr


def _one_establishment_at(x: str, y: str) -> bytes:
    from tests.organisations.finess_sample import HEADER, structure

    lines = [
        HEADER,
        structure("290000975", "EPSM FINISTERE SUD", "232", "29", "292", "CHS", ej="290000975"),
        f"geolocalisation;290000975;{x};{y};1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93;2026-09-30",
    ]
    return "\n".join(lines).encode()


@pytest.mark.parametrize(
    "x, y",
    [
        ("700000", "12655612.049876"),  # the projection's origin: log(0) raised a server error
        ("0", "0"),
        ("0.0", "0.0"),
        ("", ""),
        ("nan", "nan"),
        ("inf", "-inf"),
        ("1e308", "1e308"),
    ],
)
def test_coordinates_outside_france_are_skipped_with_a_french_reason(client, project, x, y):
    login(client, member(project, Role.PROJECT_LEAD))
    url = reverse("organisations:finess_import", kwargs={"slug": project.slug})
    upload = io.BytesIO(_one_establishment_at(x, y))
    upload.name = "etalab.csv"
    page = _upload_and_choose(client, project, upload)
    assert "1 établissement créé" in page
    organisation = Organisation.objects.get(project=project, finess_et="290000975")
    assert organisation.longitude is None and organisation.latitude is None  # no position
    assert "coordonnées" in page
    assert client.get(url).status_code == 200


def test_an_endless_line_is_skipped_in_bounded_memory(project):
    data = _one_establishment_at("148000", "6830000") + b"\nstructureet;" + b"x" * 5_000_000
    report = import_finess(project=project, stream=io.BytesIO(data))
    assert report.created == 1
    assert any("ligne trop longue" in e for e in report.examples)

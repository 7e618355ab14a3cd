"""Organisations from any table: a national hospital list as published (its own headers, saved
by Excel with lost leading zeros), mapped to the directory's fields, updating field by field."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from ptsm.accounts.models import Role
from ptsm.organisations.import_organisations import check_lines
from ptsm.organisations.imports import ORGANISATION_COLUMNS, commit_import, start_import
from ptsm.organisations.mapping import (
    header_key,
    normalise_finess,
    normalise_phone,
    normalise_postcode,
    normalise_siret,
    propose_mapping,
)
from ptsm.organisations.models import ColumnMapping, ImportKind, Organisation, PendingImport
from tests.factories import make_project, member
from tests.helpers import login, page_text, visible_text

pytestmark = pytest.mark.django_db

# The shape of the national lists of hospital sites published on data.gouv.fr: lower-case
# headers with underscores, the commune by its name, the category by its FINESS code.
HOSPITAL_HEADERS = [
    "finess",
    "raison_sociale",
    "adresse",
    "code_postal",
    "commune",
    "telephone",
    "categorie",
    "siret",
]
# As Excel saves it: identifiers, postcodes and phone numbers typed as numbers (no leading zero).
HOSPITAL_ROWS = [
    # CHU de Brest (exists in the directory: updated field by field)
    [290000017, "CHU DE BREST", "2 AVENUE FOCH", 29200, "BREST", 298223333, 101, None],
    # EPSM Finistère Sud, Quimper (new; psychiatric: FINESS category 292)
    [
        290000975,
        "EPSM FINISTERE SUD",
        "18 RUE DE KERVIR",
        29000,
        "QUIMPER",
        "02.98.98.12.34",
        292,
        None,
    ],
    # CH de Bourg-en-Bresse (Ain): FINESS 010000123 and postcode 01000 lost their zero; outside
    [
        10000123,
        "CH DE BOURG EN BRESSE",
        "900 ROUTE DE PARIS",
        1000,
        "BOURG-EN-BRESSE",
        474454647,
        101,
        None,
    ],
    # A pharmacy: not a PTSM category, refused with its reason
    [290012345, "PHARMACIE DU PORT", "1 QUAI", 29900, "CONCARNEAU", None, 620, None],
    # Clinique with a 13-digit SIRET (leading zero lost, valid once restored)
    [
        290000033,
        "CLINIQUE PEN AN DALAR",
        "3 RUE DU PORT",
        29150,
        "CHATEAULIN",
        None,
        161,
        3307854300015,
    ],
]


def hospital_list_xlsx(rows=HOSPITAL_ROWS, headers=HOSPITAL_HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "etablissements"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère")


@pytest.fixture
def lead_user(project):
    return member(project, Role.PROJECT_LEAD)


@pytest.fixture
def lead(client, lead_user):
    login(client, lead_user)
    return client


@pytest.fixture
def chu(project):
    return Organisation.objects.create(
        project=project,
        name="CHU DE BREST",
        category="sanitaire_public",
        sub_type="ch_mco",
        finess_et="290000017",
        address="5 avenue Foch",
        postcode="29609",
        phone="0298223333",
        email="contact@chu-brest.fr",
        website="https://www.chu-brest.fr",
    )


def upload(client, project, name: str, content: bytes, **extra):
    return client.post(
        reverse("organisations:import", kwargs={"slug": project.slug}),
        {"kind": "organisations", "file": SimpleUploadedFile(name, content), **extra},
        follow=True,
    )


def pending_url(project, pending, name="import_pending"):
    return reverse(f"organisations:{name}", kwargs={"slug": project.slug, "pk": pending.pk})


def confirm(client, project, **options):
    pending = PendingImport.objects.get(project=project)
    return client.post(pending_url(project, pending, "import_confirm"), options, follow=True)


# Proposal of the mapping ----------------------------------------------------------------------


def test_headers_are_matched_whatever_their_accents_case_punctuation_or_synonym():
    headers = [
        "Raison sociale",
        "N° FINESS",
        "nofinessej",
        "Code postal",
        "CP",
        "Commune",
        "code_insee",
        "Téléphone",
        "SIRET",
        "Observations",
    ]
    mapping = propose_mapping(ImportKind.ORGANISATIONS, ORGANISATION_COLUMNS, headers)
    assert mapping == [
        "name",
        "finess_et",
        "finess_ej",
        "postcode",
        "",  # « CP » also means the postcode: the stronger header keeps it
        "",  # « Commune » loses to « code_insee », a code
        "commune",
        "phone",
        "siret",
        "",  # unknown: ignored
    ]
    assert header_key("N° FINESS") == header_key("n_finess") == "nfiness"
    english = propose_mapping(
        ImportKind.ORGANISATIONS, ORGANISATION_COLUMNS, ["name", "tel", "nofinesset", "CP"]
    )
    assert english == ["name", "phone", "finess_et", "postcode"]


def test_a_saved_mapping_decides_for_the_headers_it_knows():
    headers = ["rs", "telephone", "finess"]
    saved = {"rs": "name", "telephone": "", "finess": "finess_et"}
    assert propose_mapping(ImportKind.ORGANISATIONS, ORGANISATION_COLUMNS, headers, saved) == [
        "name",
        "",
        "finess_et",
    ]


# Values repaired when their meaning is certain -----------------------------------------------


def test_identifiers_that_lost_their_leading_zero_are_restored_only_when_certain():
    # FINESS of the Ain (01) written 10000123 by Excel, postcode 01000 agrees.
    assert normalise_finess("10000123", {"01"}) == ("010000123", None)
    assert normalise_finess("290000017.0", {"29"}) == ("290000017", None)
    # 8 digits but the line is in the Finistère: no certain reading, refused with a reason.
    number, error = normalise_finess("10000123", {"29"})
    assert number == "10000123" and "n'est pas celui de son adresse" in error
    # SIRET: 13 digits → 14 when the Luhn key then holds, not otherwise.
    assert normalise_siret("3307854300015") == "03307854300015"
    assert normalise_siret("3307854300019") == "3307854300019"
    assert normalise_postcode("1000") == ("01000", None)
    assert normalise_postcode("290") == (
        "290",
        "Code postal invalide : « 290 » (5 chiffres attendus).",
    )
    assert normalise_phone("298223333") == "02 98 22 33 33"
    assert normalise_phone("02.98.22.33.33") == "02 98 22 33 33"
    assert normalise_phone("+33 2 98 22 33 33") == "+33 2 98 22 33 33"  # kept as typed
    assert normalise_phone("poste 4455") == "poste 4455"


# The national hospital list, end to end ------------------------------------------------------


def test_national_hospital_list_imported_through_the_mapping(lead, project, chu):
    page = visible_text(upload(lead, project, "etablissements-sante.xlsx", hospital_list_xlsx()))
    page = " ".join(page.split())
    pending = PendingImport.objects.get(project=project)
    assert pending.mapping == [
        "finess_et",
        "name",
        "address",
        "postcode",
        "commune",
        "phone",
        "category",
        "siret",
    ]
    assert "5 lignes lues, dont 1 refusée" in page
    assert "3 créations, dont 1 hors du territoire du projet" in page
    assert "1 mise à jour" in page
    # The existing CHU: only what the file changes, old → new; the phone is the same number.
    assert "Adresse : 5 avenue Foch → 2 AVENUE FOCH" in page
    assert "Code postal : 29609 → 29200" in page
    assert "Commune : (vide) → 29019" in page
    assert "phone" not in pending.rows[0]["values"]
    assert "Catégorie FINESS 620 hors du périmètre d'un PTSM : choisissez la catégorie ANAP" in page
    assert "hors territoire" in page
    assert not Organisation.objects.filter(name="EPSM FINISTERE SUD").exists()  # not yet

    done = page_text(confirm(lead, project, mode="valides"))
    assert (
        "Import terminé : 2 organisations ajoutées, 1 mise à jour, 1 ligne refusée ignorée, "
        "1 ligne hors territoire ignorée." in done
    )
    chu.refresh_from_db()
    assert (chu.address, chu.postcode, chu.commune_id) == ("2 AVENUE FOCH", "29200", "29019")
    # Fields the file does not carry, and the phone it writes differently, are as they were.
    assert (chu.email, chu.website, chu.phone) == (
        "contact@chu-brest.fr",
        "https://www.chu-brest.fr",
        "0298223333",
    )
    assert (chu.category, chu.sub_type, chu.version) == ("sanitaire_public", "ch_mco", 2)
    epsm = Organisation.objects.get(project=project, finess_et="290000975")
    assert (epsm.category, epsm.sub_type, epsm.mental_health) == (
        "sanitaire_public",
        "etab_psy_public",
        True,
    )
    assert (epsm.commune.name, epsm.phone, epsm.finess_category) == (
        "Quimper",
        "02 98 98 12 34",
        "292",
    )
    clinique = Organisation.objects.get(project=project, finess_et="290000033")
    assert (clinique.siret, clinique.commune.name) == ("03307854300015", "Châteaulin")
    assert not Organisation.objects.filter(name="CH DE BOURG EN BRESSE").exists()
    assert not Organisation.objects.filter(name="PHARMACIE DU PORT").exists()


def test_organisations_outside_the_territory_are_kept_when_the_user_says_so(lead, project):
    upload(lead, project, "etablissements-sante.xlsx", hospital_list_xlsx(HOSPITAL_ROWS[2:3]))
    page = page_text(confirm(lead, project, mode="tout", keep_outside="on"))
    assert "Import terminé : 1 organisation ajoutée, 0 mise à jour." in page
    bourg = Organisation.objects.get(project=project, name="CH DE BOURG EN BRESSE")
    # FINESS and postcode of the Ain got their zero back; the commune found by its name.
    assert (bourg.finess_et, bourg.postcode, bourg.commune_id) == ("010000123", "01000", "01053")


def test_an_update_from_a_file_lacking_a_column_leaves_that_column_unchanged(lead, project, chu):
    # The file has no e-mail, website or category column; its phone column is ignored by the
    # user, and its empty address cell says nothing either.
    content = (
        "N° FINESS;Raison sociale;Adresse;Téléphone\n290000017;CHU de Brest (site Morvan);;0299999999\n"
    ).encode()
    upload(lead, project, "mise-a-jour.csv", content)
    pending = PendingImport.objects.get(project=project)
    assert pending.mapping == ["finess_et", "name", "address", "phone"]
    response = lead.post(
        pending_url(project, pending),
        {"col_0": "finess_et", "col_1": "name", "col_2": "address", "col_3": ""},
        follow=True,
    )
    page = " ".join(visible_text(response).split())
    assert "Correspondance appliquée" in page
    assert "Nom : CHU DE BREST → CHU de Brest (site Morvan)" in page
    assert "Téléphone" not in page.split("Lignes 1 à 1 sur 1", 1)[1]
    confirm(lead, project)
    chu.refresh_from_db()
    assert chu.name == "CHU de Brest (site Morvan)"
    assert (chu.address, chu.phone, chu.email, chu.website, chu.category, chu.postcode) == (
        "5 avenue Foch",
        "0298223333",
        "contact@chu-brest.fr",
        "https://www.chu-brest.fr",
        "sanitaire_public",
        "29609",
    )


def test_refused_lines_download_with_their_original_columns_and_reason(lead, project):
    content = (
        "Raison sociale;Catégorie;CP;Remarque\n"
        "GEM L'Escale;GEM (groupe d'entraide mutuelle);29900;ok\n"
        "Association X;inconnue;29200;à revoir\n"
        "=cmd();social;29;formule\n"
    ).encode()
    upload(lead, project, "partenaires.csv", content)
    pending = PendingImport.objects.get(project=project)
    response = lead.get(pending_url(project, pending, "import_refused"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="partenaires-lignes-refusees.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Raison sociale", "Catégorie", "CP", "Remarque", "Motif du refus"]
    assert rows[1][:4] == ["Association X", "inconnue", "29200", "à revoir"]
    assert rows[1][4].startswith("Catégorie inconnue : « inconnue »")
    assert rows[2][0] == "'=cmd()"  # never a formula when opened in a spreadsheet
    assert rows[2][4] == "Code postal invalide : « 29 » (5 chiffres attendus)."
    assert len(rows) == 3


def test_a_saved_mapping_is_applied_to_the_next_file_of_the_same_shape(lead, lead_user, project):
    content = b"rs;type;notes\nGEM L'Escale;usagers_familles;Concarneau\n"
    upload(lead, project, "partenaires.csv", content)
    pending = PendingImport.objects.get(project=project)
    # « type » was proposed as the category; « notes » is mapped to the address by hand.
    assert pending.mapping == ["name", "category", ""]
    lead.post(
        pending_url(project, pending), {"col_0": "name", "col_1": "category", "col_2": "address"}
    )
    response = lead.post(
        pending_url(project, pending, "import_save_mapping"), {"name": "Partenaires"}, follow=True
    )
    assert "Correspondance « Partenaires » enregistrée" in page_text(response)
    saved = ColumnMapping.objects.get(project=project)
    assert saved.columns == {"rs": "name", "type": "category", "notes": "address"}

    # Next month's file: same columns, the saved mapping applies without being chosen.
    upload(
        lead,
        project,
        "partenaires-mars.csv",
        b"rs;type;notes\nUNAFAM 29;usagers_familles;Brest\n",
    )
    assert PendingImport.objects.get(project=project).mapping == ["name", "category", "address"]
    # Chosen explicitly on the upload form, for a file whose columns it only partly knows.
    page = page_text(
        upload(
            lead,
            project,
            "autre.csv",
            b"notes;rs;type;extra\nBrest;GEM;usagers_familles;x\n",
            saved_mapping=saved.pk,
        )
    )
    assert PendingImport.objects.get(project=project).mapping == ["address", "name", "category", ""]
    assert "1 ligne lue, valide" in page


def test_a_mapping_giving_one_field_to_two_columns_is_refused_in_french(lead, project):
    upload(lead, project, "a.csv", b"Nom;Autre nom\nGEM;GEM bis\n")
    pending = PendingImport.objects.get(project=project)
    response = lead.post(pending_url(project, pending), {"col_0": "name", "col_1": "name"})
    assert response.status_code == 200
    assert "Un même champ est associé à plusieurs colonnes" in page_text(response)
    pending.refresh_from_db()
    assert pending.mapping == ["name", ""]


def test_a_change_between_preview_and_commit_cancels_the_import(lead, project, chu):
    upload(lead, project, "etablissements-sante.xlsx", hospital_list_xlsx(HOSPITAL_ROWS[:2]))
    chu.phone = "02 98 00 00 00"
    chu.save()  # someone edits the CHU meanwhile
    page = page_text(confirm(lead, project))
    assert (
        "Import annulé, rien n'a été enregistré : ligne 2 : l'organisation « CHU DE BREST » a été "
        "modifiée depuis l'aperçu." in page
    )
    assert not Organisation.objects.filter(finess_et="290000975").exists()
    chu.refresh_from_db()
    assert chu.address == "5 avenue Foch"


def test_the_preview_is_paginated_with_the_counts_on_top(lead, project):
    lines = "".join(f"Structure {n};social;29019\n" for n in range(1, 121))
    response = upload(lead, project, "gros.csv", ("Nom;Catégorie;Code INSEE\n" + lines).encode())
    page = " ".join(visible_text(response).split())
    assert "120 lignes lues, toutes valides" in page and "120 créations" in page
    assert "Lignes 1 à 50 sur 120" in page and "Structure 50" in page
    assert "Structure 51 " not in page
    pending = PendingImport.objects.get(project=project)
    page3 = " ".join(visible_text(lead.get(pending_url(project, pending) + "?page=3")).split())
    assert "Lignes 101 à 120 sur 120" in page3 and "Structure 120" in page3


def test_checking_and_writing_a_file_take_a_few_queries_whatever_its_length(
    project, lead_user, chu
):
    def table(count):
        rows = [["290000017", "CHU DE BREST", "2 avenue Foch", "29200", "Brest"]]
        rows += [[f"29{n:07d}", f"Structure {n}", "", "29000", "Quimper"] for n in range(1, count)]
        return rows

    headers = ["FINESS", "Nom", "Adresse", "Code postal", "Commune"]
    counts = []
    for size in (10, 300):
        raw = [
            dict(zip(["finess_et", "name", "address", "postcode", "commune"], r, strict=True))
            for r in table(size)
        ]
        with CaptureQueriesContext(connection) as queries:
            check_lines(project, raw)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 6
    pending = start_import(
        project=project,
        user=lead_user,
        kind=ImportKind.ORGANISATIONS,
        file_name="f.csv",
        headers=headers,
        table=table(300),
    )
    # Lines without a category cannot create: the CHU is updated, the others refused.
    with CaptureQueriesContext(connection) as queries:
        outcome = commit_import(pending=pending, mode="valides", user=lead_user)
    assert (outcome.updated, outcome.refused) == (1, 299)
    assert len(queries) <= 12


def test_the_upload_refuses_a_saved_mapping_of_the_other_kind(lead, project, lead_user):
    saved = ColumnMapping.objects.create(
        project=project, kind=ImportKind.CONTACTS, name="Contacts du DAC", columns={}
    )
    response = upload(lead, project, "a.csv", b"Nom;Categorie\nA;social\n", saved_mapping=saved.pk)
    assert "Cette correspondance sert aux imports de contacts." in page_text(response)
    assert not PendingImport.objects.exists()


def test_erasing_a_contact_also_erases_them_from_the_table_kept_for_the_mapping(
    lead, lead_user, project
):
    from ptsm.organisations.models import Contact
    from ptsm.organisations.personal_data import erase_contact

    cmp = Organisation.objects.create(project=project, name="CMP Brest", category="social")
    person = Contact.objects.create(
        project=project,
        organisation=cmp,
        first_name="Katell",
        last_name="Le Bihan",
        email="k.lebihan@cmp.fr",
    )
    content = (
        "Structure;Prénom;Nom;E-mail\n"
        "CMP Brest;Katell;Le Bihan;k.lebihan@cmp.fr\n"
        "CMP Brest;Yves;Nédélec;y.nedelec@cmp.fr\n"
    ).encode()
    upload(lead, project, "contacts.csv", content, kind="contacts")
    pending = PendingImport.objects.get(project=project)
    assert pending.mapping == ["organisation", "first_name", "last_name", "email"]
    erase_contact(contact=person, user=lead_user)
    pending.refresh_from_db()
    kept = repr([pending.rows, pending.table])
    assert "k.lebihan@cmp.fr" not in kept and "Le Bihan" not in kept
    assert "y.nedelec@cmp.fr" in kept


def test_a_pending_import_from_before_the_mapping_step_asks_for_the_file_again(
    lead, lead_user, project
):
    old = PendingImport.objects.create(
        project=project,
        user=lead_user,
        kind="organisations",
        file_name="ancien.csv",
        rows=[{"pk": None, "name": "GEM", "category": "social"}],
    )
    response = lead.get(pending_url(project, old), follow=True)
    assert "Cet import n'est plus disponible : déposez de nouveau le fichier." in page_text(
        response
    )
    response = lead.post(pending_url(project, old, "import_confirm"), follow=True)
    assert "préparé par une version précédente de ptsm" in page_text(response)
    assert not Organisation.objects.filter(project=project).exists()


# Large tables: read and written by a worker, the page showing the job -------------------------


@pytest.fixture
def large_tables(settings):
    """Every table counts as large: the upload and the confirmation go through the job queue."""
    settings.PTSM_IMPORT_JOB_BYTES = 100
    settings.PTSM_IMPORT_JOB_LINES = 0


def test_a_large_table_is_checked_and_written_by_a_worker(lead, project, chu, large_tables):
    from django.core.files.storage import default_storage

    from ptsm.jobs.models import Job, JobState

    page = page_text(upload(lead, project, "etablissements-sante.xlsx", hospital_list_xlsx()))
    analysis = Job.objects.get(project=project, kind="analyse-tableau")
    assert analysis.state == JobState.DONE
    assert "Fichier lu : 5 lignes vérifiées" in page
    assert "Vérifier la correspondance et les lignes" in page
    pending = PendingImport.objects.get(project=project)
    assert pending.mapping[0] == "finess_et" and len(pending.rows) == 5
    # The uploaded file is not kept once its table is in the pending import.
    assert not default_storage.exists(analysis.params["path"])
    preview = visible_text(lead.get(pending_url(project, pending)))
    assert "3 créations, dont 1 hors du territoire du projet" in " ".join(preview.split())

    done = page_text(confirm(lead, project, mode="valides"))
    assert Job.objects.get(project=project, kind="import-tableau").state == JobState.DONE
    assert (
        "Import terminé : 2 organisations ajoutées, 1 mise à jour, 1 ligne refusée ignorée, "
        "1 ligne hors territoire ignorée." in done
    )
    chu.refresh_from_db()
    assert chu.address == "2 AVENUE FOCH"
    assert Organisation.objects.filter(project=project, finess_et="290000975").exists()
    assert not PendingImport.objects.filter(project=project).exists()


def test_a_large_import_refused_by_the_worker_says_why_and_writes_nothing(
    lead, project, chu, large_tables
):
    upload(lead, project, "etablissements-sante.xlsx", hospital_list_xlsx())
    before = Organisation.objects.filter(project=project).count()
    page = page_text(confirm(lead, project, mode="tout"))  # one line is refused
    assert "Import annulé, rien n'a été enregistré : 1 ligne est refusée" in page
    assert Organisation.objects.filter(project=project).count() == before
    chu.refresh_from_db()
    assert chu.address == "5 avenue Foch"
    # The pending import is still there: the user can choose « les lignes valides ».
    assert PendingImport.objects.filter(project=project).exists()


def test_a_large_table_refused_while_read_fails_in_french_on_the_job_page(
    lead, project, large_tables
):
    from ptsm.organisations.tabular import MAX_CELL_CHARS

    content = f"Nom;Catégorie\nGEM;social\n{'N' * (MAX_CELL_CHARS + 1)};social\n".encode()
    page = visible_text(upload(lead, project, "liste.csv", content))
    assert "Échec" in page
    assert f"Ligne 3, colonne A : texte trop long ({MAX_CELL_CHARS + 1} caractères" in page
    assert not PendingImport.objects.filter(project=project).exists()


def test_a_large_file_that_is_not_a_workbook_is_refused_at_once(lead, project, large_tables):
    from ptsm.jobs.models import Job

    page = page_text(upload(lead, project, "liste.xlsx", b"PK\x03\x04 pas un classeur" * 20))
    assert "Ce fichier n'est pas un classeur Excel (.xlsx) valide." in page
    assert not Job.objects.filter(project=project).exists()


def test_a_large_upload_of_the_wrong_type_is_refused_at_once(lead, project, large_tables):
    from ptsm.jobs.models import Job

    page = page_text(upload(lead, project, "liste.pdf", b"%PDF-1.7" * 50))
    assert "Format non pris en charge : déposez un fichier .csv ou .xlsx." in page
    assert not Job.objects.filter(project=project).exists()


def test_a_confirmation_run_twice_by_the_worker_writes_once(lead, project, large_tables):
    from ptsm.jobs.models import Job
    from ptsm.organisations.jobs import run_table_import

    upload(lead, project, "etablissements-sante.xlsx", hospital_list_xlsx(HOSPITAL_ROWS[1:2]))
    confirm(lead, project, mode="tout")
    job = Job.objects.get(project=project, kind="import-tableau")
    again = run_table_import(job, lambda *args: None)  # a worker taking over a finished run
    assert again.message == "Cet import a déjà été enregistré."
    assert Organisation.objects.filter(project=project, finess_et="290000975").count() == 1

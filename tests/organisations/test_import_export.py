import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from ptsm.accounts.models import Role
from ptsm.organisations.models import Contact, Organisation, PendingImport
from tests.factories import make_project, member
from tests.helpers import login, page_text

pytestmark = pytest.mark.django_db

ORGANISATIONS_CSV = (
    "Nom;Catégorie;Sous-type;FINESS ET;Code commune (INSEE);Santé mentale\n"
    "EPSM Finistère Sud;Sanitaire hospitalier public;Établissement public autorisé en psychiatrie;290000975;29232;oui\n"
    "GEM L'Escale;;GEM (groupe d'entraide mutuelle);;29039;non\n"
    "UNAFAM Finistère;usagers_familles;unafam;;29019;\n"
)


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère")


@pytest.fixture
def lead(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    return client


def upload(client, project, name: str, content: bytes, kind: str = "organisations"):
    """Upload a file; the page shown next is the mapping and the checked lines."""
    return client.post(
        reverse("organisations:import", kwargs={"slug": project.slug}),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
        follow=True,
    )


def confirm(client, project, **options):
    pending = PendingImport.objects.get(project=project)
    return client.post(
        reverse("organisations:import_confirm", kwargs={"slug": project.slug, "pk": pending.pk}),
        options,
        follow=True,
    )


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_csv_import_shows_a_preview_then_writes_on_confirmation(lead, project):
    page = page_text(
        upload(lead, project, "acteurs.csv", ("\ufeff" + ORGANISATIONS_CSV).encode("utf-8"))
    )
    assert "3 lignes lues, toutes valides" in page
    assert "3 créations" in page and "0 mise à jour" in page
    assert not Organisation.objects.filter(project=project).exists()  # nothing before confirmation
    done = page_text(confirm(lead, project))
    assert "Import terminé : 3 organisations ajoutées, 0 mise à jour." in done
    gem = Organisation.objects.get(project=project, name="GEM L'Escale")
    assert (gem.category, gem.sub_type, gem.commune.name) == (
        "usagers_familles",
        "gem",
        "Concarneau",
    )
    assert Organisation.objects.get(finess_et="290000975").mental_health is True


def test_latin1_csv_with_commas_is_read(lead, project):
    content = ORGANISATIONS_CSV.replace(";", ",").encode("cp1252")
    assert "3 lignes lues, toutes valides" in page_text(
        upload(lead, project, "acteurs.csv", content)
    )


def test_line_by_line_french_errors_and_nothing_written(lead, project):
    content = (
        "Nom;Catégorie;FINESS ET;Code commune (INSEE);Courriel\n"
        "Bon;social;;29019;\n"
        "Mauvaise catégorie;hôpital;;29019;\n"
        "Mauvais FINESS;social;12;29019;\n"
        "Mauvaise commune;social;;00000;\n"
        "Mauvais courriel;social;;;pas-une-adresse\n"
        "Bon;social;;;\n"
    ).encode()
    page = page_text(upload(lead, project, "acteurs.csv", content))
    assert "6 lignes lues, dont 5 refusées" in page
    assert "Catégorie inconnue : « hôpital »" in page
    assert "Numéro FINESS invalide" in page
    assert "Code commune inconnu : 00000." in page
    assert "Saisissez une adresse de courriel valide." in page
    assert "Doublon de la ligne 2 dans le fichier." in page
    assert not Organisation.objects.filter(project=project).exists()
    # « Tout ou rien » refuses the file as long as a line is refused.
    refused = page_text(confirm(lead, project, mode="tout"))
    assert (
        "Import annulé, rien n'a été enregistré : 5 lignes sont refusées : corrigez le fichier, "
        "ou choisissez « Importer les lignes valides »." in refused
    )
    assert not Organisation.objects.filter(project=project).exists()
    # « Importer les lignes valides » writes the only valid line.
    done = page_text(confirm(lead, project, mode="valides"))
    assert (
        "Import terminé : 1 organisation ajoutée, 0 mise à jour, 5 lignes refusées ignorées."
        in done
    )
    assert list(Organisation.objects.filter(project=project).values_list("name", flat=True)) == [
        "Bon"
    ]


@pytest.mark.parametrize(
    "name, content, message",
    [
        (
            "acteurs.pdf",
            b"%PDF-1.7",
            "Format non pris en charge : déposez un fichier .csv ou .xlsx.",
        ),
        ("acteurs.xlsx", b"pas un classeur", "n'est pas un classeur Excel (.xlsx) valide"),
        ("acteurs.csv", "Nom;Catégorie".encode("utf-16"), "Encodage non reconnu"),
        (
            "acteurs.csv",
            b"Raison;Type\nA;B\n",
            "Aucune colonne n'identifie les organisations : associez au moins la colonne du nom",
        ),
        ("acteurs.csv", b"", "Le fichier soumis est vide."),
        ("acteurs.csv", b"Nom;Categorie\n" + b"x;social\n" * 600_000, "Fichier trop volumineux"),
    ],
)
def test_bad_files_get_a_clear_message(lead, project, name, content, message):
    assert message in page_text(upload(lead, project, name, content))
    assert not Organisation.objects.filter(project=project).exists()


def test_xlsx_contacts_import_links_to_existing_organisations(lead, project):
    epsm = Organisation.objects.create(
        project=project, name="EPSM Finistère Sud", category="sanitaire_public"
    )
    content = xlsx(
        [
            [
                "Organisation",
                "Civilité",
                "Prénom",
                "Nom",
                "Fonction",
                "Courriel",
                "Base légale",
                "Date d'information RGPD",
            ],
            [
                "epsm finistere sud",
                "Madame",
                "Katell",
                "Le Bihan",
                "Psychiatre",
                "k.lebihan@epsm.fr",
                "Intérêt légitime",
                "01/03/2026",
            ],
            [
                "EPSM Finistère Sud",
                "M.",
                "Yves",
                "Nédélec",
                "Directeur",
                "y.nedelec@epsm.fr",
                "",
                "",
            ],
        ]
    )
    page = page_text(upload(lead, project, "contacts.xlsx", content, kind="contacts"))
    assert "2 lignes lues, toutes valides" in page
    confirm(lead, project)
    katell = Contact.objects.get(email="k.lebihan@epsm.fr")
    assert (
        katell.organisation == epsm
        and katell.civility == "Mme"
        and katell.legal_basis == "interet_legitime"
    )
    assert katell.notice_date.isoformat() == "2026-03-01"


def test_a_contacts_update_never_erases_what_the_file_leaves_empty(lead, project):
    epsm = Organisation.objects.create(
        project=project, name="EPSM Finistère Sud", category="sanitaire_public"
    )
    Contact.objects.create(
        project=project,
        organisation=epsm,
        civility="Mme",
        first_name="Katell",
        last_name="Le Bihan",
        function="Psychiatre",
        email="k.lebihan@epsm.fr",
        phone="02 98 00 00 00",
        legal_basis="interet_legitime",
        notice_date=dt.date(2026, 3, 1),
    )
    # Next month's table: a new function, no phone column, the other cells empty.
    content = xlsx(
        [
            ["Organisation", "Civilité", "Prénom", "Nom", "Fonction", "Courriel", "Base légale"],
            ["EPSM Finistère Sud", "", "", "", "Cheffe de pôle", "K.LeBihan@epsm.fr", ""],
        ]
    )
    page = page_text(upload(lead, project, "contacts.xlsx", content, kind="contacts"))
    assert "1 ligne lue" in page
    confirm(lead, project)
    katell = Contact.objects.get(email="k.lebihan@epsm.fr")
    assert (katell.function, katell.first_name, katell.last_name, katell.civility) == (
        "Cheffe de pôle",
        "Katell",
        "Le Bihan",
        "Mme",
    )
    assert katell.phone == "02 98 00 00 00" and katell.legal_basis == "interet_legitime"
    assert katell.notice_date == dt.date(2026, 3, 1)
    assert Contact.objects.count() == 1


def test_contacts_errors_unknown_organisation_duplicates_and_dates(lead, project):
    Organisation.objects.create(project=project, name="EPSM", category="sanitaire_public")
    Contact.objects.create(
        project=project,
        organisation=Organisation.objects.get(),
        first_name="A",
        last_name="B",
        email="deja@epsm.fr",
    )
    content = (
        "Organisation;Prénom;Nom;Courriel;Date d'information RGPD\n"
        "Inconnue;A;B;a@x.fr;\n"
        "EPSM;C;D;deja@epsm.fr;\n"
        "EPSM;E;F;e@x.fr;31/02/2026\n"
        "EPSM;G;H;e@x.fr;\n"
    ).encode()
    page = page_text(upload(lead, project, "contacts.csv", content, kind="contacts"))
    assert "Organisation introuvable dans l'annuaire : « Inconnue »." in page
    assert "Date invalide : « 31/02/2026 »" in page
    assert "Adresse électronique déjà présente ligne 4 du fichier." in page
    # An existing contact with the same address is updated, not duplicated.
    assert Contact.objects.count() == 1


def test_import_is_all_or_nothing_when_the_directory_changed_since_the_preview(lead, project):
    epsm = Organisation.objects.create(project=project, name="EPSM", category="sanitaire_public")
    content = "Organisation;Prénom;Nom;Courriel\nEPSM;A;B;a@epsm.fr\nEPSM;C;D;c@epsm.fr\n".encode()
    assert "2 lignes lues, toutes valides" in page_text(
        upload(lead, project, "c.csv", content, kind="contacts")
    )
    Contact.objects.create(
        project=project, organisation=epsm, first_name="X", last_name="Y", email="c@epsm.fr"
    )
    page = page_text(confirm(lead, project))
    assert "Import annulé, rien n'a été enregistré" in page
    assert not Contact.objects.filter(email="a@epsm.fr").exists()


def test_exports_are_safe_against_formula_injection_and_round_trip(lead, project):
    Organisation.objects.create(
        project=project,
        name='=HYPERLINK("http://x";"clic")',
        category="social",
        phone="+33 2 98 00 00 00",
    )
    Organisation.objects.create(
        project=project, name="@SUM(A1)", category="social", finess_et="290000975"
    )
    csv_response = lead.get(
        reverse(
            "organisations:export",
            kwargs={"slug": project.slug, "what": "organisations", "fmt": "csv"},
        )
    )
    text = csv_response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Nom"
    names = {row[0] for row in rows[1:]}
    assert names == {'\'=HYPERLINK("http://x";"clic")', "'@SUM(A1)"}
    assert any(row[11] == "'+33 2 98 00 00 00" for row in rows[1:])

    xlsx_response = lead.get(
        reverse(
            "organisations:export",
            kwargs={"slug": project.slug, "what": "organisations", "fmt": "xlsx"},
        )
    )
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert {c.value for c in cells} == {'=HYPERLINK("http://x";"clic")', "@SUM(A1)"}
    assert all(c.data_type == "s" for c in cells)

    # The export goes back in as updates, without duplicates.
    page = page_text(upload(lead, project, "export.xlsx", xlsx_response.content))
    assert "0 création" in page and "2 organisations déjà à jour" in page
    confirm(lead, project)
    assert Organisation.objects.filter(project=project).count() == 2


def test_import_template_has_the_expected_columns(lead, project):
    response = lead.get(
        reverse(
            "organisations:import_template",
            kwargs={"slug": project.slug, "what": "contacts", "fmt": "xlsx"},
        )
    )
    header = [
        c.value
        for c in next(load_workbook(io.BytesIO(response.content)).active.iter_rows(max_row=1))
    ]
    assert header[:5] == [
        "Organisation",
        "FINESS ET de l'organisation",
        "Civilité",
        "Prénom",
        "Nom",
    ]


def test_confirming_after_a_referenced_organisation_was_deleted_is_refused_in_french(lead, project):
    epsm = Organisation.objects.create(project=project, name="EPSM", category="sanitaire_public")
    content = "Organisation;Prénom;Nom;Courriel\nEPSM;A;B;a@epsm.fr\n".encode()
    assert "1 ligne lue, valide" in page_text(
        upload(lead, project, "c.csv", content, kind="contacts")
    )
    epsm.delete()
    response = confirm(lead, project)
    assert response.status_code == 200
    assert (
        "Import annulé, rien n'a été enregistré : ligne 2 : l'organisation « EPSM » a été "
        "supprimé(e) de l'annuaire depuis l'aperçu." in page_text(response)
    )
    assert not Contact.objects.exists()


def test_confirming_an_update_of_a_deleted_organisation_is_refused_in_french(lead, project):
    gem = Organisation.objects.create(project=project, name="GEM L'Escale", category="social")
    content = "Nom;Catégorie\nGEM L'Escale;social\nUNAFAM;usagers_familles\n".encode()
    upload(lead, project, "o.csv", content)
    gem.delete()
    response = confirm(lead, project)
    assert "l'organisation « GEM L'Escale » a été supprimé(e)" in page_text(response)
    assert not Organisation.objects.filter(project=project).exists()

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from ptsm.demo.loader import DEMO_PASSWORD, DEMO_SLUG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{live_server.url}/")
    assert "/comptes/connexion/" in page.url
    page.get_by_role("textbox", name="Adresse électronique").fill(email)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")


MAIN_PAGES = [
    ("Mes projets", "/"),
    ("Tableau de bord", f"/projets/{DEMO_SLUG}/"),
    ("Territoire", f"/projets/{DEMO_SLUG}/territoire/"),
    ("Jalons", f"/projets/{DEMO_SLUG}/jalons/"),
    ("Annuaire", f"/projets/{DEMO_SLUG}/annuaire/"),
    ("Gouvernance", f"/projets/{DEMO_SLUG}/gouvernance/"),
    ("Séances", f"/projets/{DEMO_SLUG}/gouvernance/seances/"),
    ("Cadrage", f"/projets/{DEMO_SLUG}/lettre-de-cadrage/"),
    ("Diagnostic", f"/projets/{DEMO_SLUG}/diagnostic/"),
    ("Feuille de route", f"/projets/{DEMO_SLUG}/feuille-de-route/"),
    ("Évaluation", f"/projets/{DEMO_SLUG}/evaluation/"),
    ("Membres", f"/projets/{DEMO_SLUG}/membres/"),
    ("Consultations", f"/projets/{DEMO_SLUG}/consultations/"),
    ("Documents", f"/projets/{DEMO_SLUG}/documents/"),
]
NAVIGATION = [
    (label, path)
    for label, path in MAIN_PAGES[2:]
    if label not in {"Territoire", "Jalons", "Séances"}
]
OTHER_PAGES = [
    f"/projets/{DEMO_SLUG}/annuaire/contacts/",
    f"/projets/{DEMO_SLUG}/annuaire/acteurs-incontournables/",
    f"/projets/{DEMO_SLUG}/annuaire/importer/",
    f"/projets/{DEMO_SLUG}/annuaire/importer/finess/",
    f"/projets/{DEMO_SLUG}/annuaire/nouvelle/",
    f"/projets/{DEMO_SLUG}/gouvernance/demarches-locales/",
    f"/projets/{DEMO_SLUG}/gouvernance/communication/",
    f"/projets/{DEMO_SLUG}/jalons/nouveau/",
    f"/projets/{DEMO_SLUG}/diagnostic/",
    f"/projets/{DEMO_SLUG}/diagnostic/portes/1/",
    f"/projets/{DEMO_SLUG}/diagnostic/portes/5/constats/nouveau/",
    f"/projets/{DEMO_SLUG}/diagnostic/carte/?measure=organisations",
    f"/projets/{DEMO_SLUG}/diagnostic/importer/",
    f"/projets/{DEMO_SLUG}/feuille-de-route/",
    f"/projets/{DEMO_SLUG}/feuille-de-route/fiches-actions/",
    f"/projets/{DEMO_SLUG}/feuille-de-route/calendrier/",
    f"/projets/{DEMO_SLUG}/feuille-de-route/synthese/",
    f"/projets/{DEMO_SLUG}/engagements/",
    f"/projets/{DEMO_SLUG}/evaluation/bilans/six-mois/",
    f"/projets/{DEMO_SLUG}/evaluation/bilans/final/",
    "/accessibilite/",
    "/mentions-legales/",
    "/donnees-personnelles/",
    "/cookies/",
    "/aide/",
]


def test_project_lead_walks_the_main_pages_without_accessibility_violations(
    page, live_server, demo, axe, output_dir
):
    page.goto(f"{live_server.url}/comptes/connexion/")
    assert axe(page) == []
    page.get_by_role("textbox", name="Adresse électronique").fill("chef.projet@demo.ptsm.fr")
    page.locator("input[name=password]").fill("mauvais")
    page.get_by_role("button", name="Se connecter").click()
    assert page.get_by_text("Adresse électronique ou mot de passe incorrect.").is_visible()

    log_in(page, live_server, "chef.projet@demo.ptsm.fr")
    assert page.get_by_role("heading", name="Mes projets").is_visible()
    page.get_by_role("link", name="PTSM du Finistère").click()
    page.wait_for_url(f"{live_server.url}/projets/{DEMO_SLUG}/")
    assert page.get_by_role("heading", name="PTSM du Finistère").is_visible()
    assert page.get_by_text("Phase 4 sur 7").is_visible()  # the demo is in « Engagement »
    assert page.locator("figure svg path").count() > 250
    page.screenshot(path=str(output_dir / "tableau-de-bord.png"), full_page=True)

    for label, path in MAIN_PAGES:
        page.goto(f"{live_server.url}{path}")
        assert page.title().endswith("ptsm"), path
        assert axe(page) == [], f"{label}: {path}"
    for path in OTHER_PAGES:
        page.goto(f"{live_server.url}{path}")
        assert axe(page) == [], path
    # Pages of one organisation, one body and one meeting of the demo.
    for link_name, path in [
        ("EPSM Finistère Sud", "annuaire/"),
        ("Comité de pilotage (COPIL)", "gouvernance/"),
        ("COPIL de lancement", "gouvernance/seances/"),
        ("Créer une plateforme d'orientation et d'accueil en CMP", "feuille-de-route/"),
    ]:
        page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/{path}")
        page.get_by_role("link", name=link_name).first.click()
        expect(page.get_by_role("heading", name=link_name).first).to_be_visible()
        assert axe(page) == [], link_name
    # The navigation reaches every main page of the project.
    page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/")
    menu = page.get_by_role("navigation", name="Menu principal")
    for label, path in NAVIGATION:
        if label in {"Annuaire", "Gouvernance", "Membres", "Consultations"}:
            menu.get_by_role("button", name="Partenaires").click()
        menu.get_by_role("link", name=label).click()
        page.wait_for_url(f"{live_server.url}{path}")
    # The menu holds on one line at 1280 px.
    tops = menu.locator(".fr-nav__list > .fr-nav__item").evaluate_all(
        "items => items.map(item => item.getBoundingClientRect().top)"
    )
    assert len(set(tops)) == 1, tops
    # The breadcrumb follows the hierarchy down to a fiche-action.
    page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/feuille-de-route/")
    href = page.eval_on_selector_all(
        "main a",
        "links => links.map(a => a.getAttribute('href'))"
        ".find(href => /fiches-actions\\/\\d+\\/$/.test(href))",
    )
    page.goto(f"{live_server.url}{href}")
    crumbs = page.locator(".fr-breadcrumb__list li").all_inner_texts()
    assert crumbs[:3] == ["Mes projets", "PTSM du Finistère", "Feuille de route"], crumbs
    assert crumbs[3].startswith("Fiche-action "), crumbs
    # Printed, a page keeps its content and drops the header, menu and buttons.
    page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/feuille-de-route/synthese/")
    page.emulate_media(media="print")
    assert not page.locator("header.fr-header").is_visible()
    assert not page.get_by_role("navigation", name="Menu principal").is_visible()
    assert page.locator("main table").first.is_visible()
    printed = PdfReader(io.BytesIO(page.pdf(format="A4"))).pages
    text = "".join(sheet.extract_text() for sheet in printed)
    assert "Se déconnecter" not in text and "Tableaux de synthèse" in text and "Crédits" in text
    page.emulate_media(media="screen")


def test_the_main_pages_break_no_content_security_policy_rule(browser, live_server, demo):
    """Scripts and styles all come from files: the browser refuses nothing on any main page."""
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    log_in(page, live_server, "chef.projet@demo.ptsm.fr")
    for _label, path in MAIN_PAGES:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    context.close()
    assert refused == []


def test_the_ars_administrator_gives_the_totp_code_after_the_password(page, live_server, demo, axe):
    from ptsm.demo.loader import demo_totp_device
    from tests.helpers import totp_code

    page.goto(f"{live_server.url}/comptes/connexion/")
    page.get_by_role("textbox", name="Adresse électronique").fill("ars@demo.ptsm.fr")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/comptes/double-authentification/**")
    assert page.get_by_role("heading", name="Double authentification").is_visible()
    assert axe(page) == []
    page.get_by_role("textbox", name="Code à 6 chiffres").fill(
        totp_code(demo_totp_device("ars@demo.ptsm.fr"))
    )
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Mes projets").is_visible()
    page.locator("#current-user").first.click()
    assert page.get_by_text("La double authentification est activée").is_visible()
    assert axe(page) == []


def test_project_lead_generates_and_downloads_the_identity_card(page, live_server, demo):
    log_in(page, live_server, "chef.projet@demo.ptsm.fr")
    page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/documents/")
    page.get_by_role("button", name="Générer carte-identite-territoire.pdf").click()
    assert page.get_by_text("carte-identite-territoire.pdf généré (version 1").is_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger carte-identite-territoire.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "carte-identite-territoire.pdf"
    pdf = PdfReader(io.BytesIO(download.path().read_bytes()))
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "Finistère" in text and "Carte d'identité du territoire" in text


def test_a_reader_sees_the_project_but_cannot_change_it(page, live_server, demo):
    log_in(page, live_server, "lecteur@demo.ptsm.fr")
    page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/documents/")
    assert page.get_by_role("button", name="Tout générer").count() == 0
    response = page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/modifier/")
    assert response.status == 403
    response = page.goto(f"{live_server.url}/projets/demo-deux-sevres/")
    assert response.status == 404


def test_project_lead_imports_finess_and_runs_a_meeting(page, live_server, demo):
    from pathlib import Path

    sample = (
        Path(__file__).resolve().parents[1] / "organisations" / "data" / "finess-sample-latin1.csv"
    )
    log_in(page, live_server, "chef.projet@demo.ptsm.fr")
    page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/annuaire/importer/finess/")
    page.set_input_files("input[type=file]", str(sample))
    page.get_by_role("button", name="Analyser le fichier").click()
    # The analysis's job page leads to the choice of the categories, counted in the territory.
    page.get_by_role("link", name="Choisir les catégories à importer").click()
    assert page.get_by_label("Psychiatrie : établissements autorisés").is_checked()
    page.get_by_role("button", name="Importer les établissements cochés").click()
    report = page.locator("#job-status")  # the import's job page, with its report
    # The demo already holds 3 of them.
    assert "3 établissements créés, 3 mis à jour" in report.inner_text()

    page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/gouvernance/")
    page.get_by_role("link", name="Comité de pilotage (COPIL)").click()
    page.get_by_role("link", name="Programmer une séance").click()
    page.get_by_label("Intitulé").fill("COPIL de suivi")
    page.locator("#id_starts_at").fill("2027-01-12T14:00")
    page.locator("#id_ends_at").fill("2027-01-12T16:00")
    page.get_by_label("Lieu").fill("Quimper")
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_role("heading", name="COPIL de suivi").is_visible()
    page.get_by_role("button", name="Inviter les membres de l'instance").click()
    assert page.get_by_text("8 membres de l'instance ajoutés aux invités.").is_visible()
    page.get_by_label("Présence de M. Hervé Le Floc'h").select_option("present")
    page.get_by_role("button", name="Enregistrer la présence de M. Hervé Le Floc'h").click()
    assert page.get_by_text("Présence de M. Hervé Le Floc'h enregistrée.").is_visible()
    page.get_by_label("Décision").fill("Le calendrier du diagnostic est confirmé.")
    page.get_by_role("button", name="Ajouter la décision").click()
    assert (
        page.locator("#decisions")
        .get_by_text("Le calendrier du diagnostic est confirmé.")
        .is_visible()
    )


def test_project_lead_edits_the_framing_letter_generates_and_downloads_the_pdf(
    page, live_server, demo, axe
):
    from ptsm.accounts.models import User
    from ptsm.framing.models import LetterStatus
    from ptsm.framing.services import change_status, ensure_letter
    from ptsm.projects.models import Project

    # The demo's letter was signed at the launch COPIL: an amendment reopens it for editing.
    letter = ensure_letter(project=Project.objects.get(slug=DEMO_SLUG))
    lead = User.objects.get(email="chef.projet@demo.ptsm.fr")
    change_status(
        letter=letter, to_status=LetterStatus.DRAFT, user=lead, comment="Avenant : calendrier"
    )
    number = letter.versions.count() + 1
    log_in(page, live_server, "chef.projet@demo.ptsm.fr")
    page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Cadrage"
    ).click()
    assert page.get_by_role("heading", name="Lettre de cadrage", exact=True).first.is_visible()
    assert axe(page) == []
    section = page.locator("#section-contexte")
    section.get_by_role("link", name="Modifier la section Contexte / historique").click()
    # HTMX swaps the section for its form, in place.
    section.get_by_label("Texte de la section").fill(
        "Les quatre GHT du Finistère ont confirmé leur participation."
    )
    section.get_by_role("button", name="Enregistrer la section Contexte / historique").click()
    expect(section.get_by_text("Enregistré")).to_be_visible()
    expect(
        section.get_by_text("Les quatre GHT du Finistère ont confirmé leur participation.")
    ).to_be_visible()
    page.get_by_role("button", name="Générer la lettre (DOCX et PDF)").click()
    assert page.get_by_text(f"Version {number} générée (DOCX et PDF).").is_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"PDF version {number}").click()
    download = download_info.value
    assert download.suggested_filename == "lettre-de-cadrage.pdf"
    pdf = PdfReader(io.BytesIO(download.path().read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "Les quatre GHT du Finistère ont confirmé leur participation." in text
    assert "Périmètre de l" in text and "Signataires" in text


def test_a_copil_member_adds_a_finding_and_sees_the_door_chart(page, live_server, demo):
    log_in(page, live_server, "copil@demo.ptsm.fr")
    page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Diagnostic"
    ).click()
    expect(page.get_by_text("< 11").first).to_be_visible()  # the demo's small MDPH count, masked
    page.get_by_role("link", name="5. Prévention et gestion des situations de crise").click()
    page.get_by_role("link", name="Ajouter un constat").click()
    page.get_by_label("Nature").select_option("force")
    page.locator("#id_text").fill(
        "Équipe mobile de psychiatrie du sujet âgé opérationnelle à Quimper."
    )
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Le constat a été enregistré.")).to_be_visible()
    expect(
        page.get_by_text("Équipe mobile de psychiatrie du sujet âgé opérationnelle à Quimper.")
    ).to_be_visible()
    assert page.locator("figure svg[role=img]").count() >= 1


def test_a_bilateral_campaign_reaches_signed_for_one_operator(
    page, live_server, demo, tmp_path, axe
):
    from pypdf import PdfWriter

    # The demo's COPIL validated the roadmap: the letters can go out for signature.
    signed = tmp_path / "annexe-signee.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with signed.open("wb") as handle:
        writer.write(handle)
    log_in(page, live_server, "chef.projet@demo.ptsm.fr")
    page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Engagements"
    ).click()
    row = page.locator("tr", has_text="EPSM Finistère Sud")
    row.get_by_role("button", name="Générer l'annexe de EPSM Finistère Sud").click()
    expect(page.get_by_text("Annexe de EPSM Finistère Sud générée.")).to_be_visible()
    row = page.locator("tr", has_text="EPSM Finistère Sud")
    row.get_by_role("button", name="Envoyer à EPSM Finistère Sud").click()
    expect(page.get_by_text("Annexe envoyée à EPSM Finistère Sud.")).to_be_visible()
    row = page.locator("tr", has_text="EPSM Finistère Sud")
    expect(row.get_by_text("Envoyé", exact=True)).to_be_visible()
    row.get_by_text("Déposer le PDF signé").click()
    row.get_by_label("PDF signé de EPSM Finistère Sud").set_input_files(str(signed))
    # A blank page is not the annex that was sent: it is recorded as signed outside ptsm.
    # The DSFR draws the box on the label: a user clicks the label's text.
    row.get_by_text(
        "Signature manuscrite scannée (document imprimé, signé à la main puis numérisé)"
    ).click()
    assert row.get_by_label(
        "Signature manuscrite scannée (document imprimé, signé à la main puis numérisé)"
    ).is_checked()
    row.get_by_role("button", name="Enregistrer la signature de EPSM Finistère Sud").click()
    expect(page.get_by_text("Engagement de EPSM Finistère Sud signé.")).to_be_visible()
    row = page.locator("tr", has_text="EPSM Finistère Sud")
    expect(row.get_by_text("Signé", exact=True)).to_be_visible()
    expect(row.get_by_text("Signature manuscrite scannée (document numérisé)")).to_be_visible()
    assert axe(page) == []


def test_the_whole_signature_campaign_is_sent_then_reminded_from_two_buttons(
    page, live_server, demo, axe, smtp_server
):
    """The campaign's two buttons: each starts a job (run inline here) whose page says what was
    sent, one e-mail per operator, and leads back to the campaign."""
    log_in(page, live_server, "chef.projet@demo.ptsm.fr")
    page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/engagements/")
    page.get_by_role("button", name="Envoyer pour signature toutes les annexes prêtes").click()
    expect(
        page.get_by_role("heading", name="Envoi pour signature des annexes prêtes")
    ).to_be_visible()
    # The demo's seven operators: Fondation Ildys signed, the SAMSAH was sent its annex, the
    # five others are sent theirs now.
    status = page.locator("#job-status")
    expect(status.get_by_role("heading", name="Terminé")).to_be_visible()
    expect(status.get_by_text("5 annexes envoyées pour signature.")).to_be_visible()
    sent = [m["To"] for m in smtp_server.messages]
    assert len(sent) == len(set(sent)) == 5
    assert axe(page) == []
    status.get_by_role("link", name="Retour à la campagne de signature").click()
    row = page.locator("tr", has_text="EPSM Finistère Sud")
    expect(row.get_by_text("Envoyé", exact=True)).to_be_visible()
    page.get_by_role("button", name="Relancer tous les opérateurs en attente").click()
    expect(
        page.get_by_role("heading", name="Relance des opérateurs en attente de signature")
    ).to_be_visible()
    expect(status.get_by_role("heading", name="Terminé")).to_be_visible()
    expect(status.get_by_text("6 opérateurs relancés.")).to_be_visible()
    reminded = [m["To"] for m in smtp_server.messages][5:]
    assert len(reminded) == len(set(reminded)) == 6 and set(sent) < set(reminded)
    assert axe(page) == []
    expect(status.get_by_role("link", name="Retour à la campagne de signature")).to_be_visible()


def test_the_bundle_is_built_with_visible_progress_and_downloaded(
    page, live_server, demo, axe, settings
):
    """On the real embedded queue: a worker process (db_worker) builds the bundle while the job
    page, left open, follows it by itself until the download link appears."""
    from tests.jobs.test_queues import start_worker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    log_in(page, live_server, "chef.projet@demo.ptsm.fr")
    page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/engagements/")
    page.get_by_role("button", name="Constituer la liasse").click()
    expect(
        page.get_by_role("heading", name="Constitution de la liasse des engagements")
    ).to_be_visible()
    # Nothing runs yet: the request only queued the work, and the page says so.
    expect(page.get_by_text("En attente du serveur de travaux")).to_be_visible()
    page.evaluate("""() => {
        window.statusTexts = [];
        new MutationObserver(() => {
            const status = document.getElementById('job-status');
            if (status) window.statusTexts.push(status.innerText.trim());
        }).observe(document.body, {childList: true, subtree: true});
    }""")
    worker = start_worker(settings, "db")
    try:
        expect(page.get_by_text("Liasse prête : liasse-engagements.pdf")).to_be_visible(
            timeout=90_000
        )
    finally:
        worker.kill()
        worker.wait()
    assert page.evaluate("() => window.statusTexts")  # the page updated itself, no reload
    assert axe(page) == []
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger la liasse").click()
    pdf = PdfReader(io.BytesIO(download_info.value.path().read_bytes()))
    # Cover, contents, the collective letter, the roadmap as the demo's COPIL validated it, the
    # demo's 7 operators, the fingerprints.
    assert len(pdf.outline) == 12


def test_a_pilot_measures_an_indicator_and_the_copil_member_writes_the_review(
    page, live_server, demo, axe
):
    log_in(page, live_server, "pilote@demo.ptsm.fr")
    page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/evaluation/")
    row = page.locator("#indicators tr", has_text="1.1.1.1")
    row.get_by_role("link", name="Personnes accompagnées").click()
    expect(page.get_by_role("heading", name="Personnes accompagnées")).to_be_visible()
    assert axe(page) == []
    page.get_by_label("Valeur mesurée").fill("48")
    page.get_by_label("Commentaire").fill("Premier trimestre")
    page.get_by_role("button", name="Enregistrer la mesure").click()
    expect(page.get_by_text("La valeur mesurée a été enregistrée.")).to_be_visible()
    expect(page.locator("#values")).to_contain_text("Premier trimestre")
    page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/evaluation/")
    expect(page.locator("#indicators tr", has_text="1.1.1.1")).to_contain_text("48")

    page.context.clear_cookies()
    log_in(page, live_server, "copil@demo.ptsm.fr")
    page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/evaluation/bilans/six-mois/")
    page.get_by_text("Rédiger les textes du bilan").click()
    page.get_by_label("Synthèse").fill("La plateforme d'orientation a ouvert.")
    page.get_by_role("button", name="Enregistrer les textes").click()
    expect(page.get_by_text("Les textes du bilan ont été enregistrés.")).to_be_visible()
    expect(
        page.get_by_role("paragraph").filter(has_text="La plateforme d'orientation a ouvert.")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text("48")
    assert axe(page) == []


def test_two_people_editing_one_fiche_action_merge_instead_of_losing_work(
    browser, live_server, demo, axe, output_dir
):
    from ptsm.roadmap.models import Action

    action = Action.objects.filter(pilot_user__email="pilote@demo.ptsm.fr").first()
    url = f"{live_server.url}/projets/{DEMO_SLUG}/feuille-de-route/fiches-actions/{action.pk}/modifier/"
    # bypass_csp lets the test inject axe-core; the pages themselves run under the CSP.
    lead_context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="fr-FR", bypass_csp=True
    )
    pilot_context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="fr-FR", bypass_csp=True
    )
    lead, pilot = lead_context.new_page(), pilot_context.new_page()
    try:
        log_in(lead, live_server, "chef.projet@demo.ptsm.fr")
        log_in(pilot, live_server, "pilote@demo.ptsm.fr")
        lead.goto(url)
        pilot.goto(url)  # both have the fiche-action open
        pilot.get_by_label("Description et étapes").fill("Étapes revues par le pilote")
        pilot.get_by_role("button", name="Enregistrer la fiche-action").click()
        pilot.wait_for_url(f"**/fiches-actions/{action.pk}/")

        lead.get_by_label("Intitulé").fill("Intitulé revu par le chef de projet")
        lead.get_by_role("button", name="Enregistrer la fiche-action").click()
        expect(lead.get_by_text("Quelqu'un d'autre a enregistré une modification")).to_be_visible()
        # The pilot's change is taken into the lead's form, the lead's own change is kept.
        expect(
            lead.get_by_text(
                "Repris de la version enregistrée : Description et étapes : "
                "« Étapes revues par le pilote »"
            )
        ).to_be_visible()
        expect(lead.get_by_label("Description et étapes")).to_have_value(
            "Étapes revues par le pilote"
        )
        expect(lead.get_by_label("Intitulé")).to_have_value("Intitulé revu par le chef de projet")
        assert axe(lead) == []
        lead.screenshot(path=str(output_dir / "conflit-fiche-action-1280.png"), full_page=False)

        # The lead checks the merged form and saves again.
        lead.get_by_role("button", name="Enregistrer la fiche-action").click()
        lead.wait_for_url(f"**/fiches-actions/{action.pk}/")
        action.refresh_from_db()
        assert action.title == "Intitulé revu par le chef de projet"
        assert action.description == "Étapes revues par le pilote"
    finally:
        lead_context.close()
        pilot_context.close()

"""The REST API as a client sees it: tokens, rights, masking, pagination, filters, ETags, rate
limits, problem details, and the writes (directory, diagnostic values, measured indicators)."""

import datetime as dt
import hashlib
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from ptsm.accounts.models import Role
from ptsm.api.models import ApiToken
from ptsm.audit.models import AuditEntry
from ptsm.commitments import services as commitments
from ptsm.diagnostic.models import Indicator, IndicatorValue
from ptsm.documents.services import generate_document
from ptsm.evaluation.models import ActionIndicatorValue
from ptsm.organisations.import_organisations import check_lines
from ptsm.organisations.models import Contact, Organisation
from tests.factories import make_project, member
from tests.helpers import login

from .conftest import API, api_client, client_for, problem, results, token_for

pytestmark = pytest.mark.django_db


# Tokens ------------------------------------------------------------------------------------------


def test_a_token_is_created_on_the_account_page_shown_once_and_kept_only_as_its_hash(client, small):
    user = member(small["a"], Role.READER)
    login(client, user)
    account = client.get(reverse("accounts:account")).content.decode()
    assert "Accès à l'API" in account and "Vous n'avez aucun jeton" in account
    expires = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    page = client.post(
        reverse("api_tokens:create"), {"name": "Observatoire", "expires_on": expires}
    )
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] or "no-cache" in page["Cache-Control"]
    text = page.content.decode()
    secret = text.split('<code id="api-token" class="fr-text--lg">')[1].split("</code>")[0]
    assert secret.startswith("ptsm_") and len(secret) > 40
    token = ApiToken.objects.get(user=user)
    assert token.key_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.name, token.prefix, token.key_sha256}
    # The account page lists it by its beginning, never the whole secret.
    account = client.get(reverse("accounts:account")).content.decode()
    assert "Observatoire" in account and token.prefix in account and secret not in account
    # The token opens the API with the user's rights.
    projects = results(api_client(secret=secret).get(API + "projets/"))
    assert [p["slug"] for p in projects] == [small["a"].slug]
    assert projects[0]["role"] == "reader"


def test_a_token_creation_with_a_past_or_far_expiry_is_refused(client, small):
    user = member(small["a"], Role.READER)
    login(client, user)
    for days in (-1, 0, 400):
        expires = (timezone.localdate() + dt.timedelta(days=days)).isoformat()
        page = client.post(reverse("api_tokens:create"), {"name": "X", "expires_on": expires})
        assert page.status_code == 400
        assert "expiration" in page.content.decode() or "un an" in page.content.decode()
    assert not ApiToken.objects.exists()


def test_a_revoked_an_expired_or_a_wrong_token_gets_401_as_problem_details(client, small):
    user = member(small["a"], Role.PROJECT_LEAD)
    secret = token_for(user)
    assert api_client(secret=secret).get(API + "projets/").status_code == 200
    login(client, user)
    token = ApiToken.objects.get(user=user)
    response = client.post(reverse("api_tokens:revoke"), {"token": token.pk})
    assert response.status_code == 302
    body = problem(api_client(secret=secret).get(API + "projets/"), 401)
    assert "révoqué" in body["detail"]
    expired = token_for(user)
    ApiToken.objects.filter(key_sha256=hashlib.sha256(expired.encode()).hexdigest()).update(
        expires_on=timezone.localdate() - dt.timedelta(days=1)
    )
    problem(api_client(secret=expired).get(API + "projets/"), 401)
    problem(api_client(secret="ptsm_faux").get(API + "projets/"), 401)
    anonymous = api_client().get(API + "projets/")
    problem(anonymous, 401)
    assert anonymous["WWW-Authenticate"].startswith("Bearer")


def test_a_user_cannot_revoke_someone_elses_token(client, small):
    owner = member(small["a"], Role.PROJECT_LEAD)
    secret = token_for(owner)
    login(client, member(small["a"], Role.PROJECT_LEAD))
    token = ApiToken.objects.get(user=owner)
    assert client.post(reverse("api_tokens:revoke"), {"token": token.pk}).status_code == 404
    assert api_client(secret=secret).get(API + "projets/").status_code == 200


def test_the_browser_session_opens_the_api_too(client, small):
    login(client, member(small["a"], Role.READER))
    assert [p["slug"] for p in results(client.get(API + "projets/"))] == [small["a"].slug]


# Reads and rights --------------------------------------------------------------------------------

COLLECTIONS = [
    "organisations",
    "contacts",
    "instances",
    "reunions",
    "lettres-de-cadrage",
    "valeurs-diagnostic",
    "orientations",
    "fiches-actions",
    "mesures-indicateurs",
    "engagements",
    "bilans",
]


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_every_collection_shows_a_members_project_and_nothing_of_another(small, collection):
    reader = client_for(small["a"], Role.READER)
    rows = results(reader.get(f"{API}{collection}/"))
    assert rows and {r["projet"] for r in rows} == {small["a"].slug}
    assert results(reader.get(f"{API}{collection}/", {"projet": small["a"].slug})) == rows
    # Another project: as if it did not exist, for a list filter and for a record.
    body = problem(reader.get(f"{API}{collection}/", {"projet": small["b"].slug}), 404)
    assert "introuvable" in body["detail"]
    other = results(client_for(small["b"], Role.READER).get(f"{API}{collection}/"))[0]
    problem(reader.get(f"{API}{collection}/{other['id']}/"), 404)
    assert reader.get(f"{API}{collection}/{rows[0]['id']}/").json() == rows[0]


def test_a_project_is_read_with_its_territory_region_and_phase(small):
    lead = client_for(small["a"], Role.PROJECT_LEAD)
    project = lead.get(f"{API}projets/{small['a'].slug}/").json()
    assert project["territoire"] == {"nom": "Finistère", "departements": ["29"]}
    assert project["region"] == {"code": "53", "nom": "Bretagne"}
    assert project["phase"] == {"code": "cadrage", "libelle": "Cadrage"}
    problem(lead.get(f"{API}projets/{small['b'].slug}/"), 404)


def test_an_ars_administrator_reads_every_project_of_their_region_only(small):
    other_in_region = make_project(departement="35", name="Projet Ille-et-Vilaine")
    admin = client_for(small["a"], Role.ARS_ADMIN)
    slugs = {p["slug"] for p in results(admin.get(API + "projets/"))}
    assert slugs == {small["a"].slug, other_in_region.slug}


def test_contact_details_are_hidden_from_the_reader_as_on_the_pages(small):
    reader = results(client_for(small["a"], Role.READER).get(API + "contacts/"))
    lead = results(client_for(small["a"], Role.PROJECT_LEAD).get(API + "contacts/"))
    contact = small["A"]["contact"]
    assert [(c["last_name"], c["email"], c["phone"]) for c in reader] == [
        (contact.last_name, None, None)
    ]
    assert [(c["email"], c["phone"]) for c in lead] == [(contact.email, contact.phone)]


def test_a_small_count_is_masked_in_the_diagnostic_values(small):
    rows = results(client_for(small["a"], Role.PROJECT_LEAD).get(API + "valeurs-diagnostic/"))
    assert [(r["valeur"], r["masque"], r["level"], r["year"]) for r in rows] == [
        (None, True, "territoire", 2024)
    ]
    assert "7" not in json.dumps(rows[0]["valeur"])


def test_the_roadmap_is_read_as_a_tree_and_fiches_actions_with_their_parts(small):
    lead = client_for(small["a"], Role.PROJECT_LEAD)
    tree = results(lead.get(API + "orientations/"))
    action = small["A"]["action"]
    assert tree[0]["thematiques"][0]["objectifs"][0]["fiches_actions"] == [
        {"id": action.pk, "code": "1.1.1.1", "titre": "Action a"}
    ]
    fiche = lead.get(f"{API}fiches-actions/{action.pk}/").json()
    assert fiche["code"] == "1.1.1.1" and fiche["status"]["libelle"] == "Validée"
    assert [i["name"] for i in fiche["indicateurs"]] == ["Personnes accompagnées"]
    assert fiche["jalons"] == [] and fiche["financements"] == []


def test_a_signataire_doperateur_sees_only_their_own_organisations_commitment(small):
    organisation = small["A"]["organisation"]
    other = Organisation.objects.create(
        project=small["a"], name="EPSM", category="sanitaire_public"
    )
    action = small["A"]["action"]
    action.operators.add(other)
    commitments.ensure_letter(project=small["a"])
    assert len(results(client_for(small["a"], Role.READER).get(API + "engagements/"))) == 2
    signatory = client_for(small["a"], Role.OPERATOR_SIGNATORY)
    signatory.user.memberships.update(organisation=organisation)
    rows = results(signatory.get(API + "engagements/"))
    assert [r["organisation"]["nom"] for r in rows] == [organisation.name]
    assert rows[0]["pdf_signe"] is None  # nothing signed yet: no file to offer
    nobody = client_for(small["a"], Role.OPERATOR_SIGNATORY)  # acting for no organisation
    assert results(nobody.get(API + "engagements/")) == []


def test_documents_are_listed_with_their_sha256_and_downloaded_byte_for_byte(small):
    document = generate_document(
        project=small["a"], kind_slug="carte-identite-territoire", fmt="pdf"
    )
    lead = client_for(small["a"], Role.PROJECT_LEAD)
    rows = results(lead.get(API + "documents/"))
    assert [(r["kind"], r["format"], r["sha256"]) for r in rows] == [
        ("carte-identite-territoire", "pdf", document.sha256)
    ]
    response = lead.get(rows[0]["fichier"])
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert hashlib.sha256(content).hexdigest() == document.sha256 and content.startswith(b"%PDF")
    outsider = client_for(small["b"], Role.PROJECT_LEAD)
    problem(outsider.get(rows[0]["fichier"]), 404)


def test_drafts_are_not_listed_for_the_reader(small):
    draft = generate_document(project=small["a"], kind_slug="lettre-de-cadrage", fmt="pdf")
    lead_kinds = {
        r["kind"]
        for r in results(client_for(small["a"], Role.PROJECT_LEAD).get(API + "documents/"))
    }
    reader = client_for(small["a"], Role.READER)
    reader_kinds = {r["kind"] for r in results(reader.get(API + "documents/"))}
    assert "lettre-de-cadrage" in lead_kinds and "lettre-de-cadrage" not in reader_kinds
    problem(reader.get(f"{API}documents/{draft.pk}/fichier/"), 404)


# Pagination, filters, ETags, limits, errors ------------------------------------------------------


def test_cursor_pages_give_every_record_once(small):
    for n in range(7):
        Organisation.objects.create(project=small["a"], name=f"Org {n}", category="social")
    lead = client_for(small["a"], Role.PROJECT_LEAD)
    seen, url, pages = [], API + "organisations/?taille=3", 0
    while url:
        page = lead.get(url).json()
        seen += [r["id"] for r in page["results"]]
        url, pages = page["next"], pages + 1
    expected = list(
        Organisation.objects.filter(project=small["a"]).order_by("pk").values_list("pk", flat=True)
    )
    assert seen == expected and pages == 3
    problem(lead.get(API + "organisations/", {"cursor": "n'importe quoi"}), 404)


def test_modifie_depuis_returns_only_what_changed(small):
    lead = client_for(small["a"], Role.PROJECT_LEAD)
    Organisation.objects.filter(project=small["a"]).update(
        updated_at=timezone.now() - dt.timedelta(days=10)
    )
    changed = Organisation.objects.create(project=small["a"], name="Nouvelle", category="social")
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    rows = results(lead.get(API + "organisations/", {"modifie_depuis": since}))
    assert [r["id"] for r in rows] == [changed.pk]
    day = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert [
        r["id"] for r in results(lead.get(API + "organisations/", {"modifie_depuis": day}))
    ] == [changed.pk]
    body = problem(lead.get(API + "organisations/", {"modifie_depuis": "hier"}), 400)
    assert "ISO 8601" in body["detail"]


def test_unknown_query_parameters_are_refused(small):
    body = problem(client_for(small["a"], Role.READER).get(API + "contacts/", {"tri": "nom"}), 400)
    assert body["errors"] == {"tri": ["Paramètre inconnu pour cette ressource."]}


def test_an_unchanged_list_answers_304_to_its_etag(small):
    lead = client_for(small["a"], Role.PROJECT_LEAD)
    first = lead.get(API + "organisations/")
    etag = first["ETag"]
    assert etag and "Authorization" in first["Vary"]
    again = lead.get(API + "organisations/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    Organisation.objects.create(project=small["a"], name="Nouvelle", category="social")
    changed = lead.get(API + "organisations/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


@override_settings(PTSM_API_RATE="3/min")
def test_each_token_has_its_own_rate_limit(small):
    user = member(small["a"], Role.READER)
    first, second = api_client(user), api_client(user)
    assert [first.get(API + "projets/").status_code for _ in range(3)] == [200, 200, 200]
    limited = first.get(API + "projets/")
    body = problem(limited, 429)
    assert (
        int(limited["Retry-After"]) > 0
        and "Requête" in body["detail"]
        or "requête" in body["detail"]
    )
    assert second.get(API + "projets/").status_code == 200  # another token, another count


def test_methods_not_offered_are_405_problems(small):
    reader = client_for(small["a"], Role.READER)
    contact = small["A"]["contact"]
    body = problem(reader.delete(f"{API}contacts/{contact.pk}/"), 405)
    assert "DELETE" in body["detail"]
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_schema_validates_and_the_docs_page_works_offline(client):
    from openapi_spec_validator import validate

    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate(schema)
    paths = set(schema["paths"])
    for collection in ["projets", *COLLECTIONS, "documents"]:
        assert f"/api/v1/{collection}/" in paths, collection
    assert "/api/v1/valeurs-diagnostic/lot/" in paths
    assert schema["components"]["securitySchemes"]["jeton"]["scheme"] == "bearer"
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "http://" not in html.replace("http://testserver", "") and "https://" not in html
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        path = html.split(asset)[0].rsplit('"', 1)[1] + asset
        assert path.startswith("/static/")


# Writes: measured values of fiche-action indicators ----------------------------------------------


def test_the_pilot_and_the_lead_record_measures_others_are_refused(small):
    indicator, action = small["A"]["indicator"], small["A"]["action"]
    pilot = client_for(small["a"], Role.ACTION_PILOT)
    action.pilot_user = pilot.user
    action.save()
    today = timezone.localdate().isoformat()
    payload = {"indicateur": indicator.pk, "date_mesure": today, "valeur": "15", "commentaire": ""}
    created = pilot.post(API + "mesures-indicateurs/", payload, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["valeur"] == "15"
    lead = client_for(small["a"], Role.PROJECT_LEAD)
    assert (
        lead.post(
            API + "mesures-indicateurs/", {**payload, "valeur": "16"}, format="json"
        ).status_code
        == 201
    )
    for role in (Role.READER, Role.COPIL_MEMBER, Role.OPERATOR_SIGNATORY, Role.ACTION_PILOT):
        body = problem(
            client_for(small["a"], role).post(API + "mesures-indicateurs/", payload, format="json"),
            403,
        )
        assert "pilote" in body["detail"]
    values = ActionIndicatorValue.objects.filter(indicator=indicator).order_by("pk")
    assert [v.value for v in values] == ["12", "15", "16"]
    assert values[1].recorded_by == pilot.user
    entry = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ActionIndicatorValue),
        object_pk=str(values[1].pk),
    ).first()
    assert entry is not None and entry.actor == pilot.user


def test_bad_measures_are_refused_and_nothing_is_written(small):
    lead = client_for(small["a"], Role.PROJECT_LEAD)
    indicator = small["A"]["indicator"]
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    today = timezone.localdate().isoformat()
    base = {"indicateur": indicator.pk, "date_mesure": today, "valeur": "3"}
    cases = [
        ({**base, "date_mesure": tomorrow}, "futur"),
        ({**base, "date_mesure": "31/02/2026"}, "date_mesure"),
        ({**base, "valeur": ""}, "valeur"),
        ({**base, "valeur": "x" * 101}, "valeur"),
        ({**base, "indicateur": "un"}, "indicateur"),
        ({**base, "indicateur": small["B"]["indicator"].pk}, "indicateur"),  # another project
        ({**base, "pirate": 1}, "pirate"),
        ({**base, "projet": small["a"].slug}, "projet"),  # read-only: not accepted
    ]
    before = ActionIndicatorValue.objects.count()
    for payload, expected in cases:
        body = problem(lead.post(API + "mesures-indicateurs/", payload, format="json"), 400)
        assert expected in json.dumps(body, ensure_ascii=False), (payload, body)
    problem(
        lead.post(API + "mesures-indicateurs/", "pas du json", content_type="application/json"), 400
    )
    problem(lead.post(API + "mesures-indicateurs/", base), 415)  # a form, not JSON
    assert ActionIndicatorValue.objects.count() == before


# Writes: diagnostic values -----------------------------------------------------------------------


def _thousand_values() -> list[dict]:
    indicators = list(Indicator.objects.exclude(unit="%").order_by("code")[:25])
    values = []
    for indicator in indicators:
        for level in ("territoire", "departement", "region", "france"):
            for year in range(2011, 2025):
                values.append(
                    {
                        "indicateur": indicator.code,
                        "niveau": level,
                        "annee": year,
                        "valeur": (len(values) % 40) + 0.5,
                        "source": "ARS Bretagne",
                    }
                )
    return values[:1000]


def test_a_thousand_diagnostic_values_in_one_request_are_read_back_masked_as_the_import(small):
    values = _thousand_values()
    assert len(values) == 1000
    lead = client_for(small["a"], Role.PROJECT_LEAD)
    response = lead.post(
        API + "valeurs-diagnostic/lot/",
        {"projet": small["a"].slug, "valeurs": values},
        format="json",
    )
    assert response.status_code == 200, response.content[:500]
    assert response.json() == {"enregistrees": 1000}
    rows = results(
        lead.get(API + "valeurs-diagnostic/", {"projet": small["a"].slug, "taille": 1000})
    )
    read = {(r["indicateur"], r["level"], r["year"]): r for r in rows}
    counts = set(Indicator.objects.filter(is_count=True).values_list("code", flat=True))
    # The value the project had for one of these keys was updated, not duplicated.
    assert len(read) == len(rows) == 1000
    for sent in values:
        row = read[(sent["indicateur"], sent["niveau"], sent["annee"])]
        if sent["indicateur"] in counts and sent["valeur"] < 11:
            assert (row["valeur"], row["masque"]) == (None, True)
        else:
            assert (row["valeur"], row["masque"]) == (sent["valeur"], False)
        assert row["source"] == "ARS Bretagne"
    assert any(r["masque"] for r in rows)  # the batch had small counts


def test_one_bad_value_and_the_whole_batch_is_refused(small):
    lead = client_for(small["a"], Role.PROJECT_LEAD)
    code = Indicator.objects.order_by("code").first().code
    good = {"indicateur": code, "niveau": "territoire", "annee": 2020, "valeur": 50}
    before = IndicatorValue.objects.count()
    cases = [
        ({**good, "indicateur": "INCONNU"}, "Valeur n° 2 : indicateur inconnu"),
        ({**good, "niveau": "canton"}, "niveau inconnu"),
        ({**good, "annee": 1800}, "annee"),
        ({**good, "valeur": -3}, "valeur négative"),
        ({**good, "valeur": "beaucoup"}, "valeur"),
        ({**good, "commune": "29019"}, "code commune renseigné"),
        ({**good, "couleur": "bleu"}, "couleur"),
        (good, "doublon"),
    ]
    for bad, expected in cases:
        body = problem(
            lead.post(
                API + "valeurs-diagnostic/lot/",
                {"projet": small["a"].slug, "valeurs": [good, bad]},
                format="json",
            ),
            400,
        )
        assert expected in json.dumps(body, ensure_ascii=False), (bad, body)
    assert IndicatorValue.objects.count() == before


def test_diagnostic_values_are_written_only_by_roles_that_edit_the_diagnostic(small):
    code = Indicator.objects.order_by("code").first().code
    payload = {
        "projet": small["a"].slug,
        "valeurs": [{"indicateur": code, "niveau": "france", "annee": 2020, "valeur": 50}],
    }
    for role in (Role.READER, Role.OPERATOR_SIGNATORY):
        problem(
            client_for(small["a"], role).post(
                API + "valeurs-diagnostic/lot/", payload, format="json"
            ),
            403,
        )
    outsider = client_for(small["b"], Role.PROJECT_LEAD)
    problem(outsider.post(API + "valeurs-diagnostic/lot/", payload, format="json"), 404)
    assert not IndicatorValue.objects.filter(level="france").exists()
    copil = client_for(small["a"], Role.COPIL_MEMBER)
    assert copil.post(API + "valeurs-diagnostic/lot/", payload, format="json").status_code == 200


# Writes: organisations ---------------------------------------------------------------------------

FINESS = "290000017"  # a FINESS ET as the national directory writes them


def test_an_organisation_is_created_then_updated_by_its_finess_without_erasing_anything(small):
    lead = client_for(small["a"], Role.PROJECT_LEAD)
    created = lead.post(
        API + "organisations/",
        {
            "projet": small["a"].slug,
            "finess_et": FINESS,
            "name": "CH de Morlaix",
            "category": "sanitaire_public",
            "phone": "02 98 62 61 60",
            "website": "https://www.ch-morlaix.fr",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    organisation = Organisation.objects.get(project=small["a"], finess_et=FINESS)
    updated = lead.post(
        API + "organisations/",
        {"projet": small["a"].slug, "finess_et": FINESS, "email": "contact@ch-morlaix.fr"},
        format="json",
    )
    assert updated.status_code == 200, updated.content
    organisation.refresh_from_db()
    assert (organisation.name, organisation.phone, organisation.website, organisation.email) == (
        "CH de Morlaix",
        "02 98 62 61 60",
        "https://www.ch-morlaix.fr",
        "contact@ch-morlaix.fr",
    )
    assert Organisation.objects.filter(project=small["a"], finess_et=FINESS).count() == 1
    patched = lead.patch(
        f"{API}organisations/{organisation.pk}/", {"address": "Kersaint-Gilly"}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["name"] == "CH de Morlaix"
    organisation.refresh_from_db()
    assert organisation.address == "Kersaint-Gilly" and organisation.phone == "02 98 62 61 60"


def test_an_organisation_is_found_by_its_siret_too(small):
    lead = client_for(small["a"], Role.PROJECT_LEAD)
    organisation = small["A"]["organisation"]
    organisation.siret = "73282932000074"  # a SIRET with a valid Luhn key
    organisation.save()
    response = lead.post(
        API + "organisations/",
        {"projet": small["a"].slug, "siret": "732 829 320 00074", "phone": "01 02 03 04 05"},
        format="json",
    )
    assert response.status_code == 200, response.content
    organisation.refresh_from_db()
    assert organisation.phone == "01 02 03 04 05" and organisation.name == "CH a"


def test_bad_organisations_are_refused_and_nothing_is_written(small):
    lead = client_for(small["a"], Role.PROJECT_LEAD)
    base = {"projet": small["a"].slug, "finess_et": FINESS, "name": "X", "category": "social"}
    cases = [
        # 8 digits: the lost zero would make it a FINESS of the Aisne (02), not of its address
        ({**base, "finess_et": "29000001", "postcode": "29200"}, "8 chiffres"),
        ({**base, "finess_et": "2900001"}, "Numéro FINESS invalide"),
        ({**base, "siret": "73282932000075"}, "clé de contrôle"),
        ({**base, "category": "hopital"}, "Catégorie inconnue : « hopital »"),
        ({**base, "sub_type": "etab_psy_public"}, "sous-type ne correspond pas"),
        ({**base, "postcode": "292000"}, "Code postal invalide"),
        ({**base, "commune": "99999"}, "Code commune inconnu : 99999"),
        ({k: v for k, v in base.items() if k != "finess_et"}, "FINESS ET ou le SIRET"),
        ({k: v for k, v in base.items() if k != "name"}, "Nom manquant"),
        ({**base, "mental_health": "peut-être"}, "mental_health"),
        ({**base, "email": "pas-une-adresse"}, "adresse de courriel valide"),
        ({**base, "name": "N" * 256}, "au plus 255 caractères"),
        ({**base, "archived": True}, "archived"),  # not writable here
        ({**base, "projet": small["b"].slug}, "introuvable"),
    ]
    before = Organisation.objects.count()
    for payload, expected in cases:
        response = lead.post(API + "organisations/", payload, format="json")
        assert response.status_code in (400, 404), response.content
        assert expected in response.content.decode(), (payload, response.content.decode())
    assert Organisation.objects.count() == before
    organisation = small["A"]["organisation"]
    body = problem(
        lead.patch(
            f"{API}organisations/{organisation.pk}/", {"projet": small["b"].slug}, format="json"
        ),
        400,
    )
    assert "ne change pas de projet" in body["detail"]


def test_an_organisation_written_by_the_api_is_repaired_and_checked_as_an_import_line(small):
    """The API's line and the same line in an imported file give the same organisation: lost
    leading zeros (FINESS, SIRET, postcode, phone), phone format, a web address without its
    scheme, a FINESS category read as the ANAP category and sub-type."""
    line = {
        "finess_et": "20000017",  # 020000017 once its zero is back (Aisne, as its postcode)
        "siret": "1234567890003",  # 01234567890003
        "name": "CH de Saint-Quentin",
        "category": "292",  # FINESS category: établissement de santé mentale
        "postcode": "2100",
        "phone": "323 45 67 89",
        "website": "www.ch-saint-quentin.fr",
    }
    expected = check_lines(small["a"], [line])[0]
    assert expected.action == "création" and not expected.errors
    lead = client_for(small["a"], Role.PROJECT_LEAD)
    response = lead.post(API + "organisations/", {"projet": small["a"].slug, **line}, format="json")
    assert response.status_code == 201, response.content
    organisation = Organisation.objects.get(pk=response.json()["id"])
    stored = {name: getattr(organisation, name) for name in expected.values}
    assert stored == expected.values
    assert (organisation.finess_et, organisation.siret, organisation.postcode) == (
        "020000017",
        "01234567890003",
        "02100",
    )
    assert (organisation.phone, organisation.website) == (
        "03 23 45 67 89",
        "https://www.ch-saint-quentin.fr",
    )
    assert (organisation.category, organisation.sub_type, organisation.mental_health) == (
        "sanitaire_public",
        "etab_psy_public",
        True,
    )
    # Found again by its FINESS as the import writes it; an empty value erases nothing, the
    # same phone written otherwise is no change.
    again = lead.post(
        API + "organisations/",
        {
            "projet": small["a"].slug,
            "finess_et": "020 000 017",
            "website": "",
            "phone": "03.23.45.67.89",
            "email": "accueil@ch-sq.fr",
        },
        format="json",
    )
    assert again.status_code == 200, again.content
    organisation.refresh_from_db()
    assert organisation.website == "https://www.ch-saint-quentin.fr"
    assert (organisation.phone, organisation.email) == ("03 23 45 67 89", "accueil@ch-sq.fr")
    assert Organisation.objects.filter(project=small["a"], finess_et="020000017").count() == 1


def test_the_api_writes_the_fields_the_import_reads_and_no_other(client):
    from ptsm.organisations.imports import ORGANISATION_COLUMNS

    schema = json.loads(client.get(reverse("api:schema"), {"format": "json"}).content)
    written = set(schema["components"]["schemas"]["PatchedOrganisationInputRequest"]["properties"])
    assert written == {name for name, _label in ORGANISATION_COLUMNS} | {"projet"}


def test_only_roles_editing_the_directory_write_organisations(small):
    payload = {"projet": small["a"].slug, "finess_et": FINESS, "name": "X", "category": "social"}
    organisation = small["A"]["organisation"]
    for role in (Role.READER, Role.COPIL_MEMBER, Role.ACTION_PILOT, Role.OPERATOR_SIGNATORY):
        client = client_for(small["a"], role)
        problem(client.post(API + "organisations/", payload, format="json"), 403)
        problem(
            client.patch(f"{API}organisations/{organisation.pk}/", {"name": "Y"}, format="json"),
            403,
        )
    outsider = client_for(small["b"], Role.PROJECT_LEAD)
    problem(
        outsider.patch(f"{API}organisations/{organisation.pk}/", {"name": "Y"}, format="json"), 404
    )
    organisation.refresh_from_db()
    assert (
        organisation.name == "CH a" and not Organisation.objects.filter(finess_et=FINESS).exists()
    )
    admin = client_for(small["a"], Role.ARS_ADMIN)
    assert admin.post(API + "organisations/", payload, format="json").status_code == 201


def test_a_body_too_large_is_refused_before_it_is_read(small, settings):
    settings.PTSM_API_MAX_BODY_BYTES = 10_000
    code = Indicator.objects.order_by("code").first().code
    values = [
        {"indicateur": code, "niveau": "france", "annee": 1990 + n, "valeur": n} for n in range(200)
    ]
    lead = client_for(small["a"], Role.PROJECT_LEAD)
    response = lead.post(
        API + "valeurs-diagnostic/lot/",
        {"projet": small["a"].slug, "valeurs": values},
        format="json",
    )
    body = problem(response, 413)
    assert "plusieurs lots" in body["detail"]
    assert not IndicatorValue.objects.filter(level="france").exists()

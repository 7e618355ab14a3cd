"""Two people editing at once never lose each other's work: sections saved at the same moment all
persist, and a save over someone else's newer version is refused with their change shown and
the user's own input kept."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.evaluation import services as evaluation
from ptsm.framing import services as framing
from ptsm.framing.models import FramingLetter
from ptsm.framing.sections import SECTIONS
from ptsm.governance.models import Body
from ptsm.governance.services import create_default_bodies
from ptsm.organisations.models import Organisation
from ptsm.roadmap.models import Action, Objective, Orientation, Theme
from tests.factories import make_project, member
from tests.helpers import form_data, login, page_text

EDITABLE_KEYS = [s.key for s in SECTIONS if not (s.derived and not s.default) or s.is_list]


def _in_parallel(jobs) -> list:
    """Run the jobs in threads released at the same instant; each uses its own connection."""
    barrier = threading.Barrier(len(jobs))
    errors: list = []

    def run(job):
        try:
            barrier.wait(timeout=30)
            job()
        except Exception as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.django_db(transaction=True)
def test_every_section_saved_at_the_same_moment_persists(committed_referential):
    project = make_project(departement="29")
    letter = framing.ensure_letter(project=project)
    keys = EDITABLE_KEYS  # one person per section of the letter, all saving at once
    assert len(keys) >= 10

    def save(key):
        # Each person loaded the letter before anyone saved: a stale copy of every section.
        stale = FramingLetter.objects.get(pk=letter.pk)
        loaded = stale.texts.get(key, next(s.default for s in SECTIONS if s.key == key))
        from ptsm.core.concurrency import fingerprint

        return lambda: framing.update_section(
            letter=stale, key=key, text=f"Texte de {key}", base=fingerprint(loaded)
        )

    errors = _in_parallel([save(key) for key in keys])
    assert errors == []
    texts = FramingLetter.objects.get(pk=letter.pk).texts
    assert {key: texts.get(key) for key in keys} == {key: f"Texte de {key}" for key in keys}


@pytest.mark.django_db(transaction=True)
def test_review_sections_written_by_two_people_at_once_both_persist(committed_referential):
    project = make_project(departement="29")
    review = evaluation.ensure_review(project=project, kind="six_mois")
    from ptsm.core.concurrency import parse_bases
    from ptsm.evaluation.forms import ReviewTextsForm

    def writer(key, text):
        form = ReviewTextsForm(review=review)
        loaded = {name: field.initial for name, field in form.fields.items()}
        bases = parse_bases(loaded.pop("bases"))
        submitted = {**loaded, key: text}  # the whole form is posted, one section changed
        return lambda: evaluation.save_review_texts(review=review, texts=submitted, bases=bases)

    errors = _in_parallel(
        [writer("summary", "Synthèse du COPIL"), writer("difficulties", "Recrutements")]
    )
    assert errors == []
    review.refresh_from_db()
    assert review.texts["summary"] == "Synthèse du COPIL"
    assert review.texts["difficulties"] == "Recrutements"


@pytest.fixture
def project(db):
    return make_project(departement="29")


def _action(project):
    orientation = Orientation.objects.create(project=project, title="Parcours", position=1)
    objective = Objective.objects.create(
        theme=Theme.objects.create(orientation=orientation, title="Crise"), title="Répondre"
    )
    return Action.objects.create(
        objective=objective, title="Équipe mobile", description="Version initiale"
    )


def test_two_users_on_one_fiche_action_get_a_conflict_not_a_lost_update(client, project):
    import datetime as dt

    action = _action(project)
    milestone = action.milestones.create(title="Recrutement", due_date=dt.date(2027, 3, 1))
    url = reverse("roadmap:action_edit", kwargs={"slug": project.slug, "pk": action.pk})
    alice, bruno = member(project, Role.PROJECT_LEAD), member(project, Role.ARS_ADMIN)
    login(client, alice)
    alice_form = form_data(client.get(url), action=url)
    login(client, bruno)
    bruno_form = form_data(client.get(url), action=url)

    bruno_form["description"] = "Étapes revues par Bruno"
    bruno_form["risks"] = "Risque vu par Bruno"
    bruno_form["jalons-0-title"] = "Recrutement de l'équipe (Bruno)"
    assert client.post(url, bruno_form).status_code == 302

    login(client, alice)
    alice_form["title"] = "Équipe mobile de crise (titre d'Alice)"
    alice_form["description"] = "Étapes revues par Alice"
    response = client.post(url, alice_form)
    page = page_text(response)
    assert response.status_code == 200
    assert "Quelqu'un d'autre a enregistré une modification" in page
    # A field only Bruno changed is taken into Alice's form; one both changed is hers to merge.
    assert "Repris de la version enregistrée : Risques : « Risque vu par Bruno »" in page
    assert (
        "Modifié aussi entre-temps, à fusionner avec votre saisie : "
        "Description et étapes : « Étapes revues par Bruno »"
    ) in page
    assert "Intitulé :" not in page  # Alice's own change is not listed as his
    action.refresh_from_db()
    assert (action.title, action.description) == ("Équipe mobile", "Étapes revues par Bruno")

    reshown = form_data(response, action=url)
    assert reshown["title"] == "Équipe mobile de crise (titre d'Alice)"  # her input is kept
    assert reshown["description"] == "Étapes revues par Alice"
    assert reshown["risks"] == "Risque vu par Bruno"  # his change is taken in
    assert reshown["jalons-0-title"] == "Recrutement de l'équipe (Bruno)"  # his jalon too
    # Alice merges the description and saves: nobody's work is lost.
    reshown["description"] = "Étapes revues par Bruno, complétées par Alice"
    assert client.post(url, reshown).status_code == 302
    action.refresh_from_db()
    milestone.refresh_from_db()
    assert action.title == "Équipe mobile de crise (titre d'Alice)"
    assert action.description == "Étapes revues par Bruno, complétées par Alice"
    assert action.risks == "Risque vu par Bruno"
    assert milestone.title == "Recrutement de l'équipe (Bruno)"


def test_the_same_letter_section_changed_by_two_people_is_a_conflict(client, project):
    url = reverse("framing:section", kwargs={"slug": project.slug, "key": "preambule"})
    login(client, member(project, Role.PROJECT_LEAD))
    first = form_data(client.get(url), action=url)
    second = dict(first)
    assert client.post(url, {**first, "text": "Préambule de la première"}).status_code == 302
    response = client.post(url, {**second, "text": "Préambule de la seconde"})
    page = page_text(response)
    assert "Quelqu'un d'autre a modifié cette section" in page
    assert "Préambule de la première" in page and "Préambule de la seconde" in page
    letter = FramingLetter.objects.get(project=project)
    assert letter.texts["preambule"] == "Préambule de la première"
    # After merging, the re-shown form saves.
    merged = form_data(response, action=url)
    merged["text"] = "Préambule de la première, complété par la seconde"
    assert client.post(url, merged).status_code == 302
    letter.refresh_from_db()
    assert letter.texts["preambule"] == "Préambule de la première, complété par la seconde"


def _meeting(project):
    import datetime as dt

    from django.utils import timezone

    from ptsm.governance.models import Meeting

    create_default_bodies(project=project)
    start = timezone.now() + dt.timedelta(days=7)
    return Meeting.objects.create(
        body=Body.objects.filter(project=project).first(),
        title="COPIL",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )


@pytest.mark.parametrize(
    "url_name,make,field,value",
    [
        (
            "organisations:edit",
            lambda p: Organisation.objects.create(
                project=p, name="CH de Morlaix", category="sanitaire_public"
            ),
            "name",
            "Centre hospitalier des Pays de Morlaix",
        ),
        (
            "governance:body_edit",
            lambda p: (create_default_bodies(project=p), Body.objects.filter(project=p).first())[1],
            "name",
            "Comité de pilotage élargi",
        ),
        (
            "governance:meeting_edit",
            _meeting,
            "title",
            "COPIL de validation de la feuille de route",
        ),
    ],
    ids=["organisation", "instance", "seance"],
)
def test_record_forms_refuse_a_save_over_a_newer_version(
    client, project, url_name, make, field, value
):
    record = make(project)
    url = reverse(url_name, kwargs={"slug": project.slug, "pk": record.pk})
    login(client, member(project, Role.PROJECT_LEAD))
    mine, theirs = form_data(client.get(url), action=url), form_data(client.get(url), action=url)
    assert client.post(url, {**theirs, field: value}).status_code == 302
    response = client.post(url, {**mine, field: "Ma version"})
    assert "Quelqu'un d'autre a enregistré une modification" in page_text(response)
    assert value in page_text(response)
    record.refresh_from_db()
    assert getattr(record, field) == value


def test_a_finding_edited_meanwhile_is_not_overwritten(client, project):
    from ptsm.diagnostic.models import Finding

    finding = Finding.objects.create(project=project, entry_door=1, kind="force", text="Constat")
    url = reverse("diagnostic:finding_edit", kwargs={"slug": project.slug, "pk": finding.pk})
    login(client, member(project, Role.PROJECT_LEAD))
    mine = form_data(client.get(url), action=url)
    Finding.objects.filter(pk=finding.pk).update(version=finding.version + 1, text="Autre")
    response = client.post(url, {**mine, "text": "Mon constat"})
    assert "Quelqu'un d'autre a enregistré une modification" in page_text(response)
    finding.refresh_from_db()
    assert finding.text == "Autre"

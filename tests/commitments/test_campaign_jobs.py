"""The signature campaign's mailings in the background: every annex ready sent, every operator
waiting reminded, one e-mail each, never twice."""

import pytest
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.commitments.jobs import REMIND_ALL_JOB, SEND_ALL_JOB
from ptsm.commitments.models import SignatoryStatus
from ptsm.commitments.services import ensure_letter, generate_annex, send_for_signature
from ptsm.jobs.models import Job, JobState
from ptsm.jobs.services import run_job
from ptsm.organisations.models import Contact
from ptsm.roadmap.models import FundingLine
from tests.commitments.test_commitments import setup_roadmap
from tests.factories import make_project, member
from tests.helpers import login, page_text, visible_text

pytestmark = pytest.mark.django_db

OPERATORS = ("EPSM Finistère Sud", "GEM L'Escale", "Maison des aidants", "SAMSAH Kemper")


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère")


def _url(project, name):
    return reverse(f"commitments:{name}", kwargs={"slug": project.slug})


def _recipients(smtp_server) -> list[str]:
    return [m["To"] for m in smtp_server.messages]


def test_every_ready_annex_is_sent_once_with_its_file_and_the_others_are_said_why(
    client, project, smtp_server
):
    epsm, gem, aidants, samsah = setup_roadmap(project, operator_names=OPERATORS)
    letter = ensure_letter(project=project)
    # The GEM's signatory has no e-mail address; the SAMSAH's annex was outdated by the COPIL.
    Contact.objects.filter(organisation=gem).update(email="")
    generate_annex(letter=letter, organisation=samsah)
    FundingLine.objects.create(
        action=FundingLine.objects.first().action,
        funder="fir",
        operator=samsah,
        amount=5000,
        year=2027,
    )
    login(client, member(project, Role.PROJECT_LEAD))
    page = visible_text(client.get(_url(project, "letter")))
    assert "Envoyer pour signature toutes les annexes prêtes" in page
    assert "Relancer tous les opérateurs en attente" in page

    response = client.post(_url(project, "send_all"), follow=True)
    text = " ".join(visible_text(response).split())
    assert "Envoi pour signature des annexes prêtes" in text
    assert "2 annexes envoyées pour signature. 2 opérateurs laissés de côté :" in text
    assert "GEM L'Escale n'a pas de signataire avec une adresse électronique." in text
    assert "La feuille de route a changé depuis la version 1 de l'annexe de SAMSAH Kemper" in text
    assert "Retour à la campagne de signature" in text
    # One e-mail per operator, its own annex attached.
    assert sorted(_recipients(smtp_server)) == sorted(
        Contact.objects.get(organisation=o).email for o in (epsm, aidants)
    )
    attached = {}
    for message in smtp_server.messages:
        [attachment] = message.iter_attachments()
        assert attachment.get_content().startswith(b"%PDF")
        attached[message["To"]] = attachment.get_filename()
    assert attached == {
        Contact.objects.get(organisation=epsm).email: "annexe-epsm-finistere-sud.pdf",
        Contact.objects.get(organisation=aidants).email: "annexe-maison-des-aidants.pdf",
    }
    statuses = dict(letter.signatories.values_list("organisation__name", "status"))
    assert statuses == {
        "EPSM Finistère Sud": SignatoryStatus.SENT,
        "GEM L'Escale": SignatoryStatus.TO_PREPARE,
        "Maison des aidants": SignatoryStatus.SENT,
        "SAMSAH Kemper": SignatoryStatus.TO_PREPARE,
    }
    job = Job.objects.get(project=project, kind=SEND_ALL_JOB)
    assert (job.done, job.total) == (4, 4)
    # Clicked again: those already sent are not written to again.
    response = client.post(_url(project, "send_all"), follow=True)
    text = " ".join(visible_text(response).split())
    assert "Aucune annexe envoyée pour signature. 2 opérateurs laissés de côté :" in text
    assert len(smtp_server.messages) == 2


def test_a_campaign_after_a_partial_one_mails_only_the_rest(client, project, smtp_server):
    epsm, gem, aidants, _samsah = setup_roadmap(project, operator_names=OPERATORS)
    letter = ensure_letter(project=project)
    send_for_signature(signatory=letter.signatories.get(organisation=epsm), base_url="http://t")
    login(client, member(project, Role.PROJECT_LEAD))
    text = visible_text(client.post(_url(project, "send_all"), follow=True))
    assert "3 annexes envoyées pour signature." in text and "laissé" not in text
    assert len(smtp_server.messages) == 4
    assert _recipients(smtp_server).count(Contact.objects.get(organisation=epsm).email) == 1
    text = visible_text(client.post(_url(project, "send_all"), follow=True))
    assert "Aucune annexe à envoyer : chaque opérateur a déjà reçu la sienne" in text
    assert len(smtp_server.messages) == 4


def test_a_reminding_job_resumed_after_an_interruption_writes_to_no_one_twice(project, smtp_server):
    epsm, gem, aidants, samsah = setup_roadmap(project, operator_names=OPERATORS)
    letter = ensure_letter(project=project)
    signatories = {s.organisation_id: s for s in letter.signatories.all()}
    for organisation in (epsm, gem, aidants):
        send_for_signature(signatory=signatories[organisation.pk], base_url="http://t")
    smtp_server.messages.clear()
    # A first worker reminded the EPSM, recorded it, then stopped; the job is taken over.
    job = Job.objects.create(
        project=project,
        kind=REMIND_ALL_JOB,
        title="Relance des opérateurs en attente de signature",
        params={"base_url": "http://testserver", "mailed": [signatories[epsm.pk].pk]},
    )
    run_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == JobState.DONE
    assert job.message == "3 opérateurs relancés."
    assert job.details == []
    # Only the GEM and the Maison des aidants get a reminder; the SAMSAH was never sent one.
    assert sorted(_recipients(smtp_server)) == sorted(
        Contact.objects.get(organisation=o).email for o in (gem, aidants)
    )
    assert all("Relance" in str(m["Subject"]) for m in smtp_server.messages)
    assert sorted(job.params["mailed"]) == sorted(
        signatories[o.pk].pk for o in (epsm, gem, aidants)
    )
    reminders = dict(letter.signatories.values_list("organisation_id", "reminders"))
    assert reminders == {epsm.pk: 0, gem.pk: 1, aidants.pk: 1, samsah.pk: 0}


def test_a_reminder_just_sent_by_hand_is_not_sent_again(client, project, smtp_server):
    from ptsm.commitments.services import remind

    epsm, gem = setup_roadmap(project)
    letter = ensure_letter(project=project)
    for signatory in letter.signatories.all():
        send_for_signature(signatory=signatory, base_url="http://t")
    remind(signatory=letter.signatories.get(organisation=epsm), base_url="http://t")
    login(client, member(project, Role.PROJECT_LEAD))
    text = " ".join(visible_text(client.post(_url(project, "remind_all"), follow=True)).split())
    assert "1 opérateur relancé. 1 opérateur laissé de côté :" in text
    assert "EPSM Finistère Sud a été relancé à" in text
    assert len(smtp_server.messages) == 4  # two sendings, the reminder by hand, the GEM's


def test_a_double_click_starts_one_campaign(client, project, smtp_server):
    setup_roadmap(project)
    login(client, member(project, Role.PROJECT_LEAD))
    waiting = Job.objects.create(
        project=project, kind=SEND_ALL_JOB, title="Envoi", params={"base_url": "http://t"}
    )
    response = client.post(_url(project, "send_all"))
    assert response["Location"] == reverse("jobs:detail", args=[project.slug, waiting.pk])
    assert Job.objects.filter(project=project).count() == 1
    assert smtp_server.messages == []


@pytest.mark.parametrize("role", [Role.COPIL_MEMBER, Role.READER, Role.OPERATOR_SIGNATORY])
def test_only_those_who_manage_the_commitments_start_a_campaign(client, project, smtp_server, role):
    setup_roadmap(project)
    ensure_letter(project=project)
    login(client, member(project, role))
    page = page_text(client.get(_url(project, "letter")))
    assert "toutes les annexes prêtes" not in page and "opérateurs en attente" not in page
    for name in ("send_all", "remind_all"):
        assert client.post(_url(project, name)).status_code == 403
    assert not Job.objects.filter(project=project).exists()
    assert smtp_server.messages == []


def test_an_annex_that_cannot_be_composed_leaves_its_operator_aside_and_says_why(
    client, project, smtp_server, monkeypatch
):
    from ptsm.commitments import services
    from ptsm.documents.rendering import RenderingError

    setup_roadmap(project)

    def broken(**kwargs):
        raise RenderingError("police introuvable")

    monkeypatch.setattr(services, "generate_annex", broken)
    login(client, member(project, Role.PROJECT_LEAD))
    text = " ".join(visible_text(client.post(_url(project, "send_all"), follow=True)).split())
    assert "Aucune annexe envoyée pour signature. 2 opérateurs laissés de côté :" in text
    assert "L'annexe de EPSM Finistère Sud n'a pas pu être composée : police introuvable" in text
    assert Job.objects.get(project=project).state == JobState.DONE
    assert smtp_server.messages == []

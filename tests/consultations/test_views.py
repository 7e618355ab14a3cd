"""The consultations' pages: the chef de projet sets one up, opens it, moderates, closes and
summarises it; participants answer without an account; bad input gets a French message and a
4xx, never a change; other projects' members and anonymous users get nothing."""

import io

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from ptsm.accounts.models import Role
from ptsm.consultations import services
from ptsm.consultations.models import Consultation, ConsultationStatus, Response
from tests.consultations.conftest import answer, make_consultation
from tests.factories import make_project, member
from tests.helpers import login, page_text, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def today_open(monkeypatch):
    """Every consultation made by `make_consultation` is open on the day the tests run."""
    import datetime as dt

    today = timezone.localdate()
    return {"opens_on": today - dt.timedelta(days=3), "closes_on": today + dt.timedelta(days=10)}


def url(name, consultation, **kwargs):
    return reverse(
        f"consultations:{name}",
        kwargs={"slug": consultation.project.slug, "number": consultation.number, **kwargs},
    )


def test_the_lead_creates_a_consultation_adds_questions_and_opens_it(client, project, lead):
    login(client, lead)
    create = reverse("consultations:create", kwargs={"slug": project.slug})
    page = page_text(client.get(create))
    assert "Projet de feuille de route" in page and "Constats de la porte d'entrée 1" in page
    response = client.post(
        create,
        {
            "title": "Votre avis sur les constats de l'accès aux soins",
            "introduction": "Dites-nous si ces constats correspondent à ce que vous vivez.",
            "target": "diagnostic:1",
            "opens_on": "2026-03-01",
            "closes_on": "2026-03-31",
        },
    )
    consultation = Consultation.objects.get(project=project)
    assert response.status_code == 302 and response.url == url("detail", consultation)
    detail = url("detail", consultation)
    client.post(detail, {"kind": "echelle", "text": "Ces constats sont justes."})
    client.post(detail, {"kind": "texte", "text": "Que manque-t-il ?"})
    refused = client.post(detail, {"kind": "choix_unique", "text": "Lequel ?", "choices": "Un"})
    assert "au moins deux réponses" in page_text(refused)
    assert consultation.questions.count() == 2
    client.post(url("open", consultation))
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.OPEN and consultation.opened_at
    page = visible_text(client.get(reverse("consultations:list", kwargs={"slug": project.slug})))
    assert "Ouverte" in page
    assert f"/consultation/{consultation.token}/" in page
    assert "Copier le lien" in page


def test_a_participant_answers_without_an_account(client, project, today_open):
    consultation = make_consultation(project, **today_open)
    link = reverse("consultations:answer", args=[consultation.token])
    page = client.get(link)
    assert page.status_code == 200
    html = page_text(page)
    # Radio groups are fieldsets with their question as legend; the free text says its limit
    # and warns against anything identifying.
    assert html.count("<fieldset") >= 4
    assert "Vous répondez en tant que" in html and "Personne concernée" in html
    assert "1\u202f500 caractères au maximum" in html
    assert "N'écrivez rien qui permette de vous reconnaître" in html
    assert 'name="nom"' not in html and 'type="email"' not in html
    q = list(consultation.questions.all())
    from ptsm.audit.models import AuditEntry

    journal = AuditEntry.objects.count()
    response = client.post(
        link,
        {
            "category": "proche",
            f"q{q[0].pk}": "3",
            f"q{q[1].pk}": "1",
            f"q{q[2].pk}": ["0", "2"],
            f"q{q[3].pk}": "Des groupes de parole pour les familles.",
        },
    )
    assert response.status_code == 302
    assert "Merci pour votre réponse" in page_text(client.get(response.url))
    stored = Response.objects.get(consultation=consultation)
    assert stored.category == "proche"
    # The journal, whose entries keep an IP address, records nothing of the participant.
    assert AuditEntry.objects.count() == journal
    assert list(stored.answers.order_by("question__position").values_list("choices", "text")) == [
        ([3], ""),
        ([1], ""),
        ([0, 2], ""),
        ([], "Des groupes de parole pour les familles."),
    ]


def test_a_second_answer_within_a_minute_from_the_same_browser_gets_429(
    client, project, today_open
):
    consultation = make_consultation(project, **today_open)
    link = reverse("consultations:answer", args=[consultation.token])
    client.get(link)  # sets the browser's cookie
    q = consultation.questions.first()
    assert client.post(link, {"category": "elu", f"q{q.pk}": "4"}).status_code == 302
    again = client.post(link, {"category": "elu", f"q{q.pk}": "0"})
    assert again.status_code == 429
    assert "attendez une minute" in page_text(again)
    assert Response.objects.filter(consultation=consultation).count() == 1


def test_a_closed_consultation_shows_no_form_and_refuses_answers(client, project, today_open):
    consultation = make_consultation(project, **today_open)
    services.close_consultation(consultation=consultation)
    link = reverse("consultations:answer", args=[consultation.token])
    page = client.get(link)
    assert page.status_code == 200
    assert "Cette consultation est close" in page_text(page)
    assert '<form method="post" novalidate>' not in page_text(page)
    q = consultation.questions.first()
    refused = client.post(link, {"category": "elu", f"q{q.pk}": "4"})
    assert refused.status_code == 403 and "close" in page_text(refused)
    assert not Response.objects.exists()
    assert client.get(reverse("consultations:answer", args=["inconnu"])).status_code == 404


def test_the_answer_form_uses_the_dsfr_radio_and_checkbox_groups(client, project, today_open):
    import re

    consultation = make_consultation(project, **today_open)
    link = reverse("consultations:answer", args=[consultation.token])
    html = client.get(link).content.decode()
    scale, single, multiple, _text = consultation.questions.order_by("position")
    # Each question is a fieldset whose legend is the question; each option an input
    # followed by its own label, in the DSFR's groups.
    legend = re.search(
        rf'<fieldset class="fr-fieldset" id="id_q{multiple.pk}".*?</legend>', html, re.S
    )
    assert "Par quels moyens voulez-vous être informé ?" in legend.group()
    assert "Vous pouvez cocher plusieurs réponses." in legend.group()
    form = html[html.index('<form method="post" novalidate>') :]
    form = form[: form.index("</form>")]
    assert form.count('<div class="fr-radio-group">') == 5 + 5 + 3  # category, scale, single
    assert form.count('<div class="fr-checkbox-group">') == 3
    assert re.search(
        rf'<input type="checkbox" name="q{multiple.pk}" value="1" id="id_q{multiple.pk}_1">\s*'
        rf'<label class="fr-label" for="id_q{multiple.pk}_1">Affiches</label>',
        html,
    )
    assert 'dsfr="dsfr"' not in html
    # A wrong answer: the group in its error state, with the message, the choice kept.
    refused = client.post(link, {"category": "inconnue", f"q{single.pk}": "2"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert '<fieldset class="fr-fieldset fr-fieldset--error" id="id_category"' in html
    assert '<p class="fr-message fr-message--error">Sélectionnez un choix valide.' in html
    assert 'href="#id_category"' in html  # the error summary leads to the group
    assert f'value="2" id="id_q{single.pk}_2" checked>' in html
    assert not Response.objects.exists()


def test_oversize_text_is_refused_with_the_limit(client, project, today_open):
    consultation = make_consultation(project, **today_open)
    link = reverse("consultations:answer", args=[consultation.token])
    text_question = consultation.questions.get(kind="texte")
    refused = client.post(link, {"category": "autre", f"q{text_question.pk}": "x" * 1501})
    assert refused.status_code == 400
    assert "dépasse 1\u202f500 caractères" in page_text(refused)
    assert "Le formulaire contient une erreur" in page_text(refused)
    assert not Response.objects.exists()
    empty = client.post(link, {"category": "autre"})
    assert empty.status_code == 400 and "Répondez à au moins une question" in page_text(empty)


def test_moderation_close_summary_and_results(client, project, lead, today_open):
    consultation = make_consultation(project, **today_open)
    answer(consultation, "personne_concernee", text="Plus de pair-aidance.")
    hidden = answer(consultation, "proche", text="Mon fils, Paul D., suivi au CMP de Morlaix.")
    login(client, lead)
    moderation = page_text(client.get(url("moderation", consultation)))
    assert "Mon fils, Paul D." in moderation
    refused = client.post(url("response_hide", consultation, pk=hidden.pk), {"hidden_reason": ""})
    assert refused.status_code == 302
    assert not Response.objects.get(pk=hidden.pk).hidden
    client.post(
        url("response_hide", consultation, pk=hidden.pk),
        {"hidden_reason": "Nomme une personne et son lieu de soins."},
    )
    client.post(url("close", consultation))
    client.post(url("summary", consultation), {"summary": "La pair-aidance revient souvent."})
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.CLOSED
    results = visible_text(client.get(url("results", consultation)))
    assert "1 réponse prise en compte" in results
    assert "1 réponse masquée par la modération" in results
    assert "Plus de pair-aidance." in results
    assert "Paul D." not in results
    assert "La pair-aidance revient souvent." in results


def test_a_consultation_with_answers_is_archived_not_deleted(client, project, lead, today_open):
    consultation = make_consultation(project, **today_open)
    answer(consultation)
    login(client, lead)
    detail = page_text(client.get(url("detail", consultation)))
    assert "Supprimer" not in detail
    confirm = page_text(client.get(url("delete", consultation)))
    assert "Suppression impossible" in confirm and "Supprimer définitivement" not in confirm
    response = client.post(url("delete", consultation), follow=True)
    assert "ne peut pas être supprimée" in page_text(response)
    assert Consultation.objects.filter(pk=consultation.pk).exists()
    client.post(url("close", consultation))
    client.post(url("archive", consultation))
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.ARCHIVED
    listing = visible_text(client.get(reverse("consultations:list", kwargs={"slug": project.slug})))
    assert "Archivée" in listing


def test_the_link_is_emailed_to_a_bodys_members_without_tracing_answers(
    client, project, lead, today_open
):
    from ptsm.governance import services as governance
    from ptsm.governance.models import Body
    from ptsm.organisations.models import Contact, Organisation

    governance.create_default_bodies(project=project)
    body = Body.objects.filter(project=project).first()
    gem = Organisation.objects.create(
        project=project, name="GEM de Brest", category="sanitaire_public"
    )
    for n in range(3):
        contact = Contact.objects.create(
            project=project,
            organisation=gem,
            first_name="Membre",
            last_name=str(n),
            email=f"membre{n}@gem.fr" if n < 2 else "",
        )
        governance.add_body_member(body=body, contact=contact, role="member")
    consultation = make_consultation(project, **today_open)
    login(client, lead)
    # Sent in the background (run at once in the tests), followed on the job's page.
    job_page = client.post(url("send", consultation), {"body": body.pk}, follow=True)
    assert "2 courriels envoyés" in page_text(job_page)
    assert sorted(m.to[0] for m in mail.outbox) == ["membre0@gem.fr", "membre1@gem.fr"]
    assert all(consultation.token in m.body for m in mail.outbox)
    assert len({m.body for m in mail.outbox}) == 1  # the same link for everyone
    again = client.post(url("send", consultation), {"body": body.pk}, follow=True)
    assert "aucun courriel n'est envoyé une seconde fois" in page_text(again)
    assert len(mail.outbox) == 2
    sending = consultation.invitation_sendings.get()
    assert (sending.recipients, sending.sent) == (2, 2)


def test_exports_are_read_back(client, project, lead, today_open):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    consultation = make_consultation(project, **today_open)
    answer(consultation, "personne_concernee", scale=4, text="Des horaires du soir au CMP.")
    answer(consultation, "elu", scale=3)
    services.close_consultation(consultation=consultation)
    services.save_summary(consultation=consultation, summary="Demande d'horaires élargis.")
    login(client, lead)
    response = client.get(url("export_pdf", consultation))
    assert response.status_code == 200
    assert 'filename="consultation-1.pdf"' in response["Content-Disposition"]
    pdf = b"".join(response.streaming_content)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Consultation n° 1" in text
    assert "Tout à fait d'accord" in text
    assert "Des horaires du soir au CMP." in text
    assert "Demande d'horaires élargis." in text
    response = client.get(url("export_xlsx", consultation))
    assert 'filename="consultation-1.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["Décomptes", "Réponses libres"]
    counts = list(book["Décomptes"].iter_rows(values_only=True))
    assert ("Réponses par catégorie", "Personnes concernées", 1, "50\u202f%") in counts or (
        "Réponses par catégorie",
        "Personnes concernées",
        1,
        "50 %",
    ) in counts
    free = list(book["Réponses libres"].iter_rows(values_only=True))
    assert free[1][1] == "Des horaires du soir au CMP."


@pytest.mark.parametrize("role", [Role.READER, Role.ACTION_PILOT, Role.OPERATOR_SIGNATORY])
def test_roles_without_the_capability_may_read_results_but_not_manage(client, project, role):
    consultation = make_consultation(project)
    login(client, member(project, role))
    assert (
        client.get(reverse("consultations:list", kwargs={"slug": project.slug})).status_code == 200
    )
    assert client.get(url("results", consultation)).status_code == 200
    for name in ("detail", "moderation", "edit"):
        assert client.get(url(name, consultation)).status_code == 403, name
    assert client.post(url("close", consultation)).status_code == 403
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.OPEN


def test_the_copil_member_manages_consultations(client, project):
    consultation = make_consultation(project)
    login(client, member(project, Role.COPIL_MEMBER))
    assert client.get(url("moderation", consultation)).status_code == 200
    client.post(url("close", consultation))
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.CLOSED


def test_other_projects_members_and_anonymous_users_get_nothing(client, project):
    consultation = make_consultation(project)
    other = make_project(departement="79")
    for name in ("results", "detail", "moderation"):
        assert client.get(url(name, consultation)).status_code == 302  # to the login page
    login(client, member(other, Role.PROJECT_LEAD))
    for name in ("results", "detail", "moderation"):
        assert client.get(url(name, consultation)).status_code == 404, name
    assert client.post(url("close", consultation)).status_code == 404
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.OPEN


def test_list_and_results_pages_cost_a_bounded_number_of_queries(
    client, project, lead, django_assert_max_num_queries
):
    login(client, lead)
    list_url = reverse("consultations:list", kwargs={"slug": project.slug})
    first = make_consultation(project)
    answer(first)
    client.get(list_url)  # warm caches (session, user)
    with django_assert_max_num_queries(30) as few:
        client.get(list_url)
        client.get(url("results", first))
    for n in range(5):
        c = make_consultation(project)
        for category in ("proche", "elu", "autre", "personne_concernee"):
            answer(c, category, text=f"Réponse {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(list_url)
        client.get(url("results", first))
    many = Consultation.objects.get(project=project, number=6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(list_url)
        client.get(url("results", many))


def test_the_leads_todo_asks_to_close_then_to_summarise(client, project, lead):
    import datetime as dt

    today = timezone.localdate()
    consultation = make_consultation(
        project, opens_on=today - dt.timedelta(days=30), closes_on=today - dt.timedelta(days=1)
    )
    login(client, lead)
    dashboard = reverse("projects:dashboard", kwargs={"slug": project.slug})
    page = visible_text(client.get(dashboard))
    assert "Clore la consultation n° 1" in page
    services.close_consultation(consultation=consultation)
    page = visible_text(client.get(dashboard))
    assert "Clore la consultation n° 1" not in page
    assert "Rédiger la synthèse de la consultation n° 1" in page
    services.save_summary(consultation=consultation, summary="Retenu : la pair-aidance.")
    assert "consultation n° 1" not in visible_text(client.get(dashboard))


def test_a_consultation_without_answers_is_deleted_after_confirmation(client, project, lead):
    consultation = make_consultation(project, open_=False)
    login(client, lead)
    confirm = page_text(client.get(url("delete", consultation)))
    assert "Cette suppression est définitive" in confirm
    assert Consultation.objects.filter(pk=consultation.pk).exists()
    response = client.post(url("delete", consultation))
    assert response.status_code == 302
    assert not Consultation.objects.filter(pk=consultation.pk).exists()


def test_two_people_editing_a_consultation_do_not_overwrite_each_other(client, project, lead):
    from tests.helpers import form_data

    consultation = make_consultation(project)
    edit = url("edit", consultation)
    login(client, lead)
    first = form_data(client.get(edit), action=edit)
    second = dict(first)  # a colleague loaded the same version
    first["title"] = "Votre avis sur la pair-aidance"
    assert client.post(edit, first).status_code == 302
    second["introduction"] = "Une introduction réécrite en même temps."
    conflict = client.post(edit, second)
    assert "Quelqu'un d'autre a enregistré une modification pendant que vous éditiez" in (
        visible_text(conflict)
    )
    consultation.refresh_from_db()
    assert consultation.title == "Votre avis sur la pair-aidance"  # the first save is kept
    assert consultation.introduction != "Une introduction réécrite en même temps."
    # The form kept the second person's text and now carries the saved version: once they have
    # merged (here, with the first person's title), their save goes through.
    second = form_data(conflict, action=edit)
    assert second["version"] == str(consultation.version)
    assert second["introduction"] == "Une introduction réécrite en même temps."
    second["title"] = "Votre avis sur la pair-aidance"
    assert client.post(edit, second).status_code == 302
    consultation.refresh_from_db()
    assert consultation.title == "Votre avis sur la pair-aidance"
    assert consultation.introduction == "Une introduction réécrite en même temps."

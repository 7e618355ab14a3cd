"""The consultation's rules: numbering, questions frozen once open, answers only while open,
nothing stored about the participant but the category, moderation, deletion refused once
answered, results and participation figures."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ptsm.consultations import selectors, services
from ptsm.consultations.models import (
    Answer,
    ConsultationStatus,
    QuestionKind,
    Response,
)
from ptsm.consultations.participation import figures, figures_for_projects
from ptsm.consultations.targets import find_target
from ptsm.projects.participation import participation_figures
from tests.consultations.conftest import TODAY, answer, make_consultation
from tests.factories import make_project

pytestmark = pytest.mark.django_db


def test_consultations_are_numbered_within_their_project_with_an_unguessable_token(project):
    first, second = make_consultation(project), make_consultation(project, open_=False)
    other = make_consultation(make_project(departement="79"))
    assert (first.number, second.number, other.number) == (1, 2, 1)
    assert len({first.token, second.token, other.token}) == 3
    assert len(first.token) >= 40
    assert first.file_stem == "consultation-1"


def test_the_target_is_one_of_the_projects_steps_and_dates_are_in_order(project):
    assert find_target(project, "diagnostic:3").label.startswith("Constats de la porte d'entrée 3")
    assert find_target(project, "diagnostic:9") is None
    assert find_target(project, "bilan:bilan-6-mois").label == "Bilan à 6 mois"
    with pytest.raises(ValidationError):
        services.create_consultation(
            project=project,
            title="Dates à l'envers",
            introduction="Ouverte après sa clôture.",
            target=find_target(project, "feuille-de-route:"),
            opens_on=dt.date(2026, 3, 31),
            closes_on=dt.date(2026, 3, 1),
        )
    assert not project.consultations.exists()


def test_a_choice_question_needs_two_options_and_questions_freeze_once_open(project):
    consultation = make_consultation(project, open_=False)
    with pytest.raises(ValidationError, match="au moins deux réponses"):
        services.add_question(
            consultation=consultation, kind=QuestionKind.SINGLE, text="?", choices=["Oui"]
        )
    services.open_consultation(consultation=consultation)
    with pytest.raises(ValidationError, match="brouillon"):
        services.add_question(consultation=consultation, kind=QuestionKind.TEXT, text="Encore ?")


def test_an_answer_stores_the_category_and_the_date_only(project):
    consultation = make_consultation(project)
    response = answer(consultation, "proche", text="Plus de places en GEM.")
    # The stored row: no name, no e-mail, no address, no time, no link to an invitation.
    assert {f.name for f in Response._meta.concrete_fields} == {
        "id",
        "consultation",
        "category",
        "submitted_on",
        "hidden",
        "hidden_reason",
        "hidden_on",
    }
    assert {f.name for f in Answer._meta.concrete_fields} == {
        "id",
        "response",
        "question",
        "text",
        "choices",
    }
    row = Response.objects.values().get(pk=response.pk)
    assert row["category"] == "proche" and row["submitted_on"] == consultation.opens_on
    # Nor does the journal keep anything of the participant (its entries carry an IP address).
    from ptsm.audit.models import AuditEntry

    assert not AuditEntry.objects.filter(
        object_pk=str(response.pk), object_repr__contains="Réponse"
    )


def test_answers_are_refused_before_opening_after_closing_and_once_closed(project):
    draft = make_consultation(project, open_=False)
    with pytest.raises(ValidationError, match="pas encore ouverte"):
        answer(draft, today=TODAY)
    later = make_consultation(project, opens_on=dt.date(2026, 4, 1), closes_on=dt.date(2026, 4, 30))
    with pytest.raises(ValidationError, match="à partir du 01/04/2026"):
        answer(later, today=TODAY)
    past = make_consultation(project, opens_on=dt.date(2026, 2, 1), closes_on=dt.date(2026, 3, 1))
    with pytest.raises(ValidationError, match="close"):
        answer(past, today=TODAY)
    consultation = make_consultation(project)
    answer(consultation, today=TODAY)
    services.close_consultation(consultation=consultation)
    with pytest.raises(ValidationError, match="close"):
        answer(consultation, today=TODAY)
    assert Response.objects.filter(consultation=consultation).count() == 1


def test_oversize_text_and_unknown_options_are_refused(project):
    consultation = make_consultation(project)
    with pytest.raises(ValidationError, match="1500 caractères"):
        answer(consultation, text="x" * 1501)
    with pytest.raises(ValidationError, match="pas proposée"):
        answer(consultation, single=7)
    assert not Response.objects.exists()


def test_a_consultation_with_answers_cannot_be_deleted_but_can_be_archived(project):
    consultation = make_consultation(project)
    answer(consultation)
    with pytest.raises(ValidationError, match="ne peut pas être supprimée"):
        services.delete_consultation(consultation=consultation)
    services.close_consultation(consultation=consultation)
    archived = services.archive_consultation(consultation=consultation)
    assert archived.status == ConsultationStatus.ARCHIVED
    empty = make_consultation(project, open_=False)
    services.delete_consultation(consultation=empty)
    assert list(project.consultations.values_list("number", flat=True)) == [1]


def test_results_leave_hidden_answers_out_but_count_them(project):
    consultation = make_consultation(project)
    answer(consultation, "personne_concernee", scale=4, single=0, multiple=(0, 2), text="Merci")
    answer(consultation, "proche", scale=4, single=1, multiple=(2,))
    hidden = answer(consultation, "autre", scale=0, single=2, text="Le Dr Martin à Brest…")
    services.hide_response(response=hidden, reason="Cite un médecin par son nom.", today=TODAY)
    result = selectors.results(consultation)
    assert (result.shown, result.hidden) == (2, 1)
    assert [(t.label, t.count) for t in result.categories if t.count] == [
        ("Personnes concernées", 1),
        ("Proches", 1),
    ]
    scale, single, multiple, text = result.questions
    assert [(o.label, o.count, o.percent) for o in scale.options][4] == (
        "Tout à fait d'accord",
        2,
        100,
    )
    assert [o.count for o in single.options] == [1, 1, 0]
    assert [(o.count, o.percent) for o in multiple.options] == [(1, 50), (0, 0), (2, 100)]
    assert text.texts == ["Merci"]


def test_hiding_needs_a_reason_and_is_journalled(project, lead):
    from ptsm.audit.models import AuditEntry

    consultation = make_consultation(project)
    response = answer(consultation)
    with pytest.raises(ValidationError, match="motif"):
        services.hide_response(response=response, reason="  ", today=TODAY)
    services.hide_response(response=response, reason="Donnée de santé", today=TODAY)
    entry = AuditEntry.objects.filter(project=project, object_pk=str(response.pk)).latest("pk")
    assert entry.changes_dict["hidden_reason"] == ["", "Donnée de santé"]


def test_a_summary_is_written_once_closed(project):
    consultation = make_consultation(project)
    with pytest.raises(ValidationError, match="close"):
        services.save_summary(consultation=consultation, summary="Trop tôt")
    services.close_consultation(consultation=consultation)
    saved = services.save_summary(consultation=consultation, summary="Les proches demandent…")
    assert saved.summary == "Les proches demandent…" and saved.summarised_at is not None


def test_participation_figures_count_consultations_held_and_answers_by_category(
    project, django_assert_max_num_queries
):
    make_consultation(project, open_=False)  # never opened: not held
    consultation = make_consultation(project)
    answer(consultation, "personne_concernee")
    answer(consultation, "personne_concernee")
    answer(consultation, "elu")
    hidden = answer(consultation, "proche")
    services.hide_response(response=hidden, reason="Nom cité", today=TODAY)
    held, answers = figures(project)
    assert (held.key, held.value) == ("consultations.count", 1)
    assert (answers.key, answers.value) == ("consultations.answers", 3)
    assert answers.breakdown == (("Personnes concernées", 2), ("Élus", 1))
    assert any(source.key == "consultations" for source, _ in participation_figures(project))
    others = [make_project(departement=d) for d in ("79", "35", "56")]
    for other in others:
        answer(make_consultation(other), "proche")
    with django_assert_max_num_queries(2):
        many = figures_for_projects([project, *others])
    assert [f.value for f in many[others[0].pk]] == [1, 1]
    assert many[project.pk][1].value == 3


def test_a_resumed_link_sending_sends_only_what_is_left(project, mailoutbox):
    consultation = make_consultation(project)
    emails = ["b@gem.fr", "A@gem.fr ", "a@gem.fr", ""]
    sending = services.claim_link_sending(
        consultation=consultation, body_id=None, body_name="GEM", emails=emails
    )
    assert sending.recipients == 2  # each address once
    sending.sent = 1  # the worker died after the first e-mail
    sending.save()
    assert services.send_link(sending=sending, emails=emails, answer_url="https://x/c/") == 2
    assert [m.to for m in mailoutbox] == [["b@gem.fr"]]
    with pytest.raises(ValidationError, match="déjà|vient d'être envoyé"):
        services.claim_link_sending(
            consultation=consultation, body_id=None, body_name="GEM", emails=emails
        )

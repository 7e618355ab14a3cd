"""The public page's roadmap in plain language (issue 19): the summaries of the validated
fiches-actions and of their orientations, only on a published page."""

import pytest

from ptsm.pilotage import services
from ptsm.roadmap.models import Action, ActionStatus, Orientation
from tests.helpers import visible_text
from tests.pilotage.test_public import project, public_url  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
SUMMARY = "Vous pourrez appeler un seul numéro, jour et nuit."
ORIENTATION = "Être aidé vite, près de chez vous."


def _write_summaries(project):  # noqa: F811
    actions = list(
        Action.objects.filter(objective__theme__orientation__project=project).order_by("pk")
    )
    shown = next(a for a in actions if a.status != ActionStatus.DRAFT)
    shown.plain_summary = SUMMARY
    shown.save()
    draft = actions[-1]
    draft.status, draft.plain_summary = ActionStatus.DRAFT, "Un brouillon encore privé."
    draft.save()
    orientation = Orientation.objects.get(pk=shown.objective.theme.orientation_id)
    orientation.plain_summary = ORIENTATION
    orientation.save()
    return shown, orientation


def test_the_published_page_shows_the_summaries_of_the_validated_fiches_actions(
    client,
    project,  # noqa: F811
):
    shown, orientation = _write_summaries(project)
    assert client.get(public_url(project)).status_code == 404  # not published: nothing shown
    services.publish(project=project)
    text = " ".join(visible_text(client.get(public_url(project))).split())
    section = text.split("La feuille de route en langage facile")[1]
    assert f"{orientation.title} {ORIENTATION}" in section
    assert f"{shown.title} {SUMMARY}" in section
    assert "Un brouillon encore privé." not in text  # a draft fiche-action stays private


def test_nothing_written_means_no_plain_language_section(client, project):  # noqa: F811
    services.publish(project=project)
    text = visible_text(client.get(public_url(project)))
    assert "La feuille de route en langage facile" not in text

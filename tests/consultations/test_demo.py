"""The demo holds a closed consultation with answers (several categories, one hidden with its
reason, a summary) recalled in the roadmap's validated document, and an open consultation
whose public link takes answers."""

import datetime as dt

import pytest
from django.urls import reverse

from ptsm.consultations import selectors
from ptsm.consultations.models import ConsultationStatus
from ptsm.demo.loader import DEMO_SLUG, load_demo
from ptsm.projects.models import Project
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_closed_and_an_open_consultation(client):
    load_demo(today=dt.date.today(), region=False)
    project = Project.objects.get(slug=DEMO_SLUG)
    closed, open_ = project.consultations.order_by("number")
    assert closed.status == ConsultationStatus.CLOSED and closed.summary
    assert closed.meeting is not None
    result = selectors.results(closed)
    assert result.shown == 8 and result.hidden == 1
    assert len([t for t in result.categories if t.count]) == 5
    assert closed.responses.get(hidden=True).hidden_reason
    assert open_.status == ConsultationStatus.OPEN
    page = client.get(reverse("consultations:answer", args=[open_.token]))
    assert page.status_code == 200 and "Envoyer ma réponse" in page_text(page)
    # The roadmap the COPIL validated recalls the consultation in its frozen document.
    from ptsm.documents.services import generate_document
    from tests.consultations.test_recalls import _pdf_text

    roadmap = generate_document(project=project, kind_slug="feuille-de-route", fmt="pdf")
    assert roadmap.frozen_key
    assert "Consultation n° 1 : Votre avis sur le projet de feuille de route" in _pdf_text(roadmap)

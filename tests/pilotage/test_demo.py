import datetime as dt

import pytest
from django.urls import reverse

from ptsm.pilotage.demo import PUBLISHED_DEMO, load_cockpit_demo
from ptsm.projects.models import Project

pytestmark = pytest.mark.django_db


def test_the_cockpit_demo_has_three_projects_at_different_phases_and_a_public_page(client):
    projects = load_cockpit_demo(today=dt.date(2026, 12, 1))
    assert len({p.phase for p in projects}) == 3
    assert {p.region_id for p in projects} == {"53"}
    again = load_cockpit_demo(today=dt.date(2026, 12, 1))  # idempotent
    assert [p.pk for p in again] == [p.pk for p in projects]
    assert Project.objects.filter(slug__in=[p.slug for p in projects]).count() == 3
    assert (
        client.get(reverse("pilotage:public", kwargs={"projet": PUBLISHED_DEMO})).status_code == 200
    )
    # The published page offers the diagnostic and the roadmap the COPIL validated, and the
    # collective letter the operators signed.
    from ptsm.pilotage.public import published_documents

    published = next(p for p in projects if p.slug == PUBLISHED_DEMO)
    assert [f.kind.slug for f in published_documents(published)] == [
        "diagnostic",
        "feuille-de-route",
        "lettre-engagement-collective",
    ]
    unpublished = next(p for p in projects if p.slug != PUBLISHED_DEMO)
    assert (
        client.get(reverse("pilotage:public", kwargs={"projet": unpublished.slug})).status_code
        == 404
    )

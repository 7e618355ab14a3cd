"""`?projet=` and `?modifie_depuis=` on every list: a client synchronising a project asks only
for what changed since its last visit, including a change inside a record's nested parts (a
body's members, a meeting's decisions, an orientation's tree)."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from ptsm.accounts.models import Role
from ptsm.commitments import services as commitments
from ptsm.commitments.models import Signatory
from ptsm.governance import services as governance
from ptsm.governance.models import Body, Meeting
from ptsm.organisations.models import Organisation
from ptsm.roadmap import services as roadmap
from ptsm.roadmap.models import Action, Orientation, Theme

from .conftest import API, client_for, results

pytestmark = pytest.mark.django_db

LONG_AGO = dt.timedelta(days=10)


def _second_body(project) -> tuple:
    bodies = list(Body.objects.filter(project=project).order_by("pk")[:2])
    return bodies[0], bodies[1]


def change_a_bodys_members(project, objects) -> int:
    body, _other = _second_body(project)
    governance.add_body_member(body=body, contact=objects["contact"], role="member")
    return body.pk


def change_a_body(project, objects) -> int:
    _first, body = _second_body(project)
    body.missions = "Suivre la feuille de route."
    governance.save_body(body=body)
    return body.pk


def _meetings(project) -> tuple:
    first = Meeting.objects.get(body__project=project)
    start = timezone.now() + dt.timedelta(days=3)
    second = Meeting.objects.create(
        body=first.body, title="COPIL 2", starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    return first, second


def add_a_decision(project, objects) -> int:
    _first, meeting = _meetings(project)
    Meeting.objects.filter(pk=meeting.pk).update(updated_at=timezone.now() - LONG_AGO)
    governance.add_decision(meeting=meeting, text="La feuille de route est adoptée.")
    return meeting.pk


def write_the_minutes(project, objects) -> int:  # a partial save (update_fields)
    meeting, other = _meetings(project)
    Meeting.objects.filter(pk__in=[meeting.pk, other.pk]).update(
        updated_at=timezone.now() - LONG_AGO
    )
    governance.save_minutes(meeting=meeting, minutes="Présents : tous.")
    return meeting.pk


def _orientations(project):
    action = Action.objects.get(objective__theme__orientation__project=project)
    other = roadmap.save_item(item=Orientation(project=project, title="Orientation 2"))
    Orientation.objects.filter(project=project).update(updated_at=timezone.now() - LONG_AGO)
    return action.objective.theme.orientation, other, action


def rename_a_fiche_action(project, objects) -> int:
    orientation, _other, action = _orientations(project)
    action.title = "Action renommée"
    roadmap.save_action(action=action)
    return orientation.pk


def add_a_theme(project, objects) -> int:
    _orientation, other, _action = _orientations(project)
    roadmap.save_item(item=Theme(orientation=other, title="Nouvelle thématique"))
    return other.pk


def archive_the_last_orientation(project, objects) -> int:
    """(Archiving the first one would renumber the second: both would have changed.)"""
    _orientation, other, _action = _orientations(project)
    roadmap.set_archived(item=other, archived=True)
    return other.pk


def _signatories(project, objects) -> Signatory:
    other = Organisation.objects.create(project=project, name="EPSM", category="sanitaire_public")
    objects["action"].operators.add(other)
    commitments.ensure_letter(project=project)
    assert Signatory.objects.filter(letter__project=project).count() == 2
    return objects["signatory"]


def refuse_a_commitment(project, objects) -> int:
    signatory = _signatories(project, objects)
    Signatory.objects.filter(letter__project=project).update(updated_at=timezone.now() - LONG_AGO)
    commitments.record_refusal(
        signatory=signatory, refused_on=timezone.localdate(), comment="Pas cette année."
    )
    return signatory.pk


CHANGES = {
    "instances": [change_a_body, change_a_bodys_members],
    "reunions": [add_a_decision, write_the_minutes],
    "orientations": [rename_a_fiche_action, add_a_theme, archive_the_last_orientation],
    "engagements": [refuse_a_commitment],
}
MODELS = {"instances": Body, "reunions": Meeting, "orientations": Orientation}


@pytest.mark.parametrize(
    ("collection", "change"),
    [(c, change) for c, changes in CHANGES.items() for change in changes],
    ids=lambda v: v if isinstance(v, str) else v.__name__,
)
def test_a_record_changed_after_the_date_is_listed_an_older_one_is_not(small, collection, change):
    project = small["a"]
    model = MODELS.get(collection)
    if model is not None:  # every record of the project, as if last changed ten days ago
        path = {"instances": "project", "reunions": "body__project", "orientations": "project"}
        model.objects.filter(**{path[collection]: project}).update(
            updated_at=timezone.now() - LONG_AGO
        )
    changed = change(project, small["A"])
    lead = client_for(project, Role.PROJECT_LEAD)
    everything = results(lead.get(f"{API}{collection}/", {"projet": project.slug}))
    assert len(everything) >= 2 and changed in {r["id"] for r in everything}
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    rows = results(
        lead.get(f"{API}{collection}/", {"projet": project.slug, "modifie_depuis": since})
    )
    assert [r["id"] for r in rows] == [changed]
    assert dt.datetime.fromisoformat(rows[0]["updated_at"]) >= timezone.now() - dt.timedelta(
        minutes=5
    )
    later = (timezone.now() + dt.timedelta(minutes=5)).isoformat()
    assert results(lead.get(f"{API}{collection}/", {"modifie_depuis": later})) == []


def test_every_list_offers_the_project_and_modification_date_filters(small, client):
    """Read from the schema: each list operation documents both filters and honours them."""
    schema = json.loads(client.get(reverse("api:schema"), {"format": "json"}).content)
    lists = [
        path
        for path, operations in schema["paths"].items()
        if "get" in operations
        and "{" not in path
        and {p["name"] for p in operations["get"].get("parameters", [])} >= {"cursor"}
    ]
    assert len(lists) == 14, lists
    lead = client_for(small["a"], Role.PROJECT_LEAD)
    future = (timezone.now() + dt.timedelta(minutes=5)).isoformat()
    for path in lists:
        names = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
        assert {"projet", "modifie_depuis", "taille"} <= names, path
        rows = results(lead.get(path, {"projet": small["a"].slug}))
        assert {r.get("projet", r.get("slug")) for r in rows} <= {small["a"].slug, None}, path
        assert results(lead.get(path, {"projet": small["a"].slug, "modifie_depuis": future})) == []

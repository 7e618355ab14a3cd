"""Walk every URL of the URL conf for every role: a member of project A can neither read nor
change project B, anonymous users are sent to login, and inside a project each role gets exactly
what its capabilities allow."""

from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ptsm.accounts.models import Membership, Role
from ptsm.accounts.permissions import Capability, role_allows
from ptsm.documents.services import generate_document
from ptsm.evaluation.models import ActionIndicatorValue
from ptsm.jobs.models import Job
from tests.factories import make_project, member, ready_framing_letter
from tests.helpers import login

PUBLIC = {
    "accounts:login",
    "accounts:logout",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "personal_data",
    # The footer's pages: accessibility statement, legal notice, cookies, help.
    "accessibility",
    "legal_notice",
    "cookies",
    "help",
    "health_alive",
    "health_ready",
    # The transparency page of a published project, its feed, open data and published documents
    # (404 otherwise).
    "pilotage:public",
    "pilotage:public_feed",
    "pilotage:open_data",
    "pilotage:public_document",
    # A consultation's answer form and its thanks page: the unguessable token is the key.
    "consultations:answer",
    "consultations:thanks",
}
LOGIN_ONLY = {
    "api_tokens:create",
    "api_tokens:revoke",
    "projects:list",
    "projects:territory_search",
    "projects:territory_preview",
    "accounts:account",
    "accounts:password_change",
    "accounts:otp_verify",
    "accounts:otp_setup",
    "accounts:otp_disable",
    "accounts:todo_digest",
}
# The cockpit is also open to observateurs nationaux (tests/pilotage).
ARS_ADMIN_ONLY = {
    "projects:create",
    "pilotage:cockpit",
    "pilotage:export",
    "pilotage:comparison",
    "pilotage:organisation",
}
# Views whose object asks more than the view's capability: a job page needs the capability of
# its kind (the matrix's job is a FINESS import, which needs the directory's).
FINER_CAPABILITY = {"jobs:detail": Capability.EDIT_DIRECTORY}
SHOW_ONLY = {
    "projects:list",
    "projects:territory_search",
    "projects:territory_preview",
    "accounts:account",
}  # no form: POST is 405
ALL_ROLES = list(Role)

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Route:
    callback: object
    arguments: frozenset  # URL arguments, including those of enclosing include()s


def consume(response) -> None:
    # Read streamed downloads through the test client's wrapper, which closes the file without
    # closing the database connection (response.close() would, inside a test transaction).
    if response.streaming:
        b"".join(response.streaming_content)


def _walk(patterns, namespace="", arguments=frozenset()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in ("admin", "api"):
                continue  # the REST API has its own walk (test_the_api_gives_each_role_…)
            child = ":".join(n for n in (namespace, entry.namespace) if n)
            yield from _walk(entry.url_patterns, child, arguments | set(entry.pattern.converters))
        elif isinstance(entry, URLPattern) and entry.name:
            name = ":".join(n for n in (namespace, entry.name) if n)
            yield name, Route(entry.callback, arguments | set(entry.pattern.converters))


def all_named_urls() -> dict[str, Route]:
    return dict(_walk(get_resolver().url_patterns))


def project_urls() -> dict[str, Route]:
    return {name: route for name, route in all_named_urls().items() if "slug" in route.arguments}


def populate(project) -> dict:
    """One object of every kind a project URL can point at."""
    import datetime as dt

    from django.utils import timezone

    from ptsm.diagnostic.models import Indicator, PendingIndicatorImport
    from ptsm.governance import services as governance
    from ptsm.governance.models import (
        Body,
        BodyMember,
        CommunicationAction,
        FollowUpTask,
        LocalInitiative,
        Meeting,
    )
    from ptsm.organisations.models import Contact, Organisation, PendingFinessImport, PendingImport

    lead = member(project, Role.PROJECT_LEAD)
    generate_document(project=project, kind_slug="carte-identite-territoire", fmt="pdf")
    organisation = Organisation.objects.create(
        project=project, name="CH", category="sanitaire_public"
    )
    contact = Contact.objects.create(
        project=project,
        organisation=organisation,
        first_name="A",
        last_name="B",
        email=f"a@{project.slug}.fr",
    )
    governance.create_default_bodies(project=project)
    body = Body.objects.filter(project=project).first()
    body_member = BodyMember.objects.create(body=body, contact=contact)
    start = timezone.now()
    meeting = Meeting.objects.create(
        body=body, title="COPIL", starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    invitation = governance.add_invitation(meeting=meeting, contact=contact)
    signed = _signed_letter_version(project, lead)
    from ptsm.diagnostic.models import Finding

    finding = Finding.objects.create(project=project, entry_door=1, kind="force", text="Constat")
    from ptsm.roadmap.models import Action, Objective, Orientation, Theme
    from ptsm.roadmap.services import validate_roadmap

    orientation = Orientation.objects.create(project=project, title="Orientation", number=1)
    objective = Objective.objects.create(
        theme=Theme.objects.create(orientation=orientation, title="T"), title="O"
    )
    action = Action.objects.create(
        objective=objective, title="Action", pilot_organisation=organisation, status="validee"
    )
    action.operators.set([organisation])
    from ptsm.commitments import services as commitments

    letter = commitments.ensure_letter(project=project)
    annex = commitments.generate_annex(letter=letter, organisation=organisation)
    from django.core.files.uploadedfile import SimpleUploadedFile

    with annex.pdf.content.open("rb") as handle:
        commitments.record_signed_pdf(
            signatory=letter.signatories.get(),
            upload=SimpleUploadedFile("signee.pdf", handle.read() + b"\n% signee\n"),
            signed_on=start.date(),
            signed_outside=True,
        )
    roadmap_version = validate_roadmap(
        project=project,
        meeting=None,
        decision="Validée",
        validated_on=start.date(),
        user=lead,
        lines=["1. Orientation"],
    )
    from ptsm.evaluation import services as evaluation
    from ptsm.roadmap.models import ActionIndicator

    indicator = ActionIndicator.objects.create(action=action, name="Personnes accompagnées")
    indicator_value = evaluation.record_indicator_value(
        indicator=indicator, measured_on=start.date(), value="12"
    )
    evaluation.save_review_texts(
        review=evaluation.ensure_review(project=project, kind="six_mois"),
        texts={"summary": "Bilan"},
    )
    consultation = _consultation(project)
    return {
        "consultation": consultation.number,
        "response": consultation.responses.get().pk,
        "question": consultation.questions.get().pk,
        "indicator": indicator.pk,
        "indicator_value": indicator_value.pk,
        "orientation": orientation.pk,
        "signatory": letter.signatories.get().pk,
        "annex": annex.pk,
        "objective": objective.pk,
        "action": action.pk,
        "roadmap_version": roadmap_version.number,
        "finding": finding.pk,
        "version": signed.number,
        "milestone": project.milestones.first().pk,
        "member": project.memberships.first().pk,
        "document": project.generated_documents.first().pk,
        "organisation": organisation.pk,
        "contact": contact.pk,
        "job": Job.objects.create(project=project, kind="import-finess", title="Import").pk,
        "pending": PendingImport.objects.create(
            project=project, user=lead, kind="organisations", file_name="x.csv"
        ).pk,
        "pending_finess": PendingFinessImport.objects.create(
            project=project, user=lead, file_name="etalab-cs1100507-stock.csv"
        ).pk,
        "body": body.pk,
        "body_member": body_member.pk,
        "meeting": meeting.pk,
        "invitation": invitation.pk,
        "decision": governance.add_decision(meeting=meeting, text="Décision").pk,
        "task": FollowUpTask.objects.create(meeting=meeting, description="Suivi").pk,
        "initiative": LocalInitiative.objects.create(project=project, kind="clsm", name="CLSM").pk,
        "own_indicator": Indicator.objects.create(
            project=project,
            code=f"P{project.pk}-1",
            label="Indicateur du projet",
            definition="Défini par le projet.",
            unit="%",
            source="Observatoire régional",
            geographic_level="département",
            grid="parcours",
        ).code,
        "indicator_pending": PendingIndicatorImport.objects.create(
            project=project, user=lead, file_name="odisse.csv", headers=["annee"], rows=[["2022"]]
        ).pk,
        "communication": CommunicationAction.objects.create(
            project=project,
            objective="Informer",
            audience="Tous",
            channel="Courriel",
            date=dt.date(2026, 5, 1),
        ).pk,
    }


def _consultation(project):
    """An open consultation with one question and one answer (its results can be exported)."""
    import datetime as dt

    from ptsm.consultations import services as consultations
    from ptsm.consultations.models import QuestionKind
    from ptsm.consultations.targets import find_target

    consultation = consultations.create_consultation(
        project=project,
        title="Votre avis",
        introduction="Sur le projet de feuille de route.",
        target=find_target(project, "feuille-de-route:"),
        opens_on=dt.date(2026, 3, 1),
        closes_on=dt.date(2026, 3, 31),
    )
    question = consultations.add_question(
        consultation=consultation, kind=QuestionKind.TEXT, text="Qu'en pensez-vous ?"
    )
    consultations.open_consultation(consultation=consultation)
    consultations.submit_response(
        consultation=consultation,
        category="proche",
        answers={question.pk: {"text": "Bien."}},
        today=dt.date(2026, 3, 2),
    )
    return consultation


def _signed_letter_version(project, lead):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ptsm.framing import services as framing
    from ptsm.framing.models import LetterStatus

    letter = ready_framing_letter(framing.ensure_letter(project=project))
    framing.change_status(letter=letter, to_status=LetterStatus.REVIEW, user=lead)
    framing.generate_version(letter=letter, user=lead)
    framing.change_status(letter=letter, to_status=LetterStatus.VALIDATED, user=lead)
    version = framing.generate_version(letter=letter, user=lead)
    with version.pdf.content.open("rb") as handle:
        upload = SimpleUploadedFile("signee.pdf", handle.read() + b"\n% signee\n")
    return framing.sign_version(
        version=version,
        user=lead,
        mode="depot",
        signed_on=version.created_at.date(),
        upload=upload,
        signed_outside=True,
    )


# Pages of an object that belongs to one user of the project (the pending import they uploaded).
USER_OWNED = {"organisations:import_pending", "organisations:import_refused"}

# Which object of the project each URL argument designates, by URL name.
URL_OBJECTS = {
    "projects:milestone_edit": {"pk": "milestone"},
    "projects:milestone_delete": {"pk": "milestone"},
    "projects:member_role": {"pk": "member"},
    "projects:member_remove": {"pk": "member"},
    "documents:download": {"pk": "document"},
    "documents:history": {"pk": "document"},
    "organisations:detail": {"pk": "organisation"},
    "organisations:edit": {"pk": "organisation"},
    "organisations:logo": {"pk": "organisation"},
    "organisations:delete": {"pk": "organisation"},
    "organisations:archive": {"pk": "organisation"},
    "organisations:contact_archive": {"pk": "contact"},
    "organisations:contact_edit": {"pk": "contact"},
    "organisations:contact_delete": {"pk": "contact"},
    "organisations:contact_export": {"pk": "contact"},
    "organisations:contact_erase": {"pk": "contact"},
    "organisations:import_confirm": {"pk": "pending"},
    "organisations:finess_choose": {"pk": "pending_finess"},
    "organisations:import_pending": {"pk": "pending"},
    "organisations:import_save_mapping": {"pk": "pending"},
    "organisations:import_refused": {"pk": "pending"},
    "jobs:detail": {"pk": "job"},
    "governance:body": {"pk": "body"},
    "governance:body_edit": {"pk": "body"},
    "governance:meeting_create": {"body_pk": "body"},
    "governance:body_member_edit": {"pk": "body_member"},
    "governance:body_member_remove": {"pk": "body_member"},
    "governance:meeting_attendance": {"pk": "meeting", "invitation_pk": "invitation"},
    "governance:decision_delete": {"pk": "decision"},
    "governance:task_status": {"pk": "task"},
    "governance:initiative_edit": {"pk": "initiative"},
    "governance:initiative_delete": {"pk": "initiative"},
    "governance:communication_edit": {"pk": "communication"},
    "governance:communication_delete": {"pk": "communication"},
    "diagnostic:finding_edit": {"pk": "finding"},
    "diagnostic:finding_delete": {"pk": "finding"},
    "diagnostic:long_mapping": {"pk": "indicator_pending"},
    "roadmap:child_create": {"pk": "orientation"},
    "roadmap:item_edit": {"pk": "orientation"},
    "roadmap:item_move": {"pk": "orientation"},
    "roadmap:item_archive": {"pk": "orientation"},
    "roadmap:action_create": {"pk": "objective"},
    "roadmap:action": {"pk": "action"},
    "roadmap:action_edit": {"pk": "action"},
    "roadmap:action_section": {"pk": "action"},
    "roadmap:action_row": {"pk": "action"},
    "roadmap:operator": {"pk": "organisation"},
    **{
        f"commitments:{name}": {"pk": "signatory"}
        for name in (
            "annex_generate",
            "amendment",
            "send",
            "remind",
            "signed",
            "refused",
            "signed_pdf",
        )
    },
    "commitments:annex_diff": {"pk": "annex"},
    "evaluation:indicator": {"pk": "indicator"},
    "evaluation:value_delete": {"pk": "indicator_value"},
    "consultations:question_delete": {"pk": "question"},
    "consultations:response_hide": {"pk": "response"},
    "consultations:response_show": {"pk": "response"},
}
URL_VALUES = {
    "what": "organisations",
    "fmt": "csv",
    "key": "contexte",
    "code": "PAUVRETE",
    "level": "orientation",
    "kind": "six-mois",
    "section": "financement",
    "prefix": "financements",
}


@pytest.fixture
def projects():
    """Project A (Finistère, Bretagne) and project B (Deux-Sèvres, Nouvelle-Aquitaine)."""
    a = make_project(departement="29", name="Projet A")
    b = make_project(departement="79", name="Projet B")
    a_objects, b_objects = populate(a), populate(b)
    for project in (a, b):
        project.refresh_from_db()  # the method events of `populate` moved the phase
    return (a, a_objects), (b, b_objects)


def _url_for(name: str, route, project_and_objects) -> str:
    project, objects = project_and_objects
    kwargs = {"slug": project.slug}
    for argument in route.arguments - {"slug"}:
        if name == "commitments:text" and argument == "key":
            kwargs["key"] = "preambule"
        elif name in ("diagnostic:indicator_edit", "diagnostic:indicator_delete"):
            kwargs["code"] = objects["own_indicator"]  # ANAP indicators are never editable
        elif argument in URL_VALUES:
            kwargs[argument] = URL_VALUES[argument]
        elif name.startswith("governance:meeting") and argument == "pk":
            kwargs["pk"] = objects["meeting"]
        elif name.startswith("roadmap:") and argument == "number":
            kwargs["number"] = objects["roadmap_version"]
        elif name.startswith("consultations:") and argument == "number":
            kwargs["number"] = objects["consultation"]
        elif name.startswith("diagnostic:") and argument == "number":
            kwargs["number"] = 1  # entry door
        elif argument == "number":
            kwargs["number"] = objects["version"]
        else:
            try:
                kwargs[argument] = objects[URL_OBJECTS[name][argument]]
            except KeyError as exc:
                raise AssertionError(f"Add an object of the project for {name}/{argument}") from exc
    return reverse(name, kwargs=kwargs)


def test_every_url_is_classified_and_every_project_view_checks_a_capability():
    for name, pattern in all_named_urls().items():
        if name in PUBLIC | LOGIN_ONLY | ARS_ADMIN_ONLY:
            continue
        assert "slug" in pattern.arguments, f"{name} is neither public nor project-scoped"
        assert hasattr(pattern.callback, "required_capability"), (
            f"{name} must be protected by project_view(capability)"
        )


def _snapshot(project):
    from ptsm.governance.models import Body, Meeting
    from ptsm.organisations.models import Contact, Organisation

    return (
        list(Organisation.objects.filter(project=project).values_list("pk", "name")),
        list(Contact.objects.filter(project=project).values_list("pk", "email")),
        list(Body.objects.filter(project=project).values_list("pk", "name")),
        list(
            Meeting.objects.filter(body__project=project).values_list(
                "pk", "title", "minutes", "sequence"
            )
        ),
        list(project.framing_letter.versions.values_list("pk", "signed", "signed_sha256")),
        project.framing_letter.texts,
        project.framing_letter.status,
        list(project.findings.values_list("pk", "text")),
        list(project.indicator_values.values_list("pk", "value")),
        list(project.diagnostic_versions.values_list("pk", "sha256")),
        list(project.orientations.values_list("pk", "title", "position", "archived")),
        list(project.roadmap_versions.values_list("pk", "sha256")),
        list(project.commitment_letter.signatories.values_list("pk", "status", "signed_sha256")),
        list(project.commitment_letter.annex_versions.values_list("pk", "number", "signed")),
        list(project.reviews.values_list("pk", "kind", "texts")),
        list(project.review_validations.values_list("pk", "sha256")),
        list(
            ActionIndicatorValue.objects.filter(
                indicator__action__objective__theme__orientation__project=project
            ).values_list("pk", "value", "measured_on")
        ),
        project.name,
        project.phase,
        project.territory.name,
        list(project.territory.departements.values_list("code", flat=True)),
        project.territory.communes.count(),
        project.region_id,
        list(project.milestones.values_list("pk", "title", "due_date", "done_on")),
        list(
            Membership.objects.filter(project=project).values_list(
                "pk", "user_id", "role", "organisation_id"
            )
        ),
        project.generated_documents.count(),
        list(project.consultations.values_list("pk", "status", "title", "summary")),
        list(
            project.consultations.values_list("questions__pk", "responses__pk", "responses__hidden")
        ),
    )


METHODS = ("get", "post", "put", "patch", "delete")
WRITE_METHODS = ("post", "put", "patch", "delete")
FORGED = {
    "name": "piraté",
    "title": "piraté",
    "text": "piraté",
    "role": "project_lead",
    "territory_name": "piraté",
    "departements": "79",
}


def _send(client, method: str, url: str):
    if method in ("get", "post"):
        response = getattr(client, method)(url, FORGED)
    else:  # what a script would send: a form body with another verb
        response = getattr(client, method)(
            url, urlencode(FORGED), content_type="application/x-www-form-urlencoded"
        )
    consume(response)
    return response


def _login_as(client, project, role, objects):
    """A member of the project with this role; a signataire d'opérateur acts for the project's
    operator, so that their own annex is theirs to see."""
    user = member(project, role)
    if role == Role.OPERATOR_SIGNATORY:
        Membership.objects.filter(user=user).update(organisation_id=objects["organisation"])
    login(client, user)
    return user


@pytest.mark.parametrize("role", ALL_ROLES, ids=[r.value for r in ALL_ROLES])
def test_a_member_of_project_a_can_neither_read_nor_change_project_b(client, projects, role):
    (a, a_objects), b_and_objects = projects
    b = b_and_objects[0]
    _login_as(client, a, role, a_objects)
    before = _snapshot(b)
    for name, pattern in project_urls().items():
        url = _url_for(name, pattern, b_and_objects)
        for method in METHODS:
            response = _send(client, method, url)
            assert response.status_code in (403, 404), f"{role} {method.upper()} {url}"
    b.refresh_from_db()
    assert _snapshot(b) == before


def test_anonymous_users_are_sent_to_login_everywhere(client, projects):
    _a, b_and_objects = projects
    login_url = reverse("accounts:login")
    names = {
        **project_urls(),
        **{n: p for n, p in all_named_urls().items() if n in LOGIN_ONLY | ARS_ADMIN_ONLY},
    }
    before = _snapshot(b_and_objects[0])
    for name, pattern in names.items():
        url = (
            _url_for(name, pattern, b_and_objects) if "slug" in pattern.arguments else reverse(name)
        )
        for method in METHODS:
            response = _send(client, method, url)
            assert response.status_code == 302, f"{method.upper()} {url}"
            assert response.url.startswith(login_url), url
    b_and_objects[0].refresh_from_db()
    assert _snapshot(b_and_objects[0]) == before


@pytest.mark.parametrize("role", ALL_ROLES, ids=[r.value for r in ALL_ROLES])
def test_inside_its_project_each_role_gets_what_its_capabilities_allow(client, projects, role):
    a_and_objects, _b = projects
    a = a_and_objects[0]
    _login_as(client, a, role, a_and_objects[1])
    for name, pattern in project_urls().items():
        url = _url_for(name, pattern, a_and_objects)
        response = client.get(url)
        consume(response)
        capability = FINER_CAPABILITY.get(name, pattern.callback.required_capability)
        if not role_allows(role, capability):
            assert response.status_code == 403, f"{role} GET {url}"
        elif getattr(pattern.callback, "object_level_check", False) and role == Role.ACTION_PILOT:
            assert response.status_code == 403, f"{role} GET {url}: not the pilot of this action"
        elif name in USER_OWNED:
            # A pending import is its uploader's own: another member gets « n'existe plus ».
            assert response.status_code in (200, 404, 405), f"{role} GET {url}"
        else:
            assert response.status_code in (200, 405), f"{role} GET {url}"


@pytest.mark.parametrize("role", ALL_ROLES, ids=[r.value for r in ALL_ROLES])
def test_inside_its_project_no_role_changes_anything_it_may_not(client, projects, role):
    """Every URL, every write method: a role lacking the view's capability gets 403 whatever the
    method; PUT, PATCH and DELETE, which no page sends, get 405 from the roles that have it; and
    nothing changes in the project."""
    (a, a_objects), _b = projects
    _login_as(client, a, role, a_objects)
    before = _snapshot(a)
    for name, pattern in project_urls().items():
        url = _url_for(name, pattern, (a, a_objects))
        allowed = role_allows(role, pattern.callback.required_capability)
        for method in WRITE_METHODS:
            if allowed and method == "post":
                continue  # allowed writes are each app's own tests
            status = _send(client, method, url).status_code
            expected = 405 if allowed else 403
            assert status == expected, f"{role} {method.upper()} {url}: {status}"
    a.refresh_from_db()
    assert _snapshot(a) == before


@pytest.mark.parametrize(
    "role", [Role.READER, Role.OPERATOR_SIGNATORY], ids=["reader", "operator_signatory"]
)
def test_read_only_roles_change_nothing_anywhere(client, projects, role):
    """The lecteur, and the signataire d'opérateur who may only deposit their own organisation's
    signed annex, get 403 or 405 (404 for another operator's part) on every POST; a page that
    only shows answers POST with 405."""
    (a, a_objects), _b = projects
    user = member(a, role)  # a signataire acting for no organisation: no annex is theirs
    login(client, user)
    before = _snapshot(a)
    wrong = []
    for name, pattern in project_urls().items():
        url = _url_for(name, pattern, (a, a_objects))
        status = _send(client, "post", url).status_code
        allowed = role_allows(role, pattern.callback.required_capability)
        if status not in ((403, 404, 405) if allowed else (403,)):
            wrong.append(f"{name} {url}: {status}")
    assert not wrong, f"{role} POST:\n" + "\n".join(wrong)
    a.refresh_from_db()
    assert _snapshot(a) == before


@pytest.mark.parametrize("role", ALL_ROLES, ids=[r.value for r in ALL_ROLES])
def test_only_ars_administrators_can_create_projects(client, projects, role):
    (a, _), _b = projects
    login(client, member(a, role))
    expected = 200 if role == Role.ARS_ADMIN else 403
    assert client.get(reverse("projects:create")).status_code == expected


def test_pages_outside_projects_answer_only_the_methods_they_serve(client, projects):
    (a, _), _b = projects
    login(client, member(a, Role.ARS_ADMIN))
    for name in LOGIN_ONLY | ARS_ADMIN_ONLY:
        for method in ("put", "patch", "delete"):
            assert _send(client, method, reverse(name)).status_code == 405, f"{method} {name}"
    for name in SHOW_ONLY:
        assert _send(client, "post", reverse(name)).status_code == 405, name


def test_project_list_shows_only_granted_projects(client, projects):
    (a, _), _b = projects
    login(client, member(a, Role.READER))
    page = client.get(reverse("projects:list")).content.decode()
    assert "Projet A" in page
    assert "Projet B" not in page


def test_ars_administrator_sees_every_project_of_their_region_only(client, projects):
    (a, _), _b = projects
    other_in_region = make_project(departement="35", name="Projet Ille-et-Vilaine")
    login(client, member(a, Role.ARS_ADMIN))
    page = client.get(reverse("projects:list")).content.decode()
    assert "Projet A" in page and "Projet Ille-et-Vilaine" in page
    assert "Projet B" not in page
    assert (
        client.get(reverse("projects:dashboard", kwargs={"slug": other_in_region.slug})).status_code
        == 200
    )


# The REST API (/api/v1/) ------------------------------------------------------------------------
API_PUBLIC = {"api:schema", "api:docs", "api:not_found", "api:api-root"}
# Which object of `populate` each API collection's records are, by the router's basename.
API_OBJECTS = {
    "projet": "project",
    "organisation": "organisation",
    "contact": "contact",
    "instance": "body",
    "reunion": "meeting",
    "lettre-de-cadrage": "framing_letter",
    "valeur-diagnostic": "indicator_value_diagnostic",
    "indicateur": "own_indicator",
    "orientation": "orientation",
    "fiche-action": "action",
    "mesure-indicateur": "indicator_value",
    "engagement": "signatory",
    "bilan": "review",
    "document": "document",
}


def api_routes() -> dict[str, Route]:
    from ptsm.api.urls import urlpatterns

    return {f"api:{name}": route for name, route in _walk(urlpatterns)}


def _api_objects(project, objects) -> dict:
    from ptsm.diagnostic.models import Indicator
    from ptsm.diagnostic.services import set_value

    value = set_value(
        project=project,
        indicator=Indicator.objects.order_by("code").first(),
        level="territoire",
        year=2024,
        value=50,
    )
    from ptsm.diagnostic.models import Indicator as CatalogueIndicator
    from ptsm.diagnostic.services import create_indicator

    own = create_indicator(
        project=project,
        indicator=CatalogueIndicator(
            label="File active du CMP",
            definition="Personnes suivies dans l'année.",
            unit="personnes",
            source="CMP",
            geographic_level="territoire",
            grid="parcours",
            is_count=True,
        ),
    )
    return {
        **objects,
        "own_indicator": own.pk,
        "project": project.slug,
        "framing_letter": project.framing_letter.pk,
        "indicator_value_diagnostic": value.pk,
        "review": project.reviews.get().pk,
    }


def _api_url(name: str, route, objects) -> str:
    basename = name.removeprefix("api:").rsplit("-", 1)[0]
    if name.endswith("-lot"):
        basename = "valeur-diagnostic"
    elif name.endswith("-pdf-signe"):
        basename = "engagement"
    kwargs = {}
    for argument in route.arguments:
        kwargs[argument] = objects[API_OBJECTS[basename]]
    return reverse(name, kwargs=kwargs)


def _api_payloads(name: str, project, objects) -> dict:
    """A valid write for each API endpoint that writes (it is refused only for lack of rights)."""
    import datetime as dt

    from ptsm.diagnostic.models import Indicator

    today = dt.date.today().isoformat()
    code = Indicator.objects.order_by("code").first().code
    return {
        "api:organisation-list": {
            "projet": project.slug,
            "finess_et": "290000017",
            "name": "Matrice",
            "category": "social",
        },
        "api:organisation-detail": {"phone": "01 02 03 04 05"},
        "api:mesure-indicateur-list": {
            "indicateur": objects["indicator"],
            "date_mesure": today,
            "valeur": "99",
        },
        "api:valeur-diagnostic-lot": {
            "projet": project.slug,
            "valeurs": [{"indicateur": code, "niveau": "france", "annee": 2020, "valeur": 42}],
        },
    }.get(name)


# The writes the API offers, and the method each is written with (the matrix sends it with each
# role's token: allowed roles succeed, the others get 403, project B's records 404).
API_WRITES = {
    "api:organisation-list": "post",
    "api:organisation-detail": "patch",
    "api:mesure-indicateur-list": "post",
    "api:valeur-diagnostic-lot": "post",
}


def _api_write_allowed(name: str, role) -> bool:
    return {
        "api:organisation-list": role_allows(role, Capability.EDIT_DIRECTORY),
        "api:organisation-detail": role_allows(role, Capability.EDIT_DIRECTORY),
        # The matrix's pilot does not pilot the action: only the leads record its measures.
        "api:mesure-indicateur-list": role_allows(role, Capability.EDIT_ROADMAP),
        "api:valeur-diagnostic-lot": role_allows(role, Capability.EDIT_DIAGNOSTIC),
    }[name]


def test_every_api_url_is_public_documentation_or_a_project_scoped_viewset():
    from ptsm.api.views import ProjectScopedViewSet

    for name, route in api_routes().items():
        if name in API_PUBLIC:
            continue
        assert issubclass(route.callback.cls, ProjectScopedViewSet), name


def _api_read(client, role, name, url_a, url_b, a, b, sees_document) -> list[str]:
    wrong = []
    response = client.get(url_a)
    consume(response)
    expected = 200
    if name in ("api:document-detail", "api:document-fichier"):
        expected = 200 if sees_document else 404
    if response.status_code != expected:
        wrong.append(f"{role} GET {name} (A): {response.status_code}")
    elif name.endswith("-list"):
        rows = response.json()["results"]
        slugs = {row.get("projet", row.get("slug")) for row in rows}
        if name == "api:indicateur-list":
            slugs -= {None}  # the ANAP catalogue, shared by every project
        if slugs != {a.slug}:
            wrong.append(f"{role} GET {name}: projects {slugs}")
    response = client.get(url_b, {"projet": b.slug} if name.endswith("-list") else {})
    consume(response)
    if response.status_code != 404:
        wrong.append(f"{role} GET {name} (B): {response.status_code}")
    return wrong


def test_the_api_gives_each_role_exactly_what_the_interface_gives(projects):
    """Every API URL, every role, every method, with a token: project A's records for its
    members (the reads every role has, the writes only for the roles whose capabilities allow
    them, 405 for what the API does not offer); project B's records do not exist for them (404,
    or 400 for an indicator they cannot see), and nothing of B changes. Anonymous: 401."""
    import datetime as dt

    from rest_framework.test import APIClient

    from ptsm.api.services import create_token
    from ptsm.documents.models import GeneratedDocument
    from ptsm.documents.selectors import Viewer, may_download

    (a, a_objects), (b, b_objects) = projects
    a_objects, b_objects = _api_objects(a, a_objects), _api_objects(b, b_objects)
    routes = {n: r for n, r in api_routes().items() if n not in API_PUBLIC}
    assert len(routes) >= 28
    before = _snapshot(b)
    wrong = []
    anonymous = APIClient()
    for name, route in routes.items():
        for method in METHODS:
            status = getattr(anonymous, method)(_api_url(name, route, a_objects)).status_code
            if status != 401:
                wrong.append(f"anonymous {method.upper()} {name}: {status}")
    for role in ALL_ROLES:
        user = member(a, role)
        if role == Role.OPERATOR_SIGNATORY:
            Membership.objects.filter(user=user).update(organisation_id=a_objects["organisation"])
        expires = dt.date.today() + dt.timedelta(days=30)
        secret = create_token(user=user, name="matrice", expires_on=expires).secret
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        document = GeneratedDocument.objects.get(pk=a_objects["document"])
        sees_document = may_download(
            a,
            Viewer(role, a_objects["organisation"] if role == Role.OPERATOR_SIGNATORY else None),
            kind_slug=document.kind,
            variant_key=document.variant,
        )
        for name, route in routes.items():
            url_a, url_b = _api_url(name, route, a_objects), _api_url(name, route, b_objects)
            payload = _api_payloads(name, a, a_objects)
            for method in METHODS:
                if method == "get" and not name.endswith("-lot"):
                    wrong += _api_read(client, role, name, url_a, url_b, a, b, sees_document)
                elif API_WRITES.get(name) == method:
                    b_payload = _api_payloads(name, b, b_objects)
                    status = getattr(client, method)(url_b, b_payload, format="json").status_code
                    if status not in (400, 404):
                        wrong.append(f"{role} {method.upper()} {name} (B): {status}")
                    status = getattr(client, method)(url_a, payload, format="json").status_code
                    allowed = _api_write_allowed(name, role)
                    if (status in (200, 201)) != allowed or (not allowed and status != 403):
                        wrong.append(f"{role} {method.upper()} {name} (A): {status}")
                else:  # what the API does not offer: 405 whatever the record
                    for url in (url_a, url_b):
                        response = getattr(client, method)(url, FORGED, format="json")
                        if response.status_code != 405:
                            wrong.append(f"{role} {method.upper()} {url}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
    b.refresh_from_db()
    assert _snapshot(b) == before


def test_every_operation_of_the_api_schema_is_walked_by_the_matrix(client):
    """Each documented (path, method) is one the matrix above sends with every role: reads
    allowed to the project's roles and refused elsewhere (404, anonymous 401), writes allowed to
    the roles whose capabilities permit them and refused (403) to the others."""
    import json

    from django.urls import resolve

    schema = json.loads(client.get(reverse("api:schema"), {"format": "json"}).content)
    routes = api_routes()
    walked = {(name, "get") for name in routes if name not in API_PUBLIC}
    walked -= {("api:valeur-diagnostic-lot", "get")}
    walked |= set(API_WRITES.items())
    documented = set()
    for path, operations in schema["paths"].items():
        url = path.replace("{id}", "1").replace("{slug}", "projet")
        name = f"api:{resolve(url).url_name}"
        assert name in routes and name not in API_PUBLIC, path
        for method in operations:
            if method in METHODS:
                documented.add((name, method))
    assert documented == walked, documented ^ walked

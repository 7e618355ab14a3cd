"""Jobs as users see them: failures explained in French, access by role, takeover of a job
whose worker died, a runner that lost its job stops."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from ptsm.accounts.models import Role
from ptsm.jobs import registry, services
from ptsm.jobs.models import Job, JobState
from ptsm.jobs.registry import JobKind, JobResult
from ptsm.organisations.models import Organisation
from tests.factories import make_project, member
from tests.helpers import login, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return make_project(departement="29")


@pytest.fixture
def kind():
    """A job kind whose handler the test sets."""
    behaviour = {}

    def handler(job, progress):
        return behaviour["run"](job, progress)

    registry.register(JobKind("essai", "Travail d'essai", handler, "edit_directory"))
    yield behaviour
    registry._KINDS.pop("essai")


def test_a_failure_the_handler_explains_is_shown_as_is(client, project, kind):
    def refuse(job, progress):
        raise services.JobFailed("Le fichier ne contient aucune ligne du territoire.")

    kind["run"] = refuse
    lead = member(project, Role.PROJECT_LEAD)
    job = services.start_job(project=project, kind="essai", user=lead)
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    login(client, lead)
    page = page_text(
        client.get(reverse("jobs:detail", kwargs={"slug": project.slug, "pk": job.pk}))
    )
    assert "Échec" in page and "Le fichier ne contient aucune ligne du territoire." in page


def test_an_unexpected_error_gives_a_french_message_with_a_reference(project, kind, caplog):
    def crash(job, progress):
        raise ZeroDivisionError

    kind["run"] = crash
    job = services.start_job(project=project, kind="essai")
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert "Une erreur inattendue a interrompu ce travail" in job.message
    assert str(job.pk) in job.message
    assert "ZeroDivisionError" not in job.message  # the trace goes to the logs only
    assert any("ZeroDivisionError" in (r.exc_text or "") or r.exc_info for r in caplog.records)


def test_running_a_finished_job_again_does_nothing(project, kind):
    runs = []

    def count(job, progress):
        runs.append(job.pk)
        return JobResult(message="Fait.")

    kind["run"] = count
    job = services.start_job(project=project, kind="essai")
    services.run_job(job_id=job.pk)  # a duplicate delivery by the queue
    assert len(runs) == 1


def test_a_stalled_job_is_taken_over_and_the_old_runner_stops(project, kind, settings):
    steps = []

    def slow(job, progress):
        progress(1, 3, "première étape")
        steps.append(job.attempts)
        return JobResult(message="Fait.")

    kind["run"] = slow
    job = Job.objects.create(project=project, kind="essai", title="Travail d'essai")
    # A first runner took it, then its machine stopped.
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING,
        runner="dead-runner",
        attempts=1,
        heartbeat_at=timezone.now() - dt.timedelta(seconds=settings.PTSM_JOB_STALL_SECONDS + 1),
    )
    dead = services.Progress(job, "dead-runner")
    assert services.requeue_stalled_jobs() == 1
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.attempts == 2 and steps == [2]
    # Were the first runner only slow, its next report finds the job taken and it stops.
    with pytest.raises(services.Superseded):
        dead(2, 3)


def test_a_job_interrupted_too_often_fails_with_a_message(project, kind, settings):
    kind["run"] = lambda job, progress: JobResult()
    job = Job.objects.create(
        project=project,
        kind="essai",
        title="Travail d'essai",
        state=JobState.RUNNING,
        attempts=settings.PTSM_JOB_MAX_ATTEMPTS,
        heartbeat_at=timezone.now() - dt.timedelta(hours=1),
    )
    assert services.requeue_stalled_jobs() == 0
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert "interrompu 3 fois" in job.message


def test_a_living_job_is_not_taken_over(project, kind):
    kind["run"] = lambda job, progress: JobResult()
    job = Job.objects.create(
        project=project,
        kind="essai",
        title="Travail d'essai",
        state=JobState.RUNNING,
        runner="alive",
        attempts=1,
        heartbeat_at=timezone.now(),
    )
    assert services.requeue_stalled_jobs() == 0
    services.run_job(job_id=job.pk)  # a duplicate delivery while it runs
    job.refresh_from_db()
    assert job.state == JobState.RUNNING and job.runner == "alive"


def test_the_job_page_follows_the_project_roles(client, project):
    lead = member(project, Role.PROJECT_LEAD)
    login(client, lead)
    upload = io.BytesIO(b"finess;etalab;102;2026-10-15\n")
    upload.name = "etalab.csv"
    client.post(
        reverse("organisations:finess_import", kwargs={"slug": project.slug}), {"file": upload}
    )
    job = Job.objects.get(project=project)
    url = reverse("jobs:detail", kwargs={"slug": project.slug, "pk": job.pk})
    assert client.get(url).status_code == 200
    assert "Import du fichier FINESS" in page_text(
        client.get(reverse("jobs:list", kwargs={"slug": project.slug}))
    )

    login(client, member(project, Role.READER))  # may not import: may not see the import
    assert client.get(url).status_code == 403
    assert "Import du fichier FINESS" not in page_text(
        client.get(reverse("jobs:list", kwargs={"slug": project.slug}))
    )
    other = make_project(departement="79")
    login(client, member(other, Role.PROJECT_LEAD))
    assert client.get(url).status_code == 404
    elsewhere = reverse("jobs:detail", kwargs={"slug": other.slug, "pk": job.pk})
    assert client.get(elsewhere).status_code == 404
    assert not Organisation.objects.filter(project=other).exists()


def test_a_double_click_queues_one_job_of_a_kind_that_runs_once(project, settings):
    """On the real queue (database): the second click finds the first job waiting."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    first = services.start_job(project=project, kind="liasse-engagements", once=True)
    again = services.start_job(project=project, kind="liasse-engagements", once=True)
    assert again.pk == first.pk
    assert Job.objects.filter(project=project).count() == 1
    Job.objects.filter(pk=first.pk).update(state=JobState.DONE)
    later = services.start_job(project=project, kind="liasse-engagements", once=True)
    assert later.pk != first.pk  # once finished, a new click builds a new one

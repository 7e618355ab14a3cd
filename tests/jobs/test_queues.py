"""Background jobs on the real queues: the database table run by `db_worker`, and Redis run by
RQ's worker, each in its own process as in production; progress, result, notification."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.jobs.models import Job, JobState
from ptsm.organisations.models import Organisation, PendingFinessImport
from tests.factories import make_project, member
from tests.helpers import login, page_text
from tests.redis_db import redis_test_url

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "organisations" / "data" / "finess-sample-latin1.csv"
TEST_REDIS_URL = redis_test_url(15)

pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    """The test database, for a worker in another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env(settings, backend: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "TASKS_BACKEND": backend,
        "REDIS_URL": TEST_REDIS_URL,
        "DEBUG": "1",  # the local settings (no SECRET_KEY needed); no autoreload in --burst/--batch
    }


def run_worker(settings, backend: str) -> subprocess.CompletedProcess:
    if backend == "db":
        command = ["db_worker", "--batch", "--no-reload", "--interval", "0.1"]
    else:
        command = ["rqworker", "--burst", "--job-class", "django_tasks_rq.Job", "default"]
    return subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=worker_env(settings, backend),
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )


@pytest.fixture
def use_queue(settings, request):
    backend = request.param
    if backend == "db":
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    else:
        settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
        settings.RQ_QUEUES = {"default": {"URL": TEST_REDIS_URL, "DEFAULT_TIMEOUT": 600}}
        redis.Redis.from_url(TEST_REDIS_URL).flushdb()
    yield backend
    if backend == "rq":
        redis.Redis.from_url(TEST_REDIS_URL).flushdb()


@pytest.mark.parametrize("use_queue", ["db", "rq"], indirect=True)
def test_a_finess_import_runs_on_a_worker_and_the_user_is_told(
    client, settings, committed_referential, use_queue
):
    project = make_project(departement="29")
    lead = member(project, Role.PROJECT_LEAD)
    login(client, lead)
    with SAMPLE.open("rb") as stream:
        response = client.post(
            reverse("organisations:finess_import", kwargs={"slug": project.slug}), {"file": stream}
        )
    job = Job.objects.get(project=project)
    assert response.url == reverse("jobs:detail", kwargs={"slug": project.slug, "pk": job.pk})
    # Nothing imported yet: the request only queued the work.
    assert job.state == JobState.PENDING
    assert not Organisation.objects.filter(project=project).exists()
    assert "En attente du serveur de travaux" in page_text(client.get(response.url))

    run_worker(settings, use_queue)

    job.refresh_from_db()
    assert job.state == JobState.DONE, job.message
    assert job.attempts == 1
    # Analysed, not imported: the user chooses the categories first.
    assert not Organisation.objects.filter(project=project).exists()
    # The uploaded file is not kept once analysed, only the territory's establishments.
    assert not list(Path(settings.MEDIA_ROOT).rglob("finess*.csv"))
    pending = PendingFinessImport.objects.get(project=project)
    assert len(pending.records) == 6
    choose = reverse("organisations:finess_choose", kwargs={"slug": project.slug, "pk": pending.pk})
    assert choose in page_text(client.get(response.url))
    response = client.post(choose, {"groups": ["psychiatrie", "hopitaux", "adultes_handicap"]})
    import_job = Job.objects.get(project=project, kind="import-finess")
    assert response.url == reverse(
        "jobs:detail", kwargs={"slug": project.slug, "pk": import_job.pk}
    )
    assert import_job.state == JobState.PENDING
    client.get(response.url)  # the browser follows the redirection to the job's page
    run_worker(settings, use_queue)

    import_job.refresh_from_db()
    assert import_job.state == JobState.DONE, import_job.message
    assert Organisation.objects.filter(project=project).count() == 6
    # The next page the requester opens says it is done, once.
    dashboard = reverse("projects:dashboard", kwargs={"slug": project.slug})
    assert "Terminé : Import du fichier FINESS" in page_text(client.get(dashboard))
    assert "Terminé : Import du fichier FINESS" not in page_text(client.get(dashboard))
    page = page_text(client.get(response.url))
    assert "6 établissements créés" in page and "Voir l'annuaire" in page


def start_worker(settings, backend: str) -> subprocess.Popen:
    if backend == "db":
        command = ["db_worker", "--batch", "--no-reload", "--interval", "0.1"]
    else:
        command = ["rqworker", "--burst", "--job-class", "django_tasks_rq.Job", "default"]
    return subprocess.Popen(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=worker_env(settings, backend),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def kill_abruptly(process: subprocess.Popen) -> None:
    """SIGKILL to the worker and to the child that runs the job (RQ's work horse, in a session
    of its own): no chance to clean up, as when a machine stops."""
    for pid in [*children(process.pid), process.pid]:
        os.kill(pid, signal.SIGKILL)
    process.wait()


def a_large_finess_file(tmp_path) -> Path:
    """The sample's establishments, then two million malformed lines: long enough to read
    that the worker can be killed in the middle."""
    path = tmp_path / "etalab-cs1100507-stock.csv"
    with path.open("wb") as out:
        out.write(SAMPLE.read_bytes().rstrip(b"\n") + b"\n")
        out.write(b"structureet;x\n" * 2_000_000)
    return path


@pytest.mark.parametrize("use_queue", ["db", "rq"], indirect=True)
def test_a_job_whose_worker_is_killed_completes_on_a_second_worker(
    client, settings, committed_referential, use_queue, tmp_path
):
    import time

    from ptsm.jobs.services import requeue_stalled_jobs

    project = make_project(departement="29")
    login(client, member(project, Role.PROJECT_LEAD))
    with a_large_finess_file(tmp_path).open("rb") as stream:
        client.post(
            reverse("organisations:finess_import", kwargs={"slug": project.slug}), {"file": stream}
        )
    job = Job.objects.get(project=project)

    first = start_worker(settings, use_queue)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.done > 0:
            break
        time.sleep(0.02)
    kill_abruptly(first)
    job.refresh_from_db()
    assert job.state == JobState.RUNNING and 0 < job.done < job.total

    # Once it gave no sign of life for the stall delay, cron (or the job page) queues it again.
    settings.PTSM_JOB_STALL_SECONDS = 1
    time.sleep(1.2)
    assert requeue_stalled_jobs() == 1
    run_worker(settings, use_queue)

    job.refresh_from_db()
    assert job.state == JobState.DONE, job.message
    assert job.attempts == 2
    # Done once: the territory's establishments are kept once each for the user's choice.
    assert len(PendingFinessImport.objects.get(project=project).records) == 6
    # Every line was read by the second worker, from the start.
    assert job.details[0].replace("\u202f", " ") == "Ignorées : 2 000 001 — ligne malformée"

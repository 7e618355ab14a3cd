"""Writes of the jobs app: start a job, run it with progress, take over a job whose worker died."""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ptsm.projects.freshness import bump

from .models import Job, JobState
from .registry import JobResult, get_kind

logger = logging.getLogger(__name__)

UNEXPECTED_FAILURE = (
    "Une erreur inattendue a interrompu ce travail. Rien n'a été perdu de ce qui était "
    "enregistré avant. Vous pouvez le relancer ; si l'erreur se répète, signalez la référence "
    "{reference} à l'administrateur de ptsm."
)
TOO_MANY_INTERRUPTIONS = (
    "Ce travail a été interrompu {attempts} fois (arrêt du serveur de travaux) : il n'est plus "
    "relancé automatiquement. Relancez-le ; si l'interruption se répète, signalez la référence "
    "{reference} à l'administrateur de ptsm."
)


class JobFailed(Exception):
    """Raised by a handler to end its job with a message for the user (in French)."""


class Superseded(Exception):
    """This runner's job was taken over by another runner (it was thought dead)."""


def _enqueue(job: Job) -> None:
    from .tasks import run_job

    def send():
        run_job.enqueue(str(job.pk))

    if settings.TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":
        # Another store (Redis): queue it once the job is committed, else a fast worker could
        # look for a job that is not there yet.
        transaction.on_commit(send)
    else:
        # The database backend writes the task in the job's transaction, so a job is never
        # saved without its task nor queued before it exists (the immediate backend of the
        # tests runs it here).
        send()


@transaction.atomic
def start_job(
    *,
    project,
    kind: str,
    user=None,
    params: dict | None = None,
    title: str = "",
    once: bool = False,
    once_for: dict | None = None,
) -> Job:
    """Queue a job. With `once`, a job of that kind already waiting or running for the project
    is returned instead (a double click builds one bundle, sends one campaign); `once_for`
    narrows that to the jobs whose params hold these values (one job per review, say)."""
    job_kind = get_kind(kind)
    if once:
        # The project's row is locked: two simultaneous clicks cannot both find no job.
        project_model = Job._meta.get_field("project").related_model
        list(project_model.objects.select_for_update().filter(pk=project.pk).values_list("pk"))
        unfinished = (
            Job.objects.filter(project=project, kind=kind)
            .filter(**{f"params__{key}": value for key, value in (once_for or {}).items()})
            .exclude(state__in=[JobState.DONE, JobState.FAILED])
            .first()
        )
        if unfinished is not None:
            return unfinished
    job = Job.objects.create(
        project=project,
        kind=kind,
        title=title or job_kind.title,
        params=params or {},
        requested_by=user if user is not None and user.is_authenticated else None,
    )
    _enqueue(job)
    return job


class Progress:
    """What a handler calls as it goes; each call is a sign of life, committed at once so that
    the job page shows it. A runner that lost its job (taken over) is stopped here."""

    def __init__(self, job: Job, runner: str):
        self.job = job
        self.runner = runner

    def __call__(self, done: int, total: int, label: str = "") -> None:
        updated = Job.objects.filter(pk=self.job.pk, runner=self.runner).update(
            done=done, total=total, step_label=label[:200], heartbeat_at=timezone.now()
        )
        if not updated:
            raise Superseded(str(self.job.pk))
        _project_changed(self.job)
        self.job.done, self.job.total, self.job.step_label = done, total, label

    def remember(self, **values) -> None:
        """Keep, with the job, what was done (an e-mail sent): a run that resumes the job after
        an interruption reads it back from `job.params` and does not do it again."""
        params = {**self.job.params, **values}
        updated = Job.objects.filter(pk=self.job.pk, runner=self.runner).update(
            params=params, heartbeat_at=timezone.now()
        )
        if not updated:
            raise Superseded(str(self.job.pk))
        _project_changed(self.job)
        self.job.params = params


def _claim(job_id) -> tuple[Job, str] | None:
    """Take the job for this runner, unless it is finished or held by a living runner."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        if job.state == JobState.RUNNING and not _is_stalled(job, timezone.now()):
            return None
        runner = uuid.uuid4().hex
        job.state, job.runner, job.attempts = JobState.RUNNING, runner, job.attempts + 1
        job.started_at = job.started_at or timezone.now()
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["state", "runner", "attempts", "started_at", "heartbeat_at"])
        _project_changed(job)
        return job, runner


def _project_changed(job: Job) -> None:
    """A job writes outside any request: at each of its steps its project's pages cached until
    then are outdated (its progress and what it wrote show on them)."""
    if job.project_id:
        bump(project_id=job.project_id)


def _finish(job: Job, runner: str, **fields) -> None:
    Job.objects.filter(pk=job.pk, runner=runner).update(
        finished_at=timezone.now(), heartbeat_at=timezone.now(), **fields
    )
    _project_changed(job)


def run_job(*, job_id) -> None:
    """Run a job (called by the queue's worker). Safe to call twice for one job."""
    claimed = _claim(job_id)
    if claimed is None:
        return
    job, runner = claimed
    try:
        result = get_kind(job.kind).handler(job, Progress(job, runner)) or JobResult()
    except Superseded:
        logger.warning("Job %s was taken over by another runner", job.pk)
        return
    except (JobFailed, ValidationError) as failure:
        text = " ".join(failure.messages) if isinstance(failure, ValidationError) else str(failure)
        _finish(job, runner, state=JobState.FAILED, message=text)
        return
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _finish(
            job, runner, state=JobState.FAILED, message=UNEXPECTED_FAILURE.format(reference=job.pk)
        )
        return
    _finish(
        job,
        runner,
        state=JobState.DONE,
        result_url=result.url,
        result_label=result.label,
        message=result.message,
        details=list(result.details),
        done=job.total or job.done,
    )


def stall_delay() -> timedelta:
    return timedelta(seconds=settings.PTSM_JOB_STALL_SECONDS)


def _is_stalled(job: Job, now) -> bool:
    return job.heartbeat_at is None or job.heartbeat_at < now - stall_delay()


def requeue_stalled_jobs(*, now=None) -> int:
    """Queue again the running jobs whose worker stopped giving signs of life (it was killed,
    its machine stopped): another worker takes them over. After PTSM_JOB_MAX_ATTEMPTS the job
    fails with a message instead."""
    now = now or timezone.now()
    requeued = 0
    stalled = Job.objects.filter(state=JobState.RUNNING).filter(
        Q(heartbeat_at__lt=now - stall_delay()) | Q(heartbeat_at__isnull=True)
    )
    for job_id in stalled.values_list("pk", flat=True):
        with transaction.atomic():
            job = Job.objects.select_for_update().get(pk=job_id)
            if job.state != JobState.RUNNING or not _is_stalled(job, now):
                continue
            if job.attempts >= settings.PTSM_JOB_MAX_ATTEMPTS:
                job.state, job.finished_at = JobState.FAILED, now
                job.message = TOO_MANY_INTERRUPTIONS.format(attempts=job.attempts, reference=job.pk)
                job.save(update_fields=["state", "finished_at", "message"])
                _project_changed(job)
                continue
            job.state, job.runner = JobState.PENDING, ""
            job.save(update_fields=["state", "runner"])
            _project_changed(job)
            _enqueue(job)
            requeued += 1
    return requeued


def mark_notified(*, jobs) -> None:
    Job.objects.filter(pk__in=[job.pk for job in jobs]).update(notified=True)

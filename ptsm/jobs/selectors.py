"""Reads of the jobs app."""

from django.conf import settings

from ptsm.accounts.permissions import role_allows

from .models import Job
from .registry import get_kind


def project_jobs(project, role, *, limit: int = 50) -> list[Job]:
    """The project's recent jobs this role may see (each kind needs its capability)."""
    jobs = Job.objects.filter(project=project).select_related("requested_by")[:limit]
    return [job for job in jobs if may_see(job, role)]


def may_see(job: Job, role) -> bool:
    try:
        kind = get_kind(job.kind)
    except KeyError:
        return False
    return role_allows(role, kind.capability)


def unnotified_jobs(user) -> list[Job]:
    """The user's jobs whose end they were not told of (running ones included)."""
    return list(Job.objects.filter(requested_by=user, notified=False).select_related("project"))


def check_queue() -> None:
    """Readiness: the queue accepts work (Redis answers, or the task table is readable)."""
    backend = settings.TASKS["default"]["BACKEND"]
    if backend == "django_tasks_rq.RQBackend":
        import django_rq

        django_rq.get_connection("default").ping()
    elif backend == "django_tasks_db.DatabaseBackend":
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.exists()

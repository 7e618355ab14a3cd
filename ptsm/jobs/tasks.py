"""The one task the queue runs: a job, by its id (its data stays in the database)."""

from django_tasks import task

from . import services


@task()
def run_job(job_id: str) -> None:
    services.run_job(job_id=job_id)

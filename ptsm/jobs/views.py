"""The job page (state, progress, result or failure) and the project's list of jobs."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from ptsm.accounts.permissions import Capability
from ptsm.projects.access import project_view

from . import selectors, services
from .middleware import watch_jobs
from .models import Job


@project_view(Capability.VIEW_PROJECT)
@require_safe
def job_detail(request, project, pk):
    job = get_object_or_404(Job, project=project, pk=pk)
    if not selectors.may_see(job, request.project_role):
        raise PermissionDenied("Votre rôle dans ce projet ne permet pas de voir ce travail.")
    if not job.is_finished:
        # Whoever watches a job whose worker died gets it taken over without waiting for cron.
        services.requeue_stalled_jobs()
        job.refresh_from_db()
    if job.requested_by_id == request.user.pk and not job.notified:
        if job.is_finished:
            services.mark_notified(jobs=[job])
        else:  # once it ends, the next page the user opens says so
            watch_jobs(request)
    template = "jobs/_job_status.html" if request.htmx else "jobs/job_detail.html"
    return render(request, template, {"project": project, "job": job, "page_title": job.title})


@project_view(Capability.VIEW_PROJECT)
@require_safe
def job_list(request, project):
    jobs = selectors.project_jobs(project, request.project_role)
    return render(
        request,
        "jobs/job_list.html",
        {"project": project, "jobs": jobs, "page_title": "Travaux en arrière-plan"},
    )

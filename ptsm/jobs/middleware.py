"""Tell users, on the next page they open, that a job they started has ended."""

from django.contrib import messages
from django.urls import reverse
from django.utils.html import format_html

from . import selectors, services
from .models import JobState

# Set in the session while the user has a job they were not told the end of: pages cost no
# query for the others.
WATCH_SESSION_KEY = "ptsm_watched_jobs"


def watch_jobs(request) -> None:
    request.session[WATCH_SESSION_KEY] = True


class JobNoticeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method == "GET"
            and request.user.is_authenticated
            and not request.headers.get("HX-Request")
            and request.session.get(WATCH_SESSION_KEY)
        ):
            self.notify(request)
        return self.get_response(request)

    def notify(self, request) -> None:
        unnotified = selectors.unnotified_jobs(request.user)
        finished = [job for job in unnotified if job.is_finished]
        for job in finished:
            url = reverse("jobs:detail", kwargs={"slug": job.project.slug, "pk": job.pk})
            if job.state == JobState.DONE:
                text = 'Terminé : {} — <a href="{}">voir le résultat</a>'
                messages.success(request, format_html(text, job.title, url))
            else:
                text = 'Échec : {} — <a href="{}">voir pourquoi</a>'
                messages.error(request, format_html(text, job.title, url))
        if finished:
            services.mark_notified(jobs=finished)
        if len(finished) == len(unnotified):
            del request.session[WATCH_SESSION_KEY]

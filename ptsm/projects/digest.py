"""The weekly e-mail of a person's « À faire », for those who subscribed (Mon compte), sent by
`manage.py send_todo_digest` from cron. It asks the same registry as the project's home page."""

import datetime as dt
from dataclasses import dataclass

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ptsm.accounts.models import User
from ptsm.core.formatting import plural
from ptsm.core.mail import header_text

from .selectors import visible_projects
from .todo import TodoSection, count_items, todo_for

# Two runs within this interval (cron started twice, a retry) send one e-mail, not two.
RESEND_AFTER = dt.timedelta(days=6)
PROJECTS_PER_DIGEST = 20


@dataclass(frozen=True)
class LinkedItem:
    label: str
    url: str  # absolute
    detail: str
    due: dt.date | None
    late: bool


@dataclass(frozen=True)
class ProjectDigest:
    name: str
    url: str
    sections: list[tuple[str, list[LinkedItem]]]
    count: int


def _absolute(base_url: str, project_url: str, url: str) -> str:
    if url.startswith("#"):  # a part of the project's home page
        return base_url + project_url + url
    return base_url + url if url.startswith("/") else url


def project_digests(user, *, today: dt.date, base_url: str) -> list[ProjectDigest]:
    digests = []
    for project in visible_projects(user)[:PROJECTS_PER_DIGEST]:
        sections: list[TodoSection] = todo_for(project, user, today=today)
        count = count_items(sections)
        if not count:
            continue
        project_url = reverse("projects:dashboard", kwargs={"slug": project.slug})
        digests.append(
            ProjectDigest(
                name=project.name,
                url=base_url + project_url,
                sections=[
                    (
                        section.title,
                        [
                            LinkedItem(
                                item.label,
                                _absolute(base_url, project_url, item.url),
                                item.detail,
                                item.due,
                                item.late,
                            )
                            for item in section.items
                        ],
                    )
                    for section in sections
                    if section.items
                ],
                count=count,
            )
        )
    return digests


def send_digest(user: User, *, today: dt.date, base_url: str) -> bool:
    """One e-mail (text and HTML) with the user's « À faire » in each of their projects; none
    when there is nothing to do."""
    digests = project_digests(user, today=today, base_url=base_url)
    if not digests:
        return False
    total = sum(d.count for d in digests)
    context = {
        "user": user,
        "digests": digests,
        "total": plural(total, "chose à faire", "choses à faire"),
        "today": today,
        "account_url": base_url + reverse("accounts:account"),
    }
    message = EmailMultiAlternatives(
        subject=header_text(f"[ptsm] Votre « À faire » de la semaine : {context['total']}"),
        body=render_to_string("projects/emails/todo_digest.txt", context),
        to=[user.email],
    )
    message.attach_alternative(
        render_to_string("projects/emails/todo_digest.html", context), "text/html"
    )
    message.send()
    return True


def send_todo_digests(*, today: dt.date, base_url: str) -> int:
    """Send the digest to every active subscriber not served in the last six days; returns the
    number of e-mails sent. Each user is marked as served once their e-mail has left."""
    now = timezone.now()
    sent = 0
    subscribers = User.objects.filter(is_active=True, todo_digest=True).exclude(
        todo_digest_sent_at__gt=now - RESEND_AFTER
    )
    for user in subscribers.order_by("pk").iterator():
        if send_digest(user, today=today, base_url=base_url):
            sent += 1
        User.objects.filter(pk=user.pk).update(todo_digest_sent_at=now)
    return sent

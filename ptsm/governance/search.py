"""Governance's part of the project's search: meetings (title, place, agenda, minutes) and the
decisions taken in them."""

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import Truncator

from ptsm.search.registry import Hit, SearchKind, register
from ptsm.search.text import matching

from .models import Decision, Meeting


def _meeting_url(project, meeting_id) -> str:
    return reverse("governance:meeting", kwargs={"slug": project.slug, "pk": meeting_id})


def _day(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y")


def find_meetings(project, terms, access, limit):
    meetings = matching(
        Meeting.objects.filter(body__project=project).select_related("body"),
        ["title", "place", "agenda", "minutes"],
        terms,
    )[:limit]
    return [
        Hit(
            title=meeting.title,
            url=_meeting_url(project, meeting.pk),
            detail=f"{meeting.body.name} — {_day(meeting.starts_at)}",
        )
        for meeting in meetings
    ]


def find_decisions(project, terms, access, limit):
    decisions = matching(
        Decision.objects.filter(meeting__body__project=project).select_related("meeting"),
        ["text"],
        terms,
    )[:limit]
    return [
        Hit(
            title=Truncator(decision.text).words(16),
            url=_meeting_url(project, decision.meeting_id) + "#decisions",
            detail=f"{decision.meeting.title} — {_day(decision.meeting.starts_at)}",
        )
        for decision in decisions
    ]


register(SearchKind("meetings", "Séances", find_meetings, order=50))
register(SearchKind("decisions", "Décisions", find_decisions, order=60))

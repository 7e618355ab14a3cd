"""The diagnostic's part of the project's search: findings (constats) of the entry doors."""

from django.urls import reverse
from django.utils.text import Truncator

from ptsm.search.registry import Hit, SearchKind, register
from ptsm.search.text import matching

from .models import Finding


def find_findings(project, terms, access, limit):
    findings = matching(Finding.objects.filter(project=project), ["text"], terms)[:limit]
    return [
        Hit(
            title=Truncator(finding.text).words(16),
            url=reverse(
                "diagnostic:door", kwargs={"slug": project.slug, "number": finding.entry_door}
            )
            + f"#constat-{finding.pk}",
            detail=f"{finding.get_kind_display()} — {finding.get_entry_door_display()}",
        )
        for finding in findings
    ]


register(SearchKind("findings", "Constats du diagnostic", find_findings, order=40))

"""Why a record may not be deleted: a registry the domain apps contribute to.

An organisation, a contact or a project may be referred to by records of apps that depend on it
(a validated fiche-action, a signed commitment, a COPIL validation). The app that owns the lower
record cannot import those apps; instead each app registers, from its `AppConfig.ready()`, a
guard that says in French why a given record must be kept. Services ask `deletion_obstacles`
before deleting, and offer to archive instead.
"""

from collections import defaultdict
from collections.abc import Callable

from django.db import models

Guard = Callable[[models.Model], list[str]]
_guards: dict[str, list[Guard]] = defaultdict(list)


def register_deletion_guard(model_label: str, guard: Guard) -> None:
    """`model_label` is "app_label.ModelName"; `guard(instance)` returns the reasons (French
    sentences) that forbid deleting the instance, or an empty list."""
    if guard not in _guards[model_label]:
        _guards[model_label].append(guard)


def deletion_obstacles(instance: models.Model) -> list[str]:
    label = instance._meta.label
    return [reason for guard in _guards[label] for reason in guard(instance)]


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def counted(count: int, singular: str, plural: str) -> list[str]:
    """A one-item list describing `count` records, or an empty list when there are none."""
    return [_plural(count, singular, plural)] if count else []

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


PREPOSITIONS = ("de", "du", "des", "d'", "à", "au", "aux", "en", "pour", "par", "sur")


def _french_plural(name: str) -> str:
    """The plural of a verbose name whose model declares none: the noun and its adjectives take
    the mark, up to the first preposition ("jalon de l'action" → "jalons de l'action",
    "objectif stratégique" → "objectifs stratégiques", "fiche-action" → "fiches-actions")."""
    words = name.split(" ")
    for index, word in enumerate(words):
        if word in PREPOSITIONS or word.startswith(("d'", "l'")):
            break
        words[index] = "-".join(
            p if p.endswith(("s", "x", "z")) else p + "s" for p in word.split("-")
        )
    return " ".join(words)


def model_name(model, count: int) -> str:
    if count == 1:
        return str(model._meta.verbose_name)
    if "verbose_name_plural" in getattr(model._meta, "original_attrs", {}):
        return str(model._meta.verbose_name_plural)
    return _french_plural(str(model._meta.verbose_name))


def deletion_summary(instance: models.Model) -> list[str]:
    """What deleting the record would delete with it, in French ("3 contacts", "1 séance"), for a
    confirmation page: the same collection as the Django admin's, drafts that protect their
    parents included, link tables left out."""
    from django.contrib.admin.utils import NestedObjects

    collector = NestedObjects(using="default")
    collector.collect([instance])
    counts: dict = {}
    for model, objects in collector.model_objs.items():
        counts[model] = counts.get(model, 0) + len(objects)
    for obj in collector.protected:
        counts[type(obj)] = counts.get(type(obj), 0) + 1
    lost = []
    for model, count in sorted(counts.items(), key=lambda item: -item[1]):
        if model is type(instance) or not count or model._meta.auto_created:
            continue
        lost.append(f"{count} {model_name(model, count)}")
    return lost

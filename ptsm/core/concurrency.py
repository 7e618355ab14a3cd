"""Concurrent edits never lose anyone's work.

Two mechanisms, shared by every app:

- **Optimistic locking of records** (`Versioned`): an edit form carries the version of the record
  it was loaded from; a save against a newer version raises `EditConflict`, which the form shows
  with the values saved in the meantime while keeping the user's input, so they can merge.
- **Sections of a JSON field** (`save_sections`): letter and review texts are edited section by
  section. The form carries a fingerprint of each section as it was loaded; the row is locked,
  re-read, and only the sections the user changed are written, so two people saving two
  different sections at the same moment both persist, and two people changing the same section
  get a conflict instead of a silent overwrite.
"""

import hashlib
from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.formats import date_format


def fingerprint(text: str | None) -> str:
    """A short, stable fingerprint of a text as a form loaded it (whitespace at both ends aside,
    as every save strips it)."""
    return hashlib.sha256((text or "").strip().encode()).hexdigest()[:16]


class EditConflict(ValidationError):
    """Someone else saved the record (or section) after this user's form was loaded."""

    def __init__(self, message: str, *, current=None, changes: list[tuple[str, str]] = ()):
        super().__init__(message, code="conflict")
        self.current = current
        self.changes = list(changes)


CONFLICT_MESSAGE = (
    "Quelqu'un d'autre a enregistré une modification pendant que vous éditiez{when} : "
    "rien n'a encore été enregistré. Le formulaire garde votre saisie et reprend ses "
    "changements (listés ci-dessous) ; vérifiez, fusionnez si besoin, puis enregistrez de nouveau."
)


def _when(instance) -> str:
    moment = getattr(instance, "updated_at", None)
    if moment is None:
        return ""
    return f" (enregistrement du {date_format(timezone.localtime(moment), 'j F Y à H:i')})"


class Versioned(models.Model):
    """A record edited through forms by several people: each save increments `version`.

    A save made with an expected version (set by `VersionedFormMixin`, or by a service through
    `expect_version`) locks the row and refuses to overwrite a newer version."""

    version = models.PositiveIntegerField("version d'édition", default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding or self.pk is None:
            return super().save(*args, **kwargs)
        with transaction.atomic(using=kwargs.get("using")):
            current = (
                type(self)
                ._base_manager.select_for_update()
                .filter(pk=self.pk)
                .values_list("version", flat=True)
                .first()
            )
            expected = getattr(self, "_expected_version", None)
            if current is not None and expected is not None and current != expected:
                latest = type(self)._base_manager.get(pk=self.pk)
                raise EditConflict(CONFLICT_MESSAGE.format(when=_when(latest)), current=latest)
            self.version = (current if current is not None else self.version) + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
                if any(f.name == "updated_at" for f in self._meta.concrete_fields):
                    kwargs["update_fields"].add("updated_at")  # a partial save is a change too
            super().save(*args, **kwargs)
            self._expected_version = self.version

    def expect_version(self, version: int | None) -> None:
        self._expected_version = version


def _display(form: forms.BaseForm, name: str, value) -> str:
    field = form.fields[name]
    if isinstance(value, models.Manager):
        value = list(value.all())
    if isinstance(value, list | tuple | set | models.QuerySet):
        return ", ".join(sorted(str(v) for v in value)) or "—"
    choices = dict(getattr(field, "choices", None) or ())
    if value in choices:
        return str(choices[value])
    if value in (None, ""):
        return "—"
    return str(value)


def _comparable(value):
    if isinstance(value, models.Manager):
        value = value.all()
    if isinstance(value, list | tuple | set | models.QuerySet):
        return sorted(getattr(v, "pk", v) for v in value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, str):
        return value.strip().replace("\r\n", "\n")
    if value is None:
        return ""
    return value


class VersionedFormMixin:
    """For a ModelForm of a `Versioned` model: carries the version the form was loaded from, and
    a fingerprint of each field's value as loaded.

    On a conflict, `show_conflict` lists the fields someone else changed meanwhile (their saved
    value differs from the one this form loaded) with that value, keeps the user's input, and
    rebases the form on the saved version so that the next save (after merging) goes through."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.IntegerField(
            widget=forms.HiddenInput, required=False, initial=self.instance.version
        )
        self.fields["loaded_values"] = forms.CharField(
            widget=forms.HiddenInput,
            required=False,
            initial=self._fingerprints(self.instance) if self.instance.pk else "",
        )

    def _compared_fields(self, instance) -> list[str]:
        return [
            name
            for name in self.fields
            if name not in ("version", "loaded_values") and hasattr(instance, name)
        ]

    def _fingerprints(self, instance) -> str:
        return section_bases(
            {
                name: repr(_comparable(getattr(instance, name)))
                for name in self._compared_fields(instance)
            }
        )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            self.instance.expect_version(cleaned.get("version") or self.instance.version)
        return cleaned

    def show_conflict(self, conflict: EditConflict) -> None:
        """Merge what can be merged: a field only the other person changed takes their value in
        the re-shown form; a field both changed keeps the user's input, with the other value
        shown to merge by hand. Nothing is saved until the user saves again."""
        current = conflict.current
        loaded = parse_bases(self.data.get(self.add_prefix("loaded_values"), ""))
        data = self.data.copy()
        taken, both = [], []
        for name in self._compared_fields(current):
            saved = getattr(current, name)
            saved_print = fingerprint(repr(_comparable(saved)))
            if loaded.get(name) == saved_print:
                continue  # not changed by the other person
            mine_print = fingerprint(repr(_comparable(self.cleaned_data.get(name))))
            if mine_print == saved_print:
                continue  # both made the same change
            label = self.fields[name].label
            shown = f"{label} : « {_display(self, name, saved)} »"
            if name in loaded and mine_print == loaded[name]:
                _put_form_value(data, self.add_prefix(name), model_to_dict(current, [name])[name])
                taken.append(shown)
            else:
                both.append(shown)
        self.add_error(None, conflict.messages[0])
        for change in taken:
            self.add_error(None, f"Repris de la version enregistrée : {change}")
        for change in both:
            self.add_error(
                None, f"Modifié aussi entre-temps, à fusionner avec votre saisie : {change}"
            )
        data[self.add_prefix("version")] = str(current.version)
        data[self.add_prefix("loaded_values")] = self._fingerprints(current)
        self.data = data
        self.instance.version = current.version
        self.instance.expect_version(current.version)


def _put_form_value(data, key: str, value) -> None:
    """Write a model value into submitted form data as a browser would have sent it."""
    if isinstance(value, list | tuple | set | models.QuerySet):
        data.setlist(key, [str(getattr(v, "pk", v)) for v in value])
    elif isinstance(value, bool):
        if value:
            data[key] = "on"
        else:
            data.pop(key, None)
    elif value is None:
        data[key] = ""
    else:
        data[key] = str(getattr(value, "pk", value))


def _formset_lines(formset) -> str:
    """A formset's lines as shown (unbound) or as submitted (bound), comparable either way."""

    def shown(value) -> str:
        if isinstance(value, bool):
            return "on" if value else ""
        return "" if value is None else str(value)

    return repr(
        [
            [shown(form[name].value()) for name in form.fields if name != "DELETE"]
            for form in formset.forms
        ]
    )


def formset_fingerprint(formset) -> str:
    """Tells whether a formset's lines were changed since they were loaded (see
    `formset_fingerprints`): the lines of a record edited with formsets (jalons of a
    fiche-action…) are merged after a conflict like its fields."""
    return fingerprint(_formset_lines(formset))


def formset_fingerprints(formsets) -> str:
    """For a form's `loaded_values`: the fingerprints of its formsets' lines, by prefix."""
    return section_bases({f"lignes-{fs.prefix}": _formset_lines(fs) for _label, fs in formsets})


def section_bases(texts: Mapping[str, str]) -> str:
    """The hidden value a section form carries: fingerprints of the sections as loaded."""
    return ",".join(f"{key}:{fingerprint(text)}" for key, text in texts.items())


def parse_bases(value: str) -> dict[str, str]:
    bases = {}
    for part in (value or "").split(","):
        key, _, digest = part.partition(":")
        if key and digest:
            bases[key] = digest
    return bases


class SectionConflict(EditConflict):
    """Sections changed by someone else after the form was loaded: `saved` gives their text."""

    def __init__(self, saved: dict[str, str], labels: Mapping[str, str]):
        changes = [(labels.get(key, key), text or "(section vide)") for key, text in saved.items()]
        message = (
            "Quelqu'un d'autre a modifié "
            + ("cette section" if len(saved) == 1 else "ces sections")
            + " pendant que vous l'éditiez : votre texte n'a pas encore été enregistré. Il reste "
            "dans le champ ; le texte enregistré entre-temps est cité juste en dessous de ce "
            "message. Fusionnez les deux dans le champ, puis enregistrez de nouveau."
        )
        super().__init__(message, changes=changes)
        self.saved = saved


@transaction.atomic
def save_sections(
    model: type[models.Model],
    pk,
    *,
    field: str,
    texts: Mapping[str, str],
    bases: Mapping[str, str] | None,
    defaults: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    extra: Mapping | None = None,
) -> models.Model:
    """Write the given sections of a JSON field under a row lock, re-reading the row first.

    `bases` holds the fingerprint of each section as the user's form loaded it (None: no check,
    for scripts). A section the user left unchanged is not written (someone else's newer text
    stays); a section the user changed while someone else also changed it raises
    `SectionConflict` and nothing is written."""
    record = model._base_manager.select_for_update().get(pk=pk)
    stored = dict(getattr(record, field) or {})
    defaults = defaults or {}
    conflicts, changed = {}, {}
    for key, text in texts.items():
        text = (text or "").strip()
        current = stored.get(key, defaults.get(key, ""))
        base = (bases or {}).get(key)
        if base is None:
            changed[key] = text
            continue
        if fingerprint(text) == base:
            continue  # untouched by this user: keep whatever is saved now
        if fingerprint(current) != base and current.strip() != text:
            conflicts[key] = current
        else:
            changed[key] = text
    if conflicts:
        raise SectionConflict(conflicts, labels or {})
    if changed:
        stored.update(changed)
        setattr(record, field, stored)
        for name, value in (extra or {}).items():
            setattr(record, name, value)
        update_fields = [field, *(extra or {})]
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            update_fields.append("updated_at")
        record.save(update_fields=update_fields)
    return record


def show_section_conflict(form: forms.BaseForm, conflict: SectionConflict, key: str) -> None:
    """Keep the user's text in the form, show the text saved meanwhile, and rebase the form on it
    so that the next save (after merging) goes through."""
    saved = conflict.saved[key]
    form.add_error(None, conflict.messages[0])
    form.add_error(None, f"Texte enregistré entre-temps : « {saved or '(section vide)'} »")
    data = form.data.copy()
    data[form.add_prefix("base")] = fingerprint(saved)
    form.data = data


class AlreadyDone(ValidationError):
    """A repeated request (double click, resubmitted form) whose work is already done: nothing
    is done twice, and the user is told so (views show it as information, not as an error)."""

    def __init__(self, message: str):
        super().__init__(message, code="already_done")

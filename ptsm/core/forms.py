"""Forms rendered with the DSFR look (django-dsfr's field templates)."""

from django import forms
from django.core import validators
from django.db import models
from dsfr.forms import DsfrBoundField
from dsfr.utils import dsfr_input_class_attr

# Every free text has a maximum length, checked on the server (the browser's maxlength only
# helps): long texts (textareas) and short ones (single-line inputs).
LONG_TEXT_MAX = 20_000
SHORT_TEXT_MAX = 1_000

# The DSFR's placeholder of a select, instead of Django's « --------- ».
EMPTY_CHOICE = "Sélectionner une option"
DJANGO_EMPTY_CHOICE = "---------"

# Shown on every free-text field: ptsm holds no patient-identifying data.
NO_PATIENT_DATA = "Ne saisissez aucune donnée permettant d'identifier un patient ou un usager."


class _DsfrChoices:
    """Radios or checkboxes in the DSFR's markup: each option an input followed by its
    `fr-label` in an `fr-radio-group` / `fr-checkbox-group`, the field a `fr-fieldset` whose
    legend is the question (`core/fields/choices.html`). Django's own option markup (a label
    wrapping the input) is what `django.forms`' templates, found before django-dsfr's, give."""

    option_template_name = "core/widgets/choice_option.html"
    # Not `group_class`, which django-dsfr sets to « fr-radio-group » on checkboxes too.
    option_group_class = ""

    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        option["attrs"].pop("dsfr", None)  # django-dsfr's marker, not an HTML attribute
        option["group_class"] = self.option_group_class
        return option


class DsfrRadioSelect(_DsfrChoices, forms.RadioSelect):
    option_group_class = "fr-radio-group"


class DsfrCheckboxSelectMultiple(_DsfrChoices, forms.CheckboxSelectMultiple):
    option_group_class = "fr-checkbox-group"


class BoundField(DsfrBoundField):
    @property
    def template_name(self):
        if isinstance(self.field.widget, _DsfrChoices) and not self.field.template_name:
            return "core/fields/choices.html"
        return super().template_name


class DsfrFormMixin:
    """DSFR rendering for any form; optional fields are marked, as the DSFR now recommends."""

    # django-dsfr's fields, after an error summary that names each field and links to it.
    template_name = "core/form.html"
    bound_field_class = BoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_text_lengths(self)
        name_empty_choices(self)
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)
            if isinstance(visible.field, forms.ModelChoiceField):
                # Lists drawn from the data (organisations, contacts, départements…) can be
                # long: core/select-filter.js gives those over 15 options a search box.
                visible.field.widget.attrs.setdefault("data-ptsm-filter", "")

    @property
    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, text) of every error, each naming its field: « Date de la séance : ce
        champ est obligatoire. »"""
        lines = [("", str(error)) for error in self.non_field_errors()]
        for bound in self:
            # A group of radios or checkboxes has no one input: its fieldset bears the field's id.
            anchor = bound.id_for_label or bound.auto_id
            for error in bound.errors:
                lines.append((f"#{anchor}", f"{bound.label} : {_lower_first(error)}"))
        return lines

    @property
    def error_summary_title(self) -> str:
        count = sum(len(errors) for errors in self.errors.values())
        if count < 2:
            return "Le formulaire contient une erreur"
        return f"Le formulaire contient {count} erreurs"

    def get_context(self) -> dict:
        # Bypass django-dsfr's get_context, which warns on every render about a transition.
        context = forms.BaseForm.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


def _lower_first(message: str) -> str:
    # « Ce champ est obligatoire. » reads « … : ce champ est obligatoire. » after the label;
    # an acronym (« FINESS invalide ») keeps its capitals.
    if len(message) > 1 and message[0].isupper() and not message[1].isupper():
        return message[0].lower() + message[1:]
    return message


def limit_text_lengths(form: forms.BaseForm) -> None:
    """Give every text field without a maximum length the default one (server-side validator,
    and the `maxlength` attribute for the browser). Call again after adding fields."""
    for field in form.fields.values():
        if not isinstance(field, forms.CharField) or field.max_length is not None:
            continue
        limit = LONG_TEXT_MAX if isinstance(field.widget, forms.Textarea) else SHORT_TEXT_MAX
        field.max_length = limit
        field.validators.append(validators.MaxLengthValidator(limit))
        if not field.widget.is_hidden:
            field.widget.attrs.setdefault("maxlength", str(limit))


def name_empty_choices(form: forms.BaseForm) -> None:
    """Selects offer « Sélectionner une option » (the DSFR's wording), never « --------- »."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == DJANGO_EMPTY_CHOICE:
                field.empty_label = EMPTY_CHOICE
        elif isinstance(field, forms.ChoiceField) and not isinstance(
            field, forms.MultipleChoiceField
        ):
            choices = list(field.choices)
            if any(label == DJANGO_EMPTY_CHOICE for _, label in choices):
                field.choices = [
                    (value, EMPTY_CHOICE if label == DJANGO_EMPTY_CHOICE else label)
                    for value, label in choices
                ]


class DsfrForm(DsfrFormMixin, forms.Form):
    pass


def https_urls(db_field, **kwargs):
    # Web addresses typed without a scheme are taken as https (Django 6's default, set now).
    if isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)


class DsfrModelForm(DsfrFormMixin, forms.ModelForm):
    class Meta:
        formfield_callback = https_urls

"""Forms rendered with the DSFR look (django-dsfr's field templates)."""

from django import forms
from django.core import validators
from django.db import models
from dsfr.forms import DsfrBaseForm, DsfrBoundField
from dsfr.utils import dsfr_input_class_attr

# Every free text has a maximum length, checked on the server (the browser's maxlength only
# helps): long texts (textareas) and short ones (single-line inputs).
LONG_TEXT_MAX = 20_000
SHORT_TEXT_MAX = 1_000

# Shown on every free-text field: ptsm holds no patient-identifying data.
NO_PATIENT_DATA = "Ne saisissez aucune donnée permettant d'identifier un patient ou un usager."


class DsfrFormMixin:
    """DSFR rendering for any form; optional fields are marked, as the DSFR now recommends."""

    template_name = DsfrBaseForm.template_name
    bound_field_class = DsfrBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_text_lengths(self)
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)

    def get_context(self) -> dict:
        # Bypass django-dsfr's get_context, which warns on every render about a transition.
        context = forms.BaseForm.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


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

"""Forms rendered with the DSFR look (django-dsfr's field templates)."""

from django import forms
from django.db import models
from dsfr.forms import DsfrBaseForm, DsfrBoundField
from dsfr.utils import dsfr_input_class_attr

# Shown on every free-text field: ptsm holds no patient-identifying data.
NO_PATIENT_DATA = "Ne saisissez aucune donnée permettant d'identifier un patient ou un usager."


class DsfrFormMixin:
    """DSFR rendering for any form; optional fields are marked, as the DSFR now recommends."""

    template_name = DsfrBaseForm.template_name
    bound_field_class = DsfrBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)

    def get_context(self) -> dict:
        # Bypass django-dsfr's get_context, which warns on every render about a transition.
        context = forms.BaseForm.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


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

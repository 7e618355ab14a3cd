"""Forms speak French and show their errors as the DSFR does: a summary at the top naming each
field and leading to it, the message under the field, no « --------- » in a select."""

import importlib
import inspect
import pkgutil
import re

import pytest
from django.urls import reverse

import ptsm
from ptsm.accounts.models import Role
from ptsm.core.forms import DsfrFormMixin
from tests.factories import make_project, member
from tests.helpers import login, page_text

# Labels Django derives from an English field name when the model gives no French one.
ENGLISH_LABELS = {
    "status", "name", "title", "kind", "owner", "notes", "order", "start", "end", "email",
    "phone", "amount", "year", "label", "text", "body", "role", "user", "file", "comment",
    "reason", "due date", "starts at", "ends at", "first name", "last name",
}  # fmt: skip


def all_form_classes():
    for app in pkgutil.iter_modules(ptsm.__path__):
        for module_name in ("forms", "views_imports"):
            try:
                module = importlib.import_module(f"ptsm.{app.name}.{module_name}")
            except ModuleNotFoundError:
                continue
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, DsfrFormMixin) and cls.__module__ == module.__name__:
                    yield cls


def test_no_form_field_is_labelled_in_english():
    english = [
        f"{cls.__module__}.{cls.__name__}.{name}: {field.label}"
        for cls in all_form_classes()
        for name, field in getattr(cls, "base_fields", {}).items()
        if field.label and field.label.lower() in ENGLISH_LABELS
    ]
    assert len(list(all_form_classes())) > 20
    assert english == []


@pytest.mark.django_db
def test_an_invalid_form_lists_each_error_with_its_field_and_a_link_to_it(client):
    project = make_project(departement="29")
    login(client, member(project, Role.PROJECT_LEAD))
    url = reverse("organisations:create", kwargs={"slug": project.slug})
    response = client.post(url, {"name": "", "category": "", "email": "pas-une-adresse"})
    page = page_text(response)
    assert response.status_code == 200
    summary = page.split("form-error-summary", 1)[1].split("</div>", 1)[0]
    assert "Le formulaire contient 3 erreurs" in summary
    assert '<a href="#id_name">Raison sociale : ce champ est obligatoire.</a>' in summary
    assert re.search(
        r'<a href="#id_category">Catégorie ANAP : ce champ est obligatoire\.</a>', summary
    )
    assert '<a href="#id_email">' in summary
    # The message stays under its field too.
    assert page.count("Ce champ est obligatoire.") >= 2


@pytest.mark.django_db
def test_selects_offer_the_dsfr_placeholder_never_dashes(client):
    project = make_project(departement="29")
    login(client, member(project, Role.PROJECT_LEAD))
    page = page_text(client.get(reverse("organisations:create", kwargs={"slug": project.slug})))
    assert "---------" not in page
    assert "Sélectionner une option" in page
    assert "form-error-summary" not in page

from django import forms
from django.core.exceptions import ValidationError

from ptsm.core.concurrency import VersionedFormMixin
from ptsm.core.forms import DsfrForm, DsfrModelForm
from ptsm.territories.models import Commune

from .categories import SUB_TYPE_CHOICES, Category
from .models import Contact, Organisation
from .selectors import signing_contacts
from .validators import normalise_identifier

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DirectoryFilterForm(DsfrForm):
    q = forms.CharField(
        label="Rechercher", required=False, help_text="Nom, FINESS, SIRET, commune ou contact"
    )
    category = forms.ChoiceField(
        label="Catégorie", required=False, choices=[("", "Toutes")] + Category.choices
    )
    sub_type = forms.ChoiceField(
        label="Sous-type", required=False, choices=[("", "Tous")] + SUB_TYPE_CHOICES
    )
    mental_health = forms.BooleanField(
        label="Psychiatrie et santé mentale uniquement", required=False
    )
    archived = forms.BooleanField(
        label="Afficher aussi les organisations archivées", required=False
    )


class OrganisationForm(VersionedFormMixin, DsfrModelForm):
    # Identifiers are often pasted with spaces or dots: accept them, services normalise.
    finess_et = forms.CharField(label="FINESS établissement (ET)", max_length=20, required=False)
    finess_ej = forms.CharField(label="FINESS entité juridique (EJ)", max_length=20, required=False)
    siret = forms.CharField(label="SIRET", max_length=25, required=False)
    commune_code = forms.CharField(
        label="Commune (code INSEE)",
        required=False,
        max_length=5,
        help_text="Par exemple 29019 pour Brest.",
    )

    class Meta(DsfrModelForm.Meta):
        model = Organisation
        fields = [
            "name",
            "category",
            "sub_type",
            "legal_status",
            "finess_et",
            "finess_ej",
            "siret",
            "address",
            "postcode",
            "commune_code",
            "website",
            "phone",
            "email",
            "mental_health",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.commune_id:
            self.initial["commune_code"] = self.instance.commune_id

    def clean_finess_et(self):
        return normalise_identifier(self.cleaned_data["finess_et"])

    def clean_finess_ej(self):
        return normalise_identifier(self.cleaned_data["finess_ej"])

    def clean_siret(self):
        return normalise_identifier(self.cleaned_data["siret"])

    def clean_commune_code(self):
        code = self.cleaned_data["commune_code"].strip().upper()
        if not code:
            return None
        commune = Commune.objects.filter(code=code).first()
        if commune is None:
            raise ValidationError(f"Code INSEE inconnu : {code}")
        return commune

    def save(self, commit=True):
        self.instance.commune = self.cleaned_data.get("commune_code")
        return super().save(commit)


class ContactForm(VersionedFormMixin, DsfrModelForm):
    class Meta(DsfrModelForm.Meta):
        model = Contact
        fields = [
            "organisation",
            "civility",
            "first_name",
            "last_name",
            "function",
            "email",
            "phone",
            "legal_basis",
            "notice_date",
        ]
        widgets = {"notice_date": DATE_WIDGET}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.project = project
        self.fields["organisation"].queryset = Organisation.objects.filter(project=project)


class ImportForm(DsfrForm):
    kind = forms.ChoiceField(
        label="Contenu du fichier",
        choices=[("organisations", "Organisations"), ("contacts", "Contacts")],
        widget=forms.RadioSelect,
        initial="organisations",
    )
    file = forms.FileField(
        label="Fichier CSV ou Excel (.xlsx)",
        help_text="5 Mo au plus. La première ligne contient les intitulés de colonnes.",
    )


class FinessImportForm(DsfrForm):
    file = forms.FileField(
        label="Extraction FINESS des établissements (.csv)",
        help_text=(
            "Fichier « etalab-cs1100507-stock-….csv » (géolocalisé) ou "
            "« etalab-cs1100502-stock-….csv » publié sur data.gouv.fr (Licence Ouverte), tel quel, "
            "en UTF-8 ou Latin-1. Seuls les établissements des communes du territoire sont retenus."
        ),
    )


class FinessGroupsForm(forms.Form):
    """The groups of FINESS categories to import (the page draws the checkboxes with counts)."""

    groups = forms.MultipleChoiceField(
        label="Catégories à importer",
        error_messages={
            "required": "Cochez au moins une catégorie d'établissements à importer.",
            "invalid_choice": "Catégorie inconnue : « %(value)s ».",
        },
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = choices


class LogoForm(DsfrForm):
    logo = forms.FileField(
        label="Logo de l'organisation",
        help_text="Image PNG ou JPEG, 1 Mo au plus, de 32 à 4000 pixels de côté. Il figure dans "
        "l'en-tête des lettres que l'organisation signe (lettre de cadrage, lettres d'engagement).",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )


class ContactChoice(forms.ModelChoiceField):
    """A contact of the directory chosen as a letter's signatory."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", "Aucun signataire choisi")
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        function = obj.function or "fonction non renseignée"
        return f"{obj.full_name} — {function} ({obj.organisation.name})"


# A letter's signatories: (sub-type of the institution, ANAP category when none has it).
SIGNING_INSTITUTIONS = {
    "ars": ("ars", "institutions_financeurs"),
    "cd": ("conseil_departemental", "collectivites"),
}


def offer_signing_contacts(form, project, fields: dict[str, str]) -> None:
    """Each signatory list (`{field name: "ars" or "cd"}`) offers the contacts of the institution
    that signs plus the one already chosen — not a directory of thousands of contacts, which
    would make the page slow and the choice blind (organisations.selectors.signing_contacts)."""
    for name, institution in fields.items():
        chosen = form.initial.get(name) or form.data.get(name)
        sub_type, category = SIGNING_INSTITUTIONS[institution]
        form.fields[name].queryset = signing_contacts(
            project, sub_type, category, chosen=getattr(chosen, "pk", chosen)
        )

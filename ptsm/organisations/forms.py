from django import forms
from django.core.exceptions import ValidationError
from dsfr.utils import dsfr_input_class_attr

from ptsm.core.concurrency import VersionedFormMixin
from ptsm.core.forms import DsfrForm, DsfrModelForm, limit_text_lengths
from ptsm.territories.models import Commune

from .categories import SUB_TYPE_CHOICES, Category
from .models import ColumnMapping, Contact, Organisation
from .selectors import signing_contacts
from .validators import normalise_identifier
from .widgets import search_organisations

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
            "represents",
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
        search_organisations(self.fields["organisation"], project)


class ImportForm(DsfrForm):
    kind = forms.ChoiceField(
        label="Contenu du fichier",
        choices=[("organisations", "Organisations"), ("contacts", "Contacts")],
        widget=forms.RadioSelect,
        initial="organisations",
    )
    file = forms.FileField(
        label="Fichier CSV ou Excel (.xlsx)",
        help_text=(
            "5 Mo au plus, 20 000 lignes. La première ligne contient les intitulés de colonnes, "
            "quels qu'ils soient : vous les associerez aux champs de l'annuaire à l'étape suivante."
        ),
    )
    saved_mapping = forms.ModelChoiceField(
        label="Correspondance de colonnes enregistrée",
        queryset=ColumnMapping.objects.none(),
        required=False,
        empty_label="Proposer d'après les intitulés",
        help_text="Une correspondance enregistrée lors d'un import précédent.",
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["saved_mapping"].queryset = ColumnMapping.objects.filter(project=project)
        self.fields["saved_mapping"].label_from_instance = lambda saved: (
            f"{saved.name} ({saved.get_kind_display().lower()})"
        )
        if not self.fields["saved_mapping"].queryset.exists():
            del self.fields["saved_mapping"]

    def clean(self):
        cleaned = super().clean()
        saved = cleaned.get("saved_mapping")
        if saved is not None and saved.kind != cleaned.get("kind"):
            self.add_error(
                "saved_mapping",
                f"Cette correspondance sert aux imports de {saved.get_kind_display().lower()}.",
            )
        return cleaned


class ColumnMappingForm(DsfrForm):
    """One choice per column of the uploaded table: a field of the directory, or « ignorer »."""

    def __init__(self, *args, headers: list[str], columns, initial_mapping: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— ignorer cette colonne —"), *columns]
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header or f"Colonne {index + 1}",
                choices=choices,
                required=False,
                initial=initial_mapping[index] if index < len(initial_mapping) else "",
            )
        limit_text_lengths(self)
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)
        self.column_count = len(headers)

    def mapping(self) -> list[str]:
        return [self.cleaned_data.get(f"col_{index}", "") for index in range(self.column_count)]


class SaveMappingForm(DsfrForm):
    name = forms.CharField(
        label="Nom de la correspondance",
        max_length=100,
        help_text="Par exemple « Liste nationale des établissements de santé ».",
    )


class ConfirmImportForm(DsfrForm):
    mode = forms.ChoiceField(
        label="Que faire des lignes refusées ?",
        choices=[
            ("tout", "Tout ou rien : n'enregistrer que si toutes les lignes sont valides"),
            (
                "valides",
                "Importer les lignes valides : les lignes refusées sont ignorées "
                "(téléchargez-les pour les corriger)",
            ),
        ],
        widget=forms.RadioSelect,
        initial="tout",
    )
    keep_outside = forms.BooleanField(
        label="Conserver les organisations hors territoire",
        required=False,
        help_text=(
            "Sans cette case, les organisations nouvelles situées hors du territoire du projet "
            "ne sont pas ajoutées (cochez-la pour un organisme national ou régional, par exemple)."
        ),
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

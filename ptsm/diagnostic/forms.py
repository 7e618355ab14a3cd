from django import forms

from ptsm.core.concurrency import VersionedFormMixin
from ptsm.core.forms import NO_PATIENT_DATA, DsfrForm, DsfrModelForm, limit_text_lengths
from ptsm.governance.forms import CopilValidationForm
from ptsm.governance.models import Body, BodyKind

from .models import Finding, Indicator, Level, Priority


class ValueForm(DsfrForm):
    level = forms.ChoiceField(label="Niveau", choices=Level.choices)
    year = forms.IntegerField(label="Année", min_value=1990, max_value=2100)
    value = forms.FloatField(
        label="Valeur",
        required=False,
        help_text="Laisser vide si la valeur n'est pas disponible. Un effectif inférieur à 11 "
        "n'est jamais conservé ni affiché (« < 11 »).",
    )
    source = forms.CharField(label="Source", max_length=200, required=False)


class ImportForm(DsfrForm):
    file = forms.FileField(
        label="Fichier CSV ou Excel (.xlsx)",
        help_text="Colonnes : Code indicateur, Niveau, Année, Valeur, Source. 5 Mo au plus.",
    )


class FindingForm(VersionedFormMixin, DsfrModelForm):
    priorities = forms.MultipleChoiceField(
        label="Priorités du décret (P1 à P6)",
        choices=Priority.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    indicators = forms.ModelMultipleChoiceField(
        label="Indicateurs liés",
        queryset=Indicator.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta(DsfrModelForm.Meta):
        model = Finding
        fields = ["kind", "text", "working_group", "priorities", "indicators", "priority_rank"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"text": NO_PATIENT_DATA}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["working_group"].queryset = Body.objects.filter(
            project=project, kind=BodyKind.WORKING_GROUP
        )
        self.fields["indicators"].queryset = Indicator.objects.for_project(project)
        if self.instance.pk:
            self.initial["indicators"] = list(self.instance.indicators.values_list("pk", flat=True))


ValidationForm = CopilValidationForm  # shared with the other COPIL validations


MAP_MEASURES = [
    ("densite", "Densité de population"),
    ("population", "Population municipale"),
    ("superficie", "Superficie"),
    ("organisations", "Organisations de l'annuaire"),
]


class MapForm(DsfrForm):
    INDICATOR_PREFIX = "indicateur-"

    measure = forms.ChoiceField(
        label="Teinter les communes selon", choices=MAP_MEASURES, required=False
    )

    def __init__(self, *args, indicators=(), **kwargs):
        """`indicators`: those with values by commune in the project (imported at that level)."""
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = MAP_MEASURES + [
            (f"{self.INDICATOR_PREFIX}{i.code}", f"Indicateur : {i.label}") for i in indicators
        ]


GEOGRAPHIC_LEVELS = [
    ("commune", "Commune"),
    ("EPCI", "EPCI"),
    ("département", "Département"),
    ("région", "Région"),
    ("France", "France"),
]


class IndicatorForm(DsfrModelForm):
    """An indicator the project adds to its catalogue (the ANAP ones are not editable)."""

    geographic_level = forms.ChoiceField(
        label="Niveau de détail le plus fin", choices=GEOGRAPHIC_LEVELS
    )

    class Meta(DsfrModelForm.Meta):
        model = Indicator
        fields = [
            "label",
            "definition",
            "definition_version",
            "unit",
            "grid",
            "entry_door",
            "geographic_level",
            "source",
            "is_count",
        ]
        labels = {
            "is_count": "Effectif à masquer en dessous de 11 (secret statistique)",
            "entry_door": "Porte d'entrée de la Rosace",
        }
        help_texts = {
            "unit": "Par exemple : %, pour 100 000 habitants, patients, places.",
            "is_count": "Cochez pour un nombre de personnes : une valeur inférieure à 11 n'est "
            "jamais conservée ni affichée (« < 11 »). Laissez décoché pour un taux ou une part.",
            "definition_version": "Par exemple : « ≥ 292 jours dans l'année », « RIM-P 2023 ».",
        }
        widgets = {"definition": forms.Textarea(attrs={"rows": 3})}


class LongUploadForm(DsfrForm):
    file = forms.FileField(
        label="Fichier CSV ou Excel (.xlsx) au format long",
        help_text="Une ligne par territoire, année et ventilation, tel que publié (Odissé, "
        "Géodes, INSEE…). Séparateur point-virgule ou virgule, UTF-8 ou Latin-1. 5 Mo au plus.",
    )


class LongMappingForm(DsfrForm):
    """The columns of an uploaded long-format table: what each one holds, and the value kept
    for each breakdown (age class, sex…)."""

    FILTER_PREFIX = "ventilation_"

    indicator = forms.ModelChoiceField(label="Indicateur", queryset=Indicator.objects.none())
    territory_column = forms.TypedChoiceField(label="Colonne du territoire", coerce=int)
    territory_level = forms.ChoiceField(label="Niveau de cette colonne")
    year_column = forms.TypedChoiceField(label="Colonne de l'année", coerce=int)
    value_column = forms.TypedChoiceField(label="Colonne de la valeur", coerce=int)
    source = forms.CharField(
        label="Source",
        max_length=120,
        required=False,
        help_text="Par défaut, la source de l'indicateur ; les ventilations retenues et la "
        "période y sont ajoutées.",
    )

    def __init__(self, *args, project, headers: list[str], rows: list[list[str]], **kwargs):
        from .imports import TerritoryLevel, breakdown_columns, guess_mapping, total_value

        guess = guess_mapping(headers, rows)
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("territory_column", guess.territory_column)
        initial.setdefault("territory_level", guess.territory_level)
        initial.setdefault("year_column", guess.year_column)
        initial.setdefault("value_column", guess.value_column)
        super().__init__(*args, **kwargs)
        self.headers = headers
        self.fields["indicator"].queryset = (
            Indicator.objects.for_project(project).filter(computed="").order_by("grid", "order")
        )
        self.fields["indicator"].label_from_instance = lambda i: (
            f"{i.label} ({i.unit}){' — propre au projet' if i.project_id else ''}"
        )
        columns = [(i, h or f"Colonne {i + 1}") for i, h in enumerate(headers)]
        for name in ("territory_column", "year_column", "value_column"):
            self.fields[name].choices = [("", "— choisir —"), *columns]
        self.fields["territory_level"].choices = TerritoryLevel.CHOICES
        # The breakdowns depend on the columns chosen (posted ones, or the guess).
        chosen = {}
        for name in ("territory_column", "year_column", "value_column"):
            raw = self.data.get(name) if self.is_bound else initial.get(name)
            try:
                chosen[name] = int(raw)
            except (TypeError, ValueError):
                chosen[name] = None
        self.breakdowns: dict[int, list[str]] = {}
        if None not in chosen.values() and all(0 <= c < len(headers) for c in chosen.values()):
            self.breakdowns = breakdown_columns(
                headers,
                rows,
                territory=chosen["territory_column"],
                year=chosen["year_column"],
                value=chosen["value_column"],
            )
        for index, values in self.breakdowns.items():
            name = f"{self.FILTER_PREFIX}{index}"
            self.fields[name] = forms.ChoiceField(
                label=f"Valeur retenue de « {headers[index]} »",
                choices=[
                    ("", "— toutes (ne pas filtrer) —"),
                    *[(v, v or "(vide)") for v in values],
                ],
                required=False,
                initial=total_value(values),
            )
            if self.is_bound and name not in self.data:
                # A column that became a breakdown with this post: propose its total.
                self.data = self.data.copy()
                self.data[name] = total_value(values)
        limit_text_lengths(self)

    def mapping(self):
        from .imports import Mapping

        data = self.cleaned_data
        return Mapping(
            indicator=data["indicator"],
            territory_column=data["territory_column"],
            territory_level=data["territory_level"],
            year_column=data["year_column"],
            value_column=data["value_column"],
            filters={
                index: data.get(f"{self.FILTER_PREFIX}{index}", "") for index in self.breakdowns
            },
            source=data["source"],
        )

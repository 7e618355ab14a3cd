from django import forms

from ptsm.core.concurrency import VersionedFormMixin
from ptsm.core.forms import NO_PATIENT_DATA, DsfrForm, DsfrModelForm
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
        queryset=Indicator.objects.all(),
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

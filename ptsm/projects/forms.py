from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from ptsm.accounts.models import PROJECT_ROLES
from ptsm.core.forms import NO_PATIENT_DATA, DsfrFormMixin, DsfrModelForm
from ptsm.core.widgets import use_search
from ptsm.territories.models import Departement, Epci, Region
from ptsm.territories.services import parse_commune_codes

from .durations import MAX_MONTHS, MIN_MONTHS, linked_durations
from .models import MAX_CONTRACT_MONTHS, MIN_CONTRACT_MONTHS, Milestone, Project, ProjectKind

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TerritoryFieldsMixin(forms.Form):
    territory_name = forms.CharField(label="Nom du territoire", max_length=200)
    departements = forms.ModelMultipleChoiceField(
        label="Départements",
        queryset=Departement.objects.defer("outline"),  # outlines weigh megabytes
        required=False,
        help_text="Toutes les communes des départements choisis font partie du territoire.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    epci_codes = forms.CharField(
        label="EPCI (numéros SIREN)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Numéros SIREN séparés par des virgules ou des espaces, par ex. 242900314.",
    )
    commune_codes = forms.CharField(
        label="Communes (codes INSEE)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Codes INSEE séparés par des virgules ou des espaces, par ex. 29019, 29232.",
    )

    def clean_epci_codes(self) -> list[Epci]:
        codes = parse_commune_codes(self.cleaned_data["epci_codes"])
        epcis = list(Epci.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {e.code for e in epcis})
        if unknown:
            raise ValidationError("EPCI inconnus : " + ", ".join(unknown[:20]))
        return epcis

    def clean_commune_codes(self) -> list[str]:
        return parse_commune_codes(self.cleaned_data["commune_codes"])

    def clean(self):
        cleaned = super().clean()
        if (
            not (
                cleaned.get("departements")
                or cleaned.get("epci_codes")
                or cleaned.get("commune_codes")
            )
            and not self.errors
        ):
            raise ValidationError(
                "Indiquez au moins un département, un EPCI ou une commune pour le territoire."
            )
        return cleaned


DURATION_HELP = (
    "L'élaboration du PTSM selon la méthode (18 mois par défaut) : ses étapes s'y répartissent en "
    "proportion. Pour un PTSM suivi de son CTSM, le contrat s'ouvre à la signature des "
    "engagements (au 14e mois sur 18)."
)
CONTRACT_HELP = (
    "Pour un PTSM suivi de son CTSM : le contrat court à partir de la signature des engagements "
    "par tous les opérateurs, 60 mois au plus ; il a un bilan à 6 mois, un bilan annuel par "
    "année et un bilan final. Laisser vide pour un PTSM seul."
)


def check_contract(form, cleaned) -> None:
    """A CTSM needs its contract's duration; a PTSM alone has none."""
    kind, months = cleaned.get("kind"), cleaned.get("contract_duration_months")
    if kind == ProjectKind.CTSM and not months:
        form.add_error("contract_duration_months", "Indiquez la durée du contrat (CTSM), en mois.")
    elif kind == ProjectKind.PTSM and months:
        form.add_error(
            "contract_duration_months",
            "Un PTSM seul n'a pas de contrat : laissez ce champ vide ou choisissez « PTSM suivi "
            "de son CTSM ».",
        )


class ProjectCreateForm(DsfrFormMixin, TerritoryFieldsMixin):
    name = forms.CharField(label="Nom du projet", max_length=200)
    region = forms.ModelChoiceField(label="Région (ARS)", queryset=Region.objects.none())
    start_date = forms.DateField(label="Date de début", widget=DATE_WIDGET)
    planned_duration_months = forms.IntegerField(
        label="Durée prévue (mois)", min_value=1, max_value=120, initial=18, help_text=DURATION_HELP
    )
    kind = forms.ChoiceField(
        label="Type de démarche",
        choices=ProjectKind.choices,
        initial=ProjectKind.PTSM,
        required=False,  # left out: a PTSM alone
    )
    contract_duration_months = forms.IntegerField(
        label="Durée du contrat (CTSM, mois)",
        min_value=MIN_CONTRACT_MONTHS,
        max_value=MAX_CONTRACT_MONTHS,
        required=False,
        help_text=CONTRACT_HELP,
    )
    description = forms.CharField(
        label="Présentation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=NO_PATIENT_DATA,
    )
    field_order = [
        "name",
        "region",
        "start_date",
        "planned_duration_months",
        "kind",
        "contract_duration_months",
        "description",
        "territory_name",
        "departements",
        "epci_codes",
        "commune_codes",
    ]

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        only = list(regions[:2])
        if len(only) == 1:  # an ARS administrator creates projects in their région
            self.fields["region"].initial = only[0].pk

    def clean_kind(self):
        return self.cleaned_data.get("kind") or ProjectKind.PTSM

    def clean(self):
        cleaned = super().clean()
        check_contract(self, cleaned)
        return cleaned


class TerritoryForm(DsfrFormMixin, TerritoryFieldsMixin):
    pass


class ProjectForm(DsfrModelForm):
    phase_reason = forms.CharField(
        label="Motif du changement de phase",
        required=False,
        max_length=500,
        help_text=(
            "Obligatoire si vous changez la phase à la main ; il est gardé dans l'historique "
            "des phases. La phase avance d'elle-même quand une étape de la méthode est franchie."
        ),
    )

    reschedule_milestones = forms.BooleanField(
        label="Recaler les jalons de la méthode non réalisés sur les nouvelles dates du projet",
        required=False,
        initial=True,
        help_text=(
            "Si la date de début ou la durée change, les échéances des jalons par défaut (lettre "
            "de cadrage, diagnostic, feuille de route, engagements, bilans) suivent ; les jalons "
            "réalisés et ceux ajoutés à la main gardent leurs dates."
        ),
    )

    class Meta(DsfrModelForm.Meta):
        model = Project
        fields = [
            "name",
            "description",
            "phase",
            "start_date",
            "planned_duration_months",
            "kind",
            "contract_duration_months",
        ]
        widgets = {"start_date": DATE_WIDGET, "description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "description": NO_PATIENT_DATA,
            "contract_duration_months": CONTRACT_HELP,
            "planned_duration_months": DURATION_HELP,
        }

    field_order = [
        "name",
        "description",
        "phase",
        "phase_reason",
        "start_date",
        "planned_duration_months",
        "kind",
        "contract_duration_months",
        "reschedule_milestones",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = False  # left out: the project keeps its kind
        self.initial_phase = self.instance.phase
        self.initial_dates = self._dates(vars(self.instance))
        self.linked_durations = self._add_linked_durations()

    def _add_linked_durations(self) -> list:
        """The durations that belong with the project's (framing letter, commitments), set
        here with it; a signed letter's is shown, not editable."""
        added = []
        for duration in linked_durations():
            months = duration.current(self.instance)
            if months is None:
                continue
            frozen = duration.frozen(self.instance)
            self.fields[duration.key] = forms.IntegerField(
                label=duration.label,
                min_value=MIN_MONTHS,
                max_value=MAX_MONTHS,
                initial=months,
                required=False,  # left empty or absent: unchanged
                disabled=bool(frozen),
                help_text=frozen or duration.help_text,
            )
            added.append(duration)
        # Beside the project's own durations, before the milestones' rescheduling.
        order = [name for name in self.field_order if name != "reschedule_milestones"]
        self.order_fields([*order, *(d.key for d in added), "reschedule_milestones"])
        return added

    def linked_duration_values(self) -> dict[str, int]:
        """The linked durations as typed (those not shown or frozen are left out)."""
        return {
            d.key: self.cleaned_data[d.key]
            for d in self.linked_durations
            if not self.fields[d.key].disabled and self.cleaned_data.get(d.key) is not None
        }

    @staticmethod
    def _dates(data) -> tuple:
        return tuple(
            data.get(name)
            for name in (
                "start_date",
                "planned_duration_months",
                "kind",
                "contract_duration_months",
            )
        )

    def dates_changed(self) -> bool:
        return self._dates(self.cleaned_data) != self.initial_dates

    def clean_kind(self):
        return self.cleaned_data.get("kind") or self.instance.kind

    def clean(self):
        cleaned = super().clean()
        check_contract(self, cleaned)
        phase = cleaned.get("phase")
        if phase and phase != self.initial_phase and not cleaned.get("phase_reason", "").strip():
            self.add_error("phase_reason", "Indiquez le motif du changement de phase.")
        return cleaned


class MilestoneForm(DsfrModelForm):
    class Meta(DsfrModelForm.Meta):
        model = Milestone
        fields = ["title", "phase", "due_date", "done_on"]
        widgets = {"due_date": DATE_WIDGET, "done_on": DATE_WIDGET}


ORGANISATION_HELP = (
    "Un signataire d'opérateur ne voit et ne signe que l'annexe de cette organisation "
    "(aucune annexe s'il n'en représente aucune)."
)


class MemberOrganisationMixin(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Organisation représentée",
        queryset=None,
        required=False,
        empty_label="Aucune",
        help_text=ORGANISATION_HELP,
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the project's own organisations can be chosen: another project's is "not a choice".
        # Searched in the directory (`projects` names the view, imports no domain app).
        use_search(
            self.fields["organisation"],
            search_url=reverse("organisations:search", kwargs={"slug": project.slug}),
            search_label="Organisation représentée : rechercher une organisation",
        )
        self.fields["organisation"].queryset = project.organisations.order_by("name")


class MemberForm(DsfrFormMixin, MemberOrganisationMixin):
    email = forms.EmailField(label="Adresse électronique professionnelle")
    first_name = forms.CharField(label="Prénom", max_length=150, required=False)
    last_name = forms.CharField(label="Nom", max_length=150, required=False)
    role = forms.ChoiceField(label="Rôle", choices=[(r.value, r.label) for r in PROJECT_ROLES])
    field_order = ["email", "first_name", "last_name", "role", "organisation"]


class MemberRoleForm(DsfrFormMixin, MemberOrganisationMixin):
    role = forms.ChoiceField(label="Rôle", choices=[(r.value, r.label) for r in PROJECT_ROLES])

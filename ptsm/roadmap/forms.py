from django import forms
from django.forms import inlineformset_factory
from django.urls import reverse

from ptsm.core.anap import EntryDoor
from ptsm.core.concurrency import VersionedFormMixin
from ptsm.core.forms import NO_PATIENT_DATA, DsfrForm, DsfrModelForm
from ptsm.diagnostic.models import Finding, Priority
from ptsm.governance.forms import CopilValidationForm
from ptsm.organisations.models import Contact, Organisation
from ptsm.organisations.widgets import search_organisations

from .models import (
    Action,
    ActionIndicator,
    ActionMilestone,
    ActionStatus,
    Condition,
    FundingLine,
    Objective,
    Orientation,
    RoadmapLevels,
    Theme,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrientationForm(VersionedFormMixin, DsfrModelForm):
    class Meta(DsfrModelForm.Meta):
        model = Orientation
        fields = ["title", "description", "plain_summary"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "plain_summary": forms.Textarea(attrs={"rows": 4}),
        }


class ThemeForm(VersionedFormMixin, DsfrModelForm):
    class Meta(DsfrModelForm.Meta):
        model = Theme
        fields = ["title"]


class LevelsForm(DsfrModelForm):
    attach_to_orientations = forms.BooleanField(
        label="Rattacher les objectifs directement à leur orientation",
        help_text="Pour retirer le niveau thématique d'une feuille de route qui en a : les "
        "objectifs de chaque thématique passent sous leur orientation, dans le même ordre, et "
        "les thématiques vidées sont archivées.",
        required=False,
    )

    class Meta(DsfrModelForm.Meta):
        model = RoadmapLevels
        fields = [
            "orientation_name",
            "orientation_plural",
            "uses_themes",
            "theme_name",
            "theme_plural",
            "objective_name",
            "objective_plural",
        ]


class ObjectiveForm(VersionedFormMixin, DsfrModelForm):
    class Meta(DsfrModelForm.Meta):
        model = Objective
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class OrganisationChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ActionForm(VersionedFormMixin, DsfrModelForm):
    entry_doors = forms.TypedMultipleChoiceField(
        label="Portes d'entrée de la Rosace",
        choices=EntryDoor.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    decree_priorities = forms.MultipleChoiceField(
        label="Priorités du décret",
        choices=Priority.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    conditions = forms.MultipleChoiceField(
        label="Conditions de mise en œuvre",
        choices=Condition.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    operators = OrganisationChoices(
        label="Opérateurs (organisations qui s'engageront)",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    partners = OrganisationChoices(
        label="Partenaires",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    findings = forms.ModelMultipleChoiceField(
        label="Constats du diagnostic auxquels l'action répond",
        queryset=Finding.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )

    class Meta(DsfrModelForm.Meta):
        model = Action
        fields = [
            "title",
            "plain_summary",
            "entry_doors",
            "decree_priorities",
            "findings",
            "context",
            "operational_objectives",
            "description",
            "target_public",
            "pilot_organisation",
            "pilot_contact",
            "pilot_user",
            "operators",
            "partners",
            "territory_concerned",
            "start_date",
            "end_date",
            "human_resources",
            "material_resources",
            "conditions",
            "conditions_details",
            "expected_results",
            "risks",
            "priority",
            "status",
            "quick_win",
        ]
        widgets = {
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in (
                    "plain_summary",
                    "context",
                    "operational_objectives",
                    "description",
                    "target_public",
                    "human_resources",
                    "material_resources",
                    "conditions_details",
                    "expected_results",
                    "risks",
                )
            },
        }
        help_texts = {"context": NO_PATIENT_DATA, "description": NO_PATIENT_DATA}

    def __init__(self, *args, project, can_manage: bool, section=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("operators", "partners", "pilot_organisation"):
            search_organisations(self.fields[name], project)
        # A pilot's contact is one of the pilot organisation's: the list follows the choice of
        # organisation (htmx swaps its options in place; without JavaScript, after saving).
        self.fields["pilot_contact"].queryset = pilot_contacts(project, self._pilot_id())
        self.fields["pilot_contact"].error_messages["invalid_choice"] = (
            "choisissez l'un des contacts de l'organisation pilote."
        )
        self.fields["pilot_organisation"].widget.attrs.update(
            {
                "hx-get": reverse("roadmap:pilot_contacts", kwargs={"slug": project.slug}),
                "hx-target": "#id_pilot_contact",
                "hx-trigger": "change",
                "hx-include": "this",
            }
        )
        self.fields["findings"].queryset = Finding.objects.filter(project=project)
        from ptsm.accounts.models import User

        self.fields["pilot_user"].queryset = User.objects.filter(
            memberships__project=project
        ).distinct()
        if self.instance.pk:
            for name in ("operators", "partners", "findings"):
                self.initial[name] = list(getattr(self.instance, name).values_list("pk", flat=True))
        if not can_manage:
            # A pilot edits the content of the sheet, not who pilots it nor its validation status.
            for name in ("pilot_organisation", "pilot_user", "status"):
                self.fields[name].disabled = True
        if section is not None:
            # One section of the sheet: only its fields are shown, checked and saved.
            for name in [n for n in self.Meta.fields if n not in section.fields]:
                del self.fields[name]
            if self.instance.pk:
                self.fields["loaded_values"].initial = self._fingerprints(self.instance)

    def _pilot_id(self) -> str | None:
        """The pilot organisation chosen: posted, else the sheet's."""
        field = self.add_prefix("pilot_organisation")
        if self.is_bound and field in self.data and not self.fields["pilot_organisation"].disabled:
            return self.data.get(field) or None
        return self.instance.pilot_organisation_id if self.instance.pk else None

    def clean(self):
        cleaned = super().clean()
        contact, pilot = cleaned.get("pilot_contact"), cleaned.get("pilot_organisation")
        if contact is not None and pilot is not None and contact.organisation_id != pilot.pk:
            self.add_error(
                "pilot_contact",
                f"{contact.full_name} ne fait pas partie de l'organisation pilote « {pilot.name} ».",
            )
        return cleaned


def pilot_contacts(project, organisation_id):
    """The contacts a fiche-action's pilot may be: the pilot organisation's, or every contact
    of the project while no organisation is chosen."""
    contacts = Contact.objects.filter(project=project).order_by("last_name", "first_name")
    if organisation_id and str(organisation_id).isdigit():
        contacts = contacts.filter(organisation_id=organisation_id)
    return contacts


class ActionSection:
    """A part of the fiche-action edit page, saved on its own."""

    def __init__(self, key: str, title: str, fields: tuple[str, ...], formsets: tuple[str, ...]):
        self.key, self.title, self.fields, self.formsets = key, title, fields, formsets


ACTION_SECTIONS = [
    ActionSection(
        "description",
        "Description",
        (
            "title",
            "plain_summary",
            "entry_doors",
            "decree_priorities",
            "findings",
            "context",
            "operational_objectives",
            "description",
            "target_public",
            "expected_results",
            "priority",
            "status",
            "quick_win",
        ),
        (),
    ),
    ActionSection(
        "pilotage",
        "Pilotage et partenaires",
        (
            "pilot_organisation",
            "pilot_contact",
            "pilot_user",
            "operators",
            "partners",
            "territory_concerned",
            "human_resources",
            "material_resources",
            "conditions",
            "conditions_details",
            "risks",
        ),
        (),
    ),
    ActionSection("calendrier", "Calendrier et jalons", ("start_date", "end_date"), ("jalons",)),
    ActionSection("financement", "Financement", (), ("financements",)),
    ActionSection("indicateurs", "Indicateurs", (), ("indicateurs",)),
]
SECTIONS_BY_KEY = {section.key: section for section in ACTION_SECTIONS}


class MilestoneForm(DsfrModelForm):
    class Meta(DsfrModelForm.Meta):
        model = ActionMilestone
        fields = ["title", "due_date", "status"]
        widgets = {"due_date": DATE_WIDGET}


class FundingForm(DsfrModelForm):
    class Meta(DsfrModelForm.Meta):
        model = FundingLine
        fields = ["funder", "funder_details", "operator", "amount", "year", "recurring", "status"]


class IndicatorForm(DsfrModelForm):
    class Meta(DsfrModelForm.Meta):
        model = ActionIndicator
        fields = ["name", "baseline", "target", "source", "frequency"]


MilestoneFormSet = inlineformset_factory(
    Action, ActionMilestone, form=MilestoneForm, extra=1, can_delete=True
)
FundingFormSet = inlineformset_factory(
    Action, FundingLine, form=FundingForm, extra=1, can_delete=True
)
IndicatorFormSet = inlineformset_factory(
    Action, ActionIndicator, form=IndicatorForm, extra=1, can_delete=True
)


class ActionFilterForm(DsfrForm):
    entry_door = forms.TypedChoiceField(
        label="Porte d'entrée",
        choices=[("", "Toutes")] + EntryDoor.choices,
        coerce=int,
        required=False,
        empty_value=None,
    )
    pilot = forms.ModelChoiceField(
        label="Pilote", queryset=Organisation.objects.none(), required=False, empty_label="Tous"
    )
    operator = forms.ModelChoiceField(
        label="Opérateur", queryset=Organisation.objects.none(), required=False, empty_label="Tous"
    )
    status = forms.ChoiceField(
        label="Statut", choices=[("", "Tous")] + ActionStatus.choices, required=False
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(project=project).order_by("name")
        self.fields["pilot"].queryset = organisations.filter(
            piloted_actions__isnull=False
        ).distinct()
        self.fields["operator"].queryset = organisations.filter(
            operated_actions__isnull=False
        ).distinct()


ValidationForm = CopilValidationForm  # shared with the other COPIL validations

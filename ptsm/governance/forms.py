from django import forms

from ptsm.core.concurrency import VersionedFormMixin
from ptsm.core.forms import NO_PATIENT_DATA, DsfrForm, DsfrModelForm
from ptsm.organisations.models import Contact
from ptsm.organisations.widgets import search_organisations

from .models import (
    Attendance,
    Body,
    BodyKind,
    BodyMember,
    CommunicationAction,
    FollowUpTask,
    LocalInitiative,
    Meeting,
    MemberRepresents,
    MemberRole,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _contacts(project):
    return (
        Contact.objects.filter(project=project)
        .select_related("organisation")
        .order_by("last_name", "first_name")
    )


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.last_name} {obj.first_name} — {obj.organisation.name}"


class BodyForm(VersionedFormMixin, DsfrModelForm):
    class Meta(DsfrModelForm.Meta):
        model = Body
        fields = [
            "kind",
            "name",
            "missions",
            "composition_notes",
            "co_piloted",
            "entry_door",
            "order",
        ]
        widgets = {
            "missions": forms.Textarea(attrs={"rows": 4}),
            "composition_notes": forms.Textarea(attrs={"rows": 3}),
        }


REPRESENTS_FIELD = BodyMember._meta.get_field("represents")


def _represents_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Représente",
        choices=[("", "Comme son organisation")] + MemberRepresents.choices,
        required=False,
        help_text=REPRESENTS_FIELD.help_text,
    )


class BodyMemberForm(DsfrForm):
    contact = ContactChoiceField(label="Personne (annuaire)", queryset=Contact.objects.none())
    role = forms.ChoiceField(label="Rôle", choices=MemberRole.choices, initial=MemberRole.MEMBER)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = _contacts(project)
        self.fields["represents"] = _represents_field()


class BodyMemberEditForm(DsfrForm):
    role = forms.ChoiceField(label="Rôle", choices=MemberRole.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["represents"] = _represents_field()


class MeetingForm(VersionedFormMixin, DsfrModelForm):
    class Meta(DsfrModelForm.Meta):
        model = Meeting
        fields = ["title", "starts_at", "ends_at", "place", "video_link", "agenda", "status"]
        widgets = {
            "starts_at": DATETIME_WIDGET,
            "ends_at": DATETIME_WIDGET,
            "agenda": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {"agenda": NO_PATIENT_DATA}


class InvitationForm(DsfrForm):
    contact = ContactChoiceField(
        label="Inviter une personne de l'annuaire", queryset=Contact.objects.none()
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = _contacts(project)


class AttendanceForm(DsfrForm):
    attendance = forms.ChoiceField(label="Présence", choices=Attendance.choices)
    represented_by = forms.CharField(label="Représenté(e) par", required=False, max_length=200)


class MinutesForm(DsfrForm):
    minutes = forms.CharField(
        label="Compte rendu",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=NO_PATIENT_DATA,
    )


class DecisionForm(DsfrForm):
    text = forms.CharField(
        label="Décision", widget=forms.Textarea(attrs={"rows": 2}), help_text=NO_PATIENT_DATA
    )


class TaskForm(DsfrModelForm):
    class Meta(DsfrModelForm.Meta):
        model = FollowUpTask
        fields = ["description", "owner", "due_date", "status"]
        widgets = {"due_date": DATE_WIDGET, "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = ContactChoiceField(
            label="Responsable", queryset=_contacts(project), required=False
        )


class LocalInitiativeForm(DsfrModelForm):
    class Meta(DsfrModelForm.Meta):
        model = LocalInitiative
        fields = ["kind", "name", "carrier", "area", "status", "link_to_project", "website"]
        widgets = {"link_to_project": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        search_organisations(self.fields["carrier"], project)


class CommunicationActionForm(DsfrModelForm):
    class Meta(DsfrModelForm.Meta):
        model = CommunicationAction
        fields = ["phase", "objective", "audience", "message", "channel", "date", "owner", "status"]
        widgets = {"date": DATE_WIDGET, "message": forms.Textarea(attrs={"rows": 3})}


class CopilValidationForm(DsfrForm):
    """The COPIL's validation of a document (diagnostic, roadmap, review)."""

    meeting = forms.ModelChoiceField(
        label="Séance du COPIL", queryset=Meeting.objects.none(), required=False
    )
    decision = forms.CharField(label="Décision", widget=forms.Textarea(attrs={"rows": 2}))
    validated_on = forms.DateField(label="Date de validation", widget=DATE_WIDGET)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = Meeting.objects.filter(
            body__project=project, body__kind=BodyKind.COPIL
        ).order_by("-starts_at")

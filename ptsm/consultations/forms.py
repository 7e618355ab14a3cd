from django import forms
from dsfr.utils import dsfr_input_class_attr

from ptsm.core.formatting import french_number
from ptsm.core.forms import DsfrCheckboxSelectMultiple, DsfrForm, DsfrRadioSelect

from .models import (
    HIDDEN_REASON_MAX,
    INTRODUCTION_MAX,
    SUMMARY_MAX,
    TEXT_ANSWER_MAX,
    ParticipantCategory,
    QuestionKind,
)
from .targets import find_target, targets

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Next to every free-text answer: the participant must not identify themselves nor anyone.
NOTHING_IDENTIFYING = (
    "N'écrivez rien qui permette de vous reconnaître ou de reconnaître quelqu'un d'autre : "
    "ni nom, ni adresse, ni lieu de soins, ni détail sur votre santé."
)


class ConsultationForm(DsfrForm):
    # The version the form was loaded from: a save over someone else's is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label="Titre", max_length=200)
    introduction = forms.CharField(
        label="Introduction",
        max_length=INTRODUCTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "Quelques phrases en français simple : pourquoi cette consultation, ce que vous "
            f"ferez des réponses. {french_number(INTRODUCTION_MAX)} caractères au maximum."
        ),
    )
    target = forms.ChoiceField(label="Étape de la démarche concernée")
    opens_on = forms.DateField(label="Ouverture des réponses", widget=DATE_WIDGET)
    closes_on = forms.DateField(label="Clôture des réponses", widget=DATE_WIDGET)
    meeting = forms.TypedChoiceField(
        label="Séance où les résultats sont présentés",
        help_text="Par exemple la séance du COPIL qui valide l'étape concernée.",
        required=False,
        coerce=int,
        empty_value=None,
    )

    def __init__(self, *args, project, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["target"].choices = [("", "Sélectionner une option")] + [
            (t.value, t.label) for t in targets(project)
        ]
        self.meetings = {m.pk: m for m in meetings}
        self.fields["meeting"].choices = [("", "Aucune")] + [
            (m.pk, f"{m.body.name} — {m.title} ({m.starts_at:%d/%m/%Y})") for m in meetings
        ]

    def clean_target(self):
        target = find_target(self.project, self.cleaned_data["target"])
        if target is None:
            raise forms.ValidationError("Choisissez une étape de la démarche.")
        return target

    def clean_meeting(self):
        pk = self.cleaned_data.get("meeting")
        return self.meetings.get(pk) if pk else None


class QuestionForm(DsfrForm):
    kind = forms.ChoiceField(label="Type de question", choices=QuestionKind.choices)
    text = forms.CharField(label="Question", max_length=300)
    help_text = forms.CharField(label="Précision", max_length=300, required=False)
    choices = forms.CharField(
        label="Réponses proposées",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "Pour un choix unique ou multiple : une réponse par ligne. L'échelle d'accord "
            "propose d'elle-même « Pas du tout d'accord » … « Tout à fait d'accord »."
        ),
    )
    required = forms.BooleanField(label="Réponse obligatoire", required=False)

    def clean_choices(self):
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]


class SummaryForm(DsfrForm):
    summary = forms.CharField(
        label="Synthèse",
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Ce que la consultation a appris au projet, et ce qu'il en fera.",
    )


class HideForm(DsfrForm):
    hidden_reason = forms.CharField(
        label="Motif du masquage",
        max_length=HIDDEN_REASON_MAX,
        help_text="Par exemple : la réponse cite le nom d'une personne.",
    )


class SendLinkForm(DsfrForm):
    body = forms.TypedChoiceField(label="Instance dont les membres reçoivent le lien", coerce=int)

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.bodies = {b.pk: b for b in bodies}
        self.fields["body"].choices = [("", "Sélectionner une option")] + [
            (b.pk, b.name) for b in bodies
        ]

    def clean_body(self):
        body = self.bodies.get(self.cleaned_data["body"])
        if body is None:
            raise forms.ValidationError("Choisissez une instance du projet.")
        return body


def _answer_field(question) -> forms.Field:
    common = {"label": question.text, "required": question.required}
    if question.kind == QuestionKind.TEXT:
        limit = french_number(TEXT_ANSWER_MAX)
        return forms.CharField(
            **common,
            max_length=TEXT_ANSWER_MAX,
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text=" ".join(
                filter(
                    None,
                    [question.help_text, f"{limit} caractères au maximum.", NOTHING_IDENTIFYING],
                )
            ),
            error_messages={
                "max_length": f"Votre réponse dépasse {limit} caractères : raccourcissez-la."
            },
        )
    choices = [(str(i), label) for i, label in enumerate(question.options)]
    if question.kind == QuestionKind.MULTIPLE:
        return forms.MultipleChoiceField(
            **common,
            choices=choices,
            widget=DsfrCheckboxSelectMultiple,
            help_text=question.help_text or "Vous pouvez cocher plusieurs réponses.",
        )
    return forms.ChoiceField(
        **common, choices=choices, widget=DsfrRadioSelect, help_text=question.help_text
    )


class AnswerForm(DsfrForm):
    """The participant's form: their category, then one field per question."""

    category = forms.ChoiceField(
        label="Vous répondez en tant que",
        choices=ParticipantCategory.choices,
        widget=DsfrRadioSelect,
        help_text="C'est la seule chose que nous vous demandons sur vous.",
    )

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"q{question.pk}"] = _answer_field(question)
        # The DSFR look for the fields added after the mixin's own set-up.
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(f"q{q.pk}") for q in self.questions):
            raise forms.ValidationError("Répondez à au moins une question.")
        return cleaned

    def answers(self) -> dict[int, dict]:
        result = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if not value:
                continue
            if question.kind == QuestionKind.TEXT:
                result[question.pk] = {"text": value}
            elif question.kind == QuestionKind.MULTIPLE:
                result[question.pk] = {"choices": [int(v) for v in value]}
            else:
                result[question.pk] = {"choices": [int(value)]}
        return result

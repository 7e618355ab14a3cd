from django import forms
from dsfr.utils import dsfr_input_class_attr

from ptsm.core.concurrency import SectionConflict, fingerprint, parse_bases, section_bases
from ptsm.core.forms import NO_PATIENT_DATA, DsfrForm, limit_text_lengths
from ptsm.governance.forms import DATE_WIDGET, CopilValidationForm

from .sections import review_sections

MAX_TEXT = 20_000

__all__ = ["AssessmentsForm", "CopilValidationForm", "IndicatorValueForm", "ReviewTextsForm"]


def _dsfr_classes(form) -> None:
    # The DSFR classes and text limits are set when the form is built; these forms add fields
    # afterwards.
    limit_text_lengths(form)
    for visible in form.visible_fields():
        dsfr_input_class_attr(visible)


class ReviewTextsForm(DsfrForm):
    """One text per written section of the review."""

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        for section in review_sections(review.kind):
            self.fields[section.key] = forms.CharField(
                label=section.heading,
                required=False,
                initial=review.texts.get(section.key, ""),
                help_text=f"{section.help_text} {NO_PATIENT_DATA}",
                widget=forms.Textarea(attrs={"rows": 4}),
                max_length=MAX_TEXT,
            )
        # Fingerprints of the sections as loaded: only the sections this user changed are
        # written, and a section changed meanwhile by someone else is a conflict.
        self.fields["bases"] = forms.CharField(
            widget=forms.HiddenInput,
            required=False,
            initial=section_bases(
                {s.key: review.texts.get(s.key, "") for s in review_sections(review.kind)}
            ),
        )
        _dsfr_classes(self)

    def texts(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if k != "bases"}

    def show_conflict(self, conflict: SectionConflict) -> None:
        self.add_error(None, conflict.messages[0])
        bases = parse_bases(self.data.get(self.add_prefix("bases"), ""))
        for key, saved in conflict.saved.items():
            self.add_error(key, f"Texte enregistré entre-temps : « {saved or '(section vide)'} »")
            bases[key] = fingerprint(saved)
        data = self.data.copy()
        data[self.add_prefix("bases")] = ",".join(f"{k}:{v}" for k, v in bases.items())
        self.data = data


class AssessmentsForm(DsfrForm):
    """The review's comment on each fiche-action of the plan."""

    def __init__(self, *args, actions, comments: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        for action in actions:
            self.fields[f"action_{action['pk']}"] = forms.CharField(
                label=f"{action['code']} {action['title']}",
                required=False,
                initial=comments.get(action["pk"], ""),
                help_text=f"{action['status']} — jalons : {action['milestones']}. {NO_PATIENT_DATA}",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        _dsfr_classes(self)

    def comments(self) -> dict[int, str]:
        return {
            int(name.removeprefix("action_")): value or ""
            for name, value in self.cleaned_data.items()
        }


class IndicatorValueForm(DsfrForm):
    measured_on = forms.DateField(label="Date de la mesure", widget=DATE_WIDGET)
    value = forms.CharField(label="Valeur mesurée", max_length=100)
    comment = forms.CharField(
        label="Commentaire", max_length=255, required=False, help_text=NO_PATIENT_DATA
    )

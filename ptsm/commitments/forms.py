from django import forms

from ptsm.core.forms import DsfrForm
from ptsm.governance.models import Meeting
from ptsm.organisations.forms import ContactChoice, offer_signing_contacts
from ptsm.organisations.models import Contact

from .models import SignatureMode

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SettingsForm(DsfrForm):
    signature_mode = forms.ChoiceField(
        label="Mode de signature", choices=SignatureMode.choices, widget=forms.RadioSelect
    )
    session = forms.ModelChoiceField(
        label="Séance de signature collective", queryset=Meeting.objects.none(), required=False
    )
    duration_months = forms.IntegerField(
        label="Durée de l'engagement (mois)", min_value=1, max_value=60
    )
    regulator_signatory = ContactChoice(
        label="Signataire pour le régulateur (ARS)", queryset=Contact.objects.none(), required=False
    )
    cd_signatory = ContactChoice(
        label="Signataire pour le conseil départemental (quand il copilote)",
        queryset=Contact.objects.none(),
        required=False,
    )
    place = forms.CharField(
        label="Lieu de signature (« Fait à … »)",
        max_length=100,
        required=False,
        help_text="Laisser vide pour le chef-lieu du département du territoire.",
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        offer_signing_contacts(self, project, {"regulator_signatory": "ars", "cd_signatory": "cd"})
        self.fields["session"].queryset = Meeting.objects.filter(body__project=project).order_by(
            "-starts_at"
        )
        if project.contract_months:
            # A CTSM's commitments run for its contract: one duration, set on the project.
            field = self.fields["duration_months"]
            field.disabled, field.initial = True, project.contract_months
            self.initial["duration_months"] = project.contract_months
            field.help_text = (
                f"Durée du contrat (CTSM) : {project.contract_months} mois à compter de la "
                "dernière signature ; elle se modifie dans les paramètres du projet."
            )
            self["duration_months"].help_text = field.help_text  # bound field already built


class TextForm(DsfrForm):
    text = forms.CharField(
        label="Texte",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Ne saisissez aucune donnée permettant d'identifier un patient ou un usager.",
        max_length=20_000,
    )
    # Fingerprint of the text as loaded: a save over someone else's newer text is a conflict.
    base = forms.CharField(widget=forms.HiddenInput, required=False)


class SignedPdfForm(DsfrForm):
    signed_on = forms.DateField(label="Date de signature", widget=DATE_WIDGET)
    file = forms.FileField(
        label="PDF signé",
        help_text="20 Mo au plus ; une signature électronique (PAdES) est vérifiée.",
    )
    signed_outside = forms.BooleanField(
        label="Signature manuscrite scannée (document imprimé, signé à la main puis numérisé)",
        required=False,
        help_text="À cocher pour un PDF sans signature électronique : il est enregistré comme "
        "signé à la main puis numérisé.",
    )


class RefusalForm(DsfrForm):
    refused_on = forms.DateField(label="Date du refus", widget=DATE_WIDGET)
    comment = forms.CharField(label="Commentaire", widget=forms.Textarea(attrs={"rows": 2}))


class AmendmentForm(DsfrForm):
    reason = forms.CharField(
        label="Motif de l'avenant (article 6)", widget=forms.Textarea(attrs={"rows": 2})
    )

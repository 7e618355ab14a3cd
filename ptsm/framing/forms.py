from django import forms

from ptsm.core.forms import NO_PATIENT_DATA, DsfrForm
from ptsm.organisations.forms import ContactChoice, offer_signing_contacts
from ptsm.organisations.models import Contact

from .models import SignatureMode

MAX_SECTION_LENGTH = 20_000


class SectionForm(DsfrForm):
    text = forms.CharField(
        label="Texte de la section",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=NO_PATIENT_DATA,
        max_length=MAX_SECTION_LENGTH,
    )
    # Fingerprint of the text as loaded: a save over someone else's newer text is a conflict.
    base = forms.CharField(widget=forms.HiddenInput, required=False)


class LetterSettingsForm(DsfrForm):
    duration_months = forms.IntegerField(
        label="Durée de l'engagement (mois)", min_value=1, max_value=60
    )
    ars_signatory = ContactChoice(
        label="Signataire pour l'ARS (directeur général)",
        queryset=Contact.objects.none(),
        required=False,
    )
    cd_signatory = ContactChoice(
        label="Signataire pour le conseil départemental (président)",
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
        offer_signing_contacts(self, project, {"ars_signatory": "ars", "cd_signatory": "cd"})


class SignatureForm(DsfrForm):
    mode = forms.ChoiceField(
        label="Mode de signature",
        choices=SignatureMode.choices,
        widget=forms.RadioSelect,
        initial=SignatureMode.UPLOAD,
    )
    signed_on = forms.DateField(
        label="Date de signature", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    file = forms.FileField(
        label="PDF signé",
        required=False,
        help_text="Le PDF revêtu des deux signatures, 20 Mo au plus.",
    )
    signed_outside = forms.BooleanField(
        label="Signature manuscrite scannée (document imprimé, signé à la main puis numérisé)",
        required=False,
        help_text="À cocher pour un PDF sans signature électronique : il est enregistré comme "
        "signé à la main puis numérisé.",
    )

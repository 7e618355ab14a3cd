import datetime as dt

from django import forms
from django.utils import timezone

from ptsm.core.forms import DsfrForm
from ptsm.governance.forms import DATE_WIDGET

DEFAULT_VALIDITY_DAYS = 90


class ApiTokenForm(DsfrForm):
    name = forms.CharField(
        label="Nom du jeton",
        max_length=100,
        help_text="L'outil qui l'utilisera, par exemple « Tableau de bord de l'observatoire ».",
    )
    expires_on = forms.DateField(
        label="Date d'expiration",
        widget=DATE_WIDGET,
        help_text="Un an au plus. Le jeton ne fonctionne plus après cette date.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = timezone.localdate() + dt.timedelta(
            days=DEFAULT_VALIDITY_DAYS
        )

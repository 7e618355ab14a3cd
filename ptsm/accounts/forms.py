from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)

from ptsm.core.forms import DsfrForm, DsfrFormMixin

from .models import User


class LoginForm(DsfrFormMixin, AuthenticationForm):
    username = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }


class PasswordResetRequestForm(DsfrFormMixin, PasswordResetForm):
    email = forms.EmailField(label="Adresse électronique", max_length=254)

    def get_users(self, email):
        # Invited people have no password yet: they may ask for a link too.
        return User.objects.filter(email__iexact=email, is_active=True)


class NewPasswordForm(DsfrFormMixin, SetPasswordForm):
    pass


class PasswordChangeFormDsfr(DsfrFormMixin, PasswordChangeForm):
    pass


class TotpCodeForm(DsfrForm):
    """A six-digit code from the user's authenticator application."""

    code = forms.CharField(
        label="Code à 6 chiffres",
        help_text="Affiché par votre application d'authentification ; il change toutes les 30 secondes.",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError("Le code ne contient que des chiffres.")
        return code

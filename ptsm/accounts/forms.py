from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

from ptsm.core.forms import DsfrFormMixin

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

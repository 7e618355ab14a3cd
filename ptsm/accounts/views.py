"""Account pages: lockout, throttled password reset, « Mon compte », second factor."""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_otp import login as otp_login
from django_otp import match_token, user_has_device

from . import services
from .forms import PasswordChangeFormDsfr, TotpCodeForm
from .security import allow_password_reset_request, client_ip, is_ars_administrator


def locked_out(request, original_response=None, credentials=None):
    """django-axes' response once an address or an IP address is locked out."""
    cooloff_minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/locked_out.html",
        {"page_title": "Connexion bloquée", "cooloff_minutes": cooloff_minutes},
        status=429,
    )


class PasswordResetRequestView(auth_views.PasswordResetView):
    """Password reset, with a limit on e-mails per address and per IP address."""

    def form_valid(self, form):
        if not allow_password_reset_request(
            email=form.cleaned_data["email"], ip=client_ip(self.request)
        ):
            return render(
                self.request,
                "accounts/password_reset_throttled.html",
                {"page_title": "Trop de demandes"},
                status=429,
            )
        return super().form_valid(form)


def _next_url(request, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@login_required
@require_safe
def account(request):
    return render(
        request,
        "accounts/account.html",
        {
            "page_title": "Mon compte",
            "has_totp": user_has_device(request.user),
            "totp_mandatory": is_ars_administrator(request.user),
        },
    )


@login_required
@require_POST
def todo_digest(request):
    """The weekly e-mail of one's « À faire »: subscribe or leave (a checkbox)."""
    enabled = request.POST.get("todo_digest") == "on"
    services.set_todo_digest(user=request.user, enabled=enabled)
    messages.success(
        request,
        "Vous recevrez chaque semaine votre « À faire » par courriel."
        if enabled
        else "Vous ne recevrez plus votre « À faire » par courriel.",
    )
    return redirect("accounts:account")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def otp_setup(request):
    """Enable the second factor: QR code and secret, confirmed by a first code."""
    user = request.user
    if user_has_device(user) and not user.is_verified():
        # Replacing a device requires the current one first.
        return redirect(f"{reverse('accounts:otp_verify')}?{request.GET.urlencode()}")
    device = services.pending_totp_device(user=user)
    form = TotpCodeForm(request.POST or None)
    if form.is_valid():
        if services.confirm_totp_device(device=device, code=form.cleaned_data["code"]):
            otp_login(request, device)
            messages.success(request, "La double authentification est activée.")
            return redirect(_next_url(request, reverse("accounts:account")))
        form.add_error("code", "Code incorrect ou expiré : saisissez le code affiché maintenant.")
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "page_title": "Activer la double authentification",
            "form": form,
            "qr_code": segno.make(device.config_url, error="m").svg_inline(
                scale=5, title="QR code à scanner avec votre application d'authentification"
            ),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "mandatory": is_ars_administrator(user),
            "next": _next_url(request, ""),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def otp_verify(request):
    """After the password: the code from the user's authenticator application."""
    user = request.user
    if not user_has_device(user):
        return redirect(f"{reverse('accounts:otp_setup')}?{request.GET.urlencode()}")
    if user.is_verified():
        return redirect(_next_url(request, reverse(settings.LOGIN_REDIRECT_URL)))
    form = TotpCodeForm(request.POST or None)
    if form.is_valid():
        device = match_token(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request, reverse(settings.LOGIN_REDIRECT_URL)))
        form.add_error(
            "code",
            "Code incorrect ou expiré. Après plusieurs erreurs, patientez quelques secondes "
            "avant de réessayer.",
        )
    return render(
        request,
        "accounts/otp_verify.html",
        {"page_title": "Double authentification", "form": form, "next": _next_url(request, "")},
    )


@login_required
@require_POST
def otp_disable(request):
    try:
        services.disable_totp(user=request.user, code=request.POST.get("code", ""))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "La double authentification est désactivée.")
    return redirect("accounts:account")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PasswordChangeFormDsfr
    success_url = reverse_lazy("accounts:account")
    extra_context = {"page_title": "Changer de mot de passe"}
    http_method_names = ["get", "head", "post"]  # a FormView would take PUT as POST

    def form_valid(self, form):
        messages.success(self.request, "Votre mot de passe a été changé.")
        return super().form_valid(form)

"""Personal API tokens on the account page: created (secret shown once) and revoked."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from . import services
from .forms import ApiTokenForm
from .models import ApiToken


@login_required
@require_POST
def token_create(request):
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            created = services.create_token(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            response = render(
                request,
                "api/token_created.html",
                {
                    "page_title": "Jeton d'API créé",
                    "token": created.token,
                    "secret": created.secret,
                },
            )
            add_never_cache_headers(response)  # the secret must not stay in any cache
            return response
    return render(
        request,
        "api/token_form.html",
        {"page_title": "Créer un jeton d'API", "form": form},
        status=400,
    )


@login_required
@require_POST
def token_revoke(request):
    token = get_object_or_404(
        ApiToken,
        pk=request.POST.get("token") if str(request.POST.get("token", "")).isdigit() else None,
        user=request.user,
    )
    services.revoke_token(token=token)
    messages.success(request, f"Le jeton « {token.name} » est révoqué : il ne donne plus accès.")
    return redirect("accounts:account")

from django import template
from django.utils import timezone

from ..forms import ApiTokenForm
from ..models import ApiToken

register = template.Library()


@register.inclusion_tag("api/account_tokens.html", takes_context=True)
def api_tokens_section(context):
    """The account page's « Accès à l'API » section: the user's tokens and the creation form."""
    request = context["request"]
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "tokens": ApiToken.objects.filter(user=request.user),
        "today": timezone.localdate(),
        "form": ApiTokenForm(),
    }

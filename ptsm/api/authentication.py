"""Personal API tokens in the `Authorization: Bearer <jeton>` header."""

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from . import services

KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "En-tête Authorization invalide : « Bearer <jeton> » attendu."
            )
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            secret = ""
        token = services.active_token(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(
                "Jeton invalide, expiré ou révoqué : créez-en un sur la page « Mon compte »."
            )
        services.note_use(token)
        return token.user, token

    def authenticate_header(self, request):
        # A 401 (not a 403) for requests without credentials, as RFC 9110 asks.
        return 'Bearer realm="api"'

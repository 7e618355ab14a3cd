"""What drf-spectacular needs to document the API's own pieces."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "ptsm.api.authentication.ApiTokenAuthentication"
    name = "jeton"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Jeton personnel créé sur la page « Mon compte » de ptsm.",
        }

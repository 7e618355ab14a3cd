"""HTTP headers every response carries."""

from django.conf import settings


class PermissionsPolicyMiddleware:
    """Denies the browser features listed in settings.PERMISSIONS_POLICY to every page."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response

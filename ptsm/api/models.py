"""Personal API tokens: the secret is shown once, only its SHA-256 is kept."""

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("nom du jeton", max_length=100)
    # The first characters of the secret, to recognise a token in the list (not enough to use it).
    prefix = models.CharField("début du jeton", max_length=16)
    key_sha256 = models.CharField("empreinte SHA-256", max_length=64, unique=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    expires_on = models.DateField("expire le")
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

"""Errors as RFC 9457 problem details (application/problem+json), in French."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from ptsm.core.concurrency import EditConflict

PROBLEM_TYPE = "application/problem+json"
TITLES = {
    400: "Requête invalide",
    401: "Authentification requise",
    403: "Accès refusé",
    404: "Ressource introuvable",
    405: "Méthode non autorisée",
    406: "Format de réponse non disponible",
    409: "Conflit",
    413: "Requête trop volumineuse",
    415: "Type de contenu non pris en charge",
    429: "Trop de requêtes",
}
DEFAULT_DETAILS = {
    404: "La ressource demandée n'existe pas ou ne vous est pas accessible.",
    403: "Votre rôle dans ce projet ne permet pas cette action.",
}


def _flatten(data) -> str:
    if isinstance(data, dict):
        return " ".join(_flatten(v) for v in data.values())
    if isinstance(data, list):
        return " ".join(_flatten(v) for v in data)
    return str(data)


def problem(status_code: int, detail: str, *, errors=None, headers=None) -> Response:
    body = {
        "type": "about:blank",
        "title": TITLES.get(status_code, "Erreur"),
        "status": status_code,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    response = Response(body, status=status_code, headers=headers, content_type=PROBLEM_TYPE)
    return response


def problem_exception_handler(exc, context):
    if isinstance(exc, EditConflict):  # changed by someone else meanwhile: nothing written
        return problem(status.HTTP_409_CONFLICT, " ".join(exc.messages))
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, Http404):
        message = str(exc) if exc.args else DEFAULT_DETAILS[404]
        exc = exceptions.NotFound(message)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) if exc.args else DEFAULT_DETAILS[403])
    response = exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django's 500
    headers = {
        k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")
    }
    if isinstance(exc, exceptions.ValidationError):
        data = exc.detail
        detail = (
            "Les données envoyées ne sont pas valides : rien n'a été enregistré. " + _flatten(data)
        ).strip()
        return problem(status.HTTP_400_BAD_REQUEST, detail, errors=data, headers=headers)
    detail = response.data.get("detail") if isinstance(response.data, dict) else None
    return problem(
        response.status_code, str(detail or TITLES.get(response.status_code, "")), headers=headers
    )

"""JSON bodies read with a bound: a larger body is refused (413) before it is parsed."""

import io

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

MAX_BODY_BYTES = 2 * 1024 * 1024  # 5,000 diagnostic values take about 700 KB


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Corps de requête trop volumineux : envoyez les valeurs en plusieurs lots."
    default_code = "too_large"


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = getattr(settings, "PTSM_API_MAX_BODY_BYTES", MAX_BODY_BYTES)
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise RequestTooLarge()
        return super().parse(io.BytesIO(data), media_type, parser_context)

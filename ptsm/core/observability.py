"""Request logs as JSON lines, and the request id that ties a request's log lines together.

Each request gets an id (the proxy's ``X-Request-ID`` when it sends a sane one, else a new
one), returned in the response's ``X-Request-ID`` header and attached to every log line written
while the request is served, with the user's id, the project's slug and the duration.
"""

import contextvars
import datetime as dt
import json
import logging
import re
import time
import uuid

request_context: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "ptsm_request_context", default=None
)
request_logger = logging.getLogger("ptsm.requests")
# A proxy's id is kept only when it cannot inject anything into a log line.
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


def incoming_request_id(request) -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if SANE_REQUEST_ID.match(given) else uuid.uuid4().hex


class RequestLogMiddleware:
    """Gives each request an id and writes one log line when it is served."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        context = {"request_id": incoming_request_id(request)}
        token = request_context.set(context)
        request.request_id = context["request_id"]
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        response["X-Request-ID"] = context["request_id"]
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        request_logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": context["request_id"],
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "project": (match.kwargs.get("slug") if match else None),
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response


# Attributes every LogRecord has: anything else was passed in `extra` and goes in the line.
STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request's context, extras."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(request_context.get() or {})
        for key, value in vars(record).items():
            if key not in STANDARD_ATTRIBUTES and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)

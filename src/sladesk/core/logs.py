"""Structured logs: one JSON object per line, and a request line per request.

With `SLADESK_LOG_FORMAT=json` every log record is written as one JSON object per line
(`JsonFormatter`), and `RequestLogMiddleware` logs each request on the `sladesk.request`
logger with its request id, method, path, status and duration. The request id is the
incoming `X-Request-ID` header when it is a short token (a reverse proxy can set it), else
a new one; it is sent back in the response's `X-Request-ID` header either way.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

REQUEST_LOGGER = logging.getLogger("sladesk.request")
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Attributes every LogRecord has; anything else was passed in `extra=` and is kept.
_STANDARD = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def request_id_for(request: HttpRequest) -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if REQUEST_ID_RE.match(given) else uuid.uuid4().hex


class RequestLogMiddleware:
    """Give each request an id and log it once it is answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request_id = request_id_for(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("X-Request-ID", request_id)
        if REQUEST_LOGGER.isEnabledFor(logging.INFO):
            REQUEST_LOGGER.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "request_id": request_id,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
        return response


def logging_config(*, fmt: str, level: str) -> dict[str, Any]:
    """The LOGGING setting. In text form the per-request lines are left to gunicorn's
    access log, so `sladesk.request` only speaks in JSON form."""
    json_form = fmt == "json"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "sladesk.core.logs.JsonFormatter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                **({"formatter": "json"} if json_form else {}),
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"sladesk.request": {"level": "INFO" if json_form else "WARNING"}},
    }

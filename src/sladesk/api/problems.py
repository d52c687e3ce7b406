"""Errors as RFC 9457 problem details (`application/problem+json`).

Every error the API returns has `type`, `title`, `status` and `detail`; validation errors
also list every problem in `errors`, each with a JSON pointer into the request (`pointer`,
e.g. `/rows/3/logged_at`) or the name of the query or path parameter (`parameter`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from sladesk.api.ratelimit import RateLimited
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
# Problem types specific to sladesk; each is described in docs/api.md under "Errors".
TYPE_BASE = "https://sladesk.dev/problems/"
VALIDATION = TYPE_BASE + "validation"
RATE_LIMITED = TYPE_BASE + "rate-limited"
BATCH_TOO_LARGE = TYPE_BASE + "batch-too-large"
INSUFFICIENT_SCOPE = TYPE_BASE + "insufficient-scope"


class ApiProblem(Exception):
    """Raised by a route to answer with a problem detail."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        type_: str = "about:blank",
        title: str = "",
        errors: Iterable[Mapping[str, Any]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type = type_
        self.title = title or HTTPStatus(status).phrase
        self.errors = [dict(e) for e in errors]
        self.headers = dict(headers or {})


def problem_response(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    body: dict[str, Any] = {
        "type": exc.type,
        "title": exc.title,
        "status": exc.status,
        "detail": exc.detail,
        "instance": request.path,
    }
    if exc.errors:
        body["errors"] = exc.errors
    response = HttpResponse(json.dumps(body), status=exc.status, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in exc.headers.items():
        response[name] = value
    return response


def _pointer(parts: Iterable[Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def ninja_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's error list as problem-detail entries, one per field problem."""
    out = []
    for error in errors:
        loc = list(error.get("loc") or [])
        source = str(loc[0]) if loc else "body"
        rest = loc[1:]
        entry: dict[str, Any] = {"detail": str(error.get("msg", "invalid"))}
        if source == "body":
            # Ninja puts the body parameter's name first ("payload"): the pointer is into
            # the document the client sent, so it is dropped.
            if rest and rest[0] == "payload":
                rest = rest[1:]
            entry["pointer"] = _pointer(rest) or "/"
        elif source == "file":
            entry["parameter"] = ".".join(str(p) for p in rest) or "file"
        else:
            entry["parameter"] = ".".join(str(p) for p in rest) or source
            entry["in"] = source
        out.append(entry)
    return out


def action_errors(errors: Mapping[str, str]) -> list[dict[str, Any]]:
    # A field may name a place inside the body ("rows/3/logged_at").
    return [
        {"pointer": _pointer(field.split("/")), "detail": message}
        for field, message in errors.items()
    ]


def _add(api: NinjaAPI, exc_class: type[Exception], handler: Callable[..., HttpResponse]) -> None:
    api.add_exception_handler(exc_class, handler)


def install(api: NinjaAPI) -> None:
    def on_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
        return problem_response(request, exc)

    def on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = ninja_errors(list(exc.errors))
        return problem_response(
            request,
            ApiProblem(
                422,
                f"the request has {len(errors)} invalid field(s)",
                type_=VALIDATION,
                title="Invalid request",
                errors=errors,
            ),
        )

    def on_action_validation(request: HttpRequest, exc: ActionValidationError) -> HttpResponse:
        return problem_response(
            request,
            ApiProblem(
                422,
                f"the request has {len(exc.errors)} invalid field(s); nothing was saved",
                type_=VALIDATION,
                title="Invalid request",
                errors=action_errors(exc.errors),
            ),
        )

    def on_denied(request: HttpRequest, exc: ActionPermissionDenied) -> HttpResponse:
        return problem_response(request, ApiProblem(403, str(exc) or "not allowed"))

    def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Never says whether the object exists elsewhere (another company's ticket).
        return problem_response(request, ApiProblem(404, "no such object"))

    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem_response(
            request,
            ApiProblem(
                401,
                "send a valid API token (Authorization: Bearer ...) or sign in",
                headers={"WWW-Authenticate": 'Bearer realm="sladesk"'},
            ),
        )

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code if 400 <= exc.status_code < 600 else 400
        return problem_response(request, ApiProblem(status, exc.message))

    def on_rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
        return problem_response(
            request,
            ApiProblem(
                429,
                f"more than {exc.limit} requests in {exc.window} seconds; retry after "
                f"{exc.retry_after} seconds",
                type_=RATE_LIMITED,
                title="Too many requests",
                headers={"Retry-After": str(exc.retry_after)},
            ),
        )

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return problem_response(request, ApiProblem(500, "an unexpected error; it is logged"))

    _add(api, ApiProblem, on_problem)
    _add(api, NinjaValidationError, on_validation)
    _add(api, ActionValidationError, on_action_validation)
    _add(api, ActionPermissionDenied, on_denied)
    _add(api, ObjectDoesNotExist, on_not_found)
    _add(api, Http404, on_not_found)
    _add(api, AuthenticationError, on_auth)
    _add(api, HttpError, on_http_error)
    _add(api, RateLimited, on_rate_limited)
    _add(api, Exception, on_unexpected)

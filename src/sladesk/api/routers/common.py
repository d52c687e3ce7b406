"""What every router shares: error responses to declare and the caller's user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sladesk.api.schemas import Problem

# Every authenticated operation may answer these; each is a problem detail.
COMMON_ERRORS = frozenset({400, 401, 403, 404, 422, 429})


def responses(ok: dict[int, Any]) -> dict[Any, Any]:
    return {**ok, COMMON_ERRORS: Problem}


def user_of(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]

"""What every router shares: error responses to declare and the caller's user."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from django.http import HttpRequest

from sladesk.api.problems import VALIDATION, ApiProblem
from sladesk.api.schemas import Problem

# Every authenticated operation may answer these; each is a problem detail.
COMMON_ERRORS = frozenset({400, 401, 403, 404, 422, 429})


def responses(ok: dict[int, Any]) -> dict[Any, Any]:
    return {**ok, COMMON_ERRORS: Problem}


def user_of(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def encode_cursor(at: dt.datetime, pk: int) -> str:
    """A page boundary in a newest-first list ordered by (instant, id)."""
    raw = f"{at.isoformat()}|{pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at_text, pk_text = raw.rsplit("|", 1)
        at = dt.datetime.fromisoformat(at_text)
        pk = int(pk_text)
        if at.tzinfo is None:
            raise ValueError("naive")
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise ApiProblem(
            422,
            "the cursor is not one this API gave out",
            type_=VALIDATION,
            title="Invalid request",
            errors=[{"parameter": "cursor", "in": "query", "detail": "unknown cursor"}],
        ) from exc
    return at, pk

"""Who is calling: a personal API token (Authorization: Bearer ...) or, for the pages' own
calls, the browser session with Django's CSRF check. Both count against the rate limit;
a token must also carry the scope its request needs (`read` for GET, `write` otherwise)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from sladesk.api import ratelimit
from sladesk.api.actions import TOKEN_PREFIX, digest
from sladesk.api.models import ApiToken, Scope
from sladesk.api.problems import INSUFFICIENT_SCOPE, ApiProblem
from sladesk.core.clock import instant

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# last_used_at is for people reviewing their tokens; writing it on every call would turn
# every read into a write, so it is refreshed at most once a minute.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def refuse_nul(request: HttpRequest) -> None:
    """Refuse NUL characters anywhere in the request: PostgreSQL cannot store or even
    compare them in text, so they would otherwise fail deep inside a query."""
    found = "\x00" in request.path
    for values in request.GET.lists():
        found = found or any("\x00" in v for v in (values[0], *values[1]))
    content_type = request.content_type or ""
    if request.method not in SAFE_METHODS and not found:
        if content_type.startswith("multipart/") or content_type.endswith("urlencoded"):
            for key, items in request.POST.lists():
                found = found or any("\x00" in v for v in (key, *items))
            for _field, uploads in request.FILES.lists():
                found = found or any("\x00" in (u.name or "") for u in uploads)
        else:
            found = b"\x00" in request.body or b"\\u0000" in request.body
    if found:
        raise ApiProblem(400, "the request contains a NUL character, which sladesk refuses")


def needed_scope(request: HttpRequest) -> str:
    return Scope.READ if request.method in SAFE_METHODS else Scope.WRITE


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        token = token.strip()
        if not token.startswith(TOKEN_PREFIX):
            return None
        found = (
            ApiToken.objects.select_related("user", "user__company")
            .filter(digest=digest(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        ratelimit.hit(f"token:{found.pk}")
        refuse_nul(request)
        scope = needed_scope(request)
        if not found.allows(scope):
            raise ApiProblem(
                403,
                f"this token lacks the {scope!r} scope",
                type_=INSUFFICIENT_SCOPE,
                title="Insufficient scope",
            )
        now = instant(None)
        if found.last_used_at is None or now - found.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


class BrowserSession(SessionAuth):
    """The signed-in browser session; ninja checks the CSRF token on unsafe methods."""

    def __call__(self, request: HttpRequest) -> Any:
        # Without a session there is nothing to protect: answer 401 (not a CSRF 403) so a
        # client that forgot its token is told what is missing.
        if not getattr(request.user, "is_authenticated", False):
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        ratelimit.hit(f"user:{user.pk}")
        refuse_nul(request)
        return user


def caller(request: HttpRequest) -> Any:
    """The authenticated user of this request."""
    return request.auth  # type: ignore[attr-defined]

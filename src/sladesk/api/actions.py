"""API business events: creating and revoking personal API tokens, and switching a webhook
endpoint off (the webhooks app has no action for that yet; this one changes only the
`active` flag, audited)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence

from django.db import transaction

from sladesk.accounts.models import User
from sladesk.accounts.roles import Capability
from sladesk.api.models import ApiToken, Scope
from sladesk.audit.recorder import record
from sladesk.core.clock import instant
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.webhooks.models import Endpoint

TOKEN_PREFIX = "sld_"
DISPLAY_PREFIX_LENGTH = 12


def digest(raw: str) -> str:
    """The stored form of a token. Tokens are 256 random bits, so a plain SHA-256 cannot be
    reversed or guessed; a slow password hash would only slow down every API call."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _signed_in(actor: User | None) -> User:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise ActionPermissionDenied("you must be signed in")
    return actor


def create_token(
    *,
    actor: User | None,
    user: User,
    name: str,
    scopes: Sequence[str] = (Scope.READ, Scope.WRITE),
    at: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a personal API token for `user`; returns the row and the token, which is
    never stored and so cannot be shown again.

    `actor` None is the system (the `sladesk token create` command, run by whoever operates
    the server). Otherwise a user creates their own tokens; an administrator anyone's.
    """
    at = instant(at)
    if actor is not None:
        _signed_in(actor)
        if actor.pk != user.pk and not actor.can(Capability.MANAGE_API_TOKENS):
            raise ActionPermissionDenied("you may only create API tokens for yourself")
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "name the token (what will use it)"
    elif len(name) > 100:
        errors["name"] = "keep the name to 100 characters"
    wanted = sorted({str(s).strip() for s in scopes if str(s).strip()})
    unknown = [s for s in wanted if s not in Scope.values]
    if unknown:
        errors["scopes"] = f"unknown scope {unknown[0]!r} (known: {', '.join(Scope.values)})"
    elif not wanted:
        errors["scopes"] = "give at least one scope"
    if not user.is_active:
        errors["user"] = f"{user.email} is not active"
    if errors:
        raise ActionValidationError(errors)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=raw[:DISPLAY_PREFIX_LENGTH],
            digest=digest(raw),
            scopes=wanted,
            created_at=at,
            created_by=actor,
        )
        record(
            actor=actor,
            action="api.token_created",
            at=at,
            subject=token,
            after={"user": user.email, "name": name, "prefix": token.prefix, "scopes": wanted},
        )
    return token, raw


def revoke_token(*, actor: User | None, token: ApiToken, at: dt.datetime | None = None) -> ApiToken:
    """Revoke a token at once. Its owner or an administrator may; `actor` None is the
    system (`sladesk token revoke`)."""
    at = instant(at)
    if actor is not None:
        _signed_in(actor)
        if token.user_id != actor.pk and not actor.can(Capability.MANAGE_API_TOKENS):
            raise ActionPermissionDenied("you may only revoke your own API tokens")
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            raise ActionValidationError({"token": "the token is already revoked"})
        token.revoked_at = at
        token.save(update_fields=["revoked_at"])
        record(
            actor=actor,
            action="api.token_revoked",
            at=at,
            subject=token,
            before={"revoked_at": None},
            after={"revoked_at": at.isoformat(), "user": token.user.email},
        )
    return token


def deactivate_webhook_endpoint(
    *, actor: User, endpoint: Endpoint, at: dt.datetime | None = None
) -> Endpoint:
    """Stop sending events to an endpoint. The row and its delivery log are kept."""
    at = instant(at)
    _signed_in(actor)
    if not actor.can(Capability.MANAGE_WEBHOOKS):
        raise ActionPermissionDenied(f"a {actor.role_label.lower()} may not manage webhooks")
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        if not endpoint.active:
            raise ActionValidationError({"active": "the endpoint is already inactive"})
        endpoint.active = False
        endpoint.save(update_fields=["active"])
        record(
            actor=actor,
            action="webhook.endpoint_deactivated",
            at=at,
            subject=endpoint,
            before={"active": True},
            after={"active": False},
        )
    return endpoint

"""/api/v1/tokens: list and revoke personal API tokens (created by `sladesk token create`
or on the tokens page)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from sladesk.accounts.roles import Capability
from sladesk.api.actions import revoke_token
from sladesk.api.models import ApiToken
from sladesk.api.routers.common import responses, user_of
from sladesk.api.schemas import TokenOut

router = Router(tags=["tokens"])


def token_out(t: ApiToken) -> dict[str, Any]:
    return {
        "id": t.pk,
        "user": t.user.email,
        "name": t.name,
        "prefix": t.prefix,
        "scopes": list(t.scopes or []),
        "created_at": t.created_at,
        "last_used_at": t.last_used_at,
        "revoked_at": t.revoked_at,
    }


def tokens_visible_to(user: Any) -> Any:
    tokens = ApiToken.objects.select_related("user")
    if user.can(Capability.MANAGE_API_TOKENS):
        return tokens.all()
    return tokens.filter(user=user)


@router.get("/tokens", response=responses({200: list[TokenOut]}), summary="API tokens")
def tokens(request: HttpRequest) -> list[dict[str, Any]]:
    """Your tokens (an administrator: everyone's). Never the token itself."""
    return [token_out(t) for t in tokens_visible_to(user_of(request))]


@router.delete("/tokens/{token_id}", response=responses({200: TokenOut}), summary="Revoke a token")
def revoke(request: HttpRequest, token_id: int) -> dict[str, Any]:
    user = user_of(request)
    token = tokens_visible_to(user).get(pk=token_id)
    return token_out(revoke_token(actor=user, token=token))

"""The page where a signed-in user creates, lists and revokes their own API tokens."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from sladesk.accounts.models import User
from sladesk.api.actions import create_token, revoke_token
from sladesk.api.models import ApiToken, Scope
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError


@require_http_methods(["GET", "POST"])
@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    created = None
    if request.method == "POST":
        try:
            _token, created = create_token(
                actor=request.user,  # type: ignore[arg-type]
                user=request.user,  # type: ignore[arg-type]
                name=request.POST.get("name", ""),
                scopes=request.POST.getlist("scopes"),
            )
        except ActionValidationError as exc:
            for field, message in exc.errors.items():
                messages.error(request, f"{field}: {message}")
    tokens = ApiToken.objects.filter(user=cast(User, request.user)).order_by("-created_at", "-id")
    return render(
        request,
        "api/tokens.html",
        {"tokens": tokens, "created": created, "scopes": Scope.choices},
    )


@require_POST
@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=pk, user=cast(User, request.user)).first()
    if token is None:
        raise Http404("No such token")
    try:
        revoke_token(actor=request.user, token=token)  # type: ignore[arg-type]
    except (ActionValidationError, ActionPermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Token {token.prefix}… revoked.")
    return redirect("api:tokens")

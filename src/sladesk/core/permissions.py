"""The capability check every action starts with.

One place decides what "may this person do this" means for a signed-in, active user, so the
refusal and its wording are the same whichever app's action refuses. Apps that also scope
by company (tickets, billing, complaints) add their own check after this one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sladesk.core.errors import ActionPermissionDenied

if TYPE_CHECKING:
    from sladesk.accounts.models import User
    from sladesk.accounts.roles import Capability


def require(actor: Any, capability: Capability) -> User:
    """The actor, if signed in, active and granted `capability`; else ActionPermissionDenied."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise ActionPermissionDenied("you must be signed in")
    if not actor.can(capability):
        raise ActionPermissionDenied(f"a {actor.role_label.lower()} may not {capability.value}")
    user: User = actor
    return user

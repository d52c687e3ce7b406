"""Reads for the planning pages, scoped by capability (administrators for what-if,
managers and administrators for the staffing forecast)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sladesk.accounts.roles import Capability
from sladesk.contracts.models import SlaPolicy
from sladesk.planning.models import PolicyDraft


def _can(user: Any, capability: Capability) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active and user.can(capability)
    )


def can_replay(user: Any) -> bool:
    return _can(user, Capability.REPLAY_POLICY)


def can_view_staffing(user: Any) -> bool:
    return _can(user, Capability.VIEW_STAFFING_FORECAST)


def drafts_for(user: Any) -> QuerySet[PolicyDraft]:
    if not can_replay(user):
        return PolicyDraft.objects.none()
    return PolicyDraft.objects.select_related("policy", "created_by", "activated_by")


def policies_for(user: Any) -> QuerySet[SlaPolicy]:
    if not can_replay(user):
        return SlaPolicy.objects.none()
    return SlaPolicy.objects.order_by("-is_default", "name")

"""Reads for the on-call pages, scoped to helpdesk staff."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from sladesk.accounts.roles import Capability
from sladesk.oncall.models import Page, Rota, RotaShift


def _staff(user: Any) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.can(Capability.VIEW_INTERNAL)
    )


def shifts_for(
    user: Any, rota: Rota, *, start: dt.datetime, end: dt.datetime
) -> QuerySet[RotaShift]:
    if not _staff(user):
        return RotaShift.objects.none()
    return (
        RotaShift.objects.filter(rota=rota, ends_at__gt=start, starts_at__lt=end)
        .select_related("engineer")
        .order_by("starts_at", "level", "pk")
    )


def pages_for(user: Any, *, open_only: bool = False, limit: int = 50) -> QuerySet[Page]:
    if not _staff(user):
        return Page.objects.none()
    pages = Page.objects.select_related("ticket__company", "recipient", "acknowledged_by")
    if open_only:
        # Pages of tickets nobody has acknowledged yet (any step).
        pages = pages.exclude(ticket__pages__acknowledged_at__isnull=False)
    return pages.order_by("-paged_at", "-pk")[:limit]


def pages_for_ticket(user: Any, ticket: Any) -> QuerySet[Page]:
    if not _staff(user):
        return Page.objects.none()
    return (
        Page.objects.filter(ticket=ticket)
        .select_related("recipient", "acknowledged_by")
        .order_by("step")
    )

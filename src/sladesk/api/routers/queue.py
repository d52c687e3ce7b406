"/api/v1/queue: the operators' queue, through sladesk.queue's selectors and actions."

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from sladesk.accounts.roles import Capability
from sladesk.api.routers.common import responses, user_of
from sladesk.api.schemas import AvailabilityIn, AvailabilityOut, QueueEntry, TakeNextOut
from sladesk.api.serialize import ticket_out
from sladesk.core.clock import instant
from sladesk.core.errors import ActionPermissionDenied
from sladesk.queue import actions
from sladesk.queue.selectors import queue_for

router = Router(tags=["queue"])
QUEUE_LIMIT = 500


@router.get("/queue", response=responses({200: list[QueueEntry]}), summary="The queue")
def queue(request: HttpRequest) -> list[dict[str, Any]]:
    """Open, unassigned tickets, most urgent first (helpdesk only; at most 500)."""
    user = user_of(request)
    if not user.can(Capability.TAKE_TICKET):
        raise ActionPermissionDenied("the queue is for the helpdesk")
    now = instant(None)
    return [
        {
            **ticket_out(t, user, now),
            "breached": t.breached,  # type: ignore[attr-defined]
            "waiting_for_opening": t.waiting,  # type: ignore[attr-defined]
        }
        for t in queue_for(user, now=now).select_related("assignee", "module__product")[
            :QUEUE_LIMIT
        ]
    ]


@router.post(
    "/queue/take-next",
    response=responses({200: TakeNextOut}),
    summary="Take the most urgent unassigned ticket",
)
def take_next(request: HttpRequest) -> dict[str, Any]:
    """The caller must be available (POST /queue/availability). `ticket` is null when the
    queue is empty."""
    user = user_of(request)
    ticket = actions.take_next(actor=user)
    return {"ticket": ticket_out(ticket, user, instant(None)) if ticket else None}


@router.post(
    "/queue/availability",
    response=responses({200: AvailabilityOut}),
    summary="Say you are available to take tickets, or away",
)
def availability(request: HttpRequest, payload: AvailabilityIn) -> dict[str, Any]:
    status = actions.set_availability(actor=user_of(request), available=payload.available)
    return {"available": status.available, "changed_at": status.changed_at}

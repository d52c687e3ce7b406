"/api/v1/queue: the operators' queue, through sladesk.queue's selectors and actions."

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from sladesk.accounts.roles import Capability
from sladesk.api.routers.common import responses, user_of
from sladesk.api.schemas import AvailabilityIn, AvailabilityOut, QueuePage, TakeNextOut
from sladesk.api.serialize import ticket_out
from sladesk.core.clock import instant
from sladesk.core.errors import ActionPermissionDenied
from sladesk.queue import actions
from sladesk.queue.selectors import page_of, queue_for

router = Router(tags=["queue"])
MAX_PAGE = 500
# Far beyond any real queue; it keeps a fuzzed offset inside the database's integer range.
MAX_OFFSET = 1_000_000


class QueuePaging(Schema):
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET, description="Rows to skip")


@router.get("/queue", response=responses({200: QueuePage}), summary="The queue")
def queue(request: HttpRequest, paging: Query[QueuePaging]) -> dict[str, Any]:
    """Open, unassigned tickets, most urgent first (helpdesk only), a page at a time: follow
    `next_offset`. Pages are positions in the queue as it is at each call, so a ticket taken
    meanwhile shifts the later ones up by one."""
    user = user_of(request)
    if not user.can(Capability.TAKE_TICKET):
        raise ActionPermissionDenied("the queue is for the helpdesk")
    now = instant(None)
    tickets = queue_for(user, now=now)
    total = tickets.count()
    end = paging.offset + paging.limit
    page = page_of(
        tickets.select_related("assignee", "module__product"),
        offset=paging.offset,
        limit=paging.limit,
    )
    return {
        "items": [
            {
                **ticket_out(t, user, now),
                "breached": t.breached,  # type: ignore[attr-defined]
                "waiting_for_opening": t.waiting,  # type: ignore[attr-defined]
            }
            for t in page
        ],
        "total": total,
        "next_offset": end if end < total else None,
    }


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

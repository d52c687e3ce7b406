"""/api/v1/charges: the caller's visible statement lines and disputes about them, through
the billing selectors and `billing.actions.dispute_charge`, as the statement page does."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from sladesk.api.routers.common import decode_cursor, encode_cursor, responses, user_of
from sladesk.api.schemas import ChargePage, DisputeIn, DisputeOut
from sladesk.api.serialize import charge_out, complaint_out
from sladesk.billing import actions, selectors
from sladesk.complaints.models import OPEN_STAGES
from sladesk.complaints.selectors import complaints_visible_to
from sladesk.core.clock import instant

router = Router(tags=["billing"])

MAX_PAGE = 200


class ChargeFilters(Schema):
    held: bool | None = Field(default=None, description="true: disputed, held until decided")
    ticket: str | None = Field(default=None, description="Ticket reference")
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)


@router.get("/charges", response=responses({200: ChargePage}), summary="List charges")
def list_charges(request: HttpRequest, filters: Query[ChargeFilters]) -> dict[str, Any]:
    """Statement lines, newest first. Customers: the lines of their company's issued
    statements only. Follow `next_cursor` for the next page."""
    charges = selectors.charges_visible_to(user_of(request))
    if filters.held is not None:
        charges = charges.filter(held=filters.held)
    if filters.ticket:
        charges = charges.filter(ticket__reference=filters.ticket)
    charges = charges.order_by("-created_at", "-id")
    if filters.cursor:
        at, pk = decode_cursor(filters.cursor)
        charges = charges.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=pk))
    page = list(charges[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    return {
        "items": [charge_out(c) for c in page],
        "next_cursor": (encode_cursor(page[-1].created_at, page[-1].pk) if more and page else None),
    }


@router.post(
    "/charges/{charge_id}/disputes",
    response=responses({201: DisputeOut}),
    summary="Dispute a charge",
)
def dispute(request: HttpRequest, charge_id: int, payload: DisputeIn) -> Status[Any]:
    """The charge is held (left out of totals) until the complaints decision; a complaint
    about the charge is logged, and returned here to follow."""
    user = user_of(request)
    # Charge.DoesNotExist becomes a 404: another company's line, or one on a draft statement.
    charge = actions.dispute_charge(
        actor=user, charge=selectors.charge_for(user, charge_id), reason=payload.reason
    )
    complaint = complaints_visible_to(user).get(charge=charge, stage__in=OPEN_STAGES)
    return Status(
        201, {"charge": charge_out(charge), "complaint": complaint_out(complaint, instant(None))}
    )

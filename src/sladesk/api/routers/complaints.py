"""/api/v1/complaints: log, list and read complaints through the complaints actions and
selectors, as the complaint pages do."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from sladesk.api.routers.common import decode_cursor, encode_cursor, responses, user_of
from sladesk.api.schemas import (
    AboutName,
    ComplaintDetail,
    ComplaintIn,
    ComplaintPage,
    ComplaintStageName,
)
from sladesk.api.serialize import complaint_out, is_helpdesk
from sladesk.billing.selectors import charges_visible_to
from sladesk.complaints import actions, selectors
from sladesk.complaints.models import Channel
from sladesk.core.clock import instant
from sladesk.core.errors import ActionValidationError
from sladesk.customers.models import Contact
from sladesk.tickets.selectors import tickets_visible_to

router = Router(tags=["complaints"])

MAX_PAGE = 200


class ComplaintFilters(Schema):
    stage: ComplaintStageName | None = None
    about: AboutName | None = None
    company: str | None = Field(default=None, description="Company slug")
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)


class _DryRun(Exception):
    pass


@router.get("/complaints", response=responses({200: ComplaintPage}), summary="List complaints")
def list_complaints(request: HttpRequest, filters: Query[ComplaintFilters]) -> dict[str, Any]:
    """Newest first; customers see their own company's complaints only. Follow
    `next_cursor` for the next page."""
    user = user_of(request)
    complaints = selectors.complaints_visible_to(user)
    if filters.stage:
        complaints = complaints.filter(stage=filters.stage)
    if filters.about:
        complaints = complaints.filter(about=filters.about)
    if filters.company:
        complaints = complaints.filter(company__slug=filters.company)
    complaints = complaints.order_by("-logged_at", "-id")
    if filters.cursor:
        at, pk = decode_cursor(filters.cursor)
        complaints = complaints.filter(Q(logged_at__lt=at) | Q(logged_at=at, id__lt=pk))
    page = list(complaints[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    now = instant(None)
    return {
        "items": [complaint_out(c, now) for c in page],
        "next_cursor": (encode_cursor(page[-1].logged_at, page[-1].pk) if more and page else None),
    }


@router.post("/complaints", response=responses({201: ComplaintDetail}), summary="Log a complaint")
def log_complaint(request: HttpRequest, payload: ComplaintIn) -> Status[Any]:
    """About a ticket (`ticket`), a charge (`charge_id`) or the service. A customer complains
    for itself; the helpdesk logs a complaint received by phone, email or letter on behalf
    of a customer contact (`contact_id`)."""
    user = user_of(request)
    errors: dict[str, str] = {}
    ticket = charge = contact = None
    # What the caller may not see is "not found", as on the pages.
    if payload.ticket is not None:
        ticket = tickets_visible_to(user).filter(reference=payload.ticket).first()
        if ticket is None:
            errors["ticket"] = "no such ticket"
    if payload.charge_id is not None:
        charge = charges_visible_to(user).filter(pk=payload.charge_id).first()
        if charge is None:
            errors["charge"] = "no such charge"
    if payload.contact_id is not None:
        contacts = Contact.objects.all()
        if not is_helpdesk(user):
            contacts = contacts.filter(company_id=user.company_id)
        contact = contacts.filter(pk=payload.contact_id).first()
        if contact is None:
            errors["on_behalf_of"] = f"no contact {payload.contact_id}"
    channel: str | None = payload.channel
    if channel is None and not is_helpdesk(user):
        channel = Channel.API
    fields: dict[str, Any] = {
        "actor": user,
        "about": payload.about,
        "summary": payload.summary,
        "ticket": ticket,
        "charge": charge,
        "on_behalf_of": contact,
        "cause": payload.cause,
        "channel": channel,
    }
    if errors:
        # Something the caller named was not found; the action is run and rolled back only
        # to list its own findings with these: every problem at once, nothing saved.
        try:
            with transaction.atomic():
                actions.log_complaint(**fields)
                raise _DryRun
        except ActionValidationError as exc:
            errors = {**exc.errors, **errors}
        except _DryRun:
            pass
        raise ActionValidationError(errors)
    complaint = actions.log_complaint(**fields)
    return Status(201, _detail(user, complaint))


def _detail(user: Any, complaint: Any) -> dict[str, Any]:
    now = instant(None)
    return {
        **complaint_out(complaint, now),
        "targets_explanation": selectors.targets_explanation(complaint),
        "notes": [
            {
                "id": n.pk,
                "author": str(n.author),
                "at": n.at,
                "body": n.body,
                "visible_to_customer": n.visible_to_customer,
            }
            for n in selectors.notes_visible_to(user, complaint)
        ],
        "evidence": selectors.evidence_for(user, complaint, now=now),
    }


@router.get(
    "/complaints/{reference}", response=responses({200: ComplaintDetail}), summary="A complaint"
)
def get_complaint(request: HttpRequest, reference: str) -> dict[str, Any]:
    """Stage, targets, decision and remedy, the notes and the evidence the caller may see."""
    user = user_of(request)
    # Complaint.DoesNotExist becomes a 404 whether it is missing or another company's.
    return _detail(user, selectors.complaint_for(user, reference))

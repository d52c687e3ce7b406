"""/api/v1/tickets: log, list, read and work on tickets through the tickets actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet, Subquery
from django.http import FileResponse, HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from sladesk.accounts.models import User
from sladesk.api.routers.common import decode_cursor, encode_cursor, responses, user_of
from sladesk.api.schemas import (
    AffectedName,
    CallIn,
    Instant,
    MessageOut,
    PriorityIn,
    PriorityName,
    PriorityProposalIn,
    ReplyIn,
    SlaOut,
    StatusIn,
    StatusName,
    TicketDetail,
    TicketIn,
    TicketOut,
    TicketPage,
)
from sladesk.api.serialize import attachment_out, is_helpdesk, message_out, ticket_out
from sladesk.core.clock import instant
from sladesk.core.errors import ActionValidationError
from sladesk.customers.models import Company, Contact, Module
from sladesk.tickets import actions, selectors
from sladesk.tickets.models import Channel, Ticket

router = Router(tags=["tickets"])

# The audit actions that make a ticket's SLA history.
SLA_HISTORY_ACTIONS = (
    "ticket.logged",
    "ticket.priority_proposed",
    "ticket.priority_set",
    "ticket.coverage_set",
    "ticket.first_response",
    "ticket.delivery_date_agreed",
)
MAX_PAGE = 200


class TicketFilters(Schema):
    status: StatusName | None = None
    priority: PriorityName | None = None
    company: str | None = Field(default=None, description="Company slug")
    assignee: str | None = Field(
        default=None, description="Helpdesk only: an email, `me`, or `none` (unassigned)"
    )
    breached: bool | None = Field(
        default=None, description="true: response missed, or overdue with no response yet"
    )
    logged_from: Instant | None = Field(default=None, description="logged at or after")
    logged_to: Instant | None = Field(default=None, description="logged before")
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)


def _ticket(request: HttpRequest, reference: str) -> Ticket:
    # Ticket.DoesNotExist becomes a 404 whether the ticket is missing or another company's.
    return selectors.ticket_for(user_of(request), reference)


def _filtered(user: Any, filters: TicketFilters, now: dt.datetime) -> QuerySet[Ticket]:
    tickets = selectors.tickets_visible_to(user).select_related("assignee")
    if filters.status:
        tickets = tickets.filter(status=filters.status)
    if filters.priority:
        tickets = tickets.filter(priority=filters.priority)
    if filters.company:
        # The company's id as a value, not a join on the slug: PostgreSQL then reads the
        # newest page from the (company, logged_at) index instead of sorting all its tickets.
        company_id = Company.objects.filter(slug=filters.company).values("id")[:1]
        tickets = tickets.filter(company_id=Subquery(company_id))
    if filters.assignee is not None:
        if not is_helpdesk(user):
            raise ActionValidationError({"assignee": "filtering by assignee is for the helpdesk"})
        if filters.assignee == "none":
            tickets = tickets.filter(assignee__isnull=True)
        elif filters.assignee == "me":
            tickets = tickets.filter(assignee=user)
        else:
            tickets = tickets.filter(assignee__email__iexact=filters.assignee)
    if filters.breached is not None:
        breached = Q(response_met=False) | Q(responded_at__isnull=True, response_due__lt=now)
        tickets = tickets.filter(breached) if filters.breached else tickets.exclude(breached)
    if filters.logged_from:
        tickets = tickets.filter(logged_at__gte=filters.logged_from)
    if filters.logged_to:
        tickets = tickets.filter(logged_at__lt=filters.logged_to)
    return tickets.order_by("-logged_at", "-id")


@router.get("/tickets", response=responses({200: TicketPage}), summary="List tickets")
def list_tickets(request: HttpRequest, filters: Query[TicketFilters]) -> dict[str, Any]:
    """Newest first. Follow `next_cursor` for the next page (stable while tickets are added)."""
    user = user_of(request)
    now = instant(None)
    tickets = _filtered(user, filters, now)
    if filters.cursor:
        at, pk = decode_cursor(filters.cursor)
        tickets = tickets.filter(Q(logged_at__lt=at) | Q(logged_at=at, id__lt=pk))
    page = list(tickets[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    return {
        "items": [ticket_out(t, user, now) for t in page],
        "next_cursor": (encode_cursor(page[-1].logged_at, page[-1].pk) if more and page else None),
    }


class _DryRun(Exception):
    pass


def _company(user: User, slug: str | None) -> Company | None:
    if slug is None:
        return None
    companies = Company.objects.all()
    if not is_helpdesk(user):
        companies = companies.filter(users=user)
    found = companies.filter(slug=slug).first()
    if found is None:
        # The same answer for another tenant's company and a company that does not exist.
        raise ActionValidationError({"company": f"no company {slug!r}"})
    return found


@router.post("/tickets", response=responses({201: TicketOut}), summary="Log a ticket")
def log_ticket(request: HttpRequest, payload: TicketIn) -> Status[Any]:
    user = user_of(request)
    errors: dict[str, str] = {}
    company = contact = module = None
    try:
        company = _company(user, payload.company)
    except ActionValidationError as exc:
        errors.update(exc.errors)
    if payload.contact_id is not None:
        contacts = Contact.objects.all()
        if not is_helpdesk(user):
            contacts = contacts.filter(company_id=user.company_id)
        contact = contacts.filter(pk=payload.contact_id).first()
        if contact is None:
            errors["contact"] = f"no contact {payload.contact_id}"
    # The product comes along: the answer names the module as "product / module".
    module = Module.objects.select_related("product").filter(pk=payload.module_id).first()
    if module is None:
        errors["module"] = f"no module {payload.module_id}"
    fields: dict[str, Any] = {
        "actor": user,
        "company": company,
        "contact": contact,
        "module": module,
        "version": payload.version,
        "overview": payload.overview,
        "description": payload.description,
        "affected": payload.affected,
        "problem_since": payload.problem_since,
        "error_details": payload.error_details,
        "business_impact": payload.business_impact,
        "contact_name": payload.contact_name,
        "contact_phone": payload.contact_phone,
        "proposed_priority": payload.proposed_priority,
        "priority": payload.priority,
        "channel": payload.channel or Channel.API,
    }
    if errors:
        # A company, contact or module the caller named was not found. The action would
        # fill some of them in (a customer's own company and contact), so it is run and
        # rolled back, only to list its own findings with these: every problem at once.
        try:
            with transaction.atomic():
                actions.log_ticket(**fields)
                raise _DryRun
        except ActionValidationError as exc:
            errors = {**exc.errors, **errors}
        except _DryRun:
            pass
        raise ActionValidationError(errors)
    ticket = actions.log_ticket(**fields)
    return Status(201, ticket_out(ticket, user, instant(None)))


@router.get("/tickets/{reference}", response=responses({200: TicketDetail}), summary="A ticket")
def get_ticket(request: HttpRequest, reference: str) -> dict[str, Any]:
    """The ticket with the conversation and attachments the caller may see."""
    user = user_of(request)
    ticket = _ticket(request, reference)
    return {
        **ticket_out(ticket, user, instant(None)),
        "messages": [message_out(m) for m in selectors.messages_visible_to(user, ticket)],
        "attachments": [
            attachment_out(a, ticket.reference)
            for a in selectors.attachments_visible_to(user, ticket)
        ],
    }


@router.post(
    "/tickets/{reference}/replies",
    response=responses({201: MessageOut}),
    summary="Add a public reply",
)
def add_reply(request: HttpRequest, reference: str, payload: ReplyIn) -> Status[Any]:
    """A helpdesk member's first public reply is the response."""
    message = actions.add_public_reply(
        actor=user_of(request), ticket=_ticket(request, reference), body=payload.body
    )
    return Status(201, message_out(message))


@router.post(
    "/tickets/{reference}/notes",
    response=responses({201: MessageOut}),
    summary="Add an internal note (helpdesk)",
)
def add_note(request: HttpRequest, reference: str, payload: ReplyIn) -> Status[Any]:
    message = actions.add_internal_note(
        actor=user_of(request), ticket=_ticket(request, reference), body=payload.body
    )
    return Status(201, message_out(message))


@router.post(
    "/tickets/{reference}/calls",
    response=responses({201: MessageOut}),
    summary="Log a phone call (helpdesk)",
)
def log_call(request: HttpRequest, reference: str, payload: CallIn) -> Status[Any]:
    """An outbound call to the customer can be the response."""
    message = actions.log_phone_call(
        actor=user_of(request),
        ticket=_ticket(request, reference),
        direction=payload.direction,
        duration_seconds=payload.duration_seconds,
        summary=payload.summary,
    )
    return Status(201, message_out(message))


@router.post(
    "/tickets/{reference}/priority",
    response=responses({200: TicketOut}),
    summary="Set the priority (helpdesk; reason required)",
)
def set_priority(request: HttpRequest, reference: str, payload: PriorityIn) -> dict[str, Any]:
    user = user_of(request)
    ticket = actions.set_priority(
        actor=user,
        ticket=_ticket(request, reference),
        priority=payload.priority,
        reason=payload.reason,
        agreed_by=payload.agreed_by,
    )
    return ticket_out(ticket, user, instant(None))


@router.post(
    "/tickets/{reference}/priority-proposals",
    response=responses({200: TicketOut}),
    summary="Propose a priority (customers)",
)
def propose_priority(
    request: HttpRequest, reference: str, payload: PriorityProposalIn
) -> dict[str, Any]:
    user = user_of(request)
    ticket = actions.propose_priority(
        actor=user,
        ticket=_ticket(request, reference),
        priority=payload.priority,
        reason=payload.reason,
    )
    return ticket_out(ticket, user, instant(None))


@router.post(
    "/tickets/{reference}/status",
    response=responses({200: TicketOut}),
    summary="Change the status",
)
def change_status(request: HttpRequest, reference: str, payload: StatusIn) -> dict[str, Any]:
    """`investigating` (engineers; for Normal and Minor it is the response), `in_progress`,
    `awaiting_customer`, `resolved` (with `resolution`), `closed` (a reason is needed to
    close an unresolved ticket) or `reopened` (with `reason`)."""
    user = user_of(request)
    ticket = _ticket(request, reference)
    if payload.status == "investigating":
        ticket = actions.mark_investigating(actor=user, ticket=ticket)
    elif payload.status == "resolved":
        ticket = actions.resolve(actor=user, ticket=ticket, resolution=payload.resolution)
    elif payload.status == "closed":
        ticket = actions.close(actor=user, ticket=ticket, reason=payload.reason)
    elif payload.status == "reopened":
        ticket = actions.reopen(actor=user, ticket=ticket, reason=payload.reason)
    else:
        ticket = actions.change_status(
            actor=user, ticket=ticket, status=payload.status, reason=payload.reason
        )
    return ticket_out(ticket, user, instant(None))


class DetailsIn(Schema):
    """Only the fields given are changed; a field still missing is marked as given even
    when its value is the one assumed (that confirms it)."""

    module_id: int | None = Field(default=None, description="See GET /api/v1/modules.")
    version: str | None = None
    affected: AffectedName | None = None
    problem_since: Instant | None = None
    error_details: str | None = None
    business_impact: str | None = None
    contact_phone: str | None = None


class DetailsOut(TicketOut):
    missing: list[str] = Field(
        description="What an emailed ticket still lacks (empty when nothing is missing)."
    )


@router.api_operation(
    ["POST", "PATCH"],
    "/tickets/{reference}/details",
    response=responses({200: DetailsOut}),
    summary="Give or correct the module, version and what an email lacked",
)
def complete_details(request: HttpRequest, reference: str, payload: DetailsIn) -> dict[str, Any]:
    """Staff, and contacts of the ticket's own company. A different module re-decides the
    contract in force at logging, and the response due time is recomputed."""
    from sladesk.mail.missing import outstanding_fields

    user = user_of(request)
    ticket = _ticket(request, reference)
    given = payload.dict(exclude_none=True)
    module_id = given.pop("module_id", None)
    if module_id is not None:
        # An unknown id is passed on as is, so the action lists it with every other problem.
        given["module"] = Module.objects.filter(pk=module_id).first() or module_id
    try:
        ticket = actions.complete_ticket_details(actor=user, ticket=ticket, **given)
    except ActionValidationError as exc:
        errors = dict(exc.errors)
        if "module" in errors and module_id is not None:
            errors["module"] = f"no module {module_id}"
        raise ActionValidationError(errors) from exc
    return {**ticket_out(ticket, user, instant(None)), "missing": outstanding_fields(ticket)}


@router.post(
    "/tickets/{reference}/attachments",
    response=responses({201: MessageOut}),
    summary="Attach files with a reply or an internal note (multipart)",
)
def attach(
    request: HttpRequest,
    reference: str,
    body: Form[str],
    files: File[list[UploadedFile]],
    internal: Form[bool] = False,
) -> Status[Any]:
    """The files go with a public reply, or with an internal note when `internal` is true
    (helpdesk only)."""
    user = user_of(request)
    ticket = _ticket(request, reference)
    add = actions.add_internal_note if internal else actions.add_public_reply
    message = add(actor=user, ticket=ticket, body=body, attachments=files)
    return Status(201, message_out(message))


@router.get(
    "/tickets/{reference}/attachments/{attachment_id}",
    response=responses({200: None}),
    openapi_extra={
        "responses": {
            200: {
                "description": "The file",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
    summary="Download an attachment",
)
def download(request: HttpRequest, reference: str, attachment_id: int) -> FileResponse:
    ticket = _ticket(request, reference)
    found = selectors.attachments_visible_to(user_of(request), ticket).get(pk=attachment_id)
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.original_name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _explanation(user: Any, ticket: Ticket, *, helpdesk: bool) -> str | None:
    # The same account the pages give: the helpdesk's wording, or the engine's explanation
    # the customer portal shows for any ticket the customer may see.
    if helpdesk:
        return selectors.due_explanation(user, ticket)
    found = selectors.sla_explanation(user, ticket)
    return found.text() if found is not None else None


@router.get(
    "/tickets/{reference}/sla",
    response=responses({200: SlaOut}),
    summary="The response target, how it was computed, and its history",
)
def sla(request: HttpRequest, reference: str) -> dict[str, Any]:
    user = user_of(request)
    ticket = _ticket(request, reference)
    helpdesk = is_helpdesk(user)
    events = selectors.audit_events_visible_to(user, ticket).filter(action__in=SLA_HISTORY_ACTIONS)
    return {
        "reference": ticket.reference,
        "priority": ticket.priority,
        "coverage": ticket.coverage or None,
        "policy": ticket.policy.name if ticket.policy else None,
        "logged_at": ticket.logged_at,
        "clock_starts_at": ticket.sla_clock_starts_at,
        "response_due": ticket.response_due,
        "responded_at": ticket.responded_at,
        "response_met": ticket.response_met,
        "response_due_at_response": ticket.response_due_at_response,
        "response_state": ticket.response_state(instant(None)),
        "explanation": _explanation(user, ticket, helpdesk=helpdesk),
        "history": [
            {
                "at": e.at,
                "action": e.action,
                "actor": str(e.actor) if e.actor else None,
                "reason": e.reason,
                "agreed_by": e.agreed_by,
                "before": e.before,
                "after": e.after,
            }
            for e in events
        ],
    }

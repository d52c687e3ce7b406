"""Queue business events: availability, take next, assign.

"Tickets logged in the CallScripter Helpdesk will be queued to Helpdesk Operators, and dealt
with by the first available agent." Take next gives the most urgent unassigned ticket to the
agent who asks, in one transaction; assignments are audited.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import QuerySet

from sladesk.accounts.models import User
from sladesk.accounts.roles import Capability
from sladesk.audit.recorder import record
from sladesk.core.clock import instant
from sladesk.core.errors import ActionValidationError
from sladesk.core.permissions import require as _require
from sladesk.queue.models import AgentStatus
from sladesk.queue.selectors import awaiting_response_order, in_queue_order, unassigned_open
from sladesk.tickets.models import OPEN_STATUSES, Ticket


def _status_row(agent: User, at: dt.datetime, *, lock: bool) -> AgentStatus:
    status, _ = AgentStatus.objects.get_or_create(agent=agent, defaults={"changed_at": at})
    if lock:
        # One agent's concurrent presses queue up behind this row, so an agent is never
        # handed two tickets by two simultaneous clicks; other agents are not held up.
        status = AgentStatus.objects.select_for_update().get(pk=status.pk)
    return status


def set_availability(*, actor: User, available: bool, at: dt.datetime | None = None) -> AgentStatus:
    """An agent says they are available to take tickets, or away."""
    at = instant(at)
    _require(actor, Capability.SET_AVAILABILITY)
    if not isinstance(available, bool):
        raise ActionValidationError({"available": "say available (true) or away (false)"})
    state = AgentStatus.State.AVAILABLE if available else AgentStatus.State.AWAY
    with transaction.atomic():
        status = _status_row(actor, at, lock=True)
        before = status.state
        if before != state:
            status.state = state
            status.changed_at = at
            status.save(update_fields=["state", "changed_at"])
            record(
                actor=actor,
                action="queue.availability",
                at=at,
                subject=status,
                before={"state": before},
                after={"state": state},
            )
    return status


def _locked(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    if connection.features.has_select_for_update_skip_locked:
        # Another agent's transaction holds the row it is taking: skip it and take the next,
        # instead of waiting for that transaction. (SQLite has no row locks; its IMMEDIATE
        # transactions serialise the whole action instead.)
        return tickets.select_for_update(skip_locked=True, of=("self",))
    return tickets


def _most_urgent() -> Ticket | None:
    # Two indexed reads rather than one sorted one: tickets still awaiting their response
    # (the `ticket_queue_order` index), then responded tickets nobody holds.
    ticket = _locked(awaiting_response_order(unassigned_open())).first()
    if ticket is None:
        ticket = _locked(in_queue_order(unassigned_open())).first()
    return ticket


def take_next(*, actor: User, at: dt.datetime | None = None) -> Ticket | None:
    """The available agent takes the most urgent unassigned open ticket; None when the queue
    is empty."""
    at = instant(at)
    _require(actor, Capability.TAKE_TICKET)
    with transaction.atomic():
        status = _status_row(actor, at, lock=True)
        if not status.available:
            raise ActionValidationError({"availability": "set yourself available first"})
        ticket = _most_urgent()
        if ticket is None:
            return None
        ticket.assignee = actor
        ticket.assigned_at = at
        ticket.updated_at = at
        ticket.save(update_fields=["assignee", "assigned_at", "updated_at"])
        record(
            actor=actor,
            action="ticket.taken",
            at=at,
            subject=ticket,
            before={"assignee": None},
            after={"assignee": actor.email, "response_due": _iso(ticket.response_due)},
        )
    return ticket


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def assign(
    *,
    actor: User,
    ticket: Ticket,
    agent: User | None,
    reason: str = "",
    at: dt.datetime | None = None,
) -> Ticket:
    """A manager assigns, reassigns or (agent=None) returns a ticket to the queue."""
    at = instant(at)
    _require(actor, Capability.ASSIGN_TICKET)
    errors: dict[str, str] = {}
    if agent is not None and not (agent.is_active and agent.can(Capability.TAKE_TICKET)):
        errors["agent"] = f"{agent} is not an active helpdesk agent"
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.status not in OPEN_STATUSES:
            errors["status"] = f"the ticket is {ticket.get_status_display().lower()}"
        if agent is not None and ticket.assignee_id == agent.pk:
            errors["agent"] = f"the ticket is already assigned to {agent}"
        elif agent is None and ticket.assignee_id is None:
            errors["agent"] = "the ticket is already in the queue"
        if at < ticket.logged_at:
            errors["at"] = "an event cannot happen before the ticket was logged"
        if errors:
            raise ActionValidationError(errors)
        before = ticket.assignee.email if ticket.assignee else None
        ticket.assignee = agent
        ticket.assigned_at = at if agent else None
        ticket.updated_at = at
        ticket.save(update_fields=["assignee", "assigned_at", "updated_at"])
        record(
            actor=actor,
            action="ticket.assigned" if before is None else "ticket.reassigned",
            at=at,
            subject=ticket,
            before={"assignee": before},
            after={"assignee": agent.email if agent else None},
            reason=(reason or "").strip(),
        )
    return ticket

"""Reads for the console, built on the queue and tickets selectors (never their rules)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from sladesk.audit.models import AuditEvent
from sladesk.queue.selectors import assigned_to, in_queue_order, queue_for
from sladesk.tickets.models import OPEN_STATUSES, Message, Priority, Status, Ticket
from sladesk.tickets.selectors import (
    audit_events_visible_to,
    messages_visible_to,
    tickets_visible_to,
)
from sladesk.web.templatetags.sladesk_ui import sla_clock

QUEUE_LIMIT = 200


@dataclass
class QueueFilters:
    priority: str = ""
    company: str = ""
    status: str = ""
    assignee: str = "queue"  # queue (nobody holds it), mine, open (all open), or a user id

    @classmethod
    def from_query(cls, query: Any) -> QueueFilters:
        return cls(
            priority=query.get("priority", "")
            if query.get("priority", "") in Priority.values
            else "",
            company=query.get("company", "") if str(query.get("company", "")).isdigit() else "",
            status=query.get("status", "") if query.get("status", "") in Status.values else "",
            assignee=query.get("assignee", "") or "queue",
        )


@dataclass
class QueueGroups:
    breached: list[Ticket] = field(default_factory=list)
    running: list[Ticket] = field(default_factory=list)
    waiting: list[Ticket] = field(default_factory=list)
    responded: list[Ticket] = field(default_factory=list)
    total: int = 0


def console_tickets(user: Any, *, now: dt.datetime, filters: QueueFilters) -> QuerySet[Ticket]:
    """The tickets the console lists, in the queue's order, for helpdesk staff."""
    if filters.assignee == "queue":
        tickets = queue_for(user, now=now)
    elif filters.assignee == "mine":
        tickets = assigned_to(user)
    else:
        visible = tickets_visible_to(user).filter(status__in=OPEN_STATUSES)
        if not user.is_helpdesk:
            visible = visible.none()
        if filters.assignee.isdigit():
            visible = visible.filter(assignee_id=int(filters.assignee))
        tickets = in_queue_order(visible)
    if filters.priority:
        tickets = tickets.filter(priority=filters.priority)
    if filters.company:
        tickets = tickets.filter(company_id=int(filters.company))
    if filters.status:
        tickets = tickets.filter(status=filters.status)
    return tickets.select_related("company", "assignee")


def grouped(tickets: QuerySet[Ticket], *, now: dt.datetime) -> QueueGroups:
    """Breached on top, then running clocks, then tickets waiting for the opening, then
    tickets already responded to; each group keeps the queue's order."""
    groups = QueueGroups(total=tickets.count())
    for ticket in tickets[:QUEUE_LIMIT]:
        band = sla_clock(ticket, now)["band"]
        if ticket.responded_at is not None:
            groups.responded.append(ticket)
        elif band == "breached":
            groups.breached.append(ticket)
        elif band == "waiting":
            groups.waiting.append(ticket)
        else:
            groups.running.append(ticket)
    return groups


@dataclass
class TimelineItem:
    at: dt.datetime
    kind: str  # public, internal, call, audit
    message: Message | None = None
    event: AuditEvent | None = None
    files: list[Any] = field(default_factory=list)


def timeline(user: Any, ticket: Ticket, attachments: list[Any]) -> list[TimelineItem]:
    """The conversation and every audited change, oldest first. A message's own audit
    event is not repeated: the message stands for it."""
    by_message: dict[int, list[Any]] = {}
    for attachment in attachments:
        if attachment.message_id is not None:
            by_message.setdefault(attachment.message_id, []).append(attachment)
    items = [
        TimelineItem(at=m.at, kind=m.kind, message=m, files=by_message.get(m.pk, []))
        for m in messages_visible_to(user, ticket)
    ]
    items.extend(
        TimelineItem(at=e.at, kind="audit", event=e)
        for e in audit_events_visible_to(user, ticket)
        if not e.action.startswith("message.")
    )
    items.sort(key=lambda item: (item.at, item.kind != "audit"))
    return items

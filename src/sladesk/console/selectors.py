"""Reads for the console, built on the queue and tickets selectors (never their rules)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page
from django.db.models import Q, QuerySet

from sladesk.audit.models import AuditEvent
from sladesk.customers.models import Company
from sladesk.queue.selectors import QueuePaginator, assigned_to, in_queue_order, queue_for
from sladesk.tickets.models import OPEN_STATUSES, Message, Priority, Status, Ticket
from sladesk.tickets.selectors import (
    audit_events_visible_to,
    messages_visible_to,
    tickets_visible_to,
)
from sladesk.web.templatetags.sladesk_ui import sla_clock

PAGE_SIZE = 50
# The company field's suggestions: enough to pick from, never the whole directory.
COMPANY_SUGGESTIONS = 20
# Company names are at most 200 characters; anything longer cannot match one.
COMPANY_TEXT_MAX = 200


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
            company=str(query.get("company", "")).strip()[:COMPANY_TEXT_MAX],
            status=query.get("status", "") if query.get("status", "") in Status.values else "",
            assignee=query.get("assignee", "") or "queue",
        )


@dataclass
class CompanyMatch:
    """What the company field named: one company, or why it names none (then the console
    lists no tickets rather than everyone's)."""

    text: str
    company: Company | None = None
    problem: str = ""
    candidates: list[Company] = field(default_factory=list)


def companies_matching(user: Any, text: str) -> QuerySet[Company]:
    """Companies whose name or slug contains the text, by name, at most
    COMPANY_SUGGESTIONS; helpdesk staff only (a customer sees none)."""
    text = text.strip()
    if not (getattr(user, "is_helpdesk", False) and text):
        return Company.objects.none()
    return Company.objects.filter(Q(name__icontains=text) | Q(slug__icontains=text)).order_by(
        "name"
    )[:COMPANY_SUGGESTIONS]


def match_company(user: Any, text: str) -> CompanyMatch | None:
    """The company the filter names: an id (the links made before the field took text), an
    exact name or slug (any case), or the only company whose name or slug contains the text.
    None when the field is empty."""
    text = text.strip()
    if not text:
        return None
    if not getattr(user, "is_helpdesk", False):
        return CompanyMatch(text, problem=f'No company matches "{text}".')
    if text.isdigit():
        by_id = Company.objects.filter(pk=int(text)).first()
        if by_id is None:
            return CompanyMatch(text, problem=f"No company has the id {text}.")
        return CompanyMatch(text, company=by_id)
    exact = Company.objects.filter(Q(name__iexact=text) | Q(slug__iexact=text)).order_by("name")
    found = list(exact[:2])
    if len(found) != 1:
        found = list(companies_matching(user, text))
    if len(found) == 1:
        return CompanyMatch(text, company=found[0])
    if not found:
        return CompanyMatch(text, problem=f'No company matches "{text}".')
    return CompanyMatch(
        text,
        problem=f'More than one company matches "{text}": choose one.',
        candidates=found,
    )


@dataclass
class QueueGroups:
    """One page of the console queue, grouped; `page` carries the total and the page links."""

    page: Page[Ticket]
    breached: list[Ticket] = field(default_factory=list)
    running: list[Ticket] = field(default_factory=list)
    waiting: list[Ticket] = field(default_factory=list)
    responded: list[Ticket] = field(default_factory=list)


def console_tickets(
    user: Any,
    *,
    now: dt.datetime,
    filters: QueueFilters,
    company: CompanyMatch | None = None,
) -> QuerySet[Ticket]:
    """The tickets the console lists, in the queue's order, for helpdesk staff. A company
    filter that names no single company lists nothing."""
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
    if company is not None:
        if company.company is None:
            tickets = tickets.none()
        else:
            tickets = tickets.filter(company_id=company.company.pk)
    if filters.status:
        tickets = tickets.filter(status=filters.status)
    return tickets.select_related("company", "assignee")


def grouped(tickets: QuerySet[Ticket], *, now: dt.datetime, page: Any = 1) -> QueueGroups:
    """One page of PAGE_SIZE tickets in the queue's order (a page number past the end gives
    the last page), grouped: breached on top, then running clocks, then tickets waiting for
    the opening, then tickets already responded to; each group keeps the queue's order."""
    groups = QueueGroups(page=QueuePaginator(tickets, PAGE_SIZE).get_page(page))
    for ticket in groups.page:
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

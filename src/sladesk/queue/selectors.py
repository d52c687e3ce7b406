"""Reads for the queue pages, scoped to what the viewer may see.

Queue order for open, unassigned tickets: breached first, then the soonest response due,
then priority, then logging time. Tickets with no target (no contract, enhancements) come
last. A ticket "waiting for the opening" (non-critical, logged out of hours, so its clock
starts at the next opening) keeps its place by due time and is shown in its own group.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)

from sladesk.accounts.models import User
from sladesk.accounts.roles import HELPDESK_ROLES, Capability
from sladesk.queue.models import AgentStatus
from sladesk.tickets.models import OPEN_STATUSES, Ticket


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def unassigned_open() -> QuerySet[Ticket]:
    return Ticket.objects.filter(assignee__isnull=True, status__in=OPEN_STATUSES)


def awaiting_response_order(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Order tickets that have no response yet by urgency.

    Every breached ticket has an earlier due time than every ticket not yet breached, so
    ordering by due time puts breached tickets first. It also lets the database walk the
    `ticket_queue_order` partial index instead of sorting the whole queue.
    """
    return tickets.filter(responded_at__isnull=True).order_by(
        F("response_due").asc(nulls_last=True), "priority_rank", "logged_at", "id"
    )


def in_queue_order(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Tickets still waiting for their response first (by urgency), then the ones already
    responded to that nobody holds (by priority and age)."""
    responded_last = Case(
        When(responded_at__isnull=True, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return tickets.order_by(
        responded_last, F("response_due").asc(nulls_last=True), "priority_rank", "logged_at", "id"
    )


def page_of(tickets: QuerySet[Ticket], *, offset: int, limit: int) -> QuerySet[Ticket]:
    """Rows offset to offset + limit of an ordered ticket list, in the same order.

    The page's ids are chosen from the ticket table alone, then only those rows are read
    with their joins. Sliced directly, PostgreSQL joined every open ticket to its company
    and module before sorting: 13 ms against 4 ms for a 3,300-ticket queue.
    """
    ids = tickets.select_related(None).values("pk")[offset : offset + limit]
    return tickets.filter(pk__in=ids)


class QueuePaginator(Paginator):
    """Django's paginator, reading each page through `page_of`."""

    def __init__(self, tickets: QuerySet[Ticket], per_page: int) -> None:
        super().__init__(tickets, per_page)
        self.tickets = tickets

    def page(self, number: Any) -> Page[Ticket]:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = page_of(self.tickets, offset=bottom, limit=top - bottom)
        return Page(rows, number, self)


def queue_for(user: Any, *, now: dt.datetime) -> QuerySet[Ticket]:
    """The open, unassigned tickets in queue order, annotated with `breached` and
    `waiting` (the clock starts later than now). Helpdesk staff only."""
    if not (_active(user) and user.can(Capability.TAKE_TICKET)):
        return Ticket.objects.none()
    return in_queue_order(
        unassigned_open()
        .select_related("company", "module")
        .annotate(
            breached=Case(
                When(Q(response_due__lt=now, responded_at__isnull=True), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            waiting=Case(
                When(sla_clock_starts_at__gt=now, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )


def assigned_to(user: Any) -> QuerySet[Ticket]:
    if not (_active(user) and user.can(Capability.TAKE_TICKET)):
        return Ticket.objects.none()
    return in_queue_order(
        Ticket.objects.filter(assignee=user, status__in=OPEN_STATUSES).select_related("company")
    )


def availability_of(user: Any) -> bool:
    if not _active(user):
        return False
    return AgentStatus.objects.filter(agent=user, state=AgentStatus.State.AVAILABLE).exists()


def team_for(user: Any) -> list[dict[str, Any]]:
    """Managers: every active helpdesk agent with availability and open tickets held."""
    if not (_active(user) and user.can(Capability.VIEW_TEAM)):
        return []
    agents = (
        User.objects.filter(is_active=True, role__in=[r.value for r in HELPDESK_ROLES])
        .select_related("queue_status")
        .annotate(
            open_assigned=Count(
                "assigned_tickets", filter=Q(assigned_tickets__status__in=OPEN_STATUSES)
            )
        )
        .order_by("full_name", "email")
    )
    rows = []
    for agent in agents:
        status = getattr(agent, "queue_status", None)
        rows.append(
            {
                "agent": agent,
                "available": bool(status and status.available),
                "since": status.changed_at if status else None,
                "open_assigned": agent.open_assigned,
            }
        )
    return rows


def assignable_agents(user: Any) -> QuerySet[User]:
    if not (_active(user) and user.can(Capability.ASSIGN_TICKET)):
        return User.objects.none()
    return User.objects.filter(is_active=True, role__in=[r.value for r in HELPDESK_ROLES]).order_by(
        "full_name", "email"
    )

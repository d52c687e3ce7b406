"""Billing reads, scoped to what the viewer may see.

Helpdesk staff see every company's billing. A customer contact sees its own company's
scope decisions (with their reasons), its issued statements and their lines, and its
enhancements; never drafts, time entries or other companies' data.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sladesk.accounts.roles import Capability
from sladesk.billing.models import Charge, Enhancement, ScopeDecision, Statement, TimeEntry
from sladesk.tickets.models import Ticket
from sladesk.tickets.selectors import tickets_visible_to


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_staff_viewer(user: Any) -> bool:
    return _active(user) and user.can(Capability.VIEW_ALL_COMPANIES)


def statements_visible_to(user: Any) -> QuerySet[Statement]:
    statements = Statement.objects.select_related("company")
    if not _active(user):
        return statements.none()
    if is_staff_viewer(user):
        return statements.all()
    if user.is_customer and user.company_id is not None:
        return statements.filter(company_id=user.company_id, status=Statement.Status.ISSUED)
    return statements.none()


def statement_for(user: Any, pk: int) -> Statement:
    return statements_visible_to(user).get(pk=pk)


def lines_of(statement: Statement) -> QuerySet[Charge]:
    return (
        Charge.objects.filter(statement=statement)
        .select_related("ticket", "corrects", "corrects__statement")
        .order_by("kind", "ticket__reference", "id")
    )


def charges_visible_to(user: Any) -> QuerySet[Charge]:
    return Charge.objects.select_related("ticket", "statement").filter(
        statement__in=statements_visible_to(user)
    )


def charge_for(user: Any, pk: int) -> Charge:
    return charges_visible_to(user).get(pk=pk)


def scope_decisions_visible_to(user: Any, ticket: Ticket) -> QuerySet[ScopeDecision]:
    """The ticket's decisions, newest first; the customer sees them with their reasons."""
    return (
        ScopeDecision.objects.select_related("decided_by")
        .filter(ticket__in=tickets_visible_to(user), ticket=ticket)
        .order_by("-decided_at", "-id")
    )


def time_entries_visible_to(user: Any, ticket: Ticket) -> QuerySet[TimeEntry]:
    if not (_active(user) and user.can(Capability.RECORD_TIME)):
        return TimeEntry.objects.none()
    return (
        TimeEntry.objects.select_related("staff", "charge__statement")
        .filter(ticket__in=tickets_visible_to(user), ticket=ticket)
        .order_by("started_at", "id")
    )


def enhancement_visible_to(user: Any, ticket: Ticket) -> Enhancement | None:
    return Enhancement.objects.filter(ticket__in=tickets_visible_to(user), ticket=ticket).first()


def ticket_charges_visible_to(user: Any, ticket: Ticket) -> QuerySet[Charge]:
    return charges_visible_to(user).filter(ticket=ticket).order_by("created_at", "id")

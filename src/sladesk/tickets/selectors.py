"""Every read that serves a user goes through here, scoped to what that user may see.

Helpdesk staff see every company's tickets and the whole conversation. A customer contact
sees only its own company's tickets, and of those only public replies and attachments that
are not internal; never internal notes, phone-call records or the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from sladesk.accounts.roles import Capability
from sladesk.audit.models import AuditEvent
from sladesk.tickets.models import Attachment, Message, Ticket


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def sees_everything(user: Any) -> bool:
    return _active(user) and user.can(Capability.VIEW_ALL_COMPANIES)


def tickets_visible_to(user: Any) -> QuerySet[Ticket]:
    tickets = Ticket.objects.select_related("company", "module__product", "contact")
    if not _active(user):
        return tickets.none()
    if sees_everything(user):
        return tickets.all()
    if user.is_customer and user.company_id is not None:
        return tickets.filter(company_id=user.company_id)
    return tickets.none()


def ticket_for(user: Any, reference: str) -> Ticket:
    """The ticket with this reference if the user may see it, else Ticket.DoesNotExist."""
    return tickets_visible_to(user).get(reference=reference)


def messages_visible_to(user: Any, ticket: Ticket | None = None) -> QuerySet[Message]:
    messages = Message.objects.select_related("author").filter(ticket__in=tickets_visible_to(user))
    if ticket is not None:
        messages = messages.filter(ticket=ticket)
    if not (_active(user) and user.can(Capability.VIEW_INTERNAL)):
        messages = messages.filter(kind=Message.Kind.PUBLIC)
    return messages.order_by("at", "id")


def attachments_visible_to(user: Any, ticket: Ticket | None = None) -> QuerySet[Attachment]:
    attachments = Attachment.objects.filter(ticket__in=tickets_visible_to(user))
    if ticket is not None:
        attachments = attachments.filter(ticket=ticket)
    if not (_active(user) and user.can(Capability.VIEW_INTERNAL)):
        attachments = attachments.filter(internal=False).filter(
            Q(message__isnull=True) | Q(message__kind=Message.Kind.PUBLIC)
        )
    return attachments.order_by("uploaded_at", "id")


def audit_events_visible_to(user: Any, ticket: Ticket | None = None) -> QuerySet[AuditEvent]:
    if not (_active(user) and user.can(Capability.VIEW_INTERNAL)):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.select_related("actor").filter(ticket__in=tickets_visible_to(user))
    if ticket is not None:
        events = events.filter(ticket=ticket)
    return events.order_by("at", "id")


def due_explanation(user: Any, ticket: Ticket) -> str:
    """The engine's account of how the response due time was computed (helpdesk only)."""
    if not (_active(user) and user.can(Capability.VIEW_INTERNAL)):
        return ""
    if ticket.policy is None or not ticket.coverage:
        return "No valid contract covered this module when the ticket was logged: no target."
    from sladesk.contracts.sla_adapter import explain_due

    return explain_due(
        policy_row=ticket.policy,
        priority=ticket.priority,
        coverage=ticket.coverage,
        logged_at=ticket.logged_at,
    )


def sla_explanation(user: Any, ticket: Ticket) -> Any:
    """The engine's `Explanation` of the ticket's due time for anyone who may see the
    ticket, customers included (the portal words it plainly); None if they may not."""
    if ticket.policy is None or not tickets_visible_to(user).filter(pk=ticket.pk).exists():
        return None
    from sladesk.contracts.sla_adapter import explanation

    return explanation(
        policy_row=ticket.policy,
        priority=ticket.priority,
        coverage=ticket.coverage,
        logged_at=ticket.logged_at,
    )

"""Reads of the email channel, scoped to what the viewer may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sladesk.accounts.roles import Capability
from sladesk.mail.models import InboundMessage, MissingInformation, NotificationPreference


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def missing_information_for(user: Any, ticket: Any) -> MissingInformation | None:
    """What an emailed ticket lacks: shown to whoever may see the ticket."""
    from sladesk.tickets.selectors import tickets_visible_to

    # One query: the visibility check is a subquery of the lookup.
    return MissingInformation.objects.filter(
        ticket=ticket, ticket__in=tickets_visible_to(user).filter(pk=ticket.pk)
    ).first()


def quarantine_visible_to(user: Any) -> QuerySet[InboundMessage]:
    """Quarantined mail waits for an agent: helpdesk staff only (it may be anyone's mail)."""
    if not (_active(user) and user.can(Capability.VIEW_INTERNAL)):
        return InboundMessage.objects.none()
    return InboundMessage.objects.filter(outcome=InboundMessage.Outcome.QUARANTINED).defer("raw")


def inbound_visible_to(user: Any) -> QuerySet[InboundMessage]:
    """Every message received, quarantined or handled: helpdesk staff only."""
    if not (_active(user) and user.can(Capability.VIEW_INTERNAL)):
        return InboundMessage.objects.none()
    return InboundMessage.objects.all()


def quarantine_page(user: Any, *, show: str = "waiting", q: str = "") -> QuerySet[InboundMessage]:
    """The quarantine page's rows: waiting for an agent (oldest first, as a queue), or
    handled by an agent (newest first); `q` matches the sender or the subject."""
    from django.db.models import Q

    rows = inbound_visible_to(user).defer("raw", "text").select_related("ticket", "handled_by")
    if show == "handled":
        rows = rows.filter(
            outcome__in=[InboundMessage.Outcome.RELEASED, InboundMessage.Outcome.DISMISSED]
        ).order_by("-handled_at", "-pk")
    else:
        rows = rows.filter(outcome=InboundMessage.Outcome.QUARANTINED).order_by("received_at", "pk")
    q = q.strip()
    if q:
        rows = rows.filter(Q(sender__icontains=q) | Q(subject__icontains=q))
    return rows


def contacts_for_quarantine(user: Any) -> QuerySet[Any]:
    """The contacts an agent may file a quarantined email for (helpdesk staff only)."""
    from sladesk.customers.models import Contact

    if not (_active(user) and user.can(Capability.VIEW_ALL_COMPANIES)):
        return Contact.objects.none()
    return Contact.objects.select_related("company", "user").order_by("company__name", "name")


def preferences_of(user: Any) -> dict[str, bool]:
    if not _active(user):
        return {}
    return dict(NotificationPreference.objects.filter(user=user).values_list("kind", "enabled"))

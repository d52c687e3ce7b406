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

    if not tickets_visible_to(user).filter(pk=ticket.pk).exists():
        return None
    return MissingInformation.objects.filter(ticket=ticket).first()


def quarantine_visible_to(user: Any) -> QuerySet[InboundMessage]:
    """Quarantined mail waits for an agent: helpdesk staff only (it may be anyone's mail)."""
    if not (_active(user) and user.can(Capability.VIEW_INTERNAL)):
        return InboundMessage.objects.none()
    return InboundMessage.objects.filter(outcome=InboundMessage.Outcome.QUARANTINED).defer("raw")


def preferences_of(user: Any) -> dict[str, bool]:
    if not _active(user):
        return {}
    return dict(NotificationPreference.objects.filter(user=user).values_list("kind", "enabled"))

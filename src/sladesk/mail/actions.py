"""Business events of the email channel: an agent deals with quarantined mail; a user
chooses which notifications to receive by email."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from sladesk.accounts.models import User
from sladesk.accounts.roles import Capability
from sladesk.audit.recorder import record
from sladesk.core.clock import instant
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.mail.models import MANDATORY_KINDS, InboundMessage, Kind, NotificationPreference


def _require(actor: User | None, capability: Capability) -> User:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise ActionPermissionDenied("you must be signed in")
    if not actor.can(capability):
        raise ActionPermissionDenied(f"a {actor.role_label.lower()} may not {capability.value}")
    return actor


def _quarantined(pk: int) -> InboundMessage:
    row = InboundMessage.objects.select_for_update().filter(pk=pk).first()
    if row is None or row.outcome != InboundMessage.Outcome.QUARANTINED:
        raise ActionValidationError({"email": "this email is not in the quarantine"})
    return row


def release_to_ticket(
    *, actor: User, inbound: InboundMessage, ticket: Any, at: dt.datetime | None = None
) -> InboundMessage:
    """An agent files a quarantined email on a ticket, as an internal note quoting it (the
    sender was not allowed to write there; the agent decides what to tell the customer)."""
    from sladesk.tickets.actions import add_internal_note

    at = instant(at)
    _require(actor, Capability.INTERNAL_NOTE)
    with transaction.atomic():
        row = _quarantined(inbound.pk)
        add_internal_note(
            actor=actor,
            ticket=ticket,
            body=(
                f"Email from {row.sender or 'an unknown sender'} "
                f"({row.received_at:%Y-%m-%d %H:%M} UTC), quarantined because: {row.reason}\n"
                f"Subject: {row.subject}\n\n{row.text or '(no readable text)'}"
            ),
            at=at,
        )
        row.outcome = InboundMessage.Outcome.RELEASED
        row.ticket = ticket
        row.handled_by = actor
        row.handled_at = at
        row.save(update_fields=["outcome", "ticket", "handled_by", "handled_at"])
        record(
            actor=actor,
            action="mail.quarantine_released",
            at=at,
            subject=row,
            ticket=ticket,
            after={"sender": row.sender, "reason": row.reason},
        )
    return row


def dismiss(
    *, actor: User, inbound: InboundMessage, reason: str, at: dt.datetime | None = None
) -> InboundMessage:
    """An agent decides a quarantined email needs nothing (spam, misdirected...). The raw
    message stays recorded."""
    at = instant(at)
    _require(actor, Capability.INTERNAL_NOTE)
    if not (reason or "").strip():
        raise ActionValidationError({"reason": "say why the email needs nothing"})
    with transaction.atomic():
        row = _quarantined(inbound.pk)
        row.outcome = InboundMessage.Outcome.DISMISSED
        row.handled_by = actor
        row.handled_at = at
        row.save(update_fields=["outcome", "handled_by", "handled_at"])
        record(
            actor=actor,
            action="mail.quarantine_dismissed",
            at=at,
            subject=row,
            after={"sender": row.sender},
            reason=reason.strip(),
        )
    return row


def set_preferences(
    *, actor: User, enabled: Mapping[str, bool], at: dt.datetime | None = None
) -> dict[str, bool]:
    """A user turns kinds of email notification on or off for themself. Pages cannot be
    turned off."""
    at = instant(at)
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise ActionPermissionDenied("you must be signed in")
    errors = {}
    for kind, on in enabled.items():
        if kind not in Kind.values:
            errors[kind] = "unknown kind of notification"
        elif kind in MANDATORY_KINDS and not on:
            errors[kind] = "pages are always sent by email"
        elif not isinstance(on, bool):
            errors[kind] = "say on (true) or off (false)"
    if errors:
        raise ActionValidationError(errors)
    with transaction.atomic():
        before = dict(
            NotificationPreference.objects.filter(user=actor).values_list("kind", "enabled")
        )
        for kind, on in enabled.items():
            NotificationPreference.objects.update_or_create(
                user=actor, kind=kind, defaults={"enabled": on}
            )
        after = dict(
            NotificationPreference.objects.filter(user=actor).values_list("kind", "enabled")
        )
        if after != before:
            record(
                actor=actor,
                action="mail.preferences_set",
                at=at,
                subject=actor,
                before=before,
                after=after,
            )
    return after

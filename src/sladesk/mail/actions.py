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
from sladesk.core.permissions import require as _require
from sladesk.mail.models import (
    CUSTOMER_KINDS,
    MANDATORY_KINDS,
    MANDATORY_REASONS,
    STAFF_KINDS,
    InboundMessage,
    Kind,
    MissingInformation,
    NotificationPreference,
)
from sladesk.mail.notifications import InboundContext, current_inbound
from sladesk.mail.parsing import ParsedMail, Unparseable, parse


def kinds_for(user: User) -> list[Kind]:
    """The notifications a user's role receives, in the order of `Kind`."""
    mine = CUSTOMER_KINDS if user.is_customer else STAFF_KINDS
    return [kind for kind in Kind if kind in mine]


def _quarantined(pk: int) -> InboundMessage:
    row = InboundMessage.objects.select_for_update().filter(pk=pk).first()
    if row is None or row.outcome != InboundMessage.Outcome.QUARANTINED:
        raise ActionValidationError({"email": "this email is not in the quarantine"})
    return row


def _handled(row: InboundMessage, *, actor: User, at: dt.datetime, ticket: Any) -> None:
    row.outcome = InboundMessage.Outcome.RELEASED
    row.ticket = ticket
    row.handled_by = actor
    row.handled_at = at
    row.save(update_fields=["outcome", "ticket", "ticket_message", "handled_by", "handled_at"])


def _reparsed(row: InboundMessage) -> ParsedMail | None:
    """The message as parsed from its raw bytes again (they are always kept); None for
    input that was never a readable email."""
    try:
        return parse(bytes(row.raw))
    except Unparseable:
        return None


def _ticket_problems(errors: dict[str, str], ticket: Any) -> None:
    if ticket is None:
        errors["ticket"] = "choose the ticket to attach the email to"
    elif ticket.status == "closed":
        errors["ticket"] = f"{ticket.reference} is closed; reopen it first"


def attach_as_reply(
    *,
    actor: User,
    inbound: InboundMessage,
    ticket: Any,
    contact: Any,
    at: dt.datetime | None = None,
) -> InboundMessage:
    """An agent vouches for a quarantined email as a public reply on a ticket, from a
    contact of the ticket's company (e.g. the customer wrote from a private address).

    The reply is the contact's words, so it is written as theirs (`add_public_reply`, with
    the email's attachments); the audit event of this action records the agent who
    vouched for it. The contact needs an active login, as every message has an author."""
    from sladesk.mail.ingest import reply_text, uploads, with_notes
    from sladesk.tickets.actions import add_public_reply

    at = instant(at)
    _require(actor, Capability.INTERNAL_NOTE)
    errors: dict[str, str] = {}
    _ticket_problems(errors, ticket)
    user = None
    if contact is None:
        errors["contact"] = "choose the contact the reply is from"
    elif ticket is not None and contact.company_id != ticket.company_id:
        errors["contact"] = f"{contact.name} is not a contact of {ticket.company.name}"
    else:
        user = contact.user if contact.user_id else None
        if user is None or not user.is_active or not user.is_customer:
            errors["contact"] = f"{contact.name} has no active customer login to write as"
    with transaction.atomic():
        try:
            row = _quarantined(inbound.pk)
        except ActionValidationError as exc:
            errors.update(exc.errors)
        if errors:
            raise ActionValidationError(errors)
        mail = _reparsed(row)
        files, notes = uploads(mail) if mail is not None else ([], [])
        text = reply_text(row.text) if row.text.strip() else "(an email with no readable text)"
        token = current_inbound.set(InboundContext(message_id=row.message_id))
        try:
            message = add_public_reply(
                actor=user,  # type: ignore[arg-type]  # checked above
                ticket=ticket,
                body=with_notes(text, notes),
                attachments=files,
                at=at,
            )
        finally:
            current_inbound.reset(token)
        row.ticket_message = message
        _handled(row, actor=actor, at=at, ticket=ticket)
        record(
            actor=actor,
            action="mail.quarantine_attached_as_reply",
            at=at,
            subject=row,
            ticket=ticket,
            after={
                "sender": row.sender,
                "reason": row.reason,
                "contact": contact.name,
                "message_id": message.pk,
            },
        )
    return row


def create_ticket_from(
    *,
    actor: User,
    inbound: InboundMessage,
    contact: Any,
    at: dt.datetime | None = None,
) -> Any:
    """An agent logs a new ticket from a quarantined email, for the contact it is about
    (the sender was not a known contact). The ticket is logged now, by the agent, on the
    email channel: what the email lacked is recorded and asked of the contact in the
    acknowledgement, as for an email that arrived from a known contact."""
    from sladesk.mail.ingest import ticket_fields, uploads, with_notes
    from sladesk.tickets.actions import log_ticket

    at = instant(at)
    _require(actor, Capability.LOG_TICKET)
    _require(actor, Capability.INTERNAL_NOTE)
    errors: dict[str, str] = {}
    if contact is None:
        errors["contact"] = "choose the contact the ticket is for"
    elif not contact.may_log_tickets:
        errors["contact"] = f"{contact.name} is not allowed to log tickets"
    with transaction.atomic():
        try:
            row = _quarantined(inbound.pk)
        except ActionValidationError as exc:
            errors.update(exc.errors)
        if errors:
            raise ActionValidationError(errors)
        mail = _reparsed(row) or ParsedMail(
            message_id="",
            sender=row.sender,
            sender_name="",
            subject=row.subject,
            date=None,
            in_reply_to=[],
            references=[],
            text=row.text,
            html="",
            attachments=[],
            content_hash=row.content_hash,
            headers={},
            return_path="",
        )
        fields, missing = ticket_fields(mail, actor, at, for_contact=contact)
        files, notes = uploads(mail)
        origin = (
            f"[Logged by {actor.get_full_name() or actor.email} from an email by "
            f"{row.sender or 'an unknown sender'}, received {row.received_at:%Y-%m-%d %H:%M} "
            f"UTC and quarantined because: {row.reason}]"
        )
        fields["description"] = with_notes(f"{origin}\n\n{fields['description']}", notes)
        token = current_inbound.set(InboundContext(message_id=row.message_id, missing=missing))
        try:
            ticket = log_ticket(attachments=files, **fields)
        finally:
            current_inbound.reset(token)
        if missing:
            MissingInformation.objects.create(ticket=ticket, fields=missing, requested_at=at)
        _handled(row, actor=actor, at=at, ticket=ticket)
        record(
            actor=actor,
            action="mail.quarantine_ticket_created",
            at=at,
            subject=row,
            ticket=ticket,
            after={"sender": row.sender, "reason": row.reason, "contact": contact.name},
        )
    return ticket


def release_to_ticket(
    *, actor: User, inbound: InboundMessage, ticket: Any, at: dt.datetime | None = None
) -> InboundMessage:
    """An agent files a quarantined email on a ticket, as an internal note quoting it (the
    sender was not allowed to write there; the agent decides what to tell the customer)."""
    from sladesk.tickets.actions import add_internal_note

    at = instant(at)
    _require(actor, Capability.INTERNAL_NOTE)
    errors: dict[str, str] = {}
    if ticket is None:
        errors["ticket"] = "choose the ticket to attach the email to"
    with transaction.atomic():
        try:
            row = _quarantined(inbound.pk)
        except ActionValidationError as exc:
            errors.update(exc.errors)
        if errors:
            raise ActionValidationError(errors)
        note = add_internal_note(
            actor=actor,
            ticket=ticket,
            body=(
                f"Email from {row.sender or 'an unknown sender'} "
                f"({row.received_at:%Y-%m-%d %H:%M} UTC), quarantined because: {row.reason}\n"
                f"Subject: {row.subject}\n\n{row.text or '(no readable text)'}"
            ),
            at=at,
        )
        row.ticket_message = note
        _handled(row, actor=actor, at=at, ticket=ticket)
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
    errors: dict[str, str] = {}
    if not isinstance(reason, str) or not reason.strip():
        errors["reason"] = "say why the email needs nothing"
    with transaction.atomic():
        try:
            row = _quarantined(inbound.pk)
        except ActionValidationError as exc:
            errors.update(exc.errors)
        if errors:
            raise ActionValidationError(errors)
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
    """A user turns kinds of email notification on or off for themself: the kinds their
    role receives (`kinds_for`). The kinds in `MANDATORY_KINDS` cannot be turned off."""
    at = instant(at)
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise ActionPermissionDenied("you must be signed in")
    errors = {}
    theirs = kinds_for(actor)
    if not enabled:
        errors["kinds"] = "say which notifications to turn on or off"
    for kind, on in enabled.items():
        if kind not in Kind.values:
            errors[kind] = "unknown kind of notification"
        elif kind not in theirs:
            errors[kind] = f"a {actor.role_label.lower()} does not receive this notification"
        elif not isinstance(on, bool):
            errors[kind] = "say on (true) or off (false)"
        elif kind in MANDATORY_KINDS and not on:
            errors[kind] = f"always sent by email: {MANDATORY_REASONS[Kind(kind)]}"
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

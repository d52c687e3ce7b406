"""Every business event on a ticket, one plain function each.

Each function takes keyword-only arguments, runs in one `transaction.atomic`, checks the
actor's permission, validates its whole input (raising one `ActionValidationError` listing
every problem, with nothing saved), changes the rows and writes an audit event.

`at` is the instant the event happens (default: now); the demo data and tests pass it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any, cast

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import F

from sladesk.accounts.models import User
from sladesk.accounts.roles import Capability
from sladesk.audit.recorder import record
from sladesk.contracts.entitlement import contract_in_force
from sladesk.contracts.models import Coverage, SlaPolicy
from sladesk.contracts.sla_adapter import (
    compute_response_due,
    default_policy_row,
    needs_out_of_hours_action,
    policy_from_row,
    sla_schedule,
)
from sladesk.core.clock import instant
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.core.permissions import require
from sladesk.customers.models import Company, Contact, Module
from sladesk.sla import Policy
from sladesk.tickets.models import (
    OPEN_STATUSES,
    Affected,
    Attachment,
    Channel,
    Message,
    Priority,
    ResponseKind,
    Scope,
    Status,
    Ticket,
    TicketCounter,
)

REFERENCE_COUNTER = "ticket"
FIRST_REFERENCE_NUMBER = 100001
PHONE_RE = re.compile(r"^\+?[0-9 ()\-.]{6,}$")
CUSTOMER_CHANNELS = frozenset({Channel.WEB, Channel.EMAIL, Channel.API})
# SLA.md "What counts as the response": marking as investigating counts for these only.
INVESTIGATING_COUNTS_FOR = frozenset({Priority.NORMAL, Priority.MINOR})


# ----------------------------------------------------------------------------- helpers


def _require(actor: User | None, capability: Capability, ticket: Ticket | None = None) -> User:
    actor = require(actor, capability)
    if ticket is not None and actor.is_customer and ticket.company_id != actor.company_id:
        raise ActionPermissionDenied("this ticket belongs to another company")
    return actor


def _lock(ticket: Ticket) -> Ticket:
    """Re-read the ticket row, locked until the end of the transaction."""
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _not_before_logging(errors: dict[str, str], ticket: Ticket, at: dt.datetime) -> None:
    if at < ticket.logged_at:
        errors["at"] = "an event cannot happen before the ticket was logged"


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _iso(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _snapshot(ticket: Ticket, *fields: str) -> dict[str, Any]:
    return {name: _iso(getattr(ticket, name)) for name in fields}


def _raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise ActionValidationError(errors)


def _check_uploads(
    errors: dict[str, str], uploads: Sequence[UploadedFile[Any]], field: str
) -> None:
    limit = settings.SLADESK_MAX_ATTACHMENT_BYTES
    for upload in uploads:
        name = getattr(upload, "name", "") or ""
        if not name:
            errors[field] = "every attachment needs a file name"
        elif upload.size is None or upload.size == 0:
            errors[field] = f"{name} is empty"
        elif upload.size > limit:
            errors[field] = f"{name} is larger than {limit // (1024 * 1024)} MB"


def _store_uploads(
    *,
    ticket: Ticket,
    uploads: Sequence[UploadedFile[Any]],
    actor: User,
    at: dt.datetime,
    message: Message | None,
    internal: bool,
) -> list[Attachment]:
    stored = []
    for upload in uploads:
        attachment = Attachment(
            ticket=ticket,
            message=message,
            original_name=upload.name or "attachment",
            content_type=getattr(upload, "content_type", None) or "application/octet-stream",
            size=upload.size or 0,
            internal=internal,
            uploaded_by=actor,
            uploaded_at=at,
        )
        attachment.file.save(upload.name or "attachment", upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def _next_reference() -> str:
    # An UPDATE ... SET value = value + 1 takes the row lock (PostgreSQL) or the database
    # write lock (SQLite, IMMEDIATE transactions) until commit: two loggings never share a
    # number. The lock is held to the end of the transaction, so callers take the number as
    # late as they can. The counter row is created on first use if the data migration did not.
    number = _increment_counter()
    if number is None:
        TicketCounter.objects.get_or_create(
            name=REFERENCE_COUNTER, defaults={"value": FIRST_REFERENCE_NUMBER - 1}
        )
        number = _increment_counter()
    return f"{settings.SLADESK_TICKET_PREFIX}-{number}"


def _increment_counter() -> int | None:
    """The counter's next value, or None when its row is missing."""
    if connection.features.can_return_columns_from_insert:
        # One round trip, inside the lock: UPDATE ... RETURNING (PostgreSQL, SQLite 3.35+).
        table = connection.ops.quote_name(TicketCounter._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET value = value + 1 WHERE name = %s RETURNING value",
                [REFERENCE_COUNTER],
            )
            row = cursor.fetchone()
        return None if row is None else int(row[0])
    if not TicketCounter.objects.filter(name=REFERENCE_COUNTER).update(value=F("value") + 1):
        return None
    return TicketCounter.objects.get(name=REFERENCE_COUNTER).value


def _entitlement(
    *, company: Company, module: Module, at: dt.datetime
) -> tuple[Any, str, SlaPolicy]:
    contract = contract_in_force(company_id=company.pk, module_id=module.pk, at=at)
    if contract is None:
        return None, "", default_policy_row()
    return contract, contract.coverage, contract.policy or default_policy_row()


def _policy(ticket: Ticket) -> Policy:
    """The engine policy of the ticket's policy row, built once per ticket object: an
    action asks it for the due time, the warning and the paging decision, and building it
    reads the calendar rows. Rebuilt when the ticket gets another policy row."""
    cached = ticket.__dict__.get("_sla_policy")
    if cached is None or cached[0] is not ticket.policy:
        cached = (ticket.policy, policy_from_row(cast(SlaPolicy, ticket.policy)))
        ticket.__dict__["_sla_policy"] = cached
    return cast(Policy, cached[1])


def _due(ticket: Ticket) -> dt.datetime | None:
    if ticket.policy is None or not ticket.coverage:
        return None
    return compute_response_due(
        policy_row=ticket.policy,
        priority=ticket.priority,
        coverage=ticket.coverage,
        logged_at=ticket.logged_at,
        policy=_policy(ticket),
    )


SLA_SCHEDULE_FIELDS = ("sla_clock_starts_at", "sla_warn_at", "sla_next_check_at")


def _plan_sla(ticket: Ticket) -> None:
    """Set when the response clock starts, the warning instant and the monitor's next check.

    Called wherever the due time is (re)computed. The SLA monitor (sladesk.queue.monitor)
    reads only `sla_next_check_at`; it clears it once the ticket is responded or closed.
    """
    if ticket.response_due is None or ticket.policy is None or ticket.responded_at is not None:
        ticket.sla_clock_starts_at = ticket.sla_warn_at = ticket.sla_next_check_at = None
        return
    ticket.sla_clock_starts_at, ticket.sla_warn_at = sla_schedule(
        policy_row=ticket.policy,
        priority=ticket.priority,
        coverage=ticket.coverage,
        logged_at=ticket.logged_at,
        share=settings.SLADESK_SLA_WARNING_SHARE,
        policy=_policy(ticket),
    )
    ticket.sla_next_check_at = min(
        t for t in (ticket.sla_warn_at, ticket.response_due) if t is not None
    )


def _page_on_call_after_commit(ticket: Ticket) -> None:
    """Once the ticket is committed, page the on-call engineer if the policy says this
    ticket needs out-of-hours action (sladesk.oncall decides; it is a no-op otherwise)."""
    # Most tickets never need it (in hours, or no out-of-hours action for their priority):
    # decided here from the rows at hand, they cost no second transaction after the commit.
    # Those that may are re-checked under lock by sladesk.oncall.
    if ticket.policy is None or not needs_out_of_hours_action(
        policy_row=ticket.policy,
        priority=ticket.priority,
        coverage=ticket.coverage,
        logged_at=ticket.logged_at,
        policies={ticket.policy.pk: _policy(ticket)},
    ):
        return

    def page() -> None:
        from sladesk.oncall.actions import page_after_commit

        page_after_commit(ticket.pk)

    transaction.on_commit(page)


def _announce(event_type: str, ticket: Ticket, **extra: Any) -> None:
    """Publish a webhook event about the ticket, in the action's transaction (it is
    committed with the change, or not at all). Subscriptions are per event type."""
    from sladesk.core.notify import announce

    announce(
        event_type=event_type,
        payload={
            "reference": ticket.reference,
            "company": ticket.company.slug,
            "priority": ticket.priority,
            "status": ticket.status,
            "logged_at": _iso(ticket.logged_at),
            "response_due": _iso(ticket.response_due),
            **extra,
        },
    )


def _record_first_response(
    ticket: Ticket, *, actor: User, kind: ResponseKind, at: dt.datetime
) -> bool:
    """Record the first qualifying response, once. Returns True if this call recorded it.

    The caller holds the ticket row lock; the conditional UPDATE (`responded_at IS NULL`)
    makes the rule hold even for a caller that does not. Met or breached is decided against
    the due time in force now and is never rewritten.
    """
    if ticket.responded_at is not None:
        return False
    met = None if ticket.response_due is None else at <= ticket.response_due
    won = Ticket.objects.filter(pk=ticket.pk, responded_at__isnull=True).update(
        responded_at=at,
        response_met=met,
        response_due_at_response=ticket.response_due,
        first_response_kind=kind,
        first_response_by=actor,
    )
    if not won:
        ticket.refresh_from_db()
        return False
    ticket.responded_at = at
    ticket.response_met = met
    ticket.response_due_at_response = ticket.response_due
    ticket.first_response_kind = kind
    ticket.first_response_by = actor
    record(
        actor=actor,
        action="ticket.first_response",
        at=at,
        subject=ticket,
        before={"responded_at": None, "response_met": None},
        after={
            "responded_at": _iso(at),
            "response_due": _iso(ticket.response_due),
            "response_met": met,
            "kind": kind.value,
        },
    )
    _announce("ticket.responded", ticket, responded_at=_iso(at), response_met=met, kind=kind.value)
    return True


# ------------------------------------------------------------------------------ logging


def log_ticket(
    *,
    actor: User,
    company: Company | None,
    contact: Contact | None,
    module: Module | None,
    version: str,
    overview: str,
    affected: str,
    problem_since: dt.datetime | None,
    error_details: str,
    business_impact: str,
    channel: str | None = None,
    description: str = "",
    contact_name: str | None = None,
    contact_phone: str | None = None,
    proposed_priority: str | None = None,
    priority: str | None = None,
    attachments: Sequence[UploadedFile[Any]] = (),
    at: dt.datetime | None = None,
) -> Ticket:
    """Log a ticket with everything "Logging Queries" asks for, and issue its reference.

    Entitlement: without a signed, in-date contract covering the module, the ticket is
    accepted with no response target and flagged for review as possibly chargeable.
    Priority: set by the helpdesk when it logs the ticket; otherwise Normal (SLA.md: "the
    problem is not covered by one of the higher/lower statuses") until the helpdesk sets
    it. A customer's own view goes in `proposed_priority`.
    """
    at = instant(at)
    _require(actor, Capability.LOG_TICKET)
    errors: dict[str, str] = {}

    if actor.is_customer:
        if company is None:
            company = actor.company
        elif company.pk != actor.company_id:
            raise ActionPermissionDenied("you may only log tickets for your own company")
        if contact is None:
            contact = Contact.objects.filter(user=actor).first()
            if contact is not None:
                contact.user = actor  # the acknowledgement goes to this login
        if priority:
            errors["priority"] = "the priority is set by the helpdesk; use proposed priority"
        if channel is None:
            channel = Channel.WEB
        elif channel not in CUSTOMER_CHANNELS:
            errors["channel"] = "customers log tickets on the web, by email or through the API"
    elif channel is None:
        channel = Channel.PHONE

    if company is None:
        errors["company"] = "give the company name"
    if contact is None:
        errors["contact"] = "give the contact who is reporting the problem"
    elif company is not None and contact.company_id != company.pk:
        errors["contact"] = f"{contact.name} is not a contact of {company.name}"
    elif not contact.may_log_tickets:
        errors["contact"] = f"{contact.name} is not allowed to log tickets"

    name = _text(contact_name) or (contact.name if contact else "")
    phone = _text(contact_phone) or (contact.phone if contact else "")
    if not name:
        errors["contact_name"] = "give the contact name"
    if not phone:
        errors["contact_phone"] = "give a contact phone number"
    elif not PHONE_RE.match(phone):
        errors["contact_phone"] = f"{phone!r} is not a phone number"

    overview = _text(overview)
    if not overview:
        errors["overview"] = "give an overview of the problem"
    elif len(overview) > 200:
        errors["overview"] = "keep the overview to 200 characters; put details in the description"

    if affected not in Affected.values:
        errors["affected"] = "say who is affected: " + ", ".join(
            str(label) for label in Affected.labels
        )

    if problem_since is None or not isinstance(problem_since, dt.datetime):
        errors["problem_since"] = "say since when there has been a problem"
    elif problem_since.tzinfo is None:
        errors["problem_since"] = "give the time with its time zone"
    elif problem_since > at:
        errors["problem_since"] = "the problem cannot start after the ticket is logged"

    if not _text(error_details):
        errors["error_details"] = "give the error message details (or say that no message is shown)"

    version = _text(version)
    if module is None:
        errors["module"] = "name the product module"
    if not version:
        errors["version"] = "give the version number of the module"
    elif module is not None:
        known = list(module.versions.values_list("version", flat=True))
        if known and version not in known:
            errors["version"] = f"{module} has no version {version!r} (known: {', '.join(known)})"

    if not _text(business_impact):
        errors["business_impact"] = "describe the business impact"

    if channel not in Channel.values and "channel" not in errors:
        errors["channel"] = "unknown channel"
    if proposed_priority and proposed_priority not in Priority.values:
        errors["proposed_priority"] = f"unknown priority {proposed_priority!r}"
    if priority and priority not in Priority.values and "priority" not in errors:
        errors["priority"] = f"unknown priority {priority!r}"
    _check_uploads(errors, attachments, "attachments")
    _raise_if(errors)
    if company is None or contact is None or module is None:  # pragma: no cover - checked above
        raise ActionValidationError(errors)

    with transaction.atomic():
        contract, coverage, policy_row = _entitlement(company=company, module=module, at=at)
        ticket = Ticket(
            company=company,
            contact=contact,
            contact_name=name,
            contact_phone=phone,
            module=module,
            version=version,
            overview=overview,
            description=_text(description),
            affected=affected,
            problem_since=cast(dt.datetime, problem_since),
            error_details=_text(error_details),
            business_impact=_text(business_impact),
            channel=channel,
            logged_at=at,
            logged_by=actor,
            contract=contract,
            coverage=coverage,
            policy=policy_row,
            needs_review=contract is None,
            possibly_chargeable=contract is None,
            scope=Scope.NOT_COVERED if contract is None else "",
            proposed_priority=proposed_priority or "",
            priority=priority or Priority.NORMAL,
            status=Status.NEW,
            updated_at=at,
        )
        ticket.response_due = _due(ticket)
        _plan_sla(ticket)
        # Last before the insert: the counter's lock is held until the commit.
        ticket.reference = _next_reference()
        ticket.save()
        _page_on_call_after_commit(ticket)
        _store_uploads(
            ticket=ticket, uploads=attachments, actor=actor, at=at, message=None, internal=False
        )
        record(
            actor=actor,
            action="ticket.logged",
            at=at,
            subject=ticket,
            after=_snapshot(
                ticket,
                "reference",
                "company_id",
                "contact_id",
                "module_id",
                "version",
                "channel",
                "contract_id",
                "coverage",
                "policy_id",
                "priority",
                "proposed_priority",
                "response_due",
                "needs_review",
                "possibly_chargeable",
            ),
            reason="" if contract else "no signed, in-date contract covers this module",
        )
        _announce("ticket.logged", ticket)
    return ticket


# ----------------------------------------------------------------------------- priority


def propose_priority(
    *, actor: User, ticket: Ticket, priority: str, reason: str, at: dt.datetime | None = None
) -> Ticket:
    """A customer proposes (or asks to change) the priority. The priority itself stays."""
    at = instant(at)
    _require(actor, Capability.PROPOSE_PRIORITY, ticket)
    errors: dict[str, str] = {}
    if priority not in Priority.values:
        errors["priority"] = f"unknown priority {priority!r}"
    if not _text(reason):
        errors["reason"] = "say why this priority"
    with transaction.atomic():
        ticket = _lock(ticket)
        _not_before_logging(errors, ticket, at)
        if ticket.status == Status.CLOSED:
            errors["status"] = "the ticket is closed"
        _raise_if(errors)
        before = _snapshot(ticket, "proposed_priority")
        ticket.proposed_priority = priority
        ticket.updated_at = at
        ticket.save(update_fields=["proposed_priority", "updated_at"])
        record(
            actor=actor,
            action="ticket.priority_proposed",
            at=at,
            subject=ticket,
            before=before,
            after=_snapshot(ticket, "proposed_priority"),
            reason=_text(reason),
        )
    return ticket


def set_priority(
    *,
    actor: User,
    ticket: Ticket,
    priority: str,
    reason: str,
    agreed_by: str,
    at: dt.datetime | None = None,
) -> Ticket:
    """The helpdesk sets the priority, with the reason and who agreed.

    The response due time is recomputed from the original logging instant; the audit event
    records the old and new due time. A response already made keeps its met/breached result.
    """
    at = instant(at)
    _require(actor, Capability.SET_PRIORITY, ticket)
    errors: dict[str, str] = {}
    if priority not in Priority.values:
        errors["priority"] = f"unknown priority {priority!r}"
    if not _text(reason):
        errors["reason"] = "give the reason for the priority change"
    if not _text(agreed_by):
        errors["agreed_by"] = "say who agreed the priority change"
    with transaction.atomic():
        ticket = _lock(ticket)
        _not_before_logging(errors, ticket, at)
        if ticket.priority == priority:
            errors["priority"] = f"the priority is already {priority}"
        if ticket.status == Status.CLOSED:
            errors["status"] = "the ticket is closed"
        _raise_if(errors)
        fields = ("priority", "response_due")
        before = _snapshot(ticket, *fields)
        ticket.priority = priority
        ticket.response_due = _due(ticket)
        _plan_sla(ticket)
        ticket.updated_at = at
        ticket.save(update_fields=[*fields, *SLA_SCHEDULE_FIELDS, "updated_at"])
        _page_on_call_after_commit(ticket)
        record(
            actor=actor,
            action="ticket.priority_set",
            at=at,
            subject=ticket,
            before=before,
            after=_snapshot(ticket, *fields),
            reason=_text(reason),
            agreed_by=_text(agreed_by),
        )
        _announce("ticket.priority_changed", ticket, previous_priority=before["priority"])
    return ticket


def set_coverage(
    *,
    actor: User,
    ticket: Ticket,
    coverage: str,
    reason: str,
    at: dt.datetime | None = None,
) -> Ticket:
    """Correct the coverage that applies to a ticket (`standard`, `24x7`, or "" for none).

    Like a priority change, the due time is recomputed from the logging instant and the
    audit event records the old and new due time.
    """
    at = instant(at)
    _require(actor, Capability.CHANGE_COVERAGE, ticket)
    errors: dict[str, str] = {}
    if coverage not in (*Coverage.values, ""):
        errors["coverage"] = f"unknown coverage {coverage!r} (standard, 24x7 or empty)"
    if not _text(reason):
        errors["reason"] = "give the reason for the coverage change"
    with transaction.atomic():
        ticket = _lock(ticket)
        _not_before_logging(errors, ticket, at)
        if ticket.coverage == coverage and "coverage" not in errors:
            errors["coverage"] = f"the coverage is already {coverage or 'none'}"
        _raise_if(errors)
        fields = ("coverage", "response_due", "needs_review", "possibly_chargeable")
        before = _snapshot(ticket, *fields)
        ticket.coverage = coverage
        if ticket.policy is None:
            ticket.policy = default_policy_row()
        if not coverage:
            ticket.needs_review = True
            ticket.possibly_chargeable = True
        ticket.response_due = _due(ticket)
        _plan_sla(ticket)
        ticket.updated_at = at
        ticket.save(update_fields=[*fields, *SLA_SCHEDULE_FIELDS, "policy", "updated_at"])
        record(
            actor=actor,
            action="ticket.coverage_set",
            at=at,
            subject=ticket,
            before=before,
            after=_snapshot(ticket, *fields),
            reason=_text(reason),
        )
    return ticket


# ------------------------------------------------------------------------- conversation


def add_public_reply(
    *,
    actor: User,
    ticket: Ticket,
    body: str,
    attachments: Sequence[UploadedFile[Any]] = (),
    at: dt.datetime | None = None,
) -> Message:
    """A reply the customer sees. From the helpdesk, the first one is the response."""
    at = instant(at)
    _require(actor, Capability.PUBLIC_REPLY, ticket)
    errors: dict[str, str] = {}
    if not _text(body):
        errors["body"] = "write the reply"
    _check_uploads(errors, attachments, "attachments")
    with transaction.atomic():
        ticket = _lock(ticket)
        _not_before_logging(errors, ticket, at)
        if ticket.status == Status.CLOSED:
            errors["status"] = "the ticket is closed; reopen it to reply"
        _raise_if(errors)
        message = Message.objects.create(
            ticket=ticket, kind=Message.Kind.PUBLIC, author=actor, at=at, body=_text(body)
        )
        _store_uploads(
            ticket=ticket, uploads=attachments, actor=actor, at=at, message=message, internal=False
        )
        before = _snapshot(ticket, "status")
        if actor.is_helpdesk:
            _record_first_response(ticket, actor=actor, kind=ResponseKind.PUBLIC_REPLY, at=at)
            if ticket.status == Status.NEW:
                ticket.status = Status.RESPONDED
        elif ticket.status == Status.AWAITING_CUSTOMER:
            ticket.status = Status.IN_PROGRESS
        ticket.updated_at = at
        ticket.save(update_fields=["status", "updated_at"])
        record(
            actor=actor,
            action="message.public_reply",
            at=at,
            subject=message,
            ticket=ticket,
            before=before,
            after={**_snapshot(ticket, "status"), "attachments": len(attachments)},
        )
    return message


def add_internal_note(
    *,
    actor: User,
    ticket: Ticket,
    body: str,
    attachments: Sequence[UploadedFile[Any]] = (),
    at: dt.datetime | None = None,
) -> Message:
    """A note for the helpdesk only. Never shown to customers; never counts as a response."""
    at = instant(at)
    _require(actor, Capability.INTERNAL_NOTE, ticket)
    errors: dict[str, str] = {}
    if not _text(body):
        errors["body"] = "write the note"
    _check_uploads(errors, attachments, "attachments")
    with transaction.atomic():
        ticket = _lock(ticket)
        _not_before_logging(errors, ticket, at)
        _raise_if(errors)
        message = Message.objects.create(
            ticket=ticket, kind=Message.Kind.INTERNAL, author=actor, at=at, body=_text(body)
        )
        _store_uploads(
            ticket=ticket, uploads=attachments, actor=actor, at=at, message=message, internal=True
        )
        ticket.updated_at = at
        ticket.save(update_fields=["updated_at"])
        record(
            actor=actor,
            action="message.internal_note",
            at=at,
            subject=message,
            ticket=ticket,
            after={"attachments": len(attachments)},
        )
    return message


def log_phone_call(
    *,
    actor: User,
    ticket: Ticket,
    direction: str,
    duration_seconds: int,
    summary: str,
    at: dt.datetime | None = None,
) -> Message:
    """Record a phone call with the customer. An outbound call can be the response."""
    at = instant(at)
    _require(actor, Capability.LOG_PHONE_CALL, ticket)
    errors: dict[str, str] = {}
    if direction not in Message.Direction.values:
        errors["direction"] = "say whether the call was inbound or outbound"
    if (
        not isinstance(duration_seconds, int)
        or isinstance(duration_seconds, bool)
        or duration_seconds < 0
    ):
        errors["duration_seconds"] = "give the call duration in whole seconds (0 or more)"
    if not _text(summary):
        errors["summary"] = "summarise the call"
    with transaction.atomic():
        ticket = _lock(ticket)
        _not_before_logging(errors, ticket, at)
        _raise_if(errors)
        message = Message.objects.create(
            ticket=ticket,
            kind=Message.Kind.CALL,
            author=actor,
            at=at,
            body=_text(summary),
            call_direction=direction,
            call_duration_seconds=duration_seconds,
        )
        before = _snapshot(ticket, "status")
        if direction == Message.Direction.OUTBOUND:
            _record_first_response(ticket, actor=actor, kind=ResponseKind.OUTBOUND_CALL, at=at)
            if ticket.status == Status.NEW:
                ticket.status = Status.RESPONDED
        ticket.updated_at = at
        ticket.save(update_fields=["status", "updated_at"])
        record(
            actor=actor,
            action="message.phone_call",
            at=at,
            subject=message,
            ticket=ticket,
            before=before,
            after={
                **_snapshot(ticket, "status"),
                "direction": direction,
                "duration_seconds": duration_seconds,
            },
        )
    return message


# ------------------------------------------------------------------------------- status


def mark_investigating(*, actor: User, ticket: Ticket, at: dt.datetime | None = None) -> Ticket:
    """An engineer starts investigating. For Normal and Minor this is the response."""
    at = instant(at)
    _require(actor, Capability.INVESTIGATE, ticket)
    errors: dict[str, str] = {}
    with transaction.atomic():
        ticket = _lock(ticket)
        _not_before_logging(errors, ticket, at)
        if ticket.status not in OPEN_STATUSES:
            errors["status"] = f"the ticket is {ticket.get_status_display().lower()}"
        elif ticket.status == Status.IN_PROGRESS:
            errors["status"] = "the ticket is already in progress"
        _raise_if(errors)
        before = _snapshot(ticket, "status")
        if ticket.priority in INVESTIGATING_COUNTS_FOR:
            _record_first_response(ticket, actor=actor, kind=ResponseKind.INVESTIGATING, at=at)
        ticket.status = Status.IN_PROGRESS
        ticket.updated_at = at
        ticket.save(update_fields=["status", "updated_at"])
        record(
            actor=actor,
            action="ticket.investigating",
            at=at,
            subject=ticket,
            before=before,
            after=_snapshot(ticket, "status"),
        )
    return ticket


MANUAL_STATUSES = (Status.IN_PROGRESS, Status.AWAITING_CUSTOMER)


def change_status(
    *, actor: User, ticket: Ticket, status: str, reason: str = "", at: dt.datetime | None = None
) -> Ticket:
    """Move an open ticket between In progress and Awaiting customer.

    New and Responded are set by logging and the first response; Resolved, Closed and
    reopening have their own actions.
    """
    at = instant(at)
    _require(actor, Capability.CHANGE_STATUS, ticket)
    errors: dict[str, str] = {}
    if status not in MANUAL_STATUSES:
        errors["status"] = "change_status moves to in_progress or awaiting_customer only"
    with transaction.atomic():
        ticket = _lock(ticket)
        _not_before_logging(errors, ticket, at)
        if "status" not in errors:
            if ticket.status not in OPEN_STATUSES:
                errors["status"] = f"the ticket is {ticket.get_status_display().lower()}"
            elif ticket.status == status:
                errors["status"] = f"the ticket is already {ticket.get_status_display().lower()}"
        _raise_if(errors)
        before = _snapshot(ticket, "status")
        ticket.status = status
        ticket.updated_at = at
        ticket.save(update_fields=["status", "updated_at"])
        record(
            actor=actor,
            action="ticket.status_changed",
            at=at,
            subject=ticket,
            before=before,
            after=_snapshot(ticket, "status"),
            reason=_text(reason),
        )
    return ticket


def resolve(
    *, actor: User, ticket: Ticket, resolution: str, at: dt.datetime | None = None
) -> Ticket:
    at = instant(at)
    _require(actor, Capability.RESOLVE, ticket)
    errors: dict[str, str] = {}
    if not _text(resolution):
        errors["resolution"] = "describe the resolution"
    with transaction.atomic():
        ticket = _lock(ticket)
        _not_before_logging(errors, ticket, at)
        if ticket.status not in OPEN_STATUSES:
            errors["status"] = f"the ticket is {ticket.get_status_display().lower()}"
        _raise_if(errors)
        fields = ("status", "resolution", "resolved_at")
        before = _snapshot(ticket, *fields)
        ticket.status = Status.RESOLVED
        ticket.resolution = _text(resolution)
        ticket.resolved_at = at
        ticket.updated_at = at
        ticket.save(update_fields=[*fields, "updated_at"])
        record(
            actor=actor,
            action="ticket.resolved",
            at=at,
            subject=ticket,
            before=before,
            after=_snapshot(ticket, *fields),
        )
        _announce("ticket.resolved", ticket, resolved_at=_iso(at))
    return ticket


def close(
    *, actor: User, ticket: Ticket, reason: str = "", at: dt.datetime | None = None
) -> Ticket:
    """Close a resolved ticket. The helpdesk may also close an unresolved one, with a reason
    (duplicate, logged in error...)."""
    at = instant(at)
    _require(actor, Capability.CLOSE, ticket)
    errors: dict[str, str] = {}
    with transaction.atomic():
        ticket = _lock(ticket)
        _not_before_logging(errors, ticket, at)
        if ticket.status == Status.CLOSED:
            errors["status"] = "the ticket is already closed"
        elif ticket.status != Status.RESOLVED:
            if actor.is_customer:
                errors["status"] = "only a resolved ticket can be closed"
            elif not _text(reason):
                errors["reason"] = "give the reason for closing an unresolved ticket"
        _raise_if(errors)
        fields = ("status", "closed_at")
        before = _snapshot(ticket, *fields)
        ticket.status = Status.CLOSED
        ticket.closed_at = at
        ticket.updated_at = at
        ticket.save(update_fields=[*fields, "updated_at"])
        record(
            actor=actor,
            action="ticket.closed",
            at=at,
            subject=ticket,
            before=before,
            after=_snapshot(ticket, *fields),
            reason=_text(reason),
        )
    return ticket


def reopen(*, actor: User, ticket: Ticket, reason: str, at: dt.datetime | None = None) -> Ticket:
    """Reopen a resolved or closed ticket. The first-response result is not changed."""
    at = instant(at)
    _require(actor, Capability.REOPEN, ticket)
    errors: dict[str, str] = {}
    if not _text(reason):
        errors["reason"] = "say why the ticket is reopened"
    with transaction.atomic():
        ticket = _lock(ticket)
        _not_before_logging(errors, ticket, at)
        if ticket.status not in (Status.RESOLVED, Status.CLOSED):
            errors["status"] = "only a resolved or closed ticket can be reopened"
        _raise_if(errors)
        fields = ("status", "resolved_at", "closed_at", "reopen_count")
        before = _snapshot(ticket, *fields)
        ticket.status = Status.IN_PROGRESS
        ticket.resolved_at = None
        ticket.closed_at = None
        ticket.reopen_count += 1
        ticket.updated_at = at
        ticket.save(update_fields=[*fields, "updated_at"])
        record(
            actor=actor,
            action="ticket.reopened",
            at=at,
            subject=ticket,
            before=before,
            after=_snapshot(ticket, *fields),
            reason=_text(reason),
        )
    return ticket


# ------------------------------------------------------------------ helpdesk decisions


def classify_scope(
    *,
    actor: User,
    ticket: Ticket,
    scope: str,
    chargeable: bool,
    reason: str,
    at: dt.datetime | None = None,
) -> Ticket:
    """Record what the work is (in or out of support) and whether it is chargeable.

    This settles the entitlement review flag.
    """
    at = instant(at)
    _require(actor, Capability.CLASSIFY, ticket)
    errors: dict[str, str] = {}
    if scope not in Scope.values:
        errors["scope"] = f"unknown scope {scope!r}"
    if not isinstance(chargeable, bool):
        errors["chargeable"] = "say whether the work is chargeable (true or false)"
    if not _text(reason):
        errors["reason"] = "give the facts the classification is based on"
    with transaction.atomic():
        ticket = _lock(ticket)
        _not_before_logging(errors, ticket, at)
        _raise_if(errors)
        fields = ("scope", "chargeable", "needs_review")
        before = _snapshot(ticket, *fields)
        ticket.scope = scope
        ticket.chargeable = chargeable
        ticket.needs_review = False
        ticket.updated_at = at
        ticket.save(update_fields=[*fields, "updated_at"])
        record(
            actor=actor,
            action="ticket.classified",
            at=at,
            subject=ticket,
            before=before,
            after=_snapshot(ticket, *fields),
            reason=_text(reason),
        )
    return ticket


def set_agreed_delivery_date(
    *,
    actor: User,
    ticket: Ticket,
    delivery_date: dt.date,
    agreed_by: str,
    reason: str = "",
    at: dt.datetime | None = None,
) -> Ticket:
    """Record the delivery date agreed for an enhancement."""
    at = instant(at)
    _require(actor, Capability.SET_PRIORITY, ticket)
    errors: dict[str, str] = {}
    if not isinstance(delivery_date, dt.date) or isinstance(delivery_date, dt.datetime):
        errors["delivery_date"] = "give a date"
    if not _text(agreed_by):
        errors["agreed_by"] = "say who agreed the delivery date"
    with transaction.atomic():
        ticket = _lock(ticket)
        _not_before_logging(errors, ticket, at)
        if ticket.priority != Priority.ENHANCEMENT:
            errors["priority"] = "only an enhancement has an agreed delivery date"
        _raise_if(errors)
        before = _snapshot(ticket, "agreed_delivery_date")
        ticket.agreed_delivery_date = delivery_date
        ticket.updated_at = at
        ticket.save(update_fields=["agreed_delivery_date", "updated_at"])
        record(
            actor=actor,
            action="ticket.delivery_date_agreed",
            at=at,
            subject=ticket,
            before=before,
            after=_snapshot(ticket, "agreed_delivery_date"),
            reason=_text(reason),
            agreed_by=_text(agreed_by),
        )
    return ticket


# ---------------------------------------------------------------- details after intake

DETAIL_FIELDS = (
    "module",
    "version",
    "affected",
    "problem_since",
    "error_details",
    "business_impact",
    "contact_phone",
)


def _redecide_entitlement(ticket: Ticket) -> None:
    """The module decides the contract in force: decide it again for the corrected module
    at the logging instant, as if it had been given then. A coverage a manager set by hand
    (`set_coverage`) and a scope an engineer classified are decisions, and stay."""
    from sladesk.audit.models import AuditEvent

    events = set(
        AuditEvent.objects.filter(
            ticket=ticket, action__in=["ticket.coverage_set", "ticket.classified"]
        ).values_list("action", flat=True)
    )
    if "ticket.coverage_set" not in events:
        contract, coverage, policy_row = _entitlement(
            company=ticket.company, module=ticket.module, at=ticket.logged_at
        )
        ticket.contract, ticket.coverage, ticket.policy = contract, coverage, policy_row
        if "ticket.classified" not in events:
            ticket.needs_review = contract is None
            ticket.possibly_chargeable = contract is None
            if contract is None and not ticket.scope:
                ticket.scope = Scope.NOT_COVERED
            elif contract is not None and ticket.scope == Scope.NOT_COVERED:
                ticket.scope = ""
    ticket.response_due = _due(ticket)
    _plan_sla(ticket)


def complete_ticket_details(
    *,
    actor: User,
    ticket: Ticket,
    module: Module | None = None,
    version: str | None = None,
    affected: str | None = None,
    problem_since: dt.datetime | None = None,
    error_details: str | None = None,
    business_impact: str | None = None,
    contact_phone: str | None = None,
    at: dt.datetime | None = None,
) -> Ticket:
    """Give or correct what "Logging Queries" and "Your Responsibilities" ask for, after
    intake: typically what an emailed ticket lacked (the module and version above all).

    Only the fields passed (not None) are given; passing the value already on the ticket
    confirms an assumption. Staff and the ticket's own company's contacts may do it. A new
    module re-decides the entitlement at the logging instant and the due time is recomputed
    from `logged_at` (a response already made keeps its met/breached result). The ticket's
    missing-information flag clears once every missing field has been given.
    """
    from sladesk.mail.missing import mark_supplied, outstanding_fields

    at = instant(at)
    _require(actor, Capability.COMPLETE_TICKET_DETAILS, ticket)
    given = {
        name: value
        for name, value in {
            "module": module,
            "version": version,
            "affected": affected,
            "problem_since": problem_since,
            "error_details": error_details,
            "business_impact": business_impact,
            "contact_phone": contact_phone,
        }.items()
        if value is not None
    }
    errors: dict[str, str] = {}
    if not given:
        errors["details"] = "give at least one of: " + ", ".join(DETAIL_FIELDS)
    for name in ("version", "error_details", "business_impact", "contact_phone"):
        if name in given:
            given[name] = _text(given[name])
            if not given[name]:
                errors[name] = f"give the {name.replace('_', ' ')} (it cannot be emptied)"
    phone_given = "contact_phone" in given and "contact_phone" not in errors
    if phone_given and not PHONE_RE.match(str(given["contact_phone"])):
        errors["contact_phone"] = f"{given['contact_phone']!r} is not a phone number"
    if "affected" in given and given["affected"] not in Affected.values:
        errors["affected"] = "say who is affected: " + ", ".join(
            str(label) for label in Affected.labels
        )
    if "problem_since" in given:
        since = given["problem_since"]
        if not isinstance(since, dt.datetime):
            errors["problem_since"] = "say since when there has been a problem"
        elif since.tzinfo is None:
            errors["problem_since"] = "give the time with its time zone"
        elif since > at:
            errors["problem_since"] = "the problem cannot start in the future"
    if "module" in given and not isinstance(given["module"], Module):
        errors["module"] = "name the product module"

    with transaction.atomic():
        ticket = _lock(ticket)
        _not_before_logging(errors, ticket, at)
        if ticket.status == Status.CLOSED:
            errors["status"] = "the ticket is closed; reopen it to change its details"
        new_module = given.get("module", ticket.module)
        if "version" not in errors and isinstance(new_module, Module):
            new_version = given.get("version", ticket.version)
            known = list(new_module.versions.values_list("version", flat=True))
            if known and new_version not in known:
                errors["version"] = (
                    f"{new_module} has no version {new_version!r} (known: {', '.join(known)})"
                )
        outstanding = outstanding_fields(ticket)
        changed = [name for name, value in given.items() if getattr(ticket, name) != value]
        if given and not errors and not changed and not set(given) & set(outstanding):
            errors["details"] = "these details are already on the ticket"
        _raise_if(errors)

        fields = ("module_id", *DETAIL_FIELDS[1:])
        entitlement = (
            "contract_id",
            "coverage",
            "needs_review",
            "possibly_chargeable",
            "scope",
            "response_due",
        )
        before = _snapshot(ticket, *fields, *entitlement)
        for name, value in given.items():
            setattr(ticket, name, value)
        if "module" in changed:
            _redecide_entitlement(ticket)
        ticket.updated_at = at
        ticket.save(
            update_fields=[
                "module",
                *DETAIL_FIELDS[1:],
                "contract",
                "coverage",
                "policy",
                "needs_review",
                "possibly_chargeable",
                "scope",
                "response_due",
                *SLA_SCHEDULE_FIELDS,
                "updated_at",
            ]
        )
        after = _snapshot(ticket, *fields, *entitlement)
        missing = mark_supplied(ticket=ticket, fields=given, at=at)
        record(
            actor=actor,
            action="ticket.details_completed",
            at=at,
            subject=ticket,
            before={k: v for k, v in before.items() if after[k] != v}
            | ({"missing": missing["before"]} if missing else {}),
            after={k: v for k, v in after.items() if before[k] != v}
            | ({"missing": missing["after"]} if missing else {})
            | {"given": sorted(given)},
        )
    return ticket


# -------------------------------------------------------------------------------- split


def split_ticket(
    *,
    actor: User,
    ticket: Ticket,
    overview: str,
    reason: str,
    messages: Iterable[Message] = (),
    description: str = "",
    at: dt.datetime | None = None,
) -> Ticket:
    """Move part of a ticket (some of its messages, with their attachments) into a new
    ticket linked to it. The new ticket is logged now, with the same company, contact,
    module, version and priority; its entitlement and due time are those in force now."""
    at = instant(at)
    _require(actor, Capability.SPLIT, ticket)
    errors: dict[str, str] = {}
    overview = _text(overview)
    if not overview:
        errors["overview"] = "give an overview for the new ticket"
    elif len(overview) > 200:
        errors["overview"] = "keep the overview to 200 characters"
    if not _text(reason):
        errors["reason"] = "say why the ticket is split"
    message_ids = sorted({m.pk for m in messages})
    with transaction.atomic():
        ticket = _lock(ticket)
        _not_before_logging(errors, ticket, at)
        if ticket.status == Status.CLOSED:
            errors["status"] = "the ticket is closed"
        moving = list(Message.objects.filter(pk__in=message_ids, ticket=ticket))
        if len(moving) != len(message_ids):
            errors["messages"] = "every message to move must belong to this ticket"
        _raise_if(errors)
        contract, coverage, policy_row = _entitlement(
            company=ticket.company, module=ticket.module, at=at
        )
        new = Ticket(
            reference=_next_reference(),
            company=ticket.company,
            contact=ticket.contact,
            contact_name=ticket.contact_name,
            contact_phone=ticket.contact_phone,
            module=ticket.module,
            version=ticket.version,
            overview=overview,
            description=_text(description),
            affected=ticket.affected,
            problem_since=ticket.problem_since,
            error_details=ticket.error_details,
            business_impact=ticket.business_impact,
            channel=ticket.channel,
            logged_at=at,
            logged_by=actor,
            contract=contract,
            coverage=coverage,
            policy=policy_row,
            needs_review=contract is None,
            possibly_chargeable=contract is None,
            scope=Scope.NOT_COVERED if contract is None else "",
            proposed_priority=ticket.proposed_priority,
            priority=ticket.priority,
            status=Status.NEW,
            split_from=ticket,
            updated_at=at,
        )
        new.response_due = _due(new)
        _plan_sla(new)
        new.save()
        Message.objects.filter(pk__in=message_ids).update(ticket=new)
        Attachment.objects.filter(message_id__in=message_ids).update(ticket=new)
        ticket.updated_at = at
        ticket.save(update_fields=["updated_at"])
        record(
            actor=actor,
            action="ticket.split",
            at=at,
            subject=ticket,
            after={"new_ticket": new.reference, "moved_messages": message_ids},
            reason=_text(reason),
        )
        record(
            actor=actor,
            action="ticket.logged",
            at=at,
            subject=new,
            after={
                **_snapshot(
                    new,
                    "reference",
                    "contract_id",
                    "coverage",
                    "priority",
                    "response_due",
                    "needs_review",
                ),
                "split_from": ticket.reference,
                "moved_messages": message_ids,
            },
            reason=_text(reason),
        )
        _announce("ticket.logged", new, split_from=ticket.reference)
    return new


__all__ = [
    "add_internal_note",
    "add_public_reply",
    "change_status",
    "classify_scope",
    "close",
    "log_phone_call",
    "log_ticket",
    "mark_investigating",
    "propose_priority",
    "reopen",
    "resolve",
    "set_agreed_delivery_date",
    "set_coverage",
    "set_priority",
    "split_ticket",
]

"""Every business event of a complaint, one plain function each (docs/complaints.md).

Each function takes keyword-only arguments, runs in one `transaction.atomic`, checks the
actor's capability, validates its whole input (one `ActionValidationError` listing every
problem, nothing saved), changes the rows and writes an audit event.

Complaint audit events are not linked to the ticket: handling a complaint must not make a
manager "involved" in the ticket it is about.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q

from sladesk.accounts.models import User
from sladesk.accounts.roles import Capability, Role
from sladesk.audit.recorder import record
from sladesk.complaints import evidence
from sladesk.complaints.involvement import involved_user_ids
from sladesk.complaints.models import (
    CUSTOMER_CHANNELS,
    OPEN_STAGES,
    STAFF_CHANNELS,
    About,
    Cause,
    Complaint,
    ComplaintCounter,
    ComplaintNote,
    Outcome,
    Stage,
)
from sladesk.complaints.targets import default_complaint_policy, targets_for
from sladesk.core.clock import instant
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.core.permissions import require
from sladesk.customers.models import Contact
from sladesk.tickets.models import Status as TicketStatus
from sladesk.tickets.models import Ticket

REFERENCE_COUNTER = "complaint"
REFERENCE_PREFIX = "CMP"
FIRST_REFERENCE_NUMBER = 1001
DEFAULT_CAUSE = {
    About.TICKET: Cause.RESOLUTION,
    About.CHARGE: Cause.CHARGE,
    About.SERVICE: Cause.OTHER,
}


# ----------------------------------------------------------------------------- helpers


def _require(
    actor: User | None, capability: Capability, complaint: Complaint | None = None
) -> User:
    actor = require(actor, capability)
    if complaint is not None and actor.is_customer and complaint.company_id != actor.company_id:
        # Never confirm that another company's complaint exists.
        raise ActionPermissionDenied("no such complaint")
    return actor


def _lock(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _iso(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _snapshot(complaint: Complaint, *fields: str) -> dict[str, Any]:
    return {name: _iso(getattr(complaint, name)) for name in fields}


def _raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise ActionValidationError(errors)


def _not_before_logging(errors: dict[str, str], complaint: Complaint, at: dt.datetime) -> None:
    if at < complaint.logged_at:
        errors["at"] = "an event cannot happen before the complaint was logged"


def _next_reference() -> str:
    # As for tickets: the UPDATE holds the row (PostgreSQL) or database (SQLite) write lock
    # until commit, so two complaints never share a number.
    updated = ComplaintCounter.objects.filter(name=REFERENCE_COUNTER).update(value=F("value") + 1)
    if not updated:
        ComplaintCounter.objects.get_or_create(
            name=REFERENCE_COUNTER, defaults={"value": FIRST_REFERENCE_NUMBER - 1}
        )
        ComplaintCounter.objects.filter(name=REFERENCE_COUNTER).update(value=F("value") + 1)
    number = ComplaintCounter.objects.get(name=REFERENCE_COUNTER).value
    return f"{REFERENCE_PREFIX}-{number}"


def _involved(complaint: Complaint) -> set[int]:
    return involved_user_ids(ticket=complaint.ticket, charge=complaint.charge)


def owner_problem(user: Any, complaint: Complaint) -> str | None:
    """Why `user` may not own (or decide) this complaint, or None when they may."""
    if user is None or not user.is_active:
        return "the owner must be an active user"
    if not user.can(Capability.OWN_COMPLAINT):
        return "the owner must be a manager"
    if user.pk in _involved(complaint):
        return f"{user} was involved in what the complaint is about"
    return None


def _choose_owner(complaint: Complaint) -> User | None:
    """The uninvolved manager with the fewest open complaints (then by email)."""
    involved = _involved(complaint)
    candidates = (
        User.objects.filter(role=Role.MANAGER, is_active=True)
        .exclude(pk__in=involved)
        .annotate(
            open_owned=Count("complaints_owned", filter=Q(complaints_owned__stage__in=OPEN_STAGES))
        )
        .order_by("open_owned", "email")
    )
    return candidates.first()


def _contact_for(value: Any) -> Contact | None:
    if isinstance(value, Contact):
        return value
    if isinstance(value, User) and value.is_customer:
        return Contact.objects.filter(user=value).first()
    return None


# ------------------------------------------------------------------------------ logging


def log_complaint(
    *,
    actor: User,
    about: str,
    summary: str,
    ticket: Ticket | None = None,
    charge: Any = None,
    on_behalf_of: Contact | User | None = None,
    cause: str | None = None,
    channel: str | None = None,
    at: dt.datetime | None = None,
) -> Complaint:
    """Log a complaint about a ticket, a charge or the service in general.

    A customer contact complains for itself (portal or API). Helpdesk staff log a complaint
    received by phone, email or letter on behalf of a customer contact (`on_behalf_of`: a
    `Contact` or that contact's user). The complaint gets its reference, its targets and,
    when one is free of involvement, a manager as owner.
    """
    at = instant(at)
    _require(actor, Capability.LOG_COMPLAINT)
    errors: dict[str, str] = {}

    contact: Contact | None
    if actor.is_customer:
        contact = Contact.objects.filter(user=actor).first()
        if on_behalf_of is not None and _contact_for(on_behalf_of) != contact:
            raise ActionPermissionDenied("a customer contact complains only for itself")
        if contact is None:
            errors["on_behalf_of"] = "your login is not linked to a contact of your company"
        channel = channel or "portal"
        if channel not in CUSTOMER_CHANNELS:
            errors["channel"] = "customers complain through the portal or the API"
    else:
        _require(actor, Capability.LOG_COMPLAINT_FOR_CUSTOMER)
        contact = _contact_for(on_behalf_of)
        if on_behalf_of is None:
            # Logged from a ticket or a disputed charge (billing.dispute_charge): the
            # complainant is the ticket's contact unless someone else is named.
            subject = ticket if ticket is not None else getattr(charge, "ticket", None)
            contact = subject.contact if subject is not None else None
        if contact is None:
            errors["on_behalf_of"] = "name the customer contact who is complaining"
        channel = channel or "phone"
        if channel not in STAFF_CHANNELS:
            errors["channel"] = "the helpdesk logs complaints received by phone, email or letter"
    company_id = contact.company_id if contact is not None else None

    if about not in About.values:
        errors["about"] = "say what the complaint is about: ticket, charge or service"
    summary = _text(summary)
    if not summary:
        errors["summary"] = "say what the complaint is"
    if cause is not None and cause not in Cause.values:
        errors["cause"] = f"unknown cause {cause!r}"

    # Another company's ticket or charge is "not found": its existence is never confirmed.
    if ticket is not None and company_id is not None and ticket.company_id != company_id:
        errors["ticket"] = "no such ticket"
    if charge is not None and company_id is not None and charge.company_id != company_id:
        errors["charge"] = "no such charge"
    if about == About.TICKET:
        if ticket is None and "ticket" not in errors:
            errors["ticket"] = "name the ticket the complaint is about"
        if charge is not None:
            errors["charge"] = "a complaint about a charge is logged with about=charge"
    elif about == About.CHARGE:
        if charge is None and "charge" not in errors:
            errors["charge"] = "name the charge that is disputed"
        elif charge is not None and ticket is not None and ticket.pk != charge.ticket_id:
            errors["ticket"] = "the charge belongs to another ticket"
    elif about == About.SERVICE and (ticket is not None or charge is not None):
        errors["about"] = "a complaint about a ticket or a charge names it in 'about'"
    _raise_if(errors)
    assert contact is not None  # checked above

    with transaction.atomic():
        if charge is not None:
            open_dispute = (
                Complaint.objects.select_for_update()
                .filter(charge=charge, stage__in=OPEN_STAGES)
                .first()
            )
            if open_dispute is not None:
                raise ActionValidationError(
                    {"charge": f"this charge is already disputed in {open_dispute.reference}"}
                )
            ticket = charge.ticket
        policy = default_complaint_policy()
        targets = targets_for(policy, at)
        complaint = Complaint(
            reference=_next_reference(),
            company_id=contact.company_id,
            contact=contact,
            about=about,
            ticket=ticket,
            charge=charge,
            summary=summary,
            cause=cause or DEFAULT_CAUSE[About(about)],
            channel=channel,
            logged_at=at,
            logged_by=actor,
            policy=policy,
            acknowledge_due=targets.acknowledge_due,
            decision_due=targets.decision_due,
            stage=Stage.LOGGED,
            updated_at=at,
        )
        complaint.owner = _choose_owner(complaint)
        complaint.save()
        record(
            actor=actor,
            action="complaint.logged",
            at=at,
            subject=complaint,
            after=_snapshot(
                complaint,
                "reference",
                "company_id",
                "contact_id",
                "about",
                "ticket_id",
                "charge_id",
                "cause",
                "channel",
                "policy_id",
                "acknowledge_due",
                "decision_due",
                "owner_id",
            ),
            reason="" if complaint.owner_id else "no uninvolved manager: assign an owner",
        )
    return complaint


# -------------------------------------------------------------------------- stages


def acknowledge_complaint(
    *, actor: User, complaint: Complaint, message: str = "", at: dt.datetime | None = None
) -> Complaint:
    """Tell the customer the complaint is received and who owns it. `message` (optional) is
    kept as a note the customer sees."""
    at = instant(at)
    _require(actor, Capability.HANDLE_COMPLAINT, complaint)
    errors: dict[str, str] = {}
    with transaction.atomic():
        complaint = _lock(complaint)
        _not_before_logging(errors, complaint, at)
        if complaint.stage != Stage.LOGGED:
            errors["stage"] = f"the complaint is already {complaint.get_stage_display().lower()}"
        _raise_if(errors)
        fields = ("stage", "acknowledged_at", "acknowledge_met")
        before = _snapshot(complaint, *fields)
        complaint.stage = Stage.ACKNOWLEDGED
        complaint.acknowledged_at = at
        complaint.acknowledge_met = at <= complaint.acknowledge_due
        complaint.updated_at = at
        complaint.save(update_fields=[*fields, "updated_at"])
        if _text(message):
            ComplaintNote.objects.create(
                complaint=complaint,
                author=actor,
                at=at,
                body=_text(message),
                visible_to_customer=True,
            )
        record(
            actor=actor,
            action="complaint.acknowledged",
            at=at,
            subject=complaint,
            before=before,
            after=_snapshot(complaint, *fields),
        )
    return complaint


def assign_owner(
    *,
    actor: User,
    complaint: Complaint,
    owner: User,
    reason: str = "",
    at: dt.datetime | None = None,
) -> Complaint:
    """Give the complaint an owner: a manager not involved in what it is about."""
    at = instant(at)
    _require(actor, Capability.ASSIGN_COMPLAINT, complaint)
    errors: dict[str, str] = {}
    with transaction.atomic():
        complaint = _lock(complaint)
        _not_before_logging(errors, complaint, at)
        if not complaint.is_open:
            errors["stage"] = f"the complaint is {complaint.get_stage_display().lower()}"
        problem = owner_problem(owner, complaint)
        if problem:
            errors["owner"] = problem
        elif owner.pk == complaint.owner_id:
            errors["owner"] = f"{owner} already owns the complaint"
        if complaint.owner_id is not None and not _text(reason):
            errors["reason"] = "say why the owner changes"
        _raise_if(errors)
        before = _snapshot(complaint, "owner_id")
        complaint.owner = owner
        complaint.updated_at = at
        complaint.save(update_fields=["owner", "updated_at"])
        record(
            actor=actor,
            action="complaint.owner_assigned",
            at=at,
            subject=complaint,
            before=before,
            after=_snapshot(complaint, "owner_id"),
            reason=_text(reason),
        )
    return complaint


def _require_owner(actor: User, complaint: Complaint, errors: dict[str, str]) -> None:
    if complaint.owner_id is None:
        errors["owner"] = "the complaint has no owner yet"
    elif complaint.owner_id != actor.pk:
        raise ActionPermissionDenied("only the complaint's owner may do this")
    elif actor.pk in _involved(complaint):
        # Involvement can begin after the owner was chosen (a reply on the ticket, say).
        raise ActionPermissionDenied(
            f"{actor} is now involved in what the complaint is about: assign another owner"
        )


def start_investigation(
    *, actor: User, complaint: Complaint, at: dt.datetime | None = None
) -> Complaint:
    at = instant(at)
    _require(actor, Capability.OWN_COMPLAINT, complaint)
    errors: dict[str, str] = {}
    with transaction.atomic():
        complaint = _lock(complaint)
        _require_owner(actor, complaint, errors)
        _not_before_logging(errors, complaint, at)
        if complaint.stage == Stage.LOGGED:
            errors["stage"] = "acknowledge the complaint first"
        elif complaint.stage != Stage.ACKNOWLEDGED:
            errors["stage"] = f"the complaint is already {complaint.get_stage_display().lower()}"
        _raise_if(errors)
        before = _snapshot(complaint, "stage", "investigating_at")
        complaint.stage = Stage.INVESTIGATING
        complaint.investigating_at = at
        complaint.updated_at = at
        complaint.save(update_fields=["stage", "investigating_at", "updated_at"])
        record(
            actor=actor,
            action="complaint.investigating",
            at=at,
            subject=complaint,
            before=before,
            after=_snapshot(complaint, "stage", "investigating_at"),
        )
    return complaint


DECISION_FIELDS = (
    "stage",
    "decided_at",
    "decided_by_id",
    "decision_met",
    "outcome",
    "decision_reason",
    "cause",
    "credit_amount",
    "credit_currency",
    "charge_waived",
    "ticket_reopened",
)


def _credit(errors: dict[str, str], amount: Any, currency: str) -> tuple[Decimal | None, str]:
    if amount is None or amount == "":
        if currency:
            errors["credit_amount"] = "give the credit amount for the currency"
        return None, ""
    from sladesk.billing.money import MINOR_UNITS

    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        errors["credit_amount"] = f"{amount!r} is not an amount"
        return None, ""
    currency = _text(currency).upper()
    if currency not in MINOR_UNITS:
        errors["credit_currency"] = "give the credit's currency (ISO code, e.g. GBP)"
        return None, ""
    if not value.is_finite() or value <= 0:
        errors["credit_amount"] = "a credit is a positive amount"
    elif value != value.quantize(Decimal(1).scaleb(-MINOR_UNITS[currency])):
        errors["credit_amount"] = f"{currency} has {MINOR_UNITS[currency]} decimal places"
    return value, currency


def decide_complaint(
    *,
    actor: User,
    complaint: Complaint,
    outcome: str,
    reason: str,
    credit_amount: Decimal | str | None = None,
    credit_currency: str = "",
    waive_charge: bool = False,
    reopen_ticket: bool = False,
    cause: str | None = None,
    at: dt.datetime | None = None,
) -> Complaint:
    """Decide the complaint, carry out the remedy and freeze the evidence. Final.

    A disputed charge is settled by the decision: waived when `waive_charge` (upheld or
    partly upheld), otherwise released (the charge stands). A credit is recorded as an
    amount with its currency. `reopen_ticket` reopens the resolved or closed ticket.
    """
    at = instant(at)
    _require(actor, Capability.OWN_COMPLAINT, complaint)
    errors: dict[str, str] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = "the outcome is upheld, partly_upheld or not_upheld"
    reason = _text(reason)
    if not reason:
        errors["reason"] = "give the reason for the decision"
    if cause is not None and cause not in Cause.values:
        errors["cause"] = f"unknown cause {cause!r}"
    credit, currency = _credit(errors, credit_amount, credit_currency)
    with transaction.atomic():
        complaint = _lock(complaint)
        _require_owner(actor, complaint, errors)
        _not_before_logging(errors, complaint, at)
        if complaint.stage in OPEN_STAGES and complaint.stage != Stage.INVESTIGATING:
            errors["stage"] = "investigate the complaint before deciding it"
        elif complaint.stage not in OPEN_STAGES:
            errors["stage"] = "the complaint is decided: the decision is final"
        if outcome == Outcome.NOT_UPHELD and (credit is not None or waive_charge or reopen_ticket):
            errors["remedy"] = "a complaint that is not upheld has no remedy"
        if waive_charge and complaint.charge_id is None:
            errors["waive_charge"] = "the complaint is not about a charge"
        ticket = complaint.ticket
        if reopen_ticket:
            if ticket is None:
                errors["reopen_ticket"] = "the complaint is not about a ticket"
            elif ticket.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
                errors["reopen_ticket"] = f"ticket {ticket.reference} is still open"
        _raise_if(errors)

        before = _snapshot(complaint, *DECISION_FIELDS)
        complaint.stage = Stage.DECIDED
        complaint.decided_at = at
        complaint.decided_by = actor
        complaint.decision_met = at <= complaint.decision_due
        complaint.outcome = outcome
        complaint.decision_reason = reason
        complaint.cause = cause or complaint.cause
        complaint.credit_amount = credit
        complaint.credit_currency = currency
        complaint.charge_waived = bool(waive_charge)
        complaint.ticket_reopened = bool(reopen_ticket)
        # The evidence as it stood when decided, before the remedy changes the records.
        complaint.evidence = evidence.assemble(complaint, now=at)
        complaint.updated_at = at
        complaint.save()
        record(
            actor=actor,
            action="complaint.decided",
            at=at,
            subject=complaint,
            before=before,
            after=_snapshot(complaint, *DECISION_FIELDS),
            reason=reason,
        )
        _carry_out_remedy(actor=actor, complaint=complaint, at=at)
    return complaint


def _carry_out_remedy(*, actor: User, complaint: Complaint, at: dt.datetime) -> None:
    remedy_reason = f"Complaint {complaint.reference} {complaint.get_outcome_display().lower()}"
    if complaint.charge is not None:
        from sladesk.billing import actions as billing

        if complaint.charge_waived:
            billing.waive_charge(
                actor=actor,
                charge=complaint.charge,
                reason=f"{remedy_reason}: charge waived",
                at=at,
            )
        else:
            billing.release_charge(
                actor=actor,
                charge=complaint.charge,
                reason=f"{remedy_reason}: charge stands",
                at=at,
            )
    if complaint.ticket_reopened and complaint.ticket is not None:
        from sladesk.tickets.actions import reopen

        reopen(
            actor=actor,
            ticket=complaint.ticket,
            reason=f"{remedy_reason}: ticket reopened",
            at=at,
        )


def close_complaint(
    *, actor: User, complaint: Complaint, at: dt.datetime | None = None
) -> Complaint:
    """Close a decided complaint once the remedy is done and the customer is told."""
    at = instant(at)
    _require(actor, Capability.HANDLE_COMPLAINT, complaint)
    if complaint.owner_id != actor.pk and not actor.can(Capability.ASSIGN_COMPLAINT):
        raise ActionPermissionDenied("only the owner or a manager may close a complaint")
    errors: dict[str, str] = {}
    with transaction.atomic():
        complaint = _lock(complaint)
        _not_before_logging(errors, complaint, at)
        if complaint.stage == Stage.CLOSED:
            errors["stage"] = "the complaint is already closed"
        elif complaint.stage != Stage.DECIDED:
            errors["stage"] = "only a decided complaint can be closed"
        elif complaint.decided_at is not None and at < complaint.decided_at:
            errors["at"] = "a complaint cannot be closed before it was decided"
        _raise_if(errors)
        before = _snapshot(complaint, "stage", "closed_at")
        complaint.stage = Stage.CLOSED
        complaint.closed_at = at
        complaint.updated_at = at
        complaint.save(update_fields=["stage", "closed_at", "updated_at"])
        record(
            actor=actor,
            action="complaint.closed",
            at=at,
            subject=complaint,
            before=before,
            after=_snapshot(complaint, "stage", "closed_at"),
        )
    return complaint


def annotate_complaint(
    *,
    actor: User,
    complaint: Complaint,
    body: str,
    visible_to_customer: bool = False,
    at: dt.datetime | None = None,
) -> ComplaintNote:
    """Add a note. The only change a decided complaint accepts. A customer's notes are
    always visible to the customer; staff choose."""
    at = instant(at)
    _require(actor, Capability.ANNOTATE_COMPLAINT, complaint)
    errors: dict[str, str] = {}
    if not _text(body):
        errors["body"] = "write the note"
    with transaction.atomic():
        complaint = _lock(complaint)
        _not_before_logging(errors, complaint, at)
        _raise_if(errors)
        note = ComplaintNote.objects.create(
            complaint=complaint,
            author=actor,
            at=at,
            body=_text(body),
            visible_to_customer=True if actor.is_customer else bool(visible_to_customer),
        )
        record(
            actor=actor,
            action="complaint.annotated",
            at=at,
            subject=note,
            after={
                "complaint": complaint.reference,
                "visible_to_customer": note.visible_to_customer,
            },
        )
    return note


__all__ = [
    "acknowledge_complaint",
    "annotate_complaint",
    "assign_owner",
    "close_complaint",
    "decide_complaint",
    "log_complaint",
    "owner_problem",
    "start_investigation",
]

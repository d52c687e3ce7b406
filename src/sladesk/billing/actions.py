"""Every billing event, one plain function each (the shape of `sladesk.tickets.actions`).

Keyword-only arguments, one `transaction.atomic`, a capability check, the whole input
validated at once (`ActionValidationError`, nothing saved), then the rows and an audit
event. `at` is when the event happens (default: now).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Sum

from sladesk.accounts.models import User
from sladesk.accounts.roles import Capability
from sladesk.audit.recorder import record
from sladesk.billing.hours import in_and_out_seconds, split, standard_calendar
from sladesk.billing.models import (
    Charge,
    ContractBilling,
    Enhancement,
    PriceList,
    ScopeCategory,
    ScopeDecision,
    SowReference,
    Statement,
    TimeEntry,
)
from sladesk.billing.money import MINOR_UNITS, SECONDS_PER_HOUR, round_money
from sladesk.billing.pricing import Rates, Work, price_work
from sladesk.core.clock import instant
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.core.permissions import require
from sladesk.customers.models import Company
from sladesk.tickets.models import Priority, Scope, Ticket

LONDON = ZoneInfo("Europe/London")
MAX_ENTRY = dt.timedelta(hours=24)
DEFAULT_PRICE_LIST = "standard"

# The ticket's own coarse scope, kept in step with the billing decision (docs/billing.md):
# Ticket.Scope has fewer values than the seed's list, so several categories share one.
TICKET_SCOPE: dict[str, str] = {
    ScopeCategory.INCLUDED: Scope.PRODUCT_FAULT,
    ScopeCategory.SCRIPT_NOT_OURS: Scope.CUSTOMER_SCRIPT,
    ScopeCategory.SCRIPT_CHANGED: Scope.CUSTOMER_SCRIPT,
    ScopeCategory.ENVIRONMENT: Scope.ENVIRONMENT,
    ScopeCategory.HARDWARE: Scope.HARDWARE,
    ScopeCategory.THIRD_PARTY_INTEGRATION: Scope.ENHANCEMENT,
    ScopeCategory.THIRD_PARTY_COMMUNICATION: Scope.NOT_COVERED,
    ScopeCategory.EASYSCRIPTER: Scope.NOT_COVERED,
    ScopeCategory.MIGRATION: Scope.MIGRATION,
    ScopeCategory.TUITION: Scope.TUITION,
    ScopeCategory.DATA_ARCHIVING: Scope.NOT_COVERED,
    ScopeCategory.BESPOKE: Scope.ENHANCEMENT,
    ScopeCategory.ENHANCEMENT: Scope.ENHANCEMENT,
}


# ----------------------------------------------------------------------------- helpers


def _require(actor: User | None, capability: Capability, company_id: int | None = None) -> User:
    actor = require(actor, capability)
    if company_id is not None and actor.is_customer and company_id != actor.company_id:
        raise ActionPermissionDenied("not found")
    return actor


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise ActionValidationError(errors)


def _iso(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _aware(errors: dict[str, str], field: str, value: object) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        errors[field] = "give a date and time"
        return None
    if value.tzinfo is None:
        errors[field] = "give the time with its time zone"
        return None
    return value.astimezone(dt.UTC)


def london_date(at: dt.datetime) -> dt.date:
    return at.astimezone(LONDON).date()


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants (UTC) at which a London calendar month starts and ends."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    start = dt.datetime(first.year, first.month, 1, tzinfo=LONDON).astimezone(dt.UTC)
    end = dt.datetime(following.year, following.month, 1, tzinfo=LONDON).astimezone(dt.UTC)
    return start, end


def current_decision(ticket: Ticket) -> ScopeDecision | None:
    return ScopeDecision.objects.filter(ticket=ticket).order_by("-decided_at", "-id").first()


def sow_agreed_before(ticket: Ticket, at: dt.datetime) -> SowReference | None:
    """The latest SOW reference agreed for the ticket at or before `at`."""
    return (
        SowReference.objects.filter(ticket=ticket, agreed_at__lte=at)
        .order_by("-agreed_at", "-id")
        .first()
    )


def _lock_ticket(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


# ---------------------------------------------------------------------- scope decision


def decide_scope(
    *,
    actor: User,
    ticket: Ticket,
    category: str,
    reason: str,
    customer_failed_to_identify: bool = False,
    at: dt.datetime | None = None,
) -> ScopeDecision:
    """The helpdesk decides whether the work is included under support or which
    not-included category makes it chargeable. Shown to the customer with the reason.

    A decision can be changed only by a new decision with a reason; each one is kept and
    audited. The ticket's own scope and chargeable flag follow (through `classify_scope`).
    """
    at = instant(at)
    _require(actor, Capability.CLASSIFY, ticket.company_id)
    errors: dict[str, str] = {}
    if category not in ScopeCategory.values:
        errors["category"] = f"unknown scope category {category!r}"
    if not _text(reason):
        errors["reason"] = "give the facts the decision is based on"
    if not isinstance(customer_failed_to_identify, bool):
        errors["customer_failed_to_identify"] = "say yes or no"
    elif customer_failed_to_identify and category != ScopeCategory.ENVIRONMENT:
        errors["customer_failed_to_identify"] = (
            "only an environmental change can make the initial diagnosis billable"
        )
    with transaction.atomic():
        ticket = _lock_ticket(ticket)
        if at < ticket.logged_at:
            errors["at"] = "a decision cannot be made before the ticket was logged"
        current = current_decision(ticket)
        if (
            current is not None
            and current.category == category
            and current.customer_failed_to_identify == customer_failed_to_identify
        ):
            errors["category"] = f"the scope is already: {current.get_category_display()}"
        _raise_if(errors)
        decision = ScopeDecision.objects.create(
            ticket=ticket,
            category=category,
            chargeable=category != ScopeCategory.INCLUDED,
            customer_failed_to_identify=customer_failed_to_identify,
            reason=_text(reason),
            decided_by=actor,
            decided_at=at,
            supersedes=current,
        )
        record(
            actor=actor,
            action="billing.scope_changed" if current else "billing.scope_decided",
            at=at,
            subject=decision,
            ticket=ticket,
            before=_decision_snapshot(current),
            after=_decision_snapshot(decision),
            reason=_text(reason),
        )
        from sladesk.tickets.actions import classify_scope

        classify_scope(
            actor=actor,
            ticket=ticket,
            scope=TICKET_SCOPE[category],
            chargeable=decision.chargeable,
            reason=_text(reason),
            at=at,
        )
    return decision


def _decision_snapshot(decision: ScopeDecision | None) -> dict[str, Any]:
    if decision is None:
        return {}
    return {
        "category": decision.category,
        "chargeable": decision.chargeable,
        "customer_failed_to_identify": decision.customer_failed_to_identify,
    }


# ------------------------------------------------------------------------------- time


def record_time(
    *,
    actor: User,
    ticket: Ticket,
    started_at: dt.datetime,
    duration: dt.timedelta,
    description: str,
    is_diagnosis: bool = False,
    staff: User | None = None,
    at: dt.datetime | None = None,
) -> TimeEntry:
    """Record time a member of staff spent on a ticket.

    In or out of standard hours is derived from the standard calendar of the ticket's
    policy; an entry spanning 17:00 is split there.
    """
    at = instant(at)
    _require(actor, Capability.RECORD_TIME, ticket.company_id)
    worker = staff or actor
    errors: dict[str, str] = {}
    if not worker.is_helpdesk or not worker.is_active:
        errors["staff"] = "time is recorded for an active member of the helpdesk"
    start = _aware(errors, "started_at", started_at)
    if not isinstance(duration, dt.timedelta) or duration <= dt.timedelta(0):
        errors["duration"] = "give a duration of more than zero"
    elif duration > MAX_ENTRY:
        errors["duration"] = "record at most 24 hours in one entry"
    elif duration % dt.timedelta(seconds=1):
        errors["duration"] = "give the duration in whole seconds"
    if not _text(description):
        errors["description"] = "describe the work"
    if not isinstance(is_diagnosis, bool):
        errors["is_diagnosis"] = "say whether this is initial diagnosis"
    if start is not None and start < ticket.logged_at:
        errors["started_at"] = "work cannot start before the ticket was logged"
    if start is not None and "duration" not in errors and start + duration > at:
        errors["duration"] = "the work cannot end in the future"
    _raise_if(errors)
    assert start is not None
    segments = split(standard_calendar(ticket.policy), start, start + duration)
    inside, outside = in_and_out_seconds(segments)
    with transaction.atomic():
        entry = TimeEntry.objects.create(
            ticket=ticket,
            staff=worker,
            started_at=start,
            duration_seconds=int(duration.total_seconds()),
            description=_text(description),
            is_diagnosis=is_diagnosis,
            in_hours_seconds=inside,
            out_of_hours_seconds=outside,
            recorded_by=actor,
            recorded_at=at,
        )
        record(
            actor=actor,
            action="billing.time_recorded",
            at=at,
            subject=entry,
            ticket=ticket,
            after={
                "staff": worker.pk,
                "started_at": _iso(start),
                "duration_seconds": entry.duration_seconds,
                "in_hours_seconds": inside,
                "out_of_hours_seconds": outside,
                "is_diagnosis": is_diagnosis,
                "segments": [
                    [_iso(s.start), _iso(s.end), "in" if s.in_hours else "out"] for s in segments
                ],
            },
        )
    return entry


def void_time_entry(
    *, actor: User, entry: TimeEntry, reason: str, at: dt.datetime | None = None
) -> TimeEntry:
    """Withdraw a time entry recorded in error. Time on an issued statement stays (a
    correction line is the way to change what was billed); on a draft the ticket's line
    is removed, to be recomputed when the draft is generated again."""
    at = instant(at)
    _require(actor, Capability.RECORD_TIME, entry.ticket.company_id)
    errors: dict[str, str] = {}
    if not _text(reason):
        errors["reason"] = "say why the entry is withdrawn"
    with transaction.atomic():
        entry = TimeEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.voided_at is not None:
            errors["entry"] = "the entry is already withdrawn"
        charge = entry.charge
        if charge is not None:
            if charge.statement is not None and charge.statement.is_issued:
                errors["entry"] = (
                    f"billed on issued statement {charge.statement.number}; add a correction"
                )
            elif charge.held or charge.decision:
                errors["entry"] = "billed on a disputed line; wait for the decision"
        _raise_if(errors)
        if charge is not None:
            TimeEntry.objects.filter(charge=charge).update(charge=None)
            charge.delete()
            entry.charge = None
        entry.voided_at = at
        entry.void_reason = _text(reason)
        entry.save(update_fields=["voided_at", "void_reason", "charge"])
        record(
            actor=actor,
            action="billing.time_voided",
            at=at,
            subject=entry,
            ticket=entry.ticket,
            before={"voided_at": None},
            after={"voided_at": _iso(at)},
            reason=_text(reason),
        )
    return entry


# -------------------------------------------------------------------------------- SOW


def record_sow(
    *,
    actor: User,
    ticket: Ticket,
    reference: str,
    agreed_at: dt.datetime | None = None,
    at: dt.datetime | None = None,
) -> SowReference:
    """Record the statement-of-work reference agreed for a ticket's chargeable work."""
    at = instant(at)
    _require(actor, Capability.RECORD_SOW, ticket.company_id)
    errors: dict[str, str] = {}
    agreed = at if agreed_at is None else _aware(errors, "agreed_at", agreed_at)
    if not _text(reference):
        errors["reference"] = "give the SOW reference"
    elif len(_text(reference)) > 100:
        errors["reference"] = "keep the reference to 100 characters"
    if agreed is not None and agreed > at:
        errors["agreed_at"] = "the SOW cannot be agreed in the future"
    _raise_if(errors)
    assert agreed is not None
    with transaction.atomic():
        sow = SowReference.objects.create(
            ticket=ticket,
            reference=_text(reference),
            agreed_at=agreed,
            recorded_by=actor,
            recorded_at=at,
        )
        record(
            actor=actor,
            action="billing.sow_recorded",
            at=at,
            subject=sow,
            ticket=ticket,
            after={"reference": sow.reference, "agreed_at": _iso(agreed)},
        )
    return sow


# ----------------------------------------------------------------------- enhancements


def _lock_enhancement(enhancement: Enhancement) -> Enhancement:
    return Enhancement.objects.select_for_update().select_related("ticket").get(pk=enhancement.pk)


def _stage_event(
    *, actor: User, enhancement: Enhancement, before: str, at: dt.datetime, **extra: Any
) -> None:
    record(
        actor=actor,
        action="billing.enhancement_" + enhancement.stage,
        at=at,
        subject=enhancement,
        ticket=enhancement.ticket,
        before={"stage": before},
        after={"stage": enhancement.stage, **{k: _iso(v) for k, v in extra.items()}},
        reason=str(extra.get("reason", "")),
        agreed_by=str(extra.get("agreed_by", "")),
    )


def open_enhancement(
    *, actor: User, ticket: Ticket, specification: str = "", at: dt.datetime | None = None
) -> Enhancement:
    """Start tracking an enhancement request. Its work is chargeable by default: without
    an earlier scope decision, the ticket is decided as an enhancement."""
    at = instant(at)
    _require(actor, Capability.MANAGE_ENHANCEMENT, ticket.company_id)
    errors: dict[str, str] = {}
    if ticket.priority != Priority.ENHANCEMENT:
        errors["ticket"] = "only a ticket with the Enhancement priority is an enhancement"
    if Enhancement.objects.filter(ticket=ticket).exists():
        errors["ticket"] = "this enhancement is already being tracked"
    if at < ticket.logged_at:
        errors["at"] = "an event cannot happen before the ticket was logged"
    _raise_if(errors)
    with transaction.atomic():
        enhancement = Enhancement.objects.create(
            ticket=ticket, specification=_text(specification), created_at=at, updated_at=at
        )
        _stage_event(actor=actor, enhancement=enhancement, before="", at=at)
        if current_decision(ticket) is None and actor.can(Capability.CLASSIFY):
            decide_scope(
                actor=actor,
                ticket=ticket,
                category=ScopeCategory.ENHANCEMENT,
                reason="Enhancements are chargeable (service level definitions: Enhancement).",
                at=at,
            )
    return enhancement


def quote_enhancement(
    *,
    actor: User,
    enhancement: Enhancement,
    specification: str,
    quote_amount: Decimal,
    currency: str,
    sow_reference: str,
    at: dt.datetime | None = None,
) -> Enhancement:
    """The specification is defined; a quote and its SOW go to the customer."""
    at = instant(at)
    _require(actor, Capability.MANAGE_ENHANCEMENT, enhancement.ticket.company_id)
    errors: dict[str, str] = {}
    if not _text(specification):
        errors["specification"] = "define the specification"
    try:
        amount = Decimal(str(quote_amount))
        if not amount.is_finite() or amount < 0:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["quote_amount"] = "give the quoted amount (0 or more)"
        amount = Decimal(0)
    if currency not in MINOR_UNITS:
        errors["currency"] = f"unknown currency {currency!r}"
    if not _text(sow_reference):
        errors["sow_reference"] = "give the SOW reference sent with the quote"
    with transaction.atomic():
        enhancement = _lock_enhancement(enhancement)
        if enhancement.stage not in (Enhancement.Stage.SPECIFICATION, Enhancement.Stage.QUOTED):
            errors["stage"] = f"the enhancement is {enhancement.get_stage_display().lower()}"
        _raise_if(errors)
        before = enhancement.stage
        enhancement.specification = _text(specification)
        enhancement.quote_amount = round_money(amount, currency)
        enhancement.quote_currency = currency
        enhancement.sow_reference = _text(sow_reference)
        enhancement.stage = Enhancement.Stage.QUOTED
        enhancement.updated_at = at
        enhancement.save()
        _stage_event(
            actor=actor,
            enhancement=enhancement,
            before=before,
            at=at,
            quote=f"{currency} {enhancement.quote_amount}",
            sow_reference=enhancement.sow_reference,
        )
    return enhancement


def accept_enhancement(
    *,
    actor: User,
    enhancement: Enhancement,
    accepted_by: str = "",
    at: dt.datetime | None = None,
) -> Enhancement:
    """The customer accepts the specification, quote and SOW. A customer contact accepts
    for its own company; a manager records an acceptance given another way (who gave it).
    The SOW reference is then agreed for the ticket's work."""
    at = instant(at)
    _require(actor, Capability.ACCEPT_QUOTE, enhancement.ticket.company_id)
    errors: dict[str, str] = {}
    who = actor.get_full_name() if actor.is_customer else _text(accepted_by)
    if not who:
        errors["accepted_by"] = "say who at the customer accepted"
    with transaction.atomic():
        enhancement = _lock_enhancement(enhancement)
        if enhancement.stage != Enhancement.Stage.QUOTED:
            errors["stage"] = "only a quoted enhancement can be accepted"
        _raise_if(errors)
        before = enhancement.stage
        enhancement.stage = Enhancement.Stage.ACCEPTED
        enhancement.accepted_at = at
        enhancement.accepted_by = who
        enhancement.updated_at = at
        enhancement.save()
        SowReference.objects.create(
            ticket=enhancement.ticket,
            reference=enhancement.sow_reference,
            agreed_at=at,
            recorded_by=actor,
            recorded_at=at,
        )
        _stage_event(
            actor=actor,
            enhancement=enhancement,
            before=before,
            at=at,
            agreed_by=who,
            sow_reference=enhancement.sow_reference,
        )
    return enhancement


def agree_enhancement_delivery(
    *,
    actor: User,
    enhancement: Enhancement,
    delivery_date: dt.date,
    agreed_by: str,
    reason: str = "",
    at: dt.datetime | None = None,
) -> Enhancement:
    """Agree (or, with a reason, re-agree) the delivery date of an accepted enhancement.
    The ticket's agreed delivery date follows, so it is tracked like any other target."""
    at = instant(at)
    _require(actor, Capability.MANAGE_ENHANCEMENT, enhancement.ticket.company_id)
    errors: dict[str, str] = {}
    if not isinstance(delivery_date, dt.date) or isinstance(delivery_date, dt.datetime):
        errors["delivery_date"] = "give a date"
    elif delivery_date < london_date(at):
        errors["delivery_date"] = "the delivery date cannot be in the past"
    if not _text(agreed_by):
        errors["agreed_by"] = "say who agreed the delivery date"
    with transaction.atomic():
        enhancement = _lock_enhancement(enhancement)
        if enhancement.stage == Enhancement.Stage.DATE_AGREED:
            if not _text(reason):
                errors["reason"] = "say why the agreed delivery date changes"
        elif enhancement.stage != Enhancement.Stage.ACCEPTED:
            errors["stage"] = (
                "a delivery date is agreed once the specification is defined and accepted"
            )
        _raise_if(errors)
        before = enhancement.stage
        enhancement.stage = Enhancement.Stage.DATE_AGREED
        enhancement.agreed_delivery_date = delivery_date
        enhancement.updated_at = at
        enhancement.save()
        _stage_event(
            actor=actor,
            enhancement=enhancement,
            before=before,
            at=at,
            agreed_delivery_date=delivery_date,
            agreed_by=_text(agreed_by),
            reason=_text(reason),
        )
        from sladesk.tickets.actions import set_agreed_delivery_date

        set_agreed_delivery_date(
            actor=actor,
            ticket=enhancement.ticket,
            delivery_date=delivery_date,
            agreed_by=_text(agreed_by),
            reason=_text(reason),
            at=at,
        )
    return enhancement


def deliver_enhancement(
    *, actor: User, enhancement: Enhancement, at: dt.datetime | None = None
) -> Enhancement:
    at = instant(at)
    _require(actor, Capability.MANAGE_ENHANCEMENT, enhancement.ticket.company_id)
    errors: dict[str, str] = {}
    with transaction.atomic():
        enhancement = _lock_enhancement(enhancement)
        if enhancement.stage != Enhancement.Stage.DATE_AGREED:
            errors["stage"] = "only an enhancement with an agreed delivery date is delivered"
        _raise_if(errors)
        before = enhancement.stage
        enhancement.stage = Enhancement.Stage.DELIVERED
        enhancement.delivered_at = at
        enhancement.updated_at = at
        enhancement.save()
        _stage_event(
            actor=actor,
            enhancement=enhancement,
            before=before,
            at=at,
            on_time=delivery_state(enhancement, at) == "met",
        )
    return enhancement


def delivery_state(enhancement: Enhancement, now: dt.datetime) -> str:
    """`met`, `breached`, `overdue`, `pending` or `no date agreed`, judged on the London
    date like every agreed date."""
    agreed = enhancement.agreed_delivery_date
    if agreed is None:
        return "no date agreed"
    if enhancement.delivered_at is not None:
        return "met" if london_date(enhancement.delivered_at) <= agreed else "breached"
    return "overdue" if london_date(now) > agreed else "pending"


# ------------------------------------------------------------------------- statements


def _price_list_for(ticket: Ticket, on: dt.date) -> tuple[PriceList | None, str, Decimal | None]:
    """The price list row in force on `on` for the ticket's contract, its name, and the
    contract's agreed minimum (None: the price list's)."""
    terms = None
    name = ""
    contract = ticket.contract
    if contract is not None:
        terms = ContractBilling.objects.filter(contract=contract).first()
        name = terms.price_list_name if terms else (contract.price_list_reference or "")
    name = name or getattr(settings, "SLADESK_DEFAULT_PRICE_LIST", DEFAULT_PRICE_LIST)
    row = PriceList.objects.filter(name=name, valid_from__lte=on).order_by("-valid_from").first()
    minimum = terms.minimum_billable_hours if terms is not None else None
    return row, name, minimum


def _statement_number(company: Company, month: dt.date) -> str:
    return f"ST-{company.slug.upper()}-{month:%Y-%m}"


def generate_statement(
    *, actor: User, company: Company, month: dt.date, at: dt.datetime | None = None
) -> Statement:
    """Make (or remake) the draft statement of a company for a London calendar month.

    Every chargeable ticket with time starting in the month gets one line, priced by
    `pricing.price_work`. Chargeable time of earlier months that is on no charge yet (its
    scope was decided after that month's statement was made) is billed late here, one line
    per ticket and month of work, saying so. Remaking a draft replaces its undisputed work
    lines; disputed lines and corrections stay. Corrections not yet on a statement are added.
    """
    at = instant(at)
    _require(actor, Capability.MANAGE_BILLING)
    errors: dict[str, str] = {}
    if not isinstance(month, dt.date):
        raise ActionValidationError({"month": "give the month"})
    month = month.replace(day=1)
    start, end = month_bounds(month)
    if start > at:
        errors["month"] = "a statement cannot be made for a month that has not started"
    _raise_if(errors)
    with transaction.atomic():
        # Statements of different months now collect overlapping time (late work), so the
        # company row serialises every generation for it: two drafts made at once would
        # otherwise both price the same unbilled entry.
        Company.objects.select_for_update().filter(pk=company.pk).first()
        statement = (
            Statement.objects.select_for_update().filter(company=company, month=month).first()
        )
        if statement is not None and statement.is_issued:
            raise ActionValidationError(
                {"month": f"statement {statement.number} is issued and never changes"}
            )
        if statement is None:
            statement = Statement.objects.create(
                company=company,
                month=month,
                currency="GBP",
                number=_statement_number(company, month),
                generated_at=at,
            )
        stale = Charge.objects.filter(
            statement=statement, kind=Charge.Kind.WORK, held=False, decision=""
        )
        TimeEntry.objects.filter(charge__in=stale).update(charge=None)
        stale.delete()

        entries = (
            TimeEntry.objects.select_related("ticket", "ticket__contract")
            .filter(
                ticket__company=company,
                started_at__lt=end,
                voided_at__isnull=True,
                charge__isnull=True,
            )
            .order_by("started_at", "id")
        )
        # One line per ticket and London month of work: late work keeps the month it was
        # done in (and that date's price list), and the customer sees which month it was.
        by_ticket: dict[tuple[int, dt.date], list[TimeEntry]] = defaultdict(list)
        for entry in entries:
            worked = london_date(entry.started_at).replace(day=1)
            by_ticket[(entry.ticket_id, worked)].append(entry)

        currencies: set[str] = set()
        made: list[tuple[Charge, list[TimeEntry]]] = []
        # Seconds billed by lines made in this run, so the minimum applies once per ticket
        # even when late work and this month's work are two lines of the same statement.
        billed_now: dict[int, int] = defaultdict(int)
        for (_, worked_month), group in sorted(
            by_ticket.items(), key=lambda item: (item[0][1], item[1][0].started_at)
        ):
            ticket = group[0].ticket
            decision = current_decision(ticket)
            if decision is None or not decision.chargeable:
                continue
            first = group[0].started_at
            row, name, agreed_minimum = _price_list_for(ticket, london_date(first))
            if row is None:
                errors[ticket.reference] = (
                    f"no price list {name!r} in force on {london_date(first):%Y-%m-%d}"
                )
                continue
            minimum = agreed_minimum if agreed_minimum is not None else row.minimum_billable_hours
            already = (
                Charge.objects.filter(ticket=ticket, kind=Charge.Kind.WORK)
                .exclude(decision=Charge.Decision.WAIVED)
                .aggregate(s=Sum("billed_in_seconds"), o=Sum("billed_out_seconds"))
            )
            priced = price_work(
                [Work(e.in_hours_seconds, e.out_of_hours_seconds, e.is_diagnosis) for e in group],
                Rates(
                    currency=row.currency,
                    in_hours_rate=row.in_hours_rate,
                    out_of_hours_rate=row.out_of_hours_rate,
                    minimum_seconds=int(minimum * SECONDS_PER_HOUR),
                ),
                diagnosis_billable=decision.diagnosis_billable,
                already_billed_seconds=(already["s"] or 0)
                + (already["o"] or 0)
                + billed_now[ticket.pk],
            )
            billed_now[ticket.pk] += priced.billed_in_seconds + priced.billed_out_seconds
            rules = list(priced.rules)
            if worked_month < month:
                rules.append(f"work of {worked_month:%B %Y} billed late")
            billable = [e for e in group if not e.is_diagnosis or decision.diagnosis_billable]
            flag_no_sow = (
                bool(billable) and sow_agreed_before(ticket, billable[0].started_at) is None
            )
            if flag_no_sow:
                rules.append("no SOW reference agreed when the work started")
            sow = SowReference.objects.filter(ticket=ticket).order_by("-agreed_at", "-id").first()
            flag_no_date = False
            if decision.category == ScopeCategory.ENHANCEMENT:
                enhancement = Enhancement.objects.filter(ticket=ticket).first()
                if enhancement is None or enhancement.agreed_delivery_date is None:
                    flag_no_date = True
                    rules.append("enhancement charged without an agreed delivery date")
                else:
                    agreed = enhancement.agreed_delivery_date
                    rules.append(f"enhancement, delivery agreed for {agreed:%Y-%m-%d}")
            currencies.add(row.currency)
            category = decision.get_category_display()
            charge = Charge(
                statement=statement,
                company=company,
                ticket=ticket,
                kind=Charge.Kind.WORK,
                description=f"{ticket.reference} {ticket.overview} ({category})"[:300],
                rule_applied="; ".join(rules),
                currency=row.currency,
                price_list=row,
                in_hours_rate=row.in_hours_rate,
                out_of_hours_rate=row.out_of_hours_rate,
                worked_in_seconds=priced.worked_in_seconds,
                worked_out_seconds=priced.worked_out_seconds,
                diagnosis_free_seconds=priced.diagnosis_free_seconds,
                billed_in_seconds=priced.billed_in_seconds,
                billed_out_seconds=priced.billed_out_seconds,
                in_hours_amount=priced.in_hours_amount,
                out_of_hours_amount=priced.out_of_hours_amount,
                amount=priced.amount,
                sow_reference=sow.reference if sow else "",
                flag_no_sow=flag_no_sow,
                flag_no_delivery_date=flag_no_date,
                created_at=at,
            )
            made.append((charge, group))

        pending = Charge.objects.filter(company=company, statement__isnull=True)
        kept = Charge.objects.filter(statement=statement)
        currencies |= set(pending.values_list("currency", flat=True))
        currencies |= set(kept.values_list("currency", flat=True))
        if len(currencies) > 1:
            errors["currency"] = (
                "the month's work is priced in more than one currency: "
                + ", ".join(sorted(currencies))
            )
        _raise_if(errors)
        for charge, group in made:
            charge.save()
            # Only entries still on no charge are taken: an entry is billed at most once.
            taken = TimeEntry.objects.filter(
                pk__in=[e.pk for e in group], charge__isnull=True
            ).update(charge=charge)
            if taken != len(group):
                raise ActionValidationError(
                    {"month": "some of this work was billed meanwhile; generate again"}
                )
        pending.update(statement=statement)
        if currencies:
            statement.currency = currencies.pop()
        statement.generated_at = at
        statement.save(update_fields=["currency", "generated_at"])
        lines = list(Charge.objects.filter(statement=statement))
        record(
            actor=actor,
            action="billing.statement_generated",
            at=at,
            subject=statement,
            after={
                "number": statement.number,
                "lines": len(lines),
                "total": str(sum((c.amount for c in lines if c.counts_now), Decimal(0))),
            },
        )
    return statement


def issue_statement(
    *, actor: User, statement: Statement, at: dt.datetime | None = None
) -> Statement:
    """Issue a draft statement once its month has ended. From then on it never changes.

    Lines held by an undecided dispute (and waived ones) are left out of the total.
    """
    at = instant(at)
    _require(actor, Capability.MANAGE_BILLING)
    errors: dict[str, str] = {}
    with transaction.atomic():
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
        if statement.is_issued:
            errors["status"] = f"statement {statement.number} is already issued"
        _, end = month_bounds(statement.month)
        if at < end:
            errors["month"] = "a month's statement is issued after the month has ended"
        _raise_if(errors)
        lines = list(Charge.objects.select_for_update().filter(statement=statement))
        total = held = Decimal(0)
        for charge in lines:
            charge.counted_in_issued_total = charge.counts_now
            charge.save(update_fields=["counted_in_issued_total"])
            if charge.counts_now:
                total += charge.amount
            elif charge.held:
                held += charge.amount
        statement.status = Statement.Status.ISSUED
        statement.issued_at = at
        statement.issued_by = actor
        statement.issued_total = total
        statement.issued_held_total = held
        statement.save()
        record(
            actor=actor,
            action="billing.statement_issued",
            at=at,
            subject=statement,
            before={"status": Statement.Status.DRAFT},
            after={
                "status": Statement.Status.ISSUED,
                "total": str(total),
                "held": str(held),
                "currency": statement.currency,
            },
        )
    return statement


def add_correction(
    *,
    actor: User,
    charge: Charge,
    amount: Decimal,
    reason: str,
    at: dt.datetime | None = None,
) -> Charge:
    """A manager corrects a billed line: a new line (positive or negative) on the
    company's next statement. Issued statements are never edited."""
    at = instant(at)
    _require(actor, Capability.MANAGE_BILLING)
    errors: dict[str, str] = {}
    try:
        value = Decimal(str(amount))
        if not value.is_finite() or value == 0:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["amount"] = "give a non-zero amount"
        value = Decimal(0)
    if not _text(reason):
        errors["reason"] = "say why the charge is corrected"
    _raise_if(errors)
    with transaction.atomic():
        correction = _correction(
            charge=charge, amount=round_money(value, charge.currency), note=_text(reason), at=at
        )
        record(
            actor=actor,
            action="billing.correction_added",
            at=at,
            subject=correction,
            ticket=charge.ticket,
            after={"corrects": charge.pk, "amount": str(correction.amount)},
            reason=_text(reason),
        )
    return correction


def _correction(*, charge: Charge, amount: Decimal, note: str, at: dt.datetime) -> Charge:
    where = f" (statement {charge.statement.number})" if charge.statement else ""
    return Charge.objects.create(
        statement=None,
        company=charge.company,
        ticket=charge.ticket,
        kind=Charge.Kind.CORRECTION,
        corrects=charge,
        description=f"Correction to {charge.ticket.reference}{where}: {note}"[:300],
        rule_applied=note,
        currency=charge.currency,
        amount=amount,
        created_at=at,
    )


# ---------------------------------------------------------------------------- disputes


def dispute_charge(
    *, actor: User, charge: Charge, reason: str, at: dt.datetime | None = None
) -> Charge:
    """A customer (or the helpdesk on its behalf) disputes a charge. The charge is held
    until the complaints decision, which calls `release_charge` or `waive_charge`."""
    at = instant(at)
    _require(actor, Capability.DISPUTE_CHARGE, charge.company_id)
    errors: dict[str, str] = {}
    if not _text(reason):
        errors["reason"] = "say why the charge is disputed"
    with transaction.atomic():
        charge = (
            Charge.objects.select_for_update(of=("self",))
            .select_related("statement")
            .get(pk=charge.pk)
        )
        issued = charge.statement is not None and charge.statement.is_issued
        if actor.is_customer and not issued:
            raise ActionPermissionDenied("not found")
        if charge.held:
            errors["charge"] = "this charge is already disputed and held until the decision"
        elif charge.decision:
            errors["charge"] = (
                "the dispute about this charge has been decided; the decision is final"
            )
        _raise_if(errors)
        charge.held = True
        charge.hold_reason = _text(reason)
        charge.save(update_fields=["held", "hold_reason"])
        record(
            actor=actor,
            action="billing.charge_disputed",
            at=at,
            subject=charge,
            ticket=charge.ticket,
            before={"held": False},
            after={"held": True, "amount": str(charge.amount), "currency": charge.currency},
            reason=_text(reason),
        )
        from sladesk.complaints.actions import log_complaint

        log_complaint(
            actor=actor,
            about="charge",
            ticket=charge.ticket,
            charge=charge,
            summary=_text(reason),
            at=at,
        )
    return charge


def _decide(
    *, actor: User, charge: Charge, reason: str, at: dt.datetime | None, decision: str
) -> Charge:
    at = instant(at)
    _require(actor, Capability.DECIDE_DISPUTE)
    errors: dict[str, str] = {}
    if not _text(reason):
        errors["reason"] = "give the decision's reason"
    with transaction.atomic():
        charge = (
            Charge.objects.select_for_update(of=("self",))
            .select_related("statement")
            .get(pk=charge.pk)
        )
        if charge.decision:
            errors["charge"] = "the dispute about this charge is decided; the decision is final"
        _raise_if(errors)
        charge.held = False
        charge.decision = decision
        charge.decision_reason = _text(reason)
        charge.decided_at = at
        charge.save(update_fields=["held", "decision", "decision_reason", "decided_at"])
        correction = None
        # An issued statement is never edited: what its total got wrong is put right by a
        # line on the next statement.
        if charge.statement is not None and charge.statement.is_issued:
            if decision == Charge.Decision.RELEASED and not charge.counted_in_issued_total:
                correction = _correction(
                    charge=charge,
                    amount=charge.amount,
                    note="disputed charge released after the complaints decision",
                    at=at,
                )
            elif decision == Charge.Decision.WAIVED and charge.counted_in_issued_total:
                correction = _correction(
                    charge=charge,
                    amount=-charge.amount,
                    note="charge waived after the complaints decision",
                    at=at,
                )
        record(
            actor=actor,
            action=f"billing.charge_{decision}",
            at=at,
            subject=charge,
            ticket=charge.ticket,
            before={"held": True},
            after={
                "held": False,
                "decision": decision,
                "correction": correction.pk if correction else None,
                "correction_amount": str(correction.amount) if correction else None,
            },
            reason=_text(reason),
        )
    return charge


def release_charge(
    *, actor: User, charge: Charge, reason: str, at: dt.datetime | None = None
) -> Charge:
    """The complaints decision: the charge stands. (A charge that was never held, because
    the complaint was logged without `dispute_charge`, is settled the same way.)"""
    return _decide(
        actor=actor, charge=charge, reason=reason, at=at, decision=Charge.Decision.RELEASED
    )


def waive_charge(
    *, actor: User, charge: Charge, reason: str, at: dt.datetime | None = None
) -> Charge:
    """The complaints decision: the charge is waived."""
    return _decide(
        actor=actor, charge=charge, reason=reason, at=at, decision=Charge.Decision.WAIVED
    )


__all__ = [
    "accept_enhancement",
    "add_correction",
    "agree_enhancement_delivery",
    "decide_scope",
    "deliver_enhancement",
    "dispute_charge",
    "generate_statement",
    "issue_statement",
    "open_enhancement",
    "quote_enhancement",
    "record_sow",
    "record_time",
    "release_charge",
    "void_time_entry",
    "waive_charge",
]

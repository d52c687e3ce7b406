"""On-call business events: shifts on the rota, paging, escalation, acknowledgement, and
the out-of-hours line ("your fault will be logged, a reference number issued, and the fault
passed onto an on-call support engineer").
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, transaction

from sladesk.accounts.models import User
from sladesk.accounts.roles import Capability, Role
from sladesk.audit.recorder import record
from sladesk.contracts.sla_adapter import needs_out_of_hours_action, next_opening
from sladesk.core import notify
from sladesk.core.clock import instant
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.core.permissions import require as _require
from sladesk.oncall.models import Page, Rota, RotaShift
from sladesk.tickets.models import OPEN_STATUSES, Channel, Ticket

logger = logging.getLogger(__name__)
DEFAULT_ROTA = "default"


def default_rota() -> Rota:
    rota, _ = Rota.objects.get_or_create(name=DEFAULT_ROTA)
    return rota


# --------------------------------------------------------------------------------- rota


def local_instant(rota: Rota, wall: dt.datetime) -> dt.datetime:
    """A wall-clock time in the rota's zone as an instant. Refuses a time the clock skips
    (spring forward); an hour that happens twice (autumn) means its first occurrence."""
    if wall.tzinfo is not None:
        return wall
    aware = wall.replace(tzinfo=rota.zone, fold=0)
    back = aware.astimezone(dt.UTC).astimezone(rota.zone).replace(tzinfo=None)
    if back != wall:
        raise ActionValidationError(
            {"time": f"{wall:%Y-%m-%d %H:%M} does not exist in {rota.time_zone} (clock change)"}
        )
    return aware.astimezone(dt.UTC)


def add_shift(
    *,
    actor: User,
    engineer: User,
    starts: dt.datetime,
    ends: dt.datetime,
    level: int = 1,
    rota: Rota | None = None,
    at: dt.datetime | None = None,
) -> RotaShift:
    """Put an engineer on call. `starts`/`ends` are wall-clock times in the rota's zone
    (naive) or instants (aware)."""
    at = instant(at)
    _require(actor, Capability.MANAGE_ROTA)
    rota = rota or default_rota()
    errors: dict[str, str] = {}
    if not (engineer.is_active and engineer.can(Capability.ACKNOWLEDGE_PAGE)):
        errors["engineer"] = f"{engineer} cannot be paged (not an active engineer)"
    if not isinstance(level, int) or level < 1:
        errors["level"] = "the level is 1 (paged first) or more"
    start_at = end_at = None
    for field, value in (("starts", starts), ("ends", ends)):
        try:
            converted = local_instant(rota, value)
        except ActionValidationError as exc:
            errors[field] = exc.errors["time"]
            continue
        if field == "starts":
            start_at = converted
        else:
            end_at = converted
    if start_at and end_at and end_at <= start_at:
        errors["ends"] = "the shift must end after it starts"
    if errors:
        raise ActionValidationError(errors)
    assert start_at is not None
    assert end_at is not None
    with transaction.atomic():
        shift = RotaShift.objects.create(
            rota=rota, engineer=engineer, level=level, starts_at=start_at, ends_at=end_at
        )
        record(
            actor=actor,
            action="oncall.shift_added",
            at=at,
            subject=shift,
            after={
                "rota": rota.name,
                "engineer": engineer.email,
                "level": level,
                "starts_at": start_at.isoformat(),
                "ends_at": end_at.isoformat(),
            },
        )
    return shift


def on_call_at(rota: Rota, at: dt.datetime) -> list[User]:
    """The engineers on call at `at`, in paging order (level, then shift order)."""
    shifts = (
        RotaShift.objects.filter(rota=rota, starts_at__lte=at, ends_at__gt=at)
        .select_related("engineer")
        .order_by("level", "starts_at", "pk")
    )
    seen: list[User] = []
    for shift in shifts:
        if shift.engineer.is_active and shift.engineer not in seen:
            seen.append(shift.engineer)
    return seen


def chain_manager(rota: Rota) -> User | None:
    if rota.manager is not None and rota.manager.is_active:
        return rota.manager
    return User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk").first()


def next_in_chain(rota: Rota, ticket: Ticket, at: dt.datetime) -> tuple[User | None, str, bool]:
    """(who to page next for this ticket, why, whether it is the last step)."""
    already = set(Page.objects.filter(ticket=ticket).values_list("recipient_id", flat=True))
    engineers = [u for u in on_call_at(rota, at) if u.pk not in already]
    manager = chain_manager(rota)
    if engineers:
        last = manager is None and len(engineers) == 1
        return engineers[0], "on-call engineer", last
    if manager is not None and manager.pk not in already:
        return manager, "manager (end of the escalation chain)", True
    return None, "", True


# ------------------------------------------------------------------------------- paging


def _page_text(ticket: Ticket, page: Page) -> tuple[str, str, dict[str, Any]]:
    from sladesk.core.clock import london

    due = (
        london(ticket.response_due).strftime("%Y-%m-%d %H:%M %Z")
        if ticket.response_due
        else "no target"
    )
    subject = (
        f"[sladesk page] {ticket.get_priority_display()} {ticket.reference}: {ticket.overview}"
    )
    body = (
        f"You are paged as {page.reason} for {ticket.reference}.\n\n"
        f"Company:  {ticket.company.name}\n"
        f"Overview: {ticket.overview}\n"
        f"Priority: {ticket.get_priority_display()}\n"
        f"Contact:  {ticket.contact_name}, {ticket.contact_phone}\n"
        f"Response due: {due}\n\n"
        "Acknowledge on the on-call page of sladesk"
        + (
            f" within {int((page.escalate_at - page.paged_at).total_seconds() // 60)} minutes, "
            "or the next in the escalation chain is paged."
            if page.escalate_at
            else "."
        )
    )
    payload = {
        "page_id": page.pk,
        "step": page.step,
        "reference": ticket.reference,
        "company": ticket.company.name,
        "overview": ticket.overview,
        "priority": ticket.priority,
        "contact_name": ticket.contact_name,
        "contact_phone": ticket.contact_phone,
        "response_due": ticket.response_due.isoformat() if ticket.response_due else None,
        "recipient": page.recipient.email,
        "recipient_phone": page.recipient.phone,
        "reason": page.reason,
        "acknowledge_by": page.escalate_at.isoformat() if page.escalate_at else None,
    }
    return subject, body, payload


def _create_page(*, ticket: Ticket, rota: Rota, step: int, at: dt.datetime) -> Page | None:
    """Insert the page for this step, publish its webhook event and queue its email, all in
    the caller's transaction. None when the step exists already or nobody is left."""
    from sladesk.oncall.tasks import email_page

    recipient, reason, last = next_in_chain(rota, ticket, at)
    if recipient is None:
        return None
    escalate_at = None if last else at + dt.timedelta(minutes=rota.ack_minutes)
    try:
        with transaction.atomic():
            page = Page.objects.create(
                ticket=ticket,
                rota=rota,
                step=step,
                recipient=recipient,
                reason=reason,
                paged_at=at,
                escalate_at=escalate_at,
            )
    except IntegrityError:
        return None  # another worker paged this step first
    _, _, payload = _page_text(ticket, page)
    notify.announce(event_type="oncall.page", payload=payload)
    page.email_queued_at = at
    page.save(update_fields=["email_queued_at"])
    email_page.enqueue(page.pk)
    record(
        actor=None,
        action="oncall.paged",
        at=at,
        subject=page,
        ticket=ticket,
        after={
            "step": step,
            "recipient": recipient.email,
            "reason": reason,
            "escalate_at": escalate_at.isoformat() if escalate_at else None,
        },
    )
    return page


def page_if_needed(*, ticket_id: int, at: dt.datetime | None = None) -> Page | None:
    """Page the on-call engineer for a ticket that needs out-of-hours action now.

    Needs it: open, no response yet, the policy gives this priority and coverage
    out-of-hours action, logged out of hours, and the helpdesk is still closed. Paging
    happens once per ticket (the first step); later steps are escalations.
    """
    at = instant(at)
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("company", "policy")
            .filter(pk=ticket_id)
            .first()
        )
        if ticket is None or ticket.status not in OPEN_STATUSES or ticket.responded_at:
            return None
        if ticket.policy is None or not needs_out_of_hours_action(
            policy_row=ticket.policy,
            priority=ticket.priority,
            coverage=ticket.coverage,
            logged_at=ticket.logged_at,
        ):
            return None
        if next_opening(policy_row=ticket.policy, at=at) == at:
            return None  # the helpdesk is open: the queue deals with it
        if Page.objects.filter(ticket=ticket).exists():
            return None
        return _create_page(ticket=ticket, rota=default_rota(), step=1, at=at)


def page_after_commit(ticket_id: int) -> None:
    """Used from `transaction.on_commit`: a failure to page must not fail the logging that
    already committed; the SLA monitor pages any ticket that was missed."""
    try:
        page_if_needed(ticket_id=ticket_id)
    except Exception:
        logger.exception("paging for ticket %s failed; the SLA monitor will retry", ticket_id)


def escalate(page: Page, *, at: dt.datetime) -> Page | None:
    """Called by the SLA monitor with the page row locked: nobody acknowledged in time."""
    ticket = page.ticket
    page.escalated_at = at
    page.save(update_fields=["escalated_at"])
    if ticket.status not in OPEN_STATUSES or ticket.responded_at is not None:
        return None
    if Page.objects.filter(ticket=ticket, acknowledged_at__isnull=False).exists():
        return None
    step = (
        Page.objects.filter(ticket=ticket).order_by("-step").values_list("step", flat=True).first()
        or 0
    ) + 1
    return _create_page(ticket=ticket, rota=page.rota, step=step, at=at)


def acknowledge_page(*, actor: User, page: Page, at: dt.datetime | None = None) -> Page:
    """An engineer (or the manager) acknowledges: escalation stops for the ticket."""
    at = instant(at)
    _require(actor, Capability.ACKNOWLEDGE_PAGE)
    with transaction.atomic():
        page = Page.objects.select_for_update(of=("self",)).select_related("ticket").get(pk=page.pk)
        done = (
            Page.objects.filter(ticket=page.ticket, acknowledged_at__isnull=False)
            .select_related("acknowledged_by")
            .first()
        )
        if done is not None:
            raise ActionValidationError(
                {
                    "page": f"already acknowledged by {done.acknowledged_by} at "
                    f"{done.acknowledged_at:%Y-%m-%d %H:%M} UTC"
                }
            )
        if at < page.paged_at:
            raise ActionValidationError({"at": "cannot acknowledge before the page was sent"})
        page.acknowledged_at = at
        page.acknowledged_by = actor
        page.save(update_fields=["acknowledged_at", "acknowledged_by"])
        Page.objects.filter(ticket=page.ticket, escalated_at__isnull=True).update(escalate_at=None)
        record(
            actor=actor,
            action="oncall.page_acknowledged",
            at=at,
            subject=page,
            ticket=page.ticket,
            after={"step": page.step, "recipient": page.recipient_id, "by": actor.email},
        )
    return page


# --------------------------------------------------------------------- out-of-hours line


def log_out_of_hours_call(*, actor: User, **fields: Any) -> Ticket:
    """The 24-hour facility logs a fault phoned in out of hours and gives the caller the
    reference at once. The ticket is logged by the ordinary action (same validation and
    entitlement); when it needs out-of-hours action, the on-call engineer is paged as soon
    as it is committed."""
    _require(actor, Capability.LOG_TICKET)
    if not actor.is_helpdesk:
        raise ActionPermissionDenied("the out-of-hours line is operated by the helpdesk")
    from sladesk.tickets.actions import log_ticket

    fields["channel"] = Channel.OUT_OF_HOURS
    return log_ticket(actor=actor, **fields)

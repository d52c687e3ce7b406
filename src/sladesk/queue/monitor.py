"""The SLA monitor: warnings at a share of the response target, escalation on breach,
escalation of unacknowledged pages. Run periodically by `sladesk worker`.

A scan reads only rows whose next-check instant has passed, through an index
(`Ticket.sla_next_check_at`, `Page.escalate_at`), so its cost follows what is due, not
how many tickets are open.

Exactly once: each row is locked with SELECT ... FOR UPDATE SKIP LOCKED, so two workers
never look at the same ticket at once, and the decision to notify is a unique row
(`SlaAlert` per ticket, kind and threshold; `Page` per ticket and step) inserted in the
same transaction that publishes the webhook event, queues the email task and moves the
next-check instant. A worker killed before commit leaves nothing behind and the next scan
does the work; a committed decision is never taken again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet

from sladesk.accounts.models import User
from sladesk.accounts.roles import Role
from sladesk.audit.recorder import record
from sladesk.core import notify
from sladesk.core.clock import instant, london
from sladesk.oncall.models import Page
from sladesk.queue.models import AgentStatus, SlaAlert
from sladesk.tickets.models import OPEN_STATUSES, Ticket

BATCH = 500
EMAIL_GRACE = dt.timedelta(minutes=2)


@dataclass
class ScanResult:
    checked: int = 0
    warnings: int = 0
    breaches: int = 0
    escalations: int = 0
    pages: int = 0
    requeued: int = 0
    alerts: list[int] = field(default_factory=list)


def _skip_locked(rows: QuerySet[Any]) -> QuerySet[Any]:
    if connection.features.has_select_for_update_skip_locked:
        return rows.select_for_update(skip_locked=True, of=("self",))
    return rows  # SQLite: IMMEDIATE transactions serialise the workers instead


def warning_percent() -> int:
    return round(settings.SLADESK_SLA_WARNING_SHARE * 100)


def _queue_addresses() -> list[str]:
    configured = list(settings.SLADESK_QUEUE_EMAILS)
    if configured:
        return configured
    return list(
        AgentStatus.objects.filter(
            state=AgentStatus.State.AVAILABLE, agent__is_active=True
        ).values_list("agent__email", flat=True)
    )


def _managers() -> list[str]:
    return list(
        User.objects.filter(role=Role.MANAGER, is_active=True)
        .order_by("pk")
        .values_list("email", flat=True)
    )


def _alert_text(ticket: Ticket, kind: str, threshold: int) -> tuple[str, str]:
    due = london(ticket.response_due).strftime("%Y-%m-%d %H:%M %Z") if ticket.response_due else ""
    who = str(ticket.assignee) if ticket.assignee_id else "nobody (in the queue)"
    if kind == SlaAlert.Kind.WARNING:
        subject = f"[sladesk] {threshold}% of the response time used: {ticket.reference}"
        lead = f"{ticket.reference} has used {threshold}% of its response time."
    else:
        subject = f"[sladesk] Response target breached: {ticket.reference}"
        lead = f"{ticket.reference} has had no response by its due time."
    body = (
        f"{lead}\n\nCompany:  {ticket.company.name}\nOverview: {ticket.overview}\n"
        f"Priority: {ticket.get_priority_display()}\nResponse due: {due}\nAssigned to: {who}\n"
    )
    return subject, body


def _claim(ticket: Ticket, kind: str, threshold: int, now: dt.datetime, worker: str) -> bool:
    from sladesk.queue.tasks import email_alert

    assignee = ticket.assignee.email if ticket.assignee_id and ticket.assignee else None
    if kind == SlaAlert.Kind.WARNING:
        recipients = [assignee] if assignee else _queue_addresses()
    else:
        recipients = _managers() + ([assignee] if assignee else [])
    assert ticket.response_due is not None
    try:
        with transaction.atomic():
            alert = SlaAlert.objects.create(
                ticket=ticket,
                kind=kind,
                threshold=threshold,
                created_at=now,
                due_at=ticket.response_due,
                recipients=sorted(set(recipients)),
                worker=worker[:100],
                email_queued_at=now,
            )
    except IntegrityError:
        return False  # decided before: never again
    notify.announce(
        event_type="ticket.sla_warning" if kind == SlaAlert.Kind.WARNING else "ticket.sla_breached",
        payload={
            "alert_id": alert.pk,
            "reference": ticket.reference,
            "company": ticket.company.name,
            "overview": ticket.overview,
            "priority": ticket.priority,
            "threshold_percent": threshold,
            "response_due": ticket.response_due.isoformat(),
            "assignee": assignee,
            "recipients": alert.recipients,
        },
    )
    email_alert.enqueue(alert.pk)
    record(
        actor=None,
        action="sla.warning" if kind == SlaAlert.Kind.WARNING else "sla.breach_escalated",
        at=now,
        subject=alert,
        ticket=ticket,
        after={"threshold_percent": threshold, "recipients": alert.recipients},
    )
    return True


def _check_ticket(
    ticket: Ticket,
    now: dt.datetime,
    worker: str,
    result: ScanResult,
    paged: set[int],
    policies: dict[int, Any],
) -> None:
    from sladesk.contracts.sla_adapter import needs_out_of_hours_action
    from sladesk.oncall.actions import page_if_needed

    result.checked += 1
    due = ticket.response_due
    if ticket.status not in OPEN_STATUSES or ticket.responded_at is not None or due is None:
        ticket.sla_next_check_at = None
    else:
        # A page the logging path could not send (its after-commit hook failed) is sent
        # here. Cheap tests first: most tickets have no 24x7 cover or are paged already.
        if (
            ticket.coverage == "24x7"
            and ticket.pk not in paged
            and ticket.policy is not None
            and needs_out_of_hours_action(
                policy_row=ticket.policy,
                priority=ticket.priority,
                coverage=ticket.coverage,
                logged_at=ticket.logged_at,
                policies=policies,
            )
            and page_if_needed(ticket_id=ticket.pk, at=now)
        ):
            result.pages += 1
        if now >= due:
            if _claim(ticket, SlaAlert.Kind.BREACH, 100, now, worker):
                result.breaches += 1
            ticket.sla_next_check_at = None
        elif ticket.sla_warn_at is not None and now >= ticket.sla_warn_at:
            if _claim(ticket, SlaAlert.Kind.WARNING, warning_percent(), now, worker):
                result.warnings += 1
            ticket.sla_next_check_at = due
        else:
            ticket.sla_next_check_at = ticket.sla_warn_at or due
    Ticket.objects.filter(pk=ticket.pk).update(sla_next_check_at=ticket.sla_next_check_at)


def scan_tickets(*, now: dt.datetime, worker: str, result: ScanResult, batch: int = BATCH) -> None:
    while True:
        with transaction.atomic():
            rows = list(
                _skip_locked(
                    Ticket.objects.filter(sla_next_check_at__lte=now)
                    .select_related("company", "assignee", "policy")
                    .order_by("sla_next_check_at")
                )[:batch]
            )
            paged = set(
                Page.objects.filter(ticket_id__in=[t.pk for t in rows]).values_list(
                    "ticket_id", flat=True
                )
            )
            policies: dict[int, Any] = {}
            for ticket in rows:
                _check_ticket(ticket, now, worker, result, paged, policies)
        if len(rows) < batch:
            return


def scan_pages(*, now: dt.datetime, result: ScanResult, batch: int = BATCH) -> None:
    from sladesk.oncall.actions import escalate

    while True:
        with transaction.atomic():
            rows = list(
                _skip_locked(
                    Page.objects.filter(
                        escalate_at__lte=now,
                        acknowledged_at__isnull=True,
                        escalated_at__isnull=True,
                    )
                    .select_related("ticket__company", "rota")
                    .order_by("escalate_at")
                )[:batch]
            )
            for page in rows:
                if escalate(page, at=now) is not None:
                    result.escalations += 1
        if len(rows) < batch:
            return


def requeue_lost_emails(*, now: dt.datetime) -> int:
    """Queue again the emails whose task was lost (a worker killed while running it)."""
    from sladesk.oncall.tasks import email_page
    from sladesk.queue.tasks import email_alert

    stale = now - EMAIL_GRACE
    count = 0
    for model, task in ((SlaAlert, email_alert), (Page, email_page)):
        with transaction.atomic():
            ids = list(
                _skip_locked(
                    model.objects.filter(emailed_at__isnull=True, email_queued_at__lt=stale)
                ).values_list("pk", flat=True)[:BATCH]
            )
            model.objects.filter(pk__in=ids).update(email_queued_at=now)
            for pk in ids:
                task.enqueue(pk)
        count += len(ids)
    return count


def scan(*, at: dt.datetime | None = None, worker: str = "") -> ScanResult:
    """One pass of the monitor. Safe to run in several processes at once."""
    from sladesk.webhooks.delivery import requeue_overdue

    now = instant(at)
    result = ScanResult()
    scan_tickets(now=now, worker=worker, result=result)
    scan_pages(now=now, result=result)
    result.requeued = requeue_lost_emails(now=now) + requeue_overdue(at=now)
    return result

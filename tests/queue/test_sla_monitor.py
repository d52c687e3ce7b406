"""The SLA monitor: a warning at a share of the response target, escalation on breach, each
exactly once per ticket and threshold."""

from __future__ import annotations

import pytest
from django.core import mail

from helpdesk_world import london
from sladesk.audit.models import AuditEvent
from sladesk.queue.actions import assign, set_availability
from sladesk.queue.models import SlaAlert
from sladesk.queue.monitor import scan
from sladesk.tickets.actions import add_public_reply
from sladesk.tickets.models import Ticket
from sladesk.webhooks.models import Event
from worker_helpers import run_queued_tasks

TUE_10 = london(2026, 3, 10, 10, 0)


def _alerts():
    return sorted(SlaAlert.objects.values_list("ticket__reference", "kind", "threshold"))


def test_logging_schedules_the_warning_at_the_share_of_the_target(log):
    # Critical in hours: 15 minutes; 75 % is 11 min 15 s.
    ticket = log(priority="critical", at=TUE_10)

    assert ticket.sla_warn_at == london(2026, 3, 10, 10, 11, 15)
    assert ticket.sla_next_check_at == ticket.sla_warn_at
    assert ticket.response_due == london(2026, 3, 10, 10, 15)


def test_the_share_counts_business_time_across_the_night(log):
    # Normal at Tuesday 16:30: 2 h of standard hours, due Wednesday 10:30. 75 % is 90 min:
    # 30 min on Tuesday, then 60 min on Wednesday.
    ticket = log(priority="normal", at=london(2026, 3, 10, 16, 30))

    assert ticket.response_due == london(2026, 3, 11, 10, 30)
    assert ticket.sla_warn_at == london(2026, 3, 11, 10, 0)


def test_the_warning_goes_to_the_queue_once_then_the_breach_to_the_manager_once(log, world):
    set_availability(actor=world.operator, available=True, at=TUE_10)
    ticket = log(priority="critical", at=TUE_10)

    assert scan(at=london(2026, 3, 10, 10, 11)).warnings == 0
    first = scan(at=london(2026, 3, 10, 10, 12))
    again = scan(at=london(2026, 3, 10, 10, 13))
    breach = scan(at=london(2026, 3, 10, 10, 15))
    after = scan(at=london(2026, 3, 10, 11, 0))

    assert (first.warnings, again.warnings, breach.breaches, after.breaches) == (1, 0, 1, 0)
    assert _alerts() == [(ticket.reference, "breach", 100), (ticket.reference, "warning", 75)]
    warning = SlaAlert.objects.get(kind="warning")
    assert warning.recipients == ["olive@helpdesk.example"]  # the available agents
    assert SlaAlert.objects.get(kind="breach").recipients == ["max@helpdesk.example"]
    assert Ticket.objects.get(pk=ticket.pk).sla_next_check_at is None
    assert sorted(
        Event.objects.filter(type__startswith="ticket.sla").values_list("type", flat=True)
    ) == [
        "ticket.sla_breached",
        "ticket.sla_warning",
    ]
    assert sorted(
        AuditEvent.objects.filter(action__startswith="sla.").values_list("action", flat=True)
    ) == [
        "sla.breach_escalated",
        "sla.warning",
    ]

    run_queued_tasks("email_alert")
    run_queued_tasks("email_alert")

    assert sorted((m.subject, tuple(m.to)) for m in mail.outbox) == [
        (
            f"[sladesk] 75% of the response time used: {ticket.reference}",
            ("olive@helpdesk.example",),
        ),
        (f"[sladesk] Response target breached: {ticket.reference}", ("max@helpdesk.example",)),
    ]


def test_an_assigned_ticket_warns_its_assignee_and_the_breach_copies_them(log, world):
    ticket = log(priority="major", at=TUE_10)
    assign(actor=world.manager, ticket=ticket, agent=world.engineer, at=TUE_10)

    scan(at=london(2026, 3, 10, 10, 50))
    scan(at=london(2026, 3, 10, 11, 5))

    assert dict(SlaAlert.objects.values_list("kind", "recipients")) == {
        "warning": ["ed@helpdesk.example"],
        "breach": ["ed@helpdesk.example", "max@helpdesk.example"],
    }


def test_a_ticket_first_seen_after_its_due_time_gets_the_breach_only(log):
    ticket = log(priority="critical", at=TUE_10)

    scan(at=london(2026, 3, 10, 12, 0))

    assert _alerts() == [(ticket.reference, "breach", 100)]


def test_a_responded_ticket_is_no_longer_watched(log, world):
    ticket = log(priority="critical", at=TUE_10)
    add_public_reply(
        actor=world.engineer, ticket=ticket, body="On it", at=london(2026, 3, 10, 10, 5)
    )

    result = scan(at=london(2026, 3, 10, 12, 0))

    assert (result.checked, result.warnings, result.breaches) == (1, 0, 0)
    assert SlaAlert.objects.count() == 0
    assert Ticket.objects.get(pk=ticket.pk).sla_next_check_at is None


def test_a_ticket_without_a_contract_is_never_watched(log, world):
    ticket = log(company=world.corvid, contact=world.corvid_contact, priority="critical")

    assert ticket.sla_next_check_at is None
    assert scan(at=london(2026, 3, 11, 12, 0)).checked == 0


def test_a_worker_that_dies_mid_scan_leaves_nothing_and_the_next_scan_sends_each_once(
    log, world, monkeypatch
):
    tickets = [log(priority="critical", at=TUE_10) for _ in range(3)]
    from sladesk.core import notify

    real = notify.announce
    calls = {"n": 0}

    def dies_on_the_second(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("killed")  # what the process sees: nothing after this commits
        real(**kwargs)

    monkeypatch.setattr(notify, "announce", dies_on_the_second)
    with pytest.raises(SystemExit):
        scan(at=london(2026, 3, 10, 10, 12))
    assert SlaAlert.objects.count() == 0
    assert Event.objects.filter(type="ticket.sla_warning").count() == 0

    monkeypatch.setattr(notify, "announce", real)
    scan(at=london(2026, 3, 10, 10, 12))
    scan(at=london(2026, 3, 10, 10, 13))

    assert _alerts() == sorted((t.reference, "warning", 75) for t in tickets)
    assert Event.objects.filter(type="ticket.sla_warning").count() == 3


def test_an_email_task_lost_with_its_worker_is_queued_again_and_sent_once(log, world):
    from django_tasks_db.models import DBTaskResult

    set_availability(actor=world.operator, available=True, at=TUE_10)
    log(priority="critical", at=TUE_10)
    scan(at=london(2026, 3, 10, 10, 12))
    # The worker that claimed the email task was killed: the task row stays "running".
    DBTaskResult.objects.filter(task_path__contains="email_alert").update(status="RUNNING")

    result = scan(at=london(2026, 3, 10, 10, 13))  # within the grace period: not yet
    later = scan(at=london(2026, 3, 10, 10, 14, 30))
    run_queued_tasks("email_alert")
    scan(at=london(2026, 3, 10, 10, 14, 40))
    run_queued_tasks("email_alert")

    assert (result.requeued, later.requeued) == (0, 1)
    assert len(mail.outbox) == 1
    assert SlaAlert.objects.get().emailed_at is not None

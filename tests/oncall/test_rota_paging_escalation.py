"""The on-call rota (in the calendar's zone, across clock changes), paging out of hours,
the escalation chain and acknowledgement."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from helpdesk_world import london
from sladesk.audit.models import AuditEvent
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.oncall.actions import (
    acknowledge_page,
    add_shift,
    default_rota,
    on_call_at,
    page_if_needed,
)
from sladesk.oncall.models import Page
from sladesk.queue.monitor import scan
from sladesk.webhooks.models import Event
from worker_helpers import run_queued_tasks

SAT_02 = london(2026, 3, 7, 2, 0)  # Saturday, out of hours


@pytest.fixture
def rota(world):
    rota = default_rota()
    rota.ack_minutes = 10
    rota.save()
    add_shift(
        actor=world.manager,
        engineer=world.oncall,
        starts=dt.datetime(2026, 3, 6, 17, 0),
        ends=dt.datetime(2026, 3, 9, 9, 0),
        level=1,
    )
    add_shift(
        actor=world.manager,
        engineer=world.engineer,
        starts=dt.datetime(2026, 3, 6, 17, 0),
        ends=dt.datetime(2026, 3, 9, 9, 0),
        level=2,
    )
    return rota


@pytest.fixture
def log(log):
    def _log(**overrides):
        overrides.setdefault("problem_since", london(2026, 3, 1))
        return log(**overrides)

    return _log


def test_a_shift_across_the_autumn_clock_change_is_kept_in_wall_clock_time(world):
    # Saturday 24 October 2026 18:00 BST to Monday 26 October 08:00 GMT: 38 h apart on the
    # wall clock, but the clocks go back on Sunday, so the shift lasts 39 h
    # (17:00Z Saturday to 08:00Z Monday).
    shift = add_shift(
        actor=world.manager,
        engineer=world.oncall,
        starts=dt.datetime(2026, 10, 24, 18, 0),
        ends=dt.datetime(2026, 10, 26, 8, 0),
    )
    rota = default_rota()

    assert shift.starts_at == dt.datetime(2026, 10, 24, 17, 0, tzinfo=dt.UTC)
    assert shift.ends_at == dt.datetime(2026, 10, 26, 8, 0, tzinfo=dt.UTC)
    assert shift.ends_at - shift.starts_at == dt.timedelta(hours=39)
    assert on_call_at(rota, london(2026, 10, 24, 17, 59)) == []
    assert on_call_at(rota, london(2026, 10, 24, 18, 0)) == [world.oncall]
    assert on_call_at(rota, london(2026, 10, 26, 7, 59)) == [world.oncall]
    assert on_call_at(rota, london(2026, 10, 26, 8, 0)) == []


def test_a_shift_may_not_start_at_a_time_the_spring_clock_change_skips(world):
    with pytest.raises(ActionValidationError) as refused:
        add_shift(
            actor=world.manager,
            engineer=world.oncall,
            starts=dt.datetime(2026, 3, 29, 1, 30),
            ends=dt.datetime(2026, 3, 29, 9, 0),
        )

    assert refused.value.errors == {
        "starts": "2026-03-29 01:30 does not exist in Europe/London (clock change)"
    }
    assert not default_rota().shifts.exists()


def test_only_managers_edit_the_rota_and_only_engineers_go_on_it(world):
    with pytest.raises(ActionPermissionDenied):
        add_shift(
            actor=world.engineer,
            engineer=world.engineer,
            starts=dt.datetime(2026, 3, 7, 0, 0),
            ends=dt.datetime(2026, 3, 8, 0, 0),
        )
    with pytest.raises(ActionValidationError) as refused:
        add_shift(
            actor=world.manager,
            engineer=world.operator,
            starts=dt.datetime(2026, 3, 7, 0, 0),
            ends=dt.datetime(2026, 3, 8, 0, 0),
        )
    assert refused.value.errors == {
        "engineer": "Olive Operator cannot be paged (not an active engineer)"
    }


def test_a_critical_fault_out_of_hours_with_24x7_cover_pages_the_on_call_engineer(log, world, rota):
    ticket = log(priority="critical", at=SAT_02)

    page = page_if_needed(ticket_id=ticket.pk, at=london(2026, 3, 7, 2, 0, 1))

    assert (page.step, page.recipient, page.reason) == (1, world.oncall, "on-call engineer")
    assert page.escalate_at == london(2026, 3, 7, 2, 10, 1)
    event = Event.objects.get(type="oncall.page")
    assert {k: event.payload[k] for k in ("reference", "company", "overview", "response_due")} == {
        "reference": ticket.reference,
        "company": "Acme Contact Centres",
        "overview": "Agents cannot open scripts",
        "response_due": "2026-03-07T02:30:00+00:00",
    }
    run_queued_tasks("email_page")
    run_queued_tasks("email_page")
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (
            ["nina@helpdesk.example"],
            f"[sladesk page] Critical {ticket.reference}: Agents cannot open scripts",
        )
    ]
    assert "Response due: 2026-03-07 02:30 GMT" in mail.outbox[0].body
    # Paging is once per ticket.
    assert page_if_needed(ticket_id=ticket.pk, at=london(2026, 3, 7, 2, 1)) is None


def test_logging_pages_as_soon_as_the_ticket_is_committed(
    log, world, rota, django_capture_on_commit_callbacks, monkeypatch
):
    from sladesk.core import clock

    monkeypatch.setattr(clock.timezone, "now", lambda: SAT_02 + dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        ticket = log(priority="major", at=SAT_02)

    assert list(Page.objects.filter(ticket=ticket).values_list("step", "recipient__email")) == [
        (1, "nina@helpdesk.example")
    ]


@pytest.mark.parametrize(
    ("priority", "company", "at"),
    [
        ("normal", "acme", SAT_02),  # no out-of-hours action for Normal
        ("critical", "bluebell", SAT_02),  # standard cover: waits for the opening
        ("critical", "acme", london(2026, 3, 10, 10, 0)),  # in hours: the queue deals with it
    ],
)
def test_no_page_when_the_policy_gives_no_out_of_hours_action(
    log, world, rota, priority, company, at
):
    contact = world.acme_contact if company == "acme" else world.bluebell_contact
    ticket = log(priority=priority, company=getattr(world, company), contact=contact, at=at)

    assert page_if_needed(ticket_id=ticket.pk, at=at + dt.timedelta(seconds=1)) is None
    assert Page.objects.count() == 0


def test_an_unacknowledged_page_escalates_to_the_next_engineer_then_the_manager(log, world, rota):
    ticket = log(priority="critical", at=SAT_02)
    page_if_needed(ticket_id=ticket.pk, at=SAT_02)

    scan(at=london(2026, 3, 7, 2, 9))
    scan(at=london(2026, 3, 7, 2, 10))
    scan(at=london(2026, 3, 7, 2, 20))
    scan(at=london(2026, 3, 7, 3, 0))

    pages = list(Page.objects.filter(ticket=ticket).order_by("step"))
    assert [(p.step, p.recipient.email, p.paged_at, p.escalate_at) for p in pages] == [
        (1, "nina@helpdesk.example", SAT_02, london(2026, 3, 7, 2, 10)),
        (2, "ed@helpdesk.example", london(2026, 3, 7, 2, 10), london(2026, 3, 7, 2, 20)),
        (3, "max@helpdesk.example", london(2026, 3, 7, 2, 20), None),
    ]
    assert Event.objects.filter(type="oncall.page").count() == 3


def test_acknowledgement_is_recorded_and_stops_the_escalation(log, world, rota):
    ticket = log(priority="critical", at=SAT_02)
    page = page_if_needed(ticket_id=ticket.pk, at=SAT_02)

    acknowledge_page(actor=world.oncall, page=page, at=london(2026, 3, 7, 2, 4))
    scan(at=london(2026, 3, 7, 2, 30))

    stored = Page.objects.get(pk=page.pk)
    assert (stored.acknowledged_by, stored.acknowledged_at, stored.escalate_at) == (
        world.oncall,
        london(2026, 3, 7, 2, 4),
        None,
    )
    assert Page.objects.filter(ticket=ticket).count() == 1
    event = AuditEvent.objects.get(action="oncall.page_acknowledged")
    assert (event.actor, event.ticket_id) == (world.oncall, ticket.pk)


def test_a_page_cannot_be_acknowledged_twice_or_by_an_operator(log, world, rota):
    ticket = log(priority="critical", at=SAT_02)
    page = page_if_needed(ticket_id=ticket.pk, at=SAT_02)

    with pytest.raises(ActionPermissionDenied):
        acknowledge_page(actor=world.operator, page=page, at=london(2026, 3, 7, 2, 3))
    acknowledge_page(actor=world.engineer, page=page, at=london(2026, 3, 7, 2, 4))
    with pytest.raises(ActionValidationError) as refused:
        acknowledge_page(actor=world.oncall, page=page, at=london(2026, 3, 7, 2, 5))

    assert refused.value.errors == {
        "page": "already acknowledged by Ed Engineer at 2026-03-07 02:04 UTC"
    }
    assert Page.objects.get(pk=page.pk).acknowledged_by == world.engineer


def test_with_nobody_on_call_the_manager_is_paged_directly(log, world):
    ticket = log(priority="critical", at=SAT_02)

    page = page_if_needed(ticket_id=ticket.pk, at=SAT_02)

    assert (page.recipient, page.escalate_at) == (world.manager, None)


def test_the_monitor_pages_a_ticket_whose_after_commit_page_was_missed(log, world, rota):
    ticket = log(priority="critical", at=SAT_02)  # on_commit hooks do not run in this test

    result = scan(at=london(2026, 3, 7, 2, 23))  # the warning instant: 75 % of 30 min

    assert result.pages == 1
    assert Page.objects.get(ticket=ticket).recipient == world.oncall

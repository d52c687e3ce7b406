"""The queue's order, availability, take next and manager assignment."""

from __future__ import annotations

import pytest

from helpdesk_world import london
from sladesk.audit.models import AuditEvent
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.queue.actions import assign, set_availability, take_next
from sladesk.queue.models import AgentStatus
from sladesk.queue.selectors import queue_for, team_for
from sladesk.tickets.models import Ticket

LATER = london(2026, 3, 10, 11, 0)  # after every ticket below was logged
EARLIER = london(2026, 3, 1)


@pytest.fixture
def log(log):
    def _log(**overrides):
        overrides.setdefault("problem_since", EARLIER)
        return log(**overrides)

    return _log


def _refs(tickets):
    return [t.reference for t in tickets]


def test_the_queue_puts_breached_first_then_soonest_due_then_priority_then_logging_time(log, world):
    # Monday 9 March 2026. Due times: Normal at 10:00 -> 12:00; Critical at 10:50 -> 11:05
    # (breached at 11:30); Major at 10:30 -> 11:30; Minor -> Tuesday 17:00 (twice).
    normal = log(priority="normal", at=london(2026, 3, 9, 10, 0))
    critical = log(priority="critical", at=london(2026, 3, 9, 10, 50))
    major = log(priority="major", at=london(2026, 3, 9, 10, 30))
    minor_early = log(priority="minor", at=london(2026, 3, 9, 9, 0))
    minor_late = log(priority="minor", at=london(2026, 3, 9, 9, 30))
    enhancement = log(priority="enhancement", at=london(2026, 3, 9, 9, 0))

    order = list(queue_for(world.operator, now=london(2026, 3, 9, 11, 10)))

    assert _refs(order) == _refs([critical, major, normal, minor_early, minor_late, enhancement])
    assert [t.breached for t in order] == [True, False, False, False, False, False]


def test_a_ticket_logged_out_of_hours_without_out_of_hours_action_waits_for_the_opening(log, world):
    ticket = log(
        company=world.bluebell,
        contact=world.bluebell_contact,
        priority="normal",
        at=london(2026, 3, 7, 10, 0),  # Saturday
    )

    [row] = queue_for(world.operator, now=london(2026, 3, 7, 12, 0))

    assert row.reference == ticket.reference
    assert row.waiting is True
    assert row.sla_clock_starts_at == london(2026, 3, 9, 9, 0)
    assert [r.waiting for r in queue_for(world.operator, now=london(2026, 3, 9, 9, 0))] == [False]


def test_a_critical_ticket_with_24x7_cover_out_of_hours_does_not_wait(log, world):
    ticket = log(priority="critical", at=london(2026, 3, 7, 10, 0))

    [row] = queue_for(world.operator, now=london(2026, 3, 7, 10, 5))

    assert row.waiting is False
    assert ticket.sla_clock_starts_at == london(2026, 3, 7, 10, 0)


def test_an_agent_who_is_away_cannot_take_a_ticket(log, world):
    ticket = log()

    with pytest.raises(ActionValidationError) as refused:
        take_next(actor=world.engineer, at=LATER)

    assert refused.value.errors == {"availability": "set yourself available first"}
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_an_available_agent_takes_the_most_urgent_ticket_and_it_is_audited(log, world):
    log(priority="minor", at=london(2026, 3, 9, 10, 0))
    critical = log(priority="critical", at=london(2026, 3, 9, 10, 0))
    set_availability(actor=world.engineer, available=True, at=LATER)

    taken = take_next(actor=world.engineer, at=LATER)

    assert taken.reference == critical.reference
    stored = Ticket.objects.get(pk=critical.pk)
    assert (stored.assignee, stored.assigned_at) == (world.engineer, LATER)
    event = AuditEvent.objects.get(action="ticket.taken")
    assert (event.actor, event.ticket_id, event.after["assignee"]) == (
        world.engineer,
        critical.pk,
        "ed@helpdesk.example",
    )


def test_take_next_returns_none_when_the_queue_is_empty(world):
    set_availability(actor=world.operator, available=True, at=LATER)

    assert take_next(actor=world.operator, at=LATER) is None


def test_a_taken_ticket_leaves_the_queue_and_the_next_press_gets_the_next_one(log, world):
    first = log(priority="critical", at=london(2026, 3, 9, 10, 0))
    second = log(priority="major", at=london(2026, 3, 9, 10, 0))
    set_availability(actor=world.operator, available=True, at=LATER)
    set_availability(actor=world.engineer, available=True, at=LATER)

    assert take_next(actor=world.operator, at=LATER).pk == first.pk
    assert take_next(actor=world.engineer, at=LATER).pk == second.pk
    assert take_next(actor=world.engineer, at=LATER) is None
    assert list(queue_for(world.manager, now=LATER)) == []


def test_a_customer_cannot_set_availability_or_take_tickets(log, world):
    log()

    with pytest.raises(ActionPermissionDenied):
        set_availability(actor=world.acme_user, available=True)
    with pytest.raises(ActionPermissionDenied):
        take_next(actor=world.acme_user)
    assert AgentStatus.objects.count() == 0
    assert list(queue_for(world.acme_user, now=LATER)) == []


def test_availability_changes_are_audited_and_shown_to_managers(world):
    set_availability(actor=world.engineer, available=True, at=LATER)

    rows = {row["agent"].email: row for row in team_for(world.manager)}

    assert rows["ed@helpdesk.example"]["available"] is True
    assert rows["ed@helpdesk.example"]["since"] == LATER
    assert rows["olive@helpdesk.example"]["available"] is False
    assert team_for(world.engineer) == []
    event = AuditEvent.objects.get(action="queue.availability")
    assert (event.before, event.after) == ({"state": "away"}, {"state": "available"})


def test_a_manager_assigns_and_reassigns_with_an_audit_event_each_time(log, world):
    ticket = log()

    assign(
        actor=world.manager, ticket=ticket, agent=world.engineer, reason="knows Reports", at=LATER
    )
    assign(actor=world.manager, ticket=ticket, agent=world.oncall, reason="Ed is ill", at=LATER)

    assert Ticket.objects.get(pk=ticket.pk).assignee == world.oncall
    events = list(
        AuditEvent.objects.filter(action__in=["ticket.assigned", "ticket.reassigned"]).order_by(
            "id"
        )
    )
    assert [(e.action, e.before, e.after, e.reason) for e in events] == [
        (
            "ticket.assigned",
            {"assignee": None},
            {"assignee": "ed@helpdesk.example"},
            "knows Reports",
        ),
        (
            "ticket.reassigned",
            {"assignee": "ed@helpdesk.example"},
            {"assignee": "nina@helpdesk.example"},
            "Ed is ill",
        ),
    ]


def test_an_engineer_cannot_assign_and_nothing_changes(log, world):
    ticket = log()

    with pytest.raises(ActionPermissionDenied):
        assign(actor=world.engineer, ticket=ticket, agent=world.engineer)

    assert Ticket.objects.get(pk=ticket.pk).assignee is None
    assert not AuditEvent.objects.filter(action__startswith="ticket.assign").exists()


def test_a_ticket_cannot_be_assigned_to_a_customer(log, world):
    ticket = log()

    with pytest.raises(ActionValidationError) as refused:
        assign(actor=world.manager, ticket=ticket, agent=world.acme_user, at=LATER)

    assert refused.value.errors == {"agent": "Ann Acme is not an active helpdesk agent"}
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_the_assign_page_never_redirects_off_site(log, world, client):
    ticket = log(priority="normal", at=london(2026, 3, 9, 10, 0))
    client.force_login(world.manager)

    response = client.post(
        f"/queue/assign/{ticket.reference}/",
        {"agent": "999999", "next": "https://evil.example/phish"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/queue/team/"
    ticket.refresh_from_db()
    assert ticket.assignee_id is None

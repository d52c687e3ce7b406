"""Priorities: proposed by customers, set by the helpdesk with reason and agreement; due
times are recomputed from the original logging instant."""

from __future__ import annotations

import datetime as dt

import pytest

from helpdesk_world import TUESDAY_10AM, london
from sladesk.audit.models import AuditEvent
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.tickets import actions
from sladesk.tickets.models import Ticket

HOUR = dt.timedelta(hours=1)


def _unchanged(ticket: Ticket, **expected) -> None:
    fresh = Ticket.objects.get(pk=ticket.pk)
    for name, value in expected.items():
        assert getattr(fresh, name) == value, name


def test_a_customer_proposes_a_priority_without_changing_it(world, log):
    ticket = log(actor=world.acme_user, company=None, contact=None, channel=None)

    actions.propose_priority(
        actor=world.acme_user,
        ticket=ticket,
        priority="critical",
        reason="All agents are down",
        at=TUESDAY_10AM + HOUR,
    )

    _unchanged(ticket, proposed_priority="critical", priority="normal")
    event = AuditEvent.objects.get(ticket=ticket, action="ticket.priority_proposed")
    assert event.actor == world.acme_user
    assert event.before == {"proposed_priority": ""}
    assert event.after == {"proposed_priority": "critical"}
    assert event.reason == "All agents are down"


@pytest.mark.parametrize("who", ["operator", "engineer", "manager", "admin"])
def test_helpdesk_staff_cannot_propose_a_priority(world, log, who):
    ticket = log()

    with pytest.raises(ActionPermissionDenied):
        actions.propose_priority(
            actor=getattr(world, who), ticket=ticket, priority="minor", reason="x"
        )

    _unchanged(ticket, proposed_priority="")


def test_a_customer_cannot_propose_a_priority_on_another_companys_ticket(world, log):
    ticket = log()

    with pytest.raises(ActionPermissionDenied):
        actions.propose_priority(
            actor=world.bluebell_user, ticket=ticket, priority="critical", reason="x"
        )

    _unchanged(ticket, proposed_priority="")


def test_setting_the_priority_recomputes_the_due_time_from_the_logging_instant(world, log):
    # Normal, standard cover, logged Friday 16:50: due Monday 10:50.
    ticket = log(
        company=world.bluebell,
        contact=world.bluebell_contact,
        at=london(2026, 3, 13, 16, 50),
        problem_since=london(2026, 3, 13, 16, 0),
    )
    assert ticket.response_due == london(2026, 3, 16, 10, 50)

    actions.set_priority(
        actor=world.operator,
        ticket=ticket,
        priority="critical",
        reason="Whole contact centre affected",
        agreed_by="Max Manager with Bob Bluebell by phone",
        at=london(2026, 3, 13, 16, 58),
    )

    # 15 minutes of standard hours from Friday 16:50: Monday 09:05, not 17:13 Friday.
    _unchanged(ticket, priority="critical", response_due=london(2026, 3, 16, 9, 5))
    event = AuditEvent.objects.get(ticket=ticket, action="ticket.priority_set")
    assert event.actor == world.operator
    assert event.at == london(2026, 3, 13, 16, 58)
    assert event.reason == "Whole contact centre affected"
    assert event.agreed_by == "Max Manager with Bob Bluebell by phone"
    assert event.before == {"priority": "normal", "response_due": "2026-03-16T10:50:00+00:00"}
    assert event.after == {"priority": "critical", "response_due": "2026-03-16T09:05:00+00:00"}


def test_setting_a_priority_needs_a_reason_and_who_agreed_and_changes_nothing_without(world, log):
    ticket = log()

    with pytest.raises(ActionValidationError) as raised:
        actions.set_priority(
            actor=world.manager, ticket=ticket, priority="major", reason=" ", agreed_by=""
        )

    assert raised.value.errors == {
        "reason": "give the reason for the priority change",
        "agreed_by": "say who agreed the priority change",
    }
    _unchanged(ticket, priority="normal", response_due=london(2026, 3, 10, 12, 0))
    assert not AuditEvent.objects.filter(action="ticket.priority_set").exists()


def test_setting_an_unknown_or_the_same_priority_is_refused(world, log):
    ticket = log(priority="major")

    with pytest.raises(ActionValidationError) as unknown:
        actions.set_priority(
            actor=world.manager, ticket=ticket, priority="urgent", reason="r", agreed_by="a"
        )
    with pytest.raises(ActionValidationError) as same:
        actions.set_priority(
            actor=world.manager, ticket=ticket, priority="major", reason="r", agreed_by="a"
        )

    assert unknown.value.errors == {"priority": "unknown priority 'urgent'"}
    assert same.value.errors == {"priority": "the priority is already major"}
    _unchanged(ticket, priority="major")


def test_a_customer_cannot_set_the_priority(world, log):
    ticket = log()

    with pytest.raises(ActionPermissionDenied):
        actions.set_priority(
            actor=world.acme_user, ticket=ticket, priority="critical", reason="r", agreed_by="a"
        )

    _unchanged(ticket, priority="normal", response_due=london(2026, 3, 10, 12, 0))


def test_lowering_to_enhancement_removes_the_response_target(world, log):
    ticket = log(priority="major")

    actions.set_priority(
        actor=world.engineer,
        ticket=ticket,
        priority="enhancement",
        reason="A feature request",
        agreed_by="Ann Acme",
        at=TUESDAY_10AM + HOUR,
    )

    _unchanged(ticket, priority="enhancement", response_due=None)


def test_a_coverage_change_recomputes_the_due_time_and_records_both(world, log):
    # Critical at Saturday 03:00 on 24x7: 03:30. Corrected to standard: Monday 09:15.
    ticket = log(
        priority="critical", at=london(2026, 3, 14, 3, 0), problem_since=london(2026, 3, 14, 2)
    )

    actions.set_coverage(
        actor=world.manager,
        ticket=ticket,
        coverage="standard",
        reason="Out-of-hours cover lapsed for this site",
        at=london(2026, 3, 14, 3, 5),
    )

    _unchanged(ticket, coverage="standard", response_due=london(2026, 3, 16, 9, 15))
    event = AuditEvent.objects.get(ticket=ticket, action="ticket.coverage_set")
    assert event.before["response_due"] == "2026-03-14T03:30:00+00:00"
    assert event.after["response_due"] == "2026-03-16T09:15:00+00:00"
    assert (event.before["coverage"], event.after["coverage"]) == ("24x7", "standard")


def test_an_engineer_cannot_change_the_coverage(world, log):
    ticket = log(priority="critical")

    with pytest.raises(ActionPermissionDenied):
        actions.set_coverage(actor=world.engineer, ticket=ticket, coverage="standard", reason="r")

    _unchanged(ticket, coverage="24x7")


def test_an_agreed_delivery_date_is_recorded_for_an_enhancement_only(world, log):
    enhancement = log(priority="enhancement")
    fault = log(priority="minor")

    actions.set_agreed_delivery_date(
        actor=world.manager,
        ticket=enhancement,
        delivery_date=dt.date(2026, 6, 1),
        agreed_by="Ann Acme",
        at=TUESDAY_10AM + HOUR,
    )
    with pytest.raises(ActionValidationError) as raised:
        actions.set_agreed_delivery_date(
            actor=world.manager, ticket=fault, delivery_date=dt.date(2026, 6, 1), agreed_by="A"
        )

    _unchanged(enhancement, agreed_delivery_date=dt.date(2026, 6, 1))
    assert raised.value.errors == {"priority": "only an enhancement has an agreed delivery date"}
    _unchanged(fault, agreed_delivery_date=None)

"""The first qualifying response is recorded automatically, exactly once, and stays final."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from helpdesk_world import TUESDAY_10AM, build_world, london, valid_ticket_fields
from sladesk.audit.models import AuditEvent
from sladesk.tickets import actions
from sladesk.tickets.models import Message, Ticket

MINUTE = dt.timedelta(minutes=1)


def _first_response_events(ticket):
    return list(AuditEvent.objects.filter(ticket=ticket, action="ticket.first_response"))


def test_a_public_reply_by_the_helpdesk_is_the_response(world, log):
    ticket = log(priority="major")  # due 11:00

    actions.add_public_reply(
        actor=world.engineer, ticket=ticket, body="Looking now", at=TUESDAY_10AM + 20 * MINUTE
    )

    ticket.refresh_from_db()
    assert ticket.responded_at == TUESDAY_10AM + 20 * MINUTE
    assert ticket.response_met is True
    assert ticket.first_response_kind == "public_reply"
    assert ticket.first_response_by == world.engineer
    assert ticket.status == "responded"
    [event] = _first_response_events(ticket)
    assert event.after == {
        "responded_at": "2026-03-10T10:20:00+00:00",
        "response_due": "2026-03-10T11:00:00+00:00",
        "response_met": True,
        "kind": "public_reply",
    }


def test_a_response_after_the_due_time_is_breached(world, log):
    ticket = log(priority="critical")  # due 10:15

    actions.add_public_reply(
        actor=world.engineer, ticket=ticket, body="Sorry", at=TUESDAY_10AM + 16 * MINUTE
    )

    ticket.refresh_from_db()
    assert ticket.response_met is False
    assert ticket.response_state(TUESDAY_10AM + 60 * MINUTE) == "breached"


def test_a_response_exactly_at_the_due_time_is_met(world, log):
    ticket = log(priority="critical")

    actions.add_public_reply(
        actor=world.engineer, ticket=ticket, body="Here", at=TUESDAY_10AM + 15 * MINUTE
    )

    ticket.refresh_from_db()
    assert ticket.response_met is True


def test_only_the_first_response_is_recorded(world, log):
    ticket = log(priority="major")
    first = TUESDAY_10AM + 5 * MINUTE
    actions.add_public_reply(actor=world.engineer, ticket=ticket, body="One", at=first)

    actions.add_public_reply(
        actor=world.oncall, ticket=ticket, body="Two", at=TUESDAY_10AM + 90 * MINUTE
    )

    ticket.refresh_from_db()
    assert ticket.responded_at == first
    assert ticket.first_response_by == world.engineer
    assert ticket.response_met is True
    assert len(_first_response_events(ticket)) == 1
    assert Message.objects.filter(ticket=ticket).count() == 2


def test_a_customer_reply_an_internal_note_and_an_inbound_call_are_not_the_response(world, log):
    ticket = log(priority="major")

    actions.add_public_reply(
        actor=world.acme_user, ticket=ticket, body="Any news?", at=TUESDAY_10AM + MINUTE
    )
    actions.add_internal_note(
        actor=world.engineer, ticket=ticket, body="Checking logs", at=TUESDAY_10AM + 2 * MINUTE
    )
    actions.log_phone_call(
        actor=world.operator,
        ticket=ticket,
        direction="inbound",
        duration_seconds=120,
        summary="Customer chased",
        at=TUESDAY_10AM + 3 * MINUTE,
    )

    ticket.refresh_from_db()
    assert ticket.responded_at is None
    assert ticket.response_met is None
    assert ticket.status == "new"
    assert _first_response_events(ticket) == []


def test_a_logged_outbound_call_is_the_response(world, log):
    ticket = log(priority="critical")

    call = actions.log_phone_call(
        actor=world.oncall,
        ticket=ticket,
        direction="outbound",
        duration_seconds=300,
        summary="Called Ann, restarted the script service",
        at=TUESDAY_10AM + 10 * MINUTE,
    )

    ticket.refresh_from_db()
    assert call.kind == "call"
    assert call.call_duration_seconds == 300
    assert ticket.first_response_kind == "outbound_call"
    assert ticket.responded_at == TUESDAY_10AM + 10 * MINUTE
    assert ticket.response_met is True
    assert ticket.status == "responded"


@pytest.mark.parametrize("priority", ["normal", "minor"])
def test_marking_normal_or_minor_as_investigating_is_the_response(world, log, priority):
    ticket = log(priority=priority)

    actions.mark_investigating(actor=world.engineer, ticket=ticket, at=TUESDAY_10AM + MINUTE)

    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    assert ticket.first_response_kind == "investigating"
    assert ticket.responded_at == TUESDAY_10AM + MINUTE
    assert ticket.response_met is True


@pytest.mark.parametrize("priority", ["critical", "major"])
def test_marking_critical_or_major_as_investigating_is_not_the_response(world, log, priority):
    ticket = log(priority=priority)

    actions.mark_investigating(actor=world.engineer, ticket=ticket, at=TUESDAY_10AM + MINUTE)

    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    assert ticket.responded_at is None
    assert ticket.response_met is None


def test_a_response_to_a_ticket_without_a_target_is_recorded_without_a_verdict(world, log):
    ticket = log(company=world.corvid, contact=world.corvid_contact)

    actions.add_public_reply(actor=world.engineer, ticket=ticket, body="Hi", at=TUESDAY_10AM)

    ticket.refresh_from_db()
    assert ticket.responded_at == TUESDAY_10AM
    assert ticket.response_met is None
    assert ticket.response_state(TUESDAY_10AM) == "no target"


def test_met_stays_final_when_the_priority_later_changes(world, log):
    ticket = log(priority="normal")  # due 12:00
    actions.add_public_reply(
        actor=world.engineer, ticket=ticket, body="On it", at=TUESDAY_10AM + 30 * MINUTE
    )

    actions.set_priority(
        actor=world.manager,
        ticket=ticket,
        priority="critical",
        reason="Whole centre down",
        agreed_by="Max Manager",
        at=TUESDAY_10AM + 40 * MINUTE,
    )

    ticket.refresh_from_db()
    assert ticket.response_due == london(2026, 3, 10, 10, 15)
    assert ticket.response_met is True
    assert ticket.response_due_at_response == london(2026, 3, 10, 12, 0)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs real concurrent transactions: run with DATABASE_URL=postgres://...",
)
@pytest.mark.django_db(transaction=True)
def test_two_agents_answering_at_the_same_moment_record_one_first_response(fast_settings):
    world = build_world()
    from sladesk.tickets.actions import log_ticket

    ticket = log_ticket(**valid_ticket_fields(world, priority="major"))
    responders = [world.engineer, world.oncall, world.operator, world.manager]
    barrier = threading.Barrier(len(responders))
    errors: list[BaseException] = []

    def answer(user):
        try:
            barrier.wait(timeout=10)
            actions.add_public_reply(
                actor=user, ticket=ticket, body=f"Reply from {user}", at=TUESDAY_10AM + MINUTE
            )
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connections.close_all()

    for _round in range(3):
        threads = [threading.Thread(target=answer, args=(u,)) for u in responders]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)

    assert errors == []
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.responded_at == TUESDAY_10AM + MINUTE
    assert ticket.first_response_by in responders
    assert Message.objects.filter(ticket=ticket, kind="public").count() == 12
    assert len(_first_response_events(ticket)) == 1

"""Work whose scope is decided after its month's statement was made is billed late on a
later statement, saying so, and no time entry is ever on two charges."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from billing.conftest import APRIL_2, work
from helpdesk_world import build_world, london, valid_ticket_fields
from sladesk.billing import actions
from sladesk.billing.models import Charge, PriceList, TimeEntry
from sladesk.tickets.actions import log_ticket

FEBRUARY = dt.date(2026, 2, 1)
MARCH = dt.date(2026, 3, 1)
APRIL = dt.date(2026, 4, 1)
MARCH_2 = london(2026, 3, 2, 9, 0)  # after February has ended


@pytest.fixture
def february_ticket(log):
    return log(at=london(2026, 2, 10, 9, 0), problem_since=london(2026, 2, 10, 8, 0))


def _generate(world, month, at=APRIL_2):
    return actions.generate_statement(actor=world.manager, company=world.acme, month=month, at=at)


def _decide_late(world, ticket):
    actions.decide_scope(
        actor=world.engineer,
        ticket=ticket,
        category="hardware",
        reason="The fault was in the customer's own server hardware.",
        at=london(2026, 3, 3, 9, 0),
    )
    actions.record_sow(
        actor=world.manager, ticket=ticket, reference="SOW-HW-1", at=london(2026, 3, 3, 9, 5)
    )


def test_work_decided_chargeable_after_its_month_was_issued_is_billed_late_next_month(
    world, price_list, february_ticket
):
    february_work = work(world, february_ticket, london(2026, 2, 10, 10, 0), 60)
    february = _generate(world, FEBRUARY, at=MARCH_2)
    february = actions.issue_statement(actor=world.manager, statement=february, at=MARCH_2)
    assert (february.charges.count(), february.issued_total) == (0, Decimal("0.00"))

    _decide_late(world, february_ticket)
    march_work = work(world, february_ticket, london(2026, 3, 10, 10, 0), 30)
    march = _generate(world, MARCH)

    late, current = march.charges.order_by("id")
    assert (late.billed_in_seconds, late.amount, late.rule_applied) == (
        7200,
        Decimal("180.00"),
        "minimum 2 h applied; in-hours rate for 2 h; work of February 2026 billed late; "
        "no SOW reference agreed when the work started",
    )
    # The minimum was met by the late line, so March's own work is billed as worked.
    assert (current.billed_in_seconds, current.amount, current.rule_applied) == (
        1800,
        Decimal("45.00"),
        "in-hours rate for 0.5 h",
    )
    assert list(late.time_entries.all()) == [february_work]
    assert list(current.time_entries.all()) == [march_work]
    february.refresh_from_db()
    assert (february.charges.count(), february.issued_total) == (0, Decimal("0.00"))


def test_late_work_is_priced_with_the_price_list_in_force_when_it_started(
    world, price_list, february_ticket
):
    PriceList.objects.create(
        name="standard",
        valid_from=dt.date(2026, 3, 1),
        currency="GBP",
        in_hours_rate=Decimal("100.00"),
        out_of_hours_rate=Decimal("150.00"),
    )
    work(world, february_ticket, london(2026, 2, 10, 10, 0), 180)
    _decide_late(world, february_ticket)
    line = _generate(world, MARCH).charges.get()
    assert (line.price_list, line.amount) == (price_list, Decimal("270.00"))


def test_regenerating_and_later_statements_never_bill_an_entry_twice(
    world, price_list, february_ticket
):
    entry = work(world, february_ticket, london(2026, 2, 10, 10, 0), 60)
    _decide_late(world, february_ticket)
    march = _generate(world, MARCH)
    first = march.charges.get()
    march = _generate(world, MARCH)
    again = march.charges.get()
    assert (again.amount, again.rule_applied.count("billed late")) == (Decimal("180.00"), 1)
    assert not Charge.objects.filter(pk=first.pk).exists()
    actions.issue_statement(actor=world.manager, statement=march, at=APRIL_2)

    april = _generate(world, APRIL, at=london(2026, 5, 1, 9, 0))
    february = _generate(world, FEBRUARY)

    assert (april.charges.count(), february.charges.count()) == (0, 0)
    entry.refresh_from_db()
    assert entry.charge == again
    assert Charge.objects.filter(kind=Charge.Kind.WORK).count() == 1


def test_work_already_on_its_own_months_draft_is_not_taken_by_a_later_month(
    world, price_list, february_ticket
):
    _decide_late(world, february_ticket)
    work(world, february_ticket, london(2026, 2, 10, 10, 0), 60)
    february = _generate(world, FEBRUARY)
    march = _generate(world, MARCH)
    assert february.charges.get().rule_applied == (
        "minimum 2 h applied; in-hours rate for 2 h; no SOW reference agreed when the work started"
    )
    assert march.charges.count() == 0


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs real concurrent transactions and row locks: run with DATABASE_URL=postgres://...",
)
@pytest.mark.django_db(transaction=True)
def test_statements_of_two_months_generated_at_once_bill_late_work_exactly_once(fast_settings):
    world = build_world()
    PriceList.objects.create(
        name="standard",
        valid_from=dt.date(2026, 1, 1),
        currency="GBP",
        in_hours_rate=Decimal("90.00"),
        out_of_hours_rate=Decimal("135.00"),
    )
    ticket = log_ticket(
        **valid_ticket_fields(
            world, at=london(2026, 2, 10, 9, 0), problem_since=london(2026, 2, 10, 8, 0)
        )
    )
    entries = [
        work(world, ticket, london(2026, 2, 10 + day, 10, 0), 30, at=APRIL_2) for day in range(4)
    ]
    _decide_late(world, ticket)
    runs = 8
    barrier = threading.Barrier(runs)
    errors: list[BaseException] = []

    def generate(month: dt.date) -> None:
        try:
            barrier.wait(timeout=30)
            _generate(world, month)
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=generate, args=([FEBRUARY, MARCH][n % 2],)) for n in range(runs)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert errors == []
    line = Charge.objects.get(kind=Charge.Kind.WORK)
    assert (line.billed_in_seconds, line.amount) == (7200, Decimal("180.00"))
    assert set(TimeEntry.objects.values_list("charge", flat=True)) == {line.pk}
    assert sorted(e.pk for e in line.time_entries.all()) == sorted(e.pk for e in entries)

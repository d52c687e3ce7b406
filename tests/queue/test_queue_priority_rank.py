"""Tickets due at the same instant (or with no due time) are taken by priority, then age:
the rank the database keeps beside the priority, which the queue's index holds."""

from __future__ import annotations

from helpdesk_world import london
from sladesk.queue.actions import set_availability, take_next
from sladesk.queue.selectors import queue_for
from sladesk.tickets.actions import set_priority
from sladesk.tickets.models import Ticket


def _uncovered(log, world, priority, at):
    # Corvid's only contract is unsigned: its tickets have no response target.
    return log(
        company=world.corvid,
        contact=world.corvid_contact,
        priority=priority,
        at=at,
        problem_since=london(2026, 3, 1),
    )


def test_tickets_with_no_due_time_are_taken_critical_first_then_oldest_first(log, world):
    minor = _uncovered(log, world, "minor", london(2026, 3, 9, 9, 0))
    normal_late = _uncovered(log, world, "normal", london(2026, 3, 9, 9, 40))
    critical = _uncovered(log, world, "critical", london(2026, 3, 9, 9, 50))
    normal_early = _uncovered(log, world, "normal", london(2026, 3, 9, 9, 20))
    major = _uncovered(log, world, "major", london(2026, 3, 9, 9, 30))
    assert {t.response_due for t in (minor, normal_late, critical, normal_early, major)} == {None}
    now = london(2026, 3, 9, 10, 0)
    set_availability(actor=world.operator, available=True, at=now)

    taken = [take_next(actor=world.operator, at=now) for _ in range(5)]

    assert [t.reference for t in taken] == [
        t.reference for t in (critical, major, normal_early, normal_late, minor)
    ]
    assert take_next(actor=world.operator, at=now) is None


def test_the_rank_follows_the_priority_the_helpdesk_sets(log, world):
    first = _uncovered(log, world, "normal", london(2026, 3, 9, 9, 0))
    second = _uncovered(log, world, "normal", london(2026, 3, 9, 9, 10))
    assert Ticket.objects.get(pk=second.pk).priority_rank == 2

    set_priority(
        actor=world.operator,
        ticket=second,
        priority="critical",
        reason="the whole centre is down",
        agreed_by="Cat Corvid",
        at=london(2026, 3, 9, 9, 20),
    )

    assert Ticket.objects.get(pk=second.pk).priority_rank == 0
    order = list(queue_for(world.operator, now=london(2026, 3, 9, 9, 30)))
    assert [t.reference for t in order] == [second.reference, first.reference]

"""32 agents pressing Take next at the same moment on PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from helpdesk_world import build_world, london, valid_ticket_fields
from sladesk.accounts.models import User
from sladesk.audit.models import AuditEvent
from sladesk.queue.actions import set_availability, take_next
from sladesk.tickets.actions import log_ticket
from sladesk.tickets.models import Ticket

AGENTS = 32
TICKETS = 80
NOW = london(2026, 3, 10, 12, 0)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs real concurrent transactions and row locks: run with DATABASE_URL=postgres://...",
)
@pytest.mark.django_db(transaction=True)
def test_32_agents_taking_at_once_get_every_ticket_exactly_once(fast_settings):
    world = build_world()
    for n in range(TICKETS):
        log_ticket(
            **valid_ticket_fields(
                world,
                priority=["critical", "major", "normal", "minor"][n % 4],
                at=london(2026, 3, 10, 9, n // 60, n % 60),
            )
        )
    agents = [
        User.objects.create_user(f"agent{i}@helpdesk.example", "x", role="operator")
        for i in range(AGENTS)
    ]
    for agent in agents:
        set_availability(actor=agent, available=True, at=NOW)
    barrier = threading.Barrier(AGENTS)
    taken: list[tuple[int, int, int]] = []  # (agent, press, ticket)
    errors: list[BaseException] = []

    def press_until_empty(agent: User) -> None:
        try:
            barrier.wait(timeout=30)
            press = 0
            while True:
                ticket = take_next(actor=agent, at=NOW)
                if ticket is None:
                    return
                taken.append((agent.pk, press, ticket.pk))
                press += 1
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press_until_empty, args=(a,)) for a in agents]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert errors == []
    ticket_ids = [t for _, _, t in taken]
    # No ticket assigned twice, none lost.
    assert len(ticket_ids) == TICKETS
    assert sorted(ticket_ids) == sorted(Ticket.objects.values_list("pk", flat=True))
    # No agent handed two tickets by one press.
    assert max(Counter((a, p) for a, p, _ in taken).values()) == 1
    # The stored assignee is the agent the press returned it to, with one audit event each.
    stored = dict(Ticket.objects.values_list("pk", "assignee_id"))
    assert {t: a for a, _, t in taken} == stored
    assert AuditEvent.objects.filter(action="ticket.taken").count() == TICKETS

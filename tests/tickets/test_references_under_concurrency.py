"""Ticket references are unique and gap-free when many tickets are logged at once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from helpdesk_world import build_world, valid_ticket_fields
from sladesk.tickets.actions import log_ticket
from sladesk.tickets.models import Ticket


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs real concurrent transactions: run with DATABASE_URL=postgres://...",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_loggings_get_distinct_consecutive_references(fast_settings):
    world = build_world()
    loggers = [world.operator, world.engineer, world.oncall, world.manager, world.admin] * 2
    barrier = threading.Barrier(len(loggers))
    references: list[str] = []
    errors: list[BaseException] = []

    def log_one(user):
        try:
            barrier.wait(timeout=10)
            references.append(log_ticket(**valid_ticket_fields(world, actor=user)).reference)
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=log_one, args=(u,)) for u in loggers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert sorted(references) == [f"CS-{n}" for n in range(100001, 100011)]
    assert Ticket.objects.count() == 10

"""Managers opening the same month's report at the same moment on PostgreSQL: each view
brings the month up to date, and the month keeps exactly one set of figures."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from helpdesk_world import build_world, london, valid_ticket_fields
from sladesk.reports.models import MonthFigure, ResponseFact
from sladesk.reports.selectors import compliance_report
from sladesk.tickets.actions import add_public_reply, log_ticket

VIEWERS = 8
NOW = london(2026, 5, 1, 9, 0)
APRIL = dt.date(2026, 4, 1)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs real concurrent transactions: run with DATABASE_URL=postgres://...",
)
@pytest.mark.django_db(transaction=True)
def test_simultaneous_views_store_one_set_of_figures_and_agree(fast_settings):
    world = build_world()
    for n in range(40):
        ticket = log_ticket(
            **valid_ticket_fields(
                world,
                priority=["critical", "major", "normal", "minor"][n % 4],
                at=london(2026, 4, 7 + n % 20, 10, n % 60),
            )
        )
        if n % 3:
            add_public_reply(
                actor=world.engineer,
                ticket=ticket,
                body="ok",
                at=ticket.logged_at + dt.timedelta(minutes=20),
            )
    # The rows exist but the month's figures do not (as after an interrupted rebuild, or a
    # month never viewed): every viewer rebuilds the figures and nothing else serialises them.
    compliance_report(world.manager, month=APRIL, now=NOW)
    MonthFigure.objects.filter(month=APRIL).delete()
    barrier = threading.Barrier(VIEWERS)
    totals: list[tuple[int, int, int]] = []
    errors: list[BaseException] = []

    def view() -> None:
        try:
            barrier.wait(timeout=30)
            data = compliance_report(world.manager, month=APRIL, now=NOW)
            total = data["total"]
            totals.append((total.logged, total.met, total.breached))
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=view) for _ in range(VIEWERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert errors == []
    assert len(set(totals)) == 1
    assert totals[0][0] == 40
    assert ResponseFact.objects.count() == 40
    keys = list(MonthFigure.objects.filter(month=APRIL).values_list("scope_id", "dimension", "key"))
    assert len(keys) == len(set(keys))
    assert MonthFigure.objects.filter(month=APRIL, scope__isnull=True, dimension="all").count() == 1

"""The worker brings stale report rows and their months' figures up to date, so the earlier
months of the 12-month table no longer wait for someone to view them.

The tickets (Acme, Normal, London time; the report is read at Fri 1 May 2026 09:00):

| ticket | logged | first response | outcome |
|---|---|---|---|
| feb_met | Tue 3 Feb 10:00 | 10:20 | met |
| feb_late | Wed 4 Feb 10:00 | none, then 10:20 after the report was viewed | breached, then met |
| mar_met | Tue 10 Mar 10:00 | 10:20 | met |
| mar_new | Thu 12 Mar 10:00, logged after the report was viewed | 15:00 | breached |
| apr | Tue 7 Apr 10:00 | 10:20 | met |
"""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections

from helpdesk_world import london, valid_ticket_fields
from sladesk.reports import facts, housekeeping
from sladesk.reports.models import MonthFigure, ResponseFact
from sladesk.reports.selectors import compliance_report
from sladesk.tickets.actions import add_public_reply, log_ticket
from sladesk.tickets.models import Ticket

NOW = london(2026, 5, 1, 9, 0)
APRIL = dt.date(2026, 4, 1)
POSTGRES_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs real concurrent transactions: run with DATABASE_URL=postgres://...",
)


def _log(world: Any, at: dt.datetime, reply_after: dt.timedelta | None = None) -> Ticket:
    ticket = log_ticket(
        **valid_ticket_fields(
            world, priority="normal", at=at, problem_since=london(2026, 1, 5, 8, 0)
        )
    )
    if reply_after is not None:
        _reply(world, ticket, at + reply_after)
    return ticket


def _reply(world: Any, ticket: Ticket, at: dt.datetime) -> None:
    add_public_reply(actor=world.engineer, ticket=ticket, body="On it.", at=at)


def _stale_count() -> int:
    return facts.stale(Ticket.objects.all()).count()


def _by_month(world: Any, viewer: Any = None) -> dict[str, tuple[int, int, int, int]]:
    """The 12-month table of April's report: month -> (logged, met, breached, pending)."""
    data = compliance_report(viewer or world.manager, month=APRIL, now=NOW)
    return {s.key: (s.logged, s.met, s.breached, s.pending) for s in data["by_month"] if s.logged}


@pytest.fixture
def viewed(world: Any) -> dict[str, Ticket]:
    """The tickets of the table above, April's report viewed once, then the changes."""
    minutes20 = dt.timedelta(minutes=20)
    made = {
        "feb_met": _log(world, london(2026, 2, 3, 10, 0), minutes20),
        "feb_late": _log(world, london(2026, 2, 4, 10, 0)),
        "mar_met": _log(world, london(2026, 3, 10, 10, 0), minutes20),
        "apr": _log(world, london(2026, 4, 7, 10, 0), minutes20),
    }
    assert _by_month(world) == {
        "2026-02": (2, 1, 1, 0),
        "2026-03": (1, 1, 0, 0),
        "2026-04": (1, 1, 0, 0),
    }
    _reply(world, made["feb_late"], london(2026, 2, 4, 10, 20))
    made["mar_new"] = _log(world, london(2026, 3, 12, 10, 0), dt.timedelta(hours=5))
    return made


def test_without_the_worker_the_earlier_months_lag(world, viewed):
    assert _stale_count() == 2
    assert _by_month(world) == {
        "2026-02": (2, 1, 1, 0),
        "2026-03": (1, 1, 0, 0),
        "2026-04": (1, 1, 0, 0),
    }


def test_one_refresh_round_leaves_no_stale_rows_and_the_earlier_months_show_the_new_figures(
    world, viewed
):
    done = housekeeping.refresh_stale(at=NOW)

    assert done == housekeeping.RefreshRound(
        computed=2, months=(dt.date(2026, 2, 1), dt.date(2026, 3, 1)), busy=False, more=False
    )
    assert _stale_count() == 0
    assert _by_month(world) == {
        "2026-02": (2, 2, 0, 0),
        "2026-03": (2, 1, 1, 0),
        "2026-04": (1, 1, 0, 0),
    }
    fact = ResponseFact.objects.get(ticket=viewed["feb_late"])
    assert (fact.response_met, fact.business_seconds) == (True, 20 * 60)


def test_the_refresh_also_updates_what_the_customer_contact_sees(world, viewed):
    before = _by_month(world, world.acme_user)

    housekeeping.refresh_stale(at=NOW)

    assert before["2026-02"] == (2, 1, 1, 0)
    assert _by_month(world, world.acme_user) == {
        "2026-02": (2, 2, 0, 0),
        "2026-03": (2, 1, 1, 0),
        "2026-04": (1, 1, 0, 0),
    }


# The worker closes its database connections as it runs (close_old_connections, the
# monitor): a test transaction cannot wrap it.
@pytest.mark.django_db(transaction=True)
def test_one_worker_round_brings_the_earlier_months_up_to_date(world, viewed, monkeypatch):
    monkeypatch.setattr(housekeeping, "_next_refresh", 0.0)
    out = StringIO()

    call_command("worker", "--once", "--scan-only", stdout=out, stderr=StringIO())

    assert "reports: 2 rows refreshed, figures rebuilt for 2026-02, 2026-03\n" in out.getvalue()
    assert _stale_count() == 0
    assert _by_month(world)["2026-02"] == (2, 2, 0, 0)
    assert _by_month(world)["2026-03"] == (2, 1, 1, 0)


def test_the_refresh_interval_is_honoured(world, viewed, settings, monkeypatch):
    settings.SLADESK_REPORTS_REFRESH_INTERVAL = 300
    clock = [5000.0]
    monkeypatch.setattr(housekeeping.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(housekeeping, "_next_refresh", 0.0)

    first = housekeeping.periodic(worker="w1", at=NOW)
    _reply(world, _log(world, london(2026, 3, 17, 10, 0)), london(2026, 3, 17, 10, 5))
    clock[0] += 299
    early = housekeeping.periodic(worker="w1", at=NOW)
    still_stale = _stale_count()
    clock[0] += 1
    due = housekeeping.periodic(worker="w1", at=NOW)

    assert first == "reports: 2 rows refreshed, figures rebuilt for 2026-02, 2026-03"
    assert (early, still_stale) == ("", 1)
    assert due == "reports: 1 rows refreshed, figures rebuilt for 2026-03"
    assert _stale_count() == 0


def test_an_interval_of_zero_turns_the_refresh_off(world, viewed, settings, monkeypatch):
    settings.SLADESK_REPORTS_REFRESH_INTERVAL = 0
    monkeypatch.setattr(housekeeping, "_next_refresh", 0.0)

    assert housekeeping.periodic(worker="w1", at=NOW) == ""
    assert _stale_count() == 2
    assert _by_month(world)["2026-02"] == (2, 1, 1, 0)


def test_a_round_is_bounded_and_a_full_round_is_followed_at_the_next_pass(
    world, viewed, settings, monkeypatch
):
    settings.SLADESK_REPORTS_REFRESH_INTERVAL = 300
    monkeypatch.setattr(housekeeping, "ROUND_ROWS", 1)
    monkeypatch.setattr(housekeeping.time, "monotonic", lambda: 7000.0)
    monkeypatch.setattr(housekeeping, "_next_refresh", 0.0)

    first = housekeeping.periodic(worker="w1", at=NOW)
    left_after_first = _stale_count()
    second = housekeeping.periodic(worker="w1", at=NOW)
    third = housekeeping.periodic(worker="w1", at=NOW)

    assert first == "reports: 1 rows refreshed, figures rebuilt for 2026-02"
    assert left_after_first == 1
    assert second == "reports: 1 rows refreshed, figures rebuilt for 2026-03"
    # The second round was full too, so a third ran at once and found nothing; now the
    # interval applies.
    assert third == ""
    assert housekeeping._next_refresh == 7000.0 + 300
    assert _by_month(world)["2026-03"] == (2, 1, 1, 0)


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True)
def test_a_worker_skips_its_round_while_another_is_refreshing(world, viewed, monkeypatch):
    inside = threading.Event()
    release = threading.Event()
    original = facts.facts_from_rows

    def held(rows: Any, *, at: dt.datetime) -> Any:
        # Only the first worker (the thread) is held, in the middle of its round.
        if threading.current_thread() is not threading.main_thread():
            inside.set()
            assert release.wait(timeout=60)
        return original(rows, at=at)

    monkeypatch.setattr(facts, "facts_from_rows", held)
    results: list[housekeeping.RefreshRound] = []
    errors: list[BaseException] = []

    def first_worker() -> None:
        try:
            results.append(housekeeping.refresh_stale(at=NOW))
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_worker)
    thread.start()
    assert inside.wait(timeout=60)
    try:
        second = housekeeping.refresh_stale(at=NOW)
    finally:
        release.set()
        thread.join(timeout=120)

    assert errors == []
    assert second == housekeeping.RefreshRound(computed=0, months=(), busy=True, more=False)
    assert [r.computed for r in results] == [2]
    assert _stale_count() == 0


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True)
def test_workers_refreshing_at_once_do_not_work_the_same_rows(world, viewed):
    for day in range(16, 28):
        _log(world, london(2026, 3, day, 11, 0), dt.timedelta(minutes=30))
    stale_before = _stale_count()
    workers = 4
    barrier = threading.Barrier(workers)
    results: list[housekeeping.RefreshRound] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(housekeeping.refresh_stale(at=NOW))
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert errors == []
    assert stale_before == 14
    # Every stale row was computed by exactly one worker.
    assert sum(r.computed for r in results) == 14
    assert len([r for r in results if r.computed]) == 1
    assert _stale_count() == 0
    assert ResponseFact.objects.count() == Ticket.objects.count() == 17
    keys = list(MonthFigure.objects.values_list("month", "scope_id", "dimension", "key"))
    assert len(keys) == len(set(keys))
    assert _by_month(world)["2026-03"] == (14, 13, 1, 0)


# The worker closes its database connections as it runs: a test transaction cannot wrap it.
@pytest.mark.django_db(transaction=True)
def test_a_tasks_only_worker_leaves_the_housekeeping_to_the_monitors_worker(
    world, viewed, monkeypatch
):
    monkeypatch.setattr(housekeeping, "_next_refresh", 0.0)
    out = StringIO()

    call_command("worker", "--once", "--tasks-only", stdout=out, stderr=StringIO())

    assert "reports:" not in out.getvalue()
    assert _stale_count() == 2
    assert housekeeping._next_refresh == 0.0

"""Several monitor workers at once, and a worker killed mid-scan, on PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections

from helpdesk_world import build_world, london, valid_ticket_fields
from sladesk.queue.models import SlaAlert
from sladesk.queue.monitor import scan
from sladesk.tickets.actions import log_ticket
from sladesk.webhooks.models import Event

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs real concurrent transactions and row locks: run with DATABASE_URL=postgres://...",
    ),
    pytest.mark.django_db(transaction=True),
]

TUE_10 = london(2026, 3, 10, 10, 0)


def _log_many(world, count):
    return [
        log_ticket(**valid_ticket_fields(world, priority="critical", at=TUE_10))
        for _ in range(count)
    ]


def _scan_in_threads(at, workers):
    barrier = threading.Barrier(workers)
    errors = []

    def run(name):
        try:
            barrier.wait(timeout=30)
            scan(at=at, worker=name)
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(f"w{i}",)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []


def test_two_workers_scanning_at_once_send_each_warning_and_breach_exactly_once(fast_settings):
    world = build_world()
    tickets = _log_many(world, 120)

    _scan_in_threads(london(2026, 3, 10, 10, 12), workers=2)
    _scan_in_threads(london(2026, 3, 10, 10, 13), workers=2)
    _scan_in_threads(london(2026, 3, 10, 10, 16), workers=2)
    _scan_in_threads(london(2026, 3, 10, 10, 17), workers=2)

    expected = sorted(
        [(t.pk, "warning", 75) for t in tickets] + [(t.pk, "breach", 100) for t in tickets]
    )
    assert sorted(SlaAlert.objects.values_list("ticket_id", "kind", "threshold")) == expected
    assert Event.objects.filter(type="ticket.sla_warning").count() == 120
    assert Event.objects.filter(type="ticket.sla_breached").count() == 120


def _database_url():
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    return f"postgres://{s['USER']}{password}@{host}/{s['NAME']}"


def test_a_worker_killed_mid_scan_leaves_no_claim_and_the_next_scan_sends_each_once(
    fast_settings, tmp_path
):
    world = build_world()
    tickets = _log_many(world, 5)
    at = london(2026, 3, 10, 10, 12)
    flag = tmp_path / "claimed"
    env = {**os.environ, "DATABASE_URL": _database_url(), "PYTHONPATH": os.pathsep.join(sys.path)}
    doomed = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("killable_scan.py")),
            str(flag),
            at.isoformat(),
        ],
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while not flag.exists():
            assert doomed.poll() is None, "the worker exited before claiming"
            assert time.monotonic() < deadline, "the worker never claimed"
            time.sleep(0.05)
        # It holds its claim and row locks, uncommitted. A second worker meanwhile skips the
        # locked rows instead of waiting for them.
        assert SlaAlert.objects.count() == 0
    finally:
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=30)

    scan(at=at, worker="survivor")
    scan(at=london(2026, 3, 10, 10, 13), worker="survivor")

    assert sorted(SlaAlert.objects.values_list("ticket_id", "kind", "worker")) == sorted(
        (t.pk, "warning", "survivor") for t in tickets
    )
    assert Event.objects.filter(type="ticket.sla_warning").count() == 5

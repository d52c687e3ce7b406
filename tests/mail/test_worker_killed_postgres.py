"""A sending worker process killed mid-batch, against a real SMTP server, on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection

from helpdesk_world import build_world, valid_ticket_fields
from sladesk.mail.models import OutboundEmail
from sladesk.mail.outbox import send_due
from sladesk.tickets.actions import log_ticket

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a second process must see committed rows: run with DATABASE_URL=postgres://...",
    ),
    pytest.mark.django_db(transaction=True),
]


def _database_url():
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    return f"postgres://{s['USER']}{password}@{host}/{s['NAME']}"


def test_a_worker_killed_mid_send_leaves_every_recipient_exactly_one_message(
    fast_settings, smtp_server
):
    world = build_world()
    for company, contact in (
        (world.acme, world.acme_contact),
        (world.bluebell, world.bluebell_contact),
        (world.corvid, world.corvid_contact),
    ):
        for _ in range(2):
            log_ticket(**valid_ticket_fields(world, company=company, contact=contact))
    expected = {}
    for recipient, message_id in OutboundEmail.objects.values_list("recipient", "message_id"):
        expected.setdefault(recipient, set()).add(message_id)
    assert sum(len(v) for v in expected.values()) == 6

    smtp_server.hold_at = 3
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "PYTHONPATH": os.pathsep.join(sys.path),
        "SLADESK_EMAIL_HOST": "127.0.0.1",
        "SLADESK_EMAIL_PORT": str(smtp_server.port),
        "SLADESK_EMAIL_USE_TLS": "false",
    }
    doomed = subprocess.Popen(
        [sys.executable, "-m", "sladesk.cli", "mail", "send", "--worker-id", "doomed"], env=env
    )
    try:
        deadline = time.monotonic() + 60
        while not smtp_server.holding.wait(0.1):
            assert doomed.poll() is None, "the worker exited before the third message"
            assert time.monotonic() < deadline, "the worker never reached the third message"
    finally:
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=30)
        smtp_server.release.set()

    assert OutboundEmail.objects.filter(state="sent").count() == 2
    stuck = OutboundEmail.objects.get(state="sending")
    # Another worker takes over once the dead worker's lease has run out.
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    assert send_due(at=later, worker="survivor").sent == 4

    received = smtp_server.by_recipient()
    assert {r: sorted(ids) for r, ids in received.items()} == {
        r: sorted(ids) for r, ids in expected.items()
    }
    stuck.refresh_from_db()
    assert (stuck.state, stuck.attempts, stuck.ambiguous_attempts) == ("sent", 2, 1)

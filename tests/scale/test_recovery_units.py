"""The two pieces that let work survive a database restart, one by one: the worker keeps
running, and an email the mail server accepted is recorded as sent once the database is
back (not sent again after its lease)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError

from sladesk.queue.management.commands import worker as worker_command


@pytest.mark.django_db
def test_the_worker_logs_a_database_outage_and_keeps_running(monkeypatch):
    calls: list[str] = []

    def round_(self: Any, options: Any, worker_id: str, *args: Any) -> float:
        calls.append(worker_id)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        self.running = False
        return 0.0

    monkeypatch.setattr(worker_command.Command, "_round", round_)
    monkeypatch.setattr(worker_command.time, "sleep", lambda seconds: None)
    err = StringIO()

    call_command("worker", "--worker-id", "w1", stdout=StringIO(), stderr=err)

    assert calls == ["w1", "w1"]
    assert err.getvalue() == (
        "database unavailable (OperationalError: server closed the connection unexpectedly); "
        "retrying\n"
    )


@pytest.mark.django_db
def test_a_worker_run_once_reports_a_database_outage_instead_of_waiting(monkeypatch):
    def round_(self: Any, *args: Any) -> float:
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(worker_command.Command, "_round", round_)

    with pytest.raises(OperationalError, match="could not connect to server"):
        call_command("worker", "--once", stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db(transaction=True)
def test_an_accepted_email_is_recorded_sent_after_the_database_comes_back(monkeypatch, settings):
    from sladesk.mail import outbox
    from sladesk.mail.models import OutboundEmail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SLADESK_MAIL_LEASE_SECONDS = 5
    now = dt.datetime(2026, 3, 11, 10, 0, tzinfo=dt.UTC)
    [pk] = outbox.enqueue(
        key="audit:1",
        emails=[
            outbox.Email(
                recipient="ann@acme.example", kind="public_reply", subject="S", body_text="B"
            )
        ],
        at=now,
    )
    real_finish = outbox._finish
    failures = ["database restarting"]

    def finish(*args: Any, **kwargs: Any) -> None:
        if failures:
            raise OperationalError(failures.pop())
        real_finish(*args, **kwargs)

    monkeypatch.setattr(outbox, "_finish", finish)
    monkeypatch.setattr(outbox.time, "sleep", lambda seconds: None)

    result = outbox.send_due(at=now, worker="w1")

    assert (result.sent, result.retrying, result.dead) == (1, 0, 0)
    row = OutboundEmail.objects.get(pk=pk)
    assert (row.state, row.attempts, row.ambiguous_attempts, row.lease_until) == (
        "sent",
        1,
        0,
        None,
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == row.message_id
    # Nothing is left for a later pass to send again.
    assert outbox.send_due(at=now + dt.timedelta(minutes=10), worker="w2").sent == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_recording_gives_up_to_the_lease_when_the_database_stays_away(monkeypatch, settings):
    from sladesk.mail import outbox
    from sladesk.mail.models import OutboundEmail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SLADESK_MAIL_LEASE_SECONDS = 5
    now = dt.datetime(2026, 3, 11, 10, 0, tzinfo=dt.UTC)
    [pk] = outbox.enqueue(
        key="audit:2",
        emails=[
            outbox.Email(
                recipient="ann@acme.example", kind="public_reply", subject="S", body_text="B"
            )
        ],
        at=now,
    )
    clock = iter(range(0, 1000, 1))

    def down(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(outbox, "_finish", down)
    monkeypatch.setattr(outbox.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(outbox.time, "monotonic", lambda: float(next(clock)))

    with pytest.raises(OperationalError, match="connection refused"):
        outbox.send_due(at=now, worker="w1")

    row = OutboundEmail.objects.get(pk=pk)
    # Left claimed: when its lease runs out a worker sends it again with the same Message-ID.
    assert (row.state, row.attempts, row.claimed_by) == ("sending", 1, "w1")
    assert len(mail.outbox) == 1

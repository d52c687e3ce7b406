"""The real mail paths: an IMAP mailbox on a real server (dovecot) and `sladesk mail ingest`
for an MTA's pipe, including a database that is down."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.db import OperationalError
from imap_tools import AND, MailBoxUnencrypted
from mailbuilder import make_mail

from sladesk.mail import imap
from sladesk.mail.models import InboundMessage
from sladesk.tickets.models import Ticket


@pytest.fixture
def mailbox(dovecot, settings):
    settings.SLADESK_IMAP_HOST = dovecot["host"]
    settings.SLADESK_IMAP_PORT = dovecot["port"]
    settings.SLADESK_IMAP_SECURITY = "none"
    settings.SLADESK_IMAP_USER = dovecot["user"]
    settings.SLADESK_IMAP_PASSWORD = dovecot["password"]
    box = MailBoxUnencrypted(dovecot["host"], dovecot["port"]).login(
        dovecot["user"], dovecot["password"]
    )
    box.delete(box.uids())  # one server for the session: start each test empty
    yield box
    box.logout()


def _unseen(box):
    box.client.noop()  # take in the flag changes the fetch made in its own session
    return len(box.uids(AND(seen=False)))


def test_fetching_takes_each_unseen_message_once_and_marks_it_seen_after_commit(world, mailbox):
    mailbox.append(make_mail(message_id="<imap-1@acme.example>", subject="First"), "INBOX")
    mailbox.append(make_mail(message_id="<imap-2@acme.example>", subject="Second"), "INBOX")
    mailbox.append(make_mail(sender="stranger@elsewhere.example", message_id="<imap-3@x>"), "INBOX")

    first = imap.fetch()
    again = imap.fetch()

    assert (first.seen, first.outcomes) == (3, {"ticket": 2, "quarantined": 1})
    assert again.seen == 0
    assert sorted(Ticket.objects.values_list("overview", flat=True)) == ["First", "Second"]
    assert _unseen(mailbox) == 0


def test_a_message_fetched_again_after_a_lost_seen_flag_creates_nothing_new(world, mailbox):
    mailbox.append(make_mail(message_id="<imap-4@acme.example>"), "INBOX")
    imap.fetch()
    mailbox.flag(mailbox.uids(), "\\Seen", False)  # the flag never reached the server

    again = imap.fetch()

    assert (again.seen, again.outcomes) == (1, {"duplicate": 1})
    assert Ticket.objects.count() == 1


def test_while_the_database_is_down_messages_stay_unseen_and_are_taken_later(
    world, mailbox, monkeypatch
):
    mailbox.append(make_mail(message_id="<imap-5@acme.example>"), "INBOX")
    from sladesk.mail import imap as module

    real = module.ingest

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(module, "ingest", down)
    stopped = imap.fetch()
    assert (stopped.seen, _unseen(mailbox)) == (0, 1)
    assert stopped.stopped.startswith("database unavailable")

    monkeypatch.setattr(module, "ingest", real)
    later = imap.fetch()
    assert (later.seen, _unseen(mailbox), Ticket.objects.count()) == (1, 0, 1)


def _ingest_command(raw: bytes, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run(
        [sys.executable, "-m", "sladesk.cli", "mail", "ingest"],
        input=raw,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_ingest_exits_75_while_the_database_is_down_and_the_retry_loses_nothing(world):
    raw = make_mail(message_id="<mta-1@acme.example>")

    down = _ingest_command(raw, "postgres://postgres@127.0.0.1:1/nothing_listens_here")

    assert down.returncode == 75, down.stderr
    assert b"temporary failure" in down.stderr
    assert InboundMessage.objects.count() == 0
    # The MTA keeps the message and delivers it again once the database is back.
    from sladesk.mail.ingest import ingest

    assert ingest(raw, source="mta").outcome == "ticket"
    assert Ticket.objects.count() == 1


def test_ingest_exits_65_for_input_that_is_not_an_email(tmp_path):
    result = _ingest_command(b"hello, this is not an email\n", f"sqlite:///{tmp_path / 'x.db'}")

    assert result.returncode == 65
    assert b"not accepted: no header section" in result.stderr

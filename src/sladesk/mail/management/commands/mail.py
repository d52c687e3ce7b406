"""`sladesk mail ingest | fetch | send`.

`ingest` reads one RFC 5322 message on standard input, for an MTA's pipe transport. Its
exit status tells the MTA what to do (sysexits.h):

- 0  accepted: a ticket, a reply, the quarantine, ignored as automatic mail, or a duplicate
- 65 EX_DATAERR: not an email (no header section) or larger than SLADESK_MAIL_MAX_BYTES;
     the MTA returns it to the sender
- 75 EX_TEMPFAIL: the database is unavailable (or another temporary failure); nothing was
     recorded and the MTA delivers it again later
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

EX_OK = 0
EX_DATAERR = 65
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "The email channel: ingest one message from stdin, fetch IMAP mail, send the outbox."
    # No checks: an MTA pipe must not fail on a setting unrelated to taking mail in.
    requires_system_checks = ()  # type: ignore[assignment]

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        sub.add_parser("ingest", help="read one message on stdin (for an MTA pipe)")
        sub.add_parser("fetch", help="fetch unseen mail from the IMAP mailbox once")
        send = sub.add_parser("send", help="send what is due in the outbox once")
        send.add_argument("--worker-id", default="sladesk-mail-send")

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        if what == "ingest":
            sys.exit(self.ingest())
        if what == "fetch":
            from sladesk.mail import imap

            if not imap.configured():
                self.stderr.write("Set SLADESK_IMAP_HOST and SLADESK_IMAP_USER first.")
                sys.exit(EX_TEMPFAIL)
            result = imap.fetch()
            self.stdout.write(f"fetched {result.seen}: {result.outcomes} {result.stopped}")
            return
        from sladesk.mail.outbox import send_due

        sent = send_due(worker=options["worker_id"])
        self.stdout.write(f"sent {sent.sent}, retrying {sent.retrying}, given up {sent.dead}")

    def ingest(self) -> int:
        from sladesk.mail.ingest import ingest
        from sladesk.mail.parsing import Unparseable

        raw = sys.stdin.buffer.read()
        try:
            outcome = ingest(raw, source="mta")
        except Unparseable as exc:
            self.stderr.write(f"not accepted: {exc}")
            return EX_DATAERR
        except DatabaseError as exc:
            self.stderr.write(f"temporary failure, deliver again later: {exc}")
            return EX_TEMPFAIL
        except Exception as exc:  # anything unforeseen: let the MTA keep and retry it
            self.stderr.write(f"temporary failure: {type(exc).__name__}: {exc}")
            return EX_TEMPFAIL
        self.stdout.write(f"{outcome.outcome} {outcome.reason}".strip())
        return EX_OK

"""The email work `sladesk worker` does on each pass: send the outbox, fetch IMAP mail."""

from __future__ import annotations

import logging
import time

from sladesk.mail import imap
from sladesk.mail.outbox import send_due

logger = logging.getLogger(__name__)
_next_fetch = 0.0


def periodic(*, worker: str, fetch_interval: float | None = None) -> str:
    """One pass; returns a line for the worker's log ("" when there was nothing to do)."""
    global _next_fetch
    from django.conf import settings

    sent = send_due(worker=worker)
    line = ""
    if sent.sent or sent.retrying or sent.dead:
        line = f"mail: sent {sent.sent}, retrying {sent.retrying}, given up {sent.dead}"
    interval = settings.SLADESK_IMAP_INTERVAL if fetch_interval is None else fetch_interval
    if imap.configured() and time.monotonic() >= _next_fetch:
        _next_fetch = time.monotonic() + interval
        try:
            fetched = imap.fetch()
        except Exception:  # the mail server is down: the next pass tries again
            logger.exception("IMAP fetch failed")
        else:
            if fetched.seen or fetched.stopped:
                line += f" fetched {fetched.seen} {fetched.outcomes or ''} {fetched.stopped}"
    return line.strip()

"""The worker's part in the knowledge base (`sladesk worker`, docs/queue.md): closing the
deflection attempts customers abandoned, so the text they typed is not kept for ever.

Once when the worker starts, then every CHECK_SECONDS; while a call closes a full batch,
the next comes at the worker's next pass. Safe with several workers: the action claims the
attempts with SKIP LOCKED.
"""

from __future__ import annotations

import datetime as dt
import time

from sladesk.knowledge.actions import close_abandoned_attempts

CHECK_SECONDS = 3600.0
BATCH = 1000

_next_check = 0.0


def periodic(*, worker: str, at: dt.datetime | None = None) -> str:
    """The worker's call on every pass; returns a line for its log ("" when nothing)."""
    global _next_check
    if time.monotonic() < _next_check:
        return ""
    closed = close_abandoned_attempts(at=at, limit=BATCH)
    _next_check = time.monotonic() + (0.0 if closed >= BATCH else CHECK_SECONDS)
    if not closed:
        return ""
    return f"knowledge: {closed} abandoned deflection attempts closed"

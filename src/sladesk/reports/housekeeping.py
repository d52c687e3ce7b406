"""The worker's part in keeping the reports current (`sladesk worker`, docs/queue.md).

A page brings only the month it shows up to date; the months before it keep the figures
made when they were last viewed. Every SLADESK_REPORTS_REFRESH_INTERVAL seconds the worker
computes the missing or stale report rows, at most ROUND_ROWS of them a round so the loop
is never held long, with the figures of the months they belong to. While rows remain, the
next round comes at the worker's next pass instead of after the interval.

Several workers against one PostgreSQL database: a round runs inside a transaction holding
the advisory lock (LOCK_CLASS, 0), taken with pg_try_advisory_xact_lock, so while one worker
refreshes the others skip their round instead of computing the same rows (month keys are
year * 12 + month, never 0). On SQLite, which runs one writer at a time, a second worker
would at worst compute rows again; the result is the same.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from sladesk.core.clock import instant
from sladesk.reports.facts import refresh_batch
from sladesk.reports.summaries import LOCK_CLASS

ROUND_ROWS = 2000
REFRESH_LOCK_KEY = 0

_next_refresh = 0.0


@dataclass(frozen=True)
class RefreshRound:
    computed: int  # report rows computed
    months: tuple[dt.date, ...]  # months whose figures were rebuilt
    busy: bool  # another worker held the refresh: this round did nothing
    more: bool  # the round was full: stale rows may remain


def refresh_stale(*, at: dt.datetime | None = None, limit: int | None = None) -> RefreshRound:
    """One bounded round: up to `limit` (ROUND_ROWS) stale report rows, oldest tickets
    first, and the figures of their months; nothing when another worker is refreshing
    (`busy`)."""
    at = instant(at)
    limit = ROUND_ROWS if limit is None else limit
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_CLASS, REFRESH_LOCK_KEY]
                )
                (claimed,) = cursor.fetchone()
            if not claimed:
                return RefreshRound(computed=0, months=(), busy=True, more=False)
        computed, _, months = refresh_batch(at=at, limit=limit)
    return RefreshRound(computed=computed, months=tuple(months), busy=False, more=computed >= limit)


def periodic(*, worker: str, interval: float | None = None, at: dt.datetime | None = None) -> str:
    """The worker's call on every pass: a refresh round when one is due; returns a line for
    the worker's log ("" when nothing was done). An interval of 0 turns it off."""
    global _next_refresh
    interval = settings.SLADESK_REPORTS_REFRESH_INTERVAL if interval is None else interval
    if interval <= 0 or time.monotonic() < _next_refresh:
        return ""
    done = refresh_stale(at=at)
    _next_refresh = time.monotonic() + (0.0 if done.more else interval)
    if not done.computed:
        return ""
    months = ", ".join(f"{m:%Y-%m}" for m in done.months)
    return f"reports: {done.computed} rows refreshed, figures rebuilt for {months}"

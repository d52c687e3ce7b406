"""A deliberately simple, slow reference implementation of the DEFAULT SLA policy.

Built only from ``../shared/SLA.md`` and independent of ``sladesk.sla``: it must never
import the engine. It walks time forward in UTC, step by step, asking at each step whether
the helpdesk is open (London local time, Mon-Fri 09:00-17:00, closed on the England & Wales
bank holidays of the ``holidays`` package).

Step size: the open/closed state can only change at a London-local whole hour (09:00, 17:00,
midnight). London's UTC offset is always a whole number of hours (GMT or BST) and the clocks
change at 01:00 UTC, so every such change lands on a whole UTC hour; the state is therefore
constant over ``[HH:00, HH+1:00)`` UTC. ``_step`` walks to the next multiple of ``step``
seconds (default one hour; the tests also run it minute by minute to check the claim) and
asserts the whole-hour offset at every step.

Precision: whole seconds. Inputs with microseconds are rejected.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

import holidays

UTC = dt.UTC
LONDON = ZoneInfo("Europe/London")
OPEN = dt.time(9, 0)
CLOSE = dt.time(17, 0)

_BANK_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG")

# SLA.md "Response targets": in-hours target of each priority, in minutes.
IN_HOURS_MINUTES = {"critical": 15, "major": 60, "normal": 120}
# Out-of-hours target for 24x7 customers, wall clock (only Critical and Major get one).
OUT_OF_HOURS_WALL_CLOCK_MINUTES = {"critical": 30, "major": 60}

PRIORITIES = ("critical", "major", "normal", "minor", "enhancement")
COVERAGES = ("standard", "24x7", None)


@cache
def is_business_day(day: dt.date) -> bool:
    """Monday to Friday and not an England & Wales bank holiday."""
    return day.weekday() < 5 and day not in _BANK_HOLIDAYS


def _utc(t: dt.datetime) -> dt.datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"naive datetime: {t!r}")
    if t.microsecond:
        raise ValueError(f"the oracle works in whole seconds: {t!r}")
    return t.astimezone(UTC)


def in_hours(t: dt.datetime) -> bool:
    """True when ``t`` is inside standard support hours (09:00 inclusive, 17:00 exclusive)."""
    local = _utc(t).astimezone(LONDON)
    return is_business_day(local.date()) and OPEN <= local.time() < CLOSE


def _step_end(t: dt.datetime, step: int) -> dt.datetime:
    """The next multiple of ``step`` seconds (since the epoch) strictly after ``t``."""
    offset = t.astimezone(LONDON).utcoffset()
    assert offset is not None
    assert offset.total_seconds() % 3600 == 0, offset
    epoch_seconds = int(t.timestamp())
    return dt.datetime.fromtimestamp((epoch_seconds // step + 1) * step, UTC)


def add_standard_hours(start: dt.datetime, minutes: int, *, step: int = 3600) -> dt.datetime:
    """The earliest instant at which ``minutes`` of open standard hours have elapsed."""
    assert minutes > 0
    assert 3600 % step == 0
    remaining = minutes * 60  # seconds of open time still to elapse
    t = _utc(start)
    while True:
        nxt = _step_end(t, step)
        length = int((nxt - t).total_seconds())
        if in_hours(t):  # the whole slice [t, nxt) is open
            if remaining <= length:
                return t + dt.timedelta(seconds=remaining)
            remaining -= length
        t = nxt


def close_of_next_business_day(t: dt.datetime) -> dt.datetime:
    """17:00 London on the first business day strictly after the London date of ``t``."""
    day = _utc(t).astimezone(LONDON).date() + dt.timedelta(days=1)
    while not is_business_day(day):
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, CLOSE, tzinfo=LONDON).astimezone(UTC)


def oracle_due(
    priority: str, coverage: str | None, logged_at: dt.datetime, *, step: int = 3600
) -> dt.datetime | None:
    """Response due time (aware, UTC) under the DEFAULT policy of SLA.md, or None."""
    priority = str(priority).lower()
    if priority not in PRIORITIES:
        raise ValueError(f"unknown priority {priority!r}")
    if coverage not in COVERAGES:
        raise ValueError(f"unknown coverage {coverage!r}")
    start = _utc(logged_at)
    if priority == "enhancement" or coverage is None:
        return None
    if priority == "minor":
        return close_of_next_business_day(start)
    if coverage == "24x7" and priority in OUT_OF_HOURS_WALL_CLOCK_MINUTES:
        if in_hours(start):
            minutes = IN_HOURS_MINUTES[priority]
        else:
            minutes = OUT_OF_HOURS_WALL_CLOCK_MINUTES[priority]
        return start + dt.timedelta(minutes=minutes)
    return add_standard_hours(start, IN_HOURS_MINUTES[priority], step=step)

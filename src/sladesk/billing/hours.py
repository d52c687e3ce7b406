"""In or out of standard hours: the SLA engine's calendar, reached through the adapter.

"In hours" means open on the standard calendar (the policy's hours calendar) of the policy
that applies to the ticket. The engine's timeline of open intervals gives the exact
boundaries, so an entry from 16:30 to 18:00 on a weekday splits at 17:00, and time on a
weekend or bank holiday is all out of hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sladesk.contracts.models import SlaPolicy
from sladesk.contracts.sla_adapter import default_policy_row, policy_from_row
from sladesk.sla import Calendar

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_US = dt.timedelta(microseconds=1)


def _to_us(t: dt.datetime) -> int:
    return (t - _EPOCH) // _US


def _from_us(us: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=us)


@dataclass(frozen=True)
class Segment:
    start: dt.datetime
    end: dt.datetime
    in_hours: bool

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())


def standard_calendar(policy_row: SlaPolicy | None) -> Calendar:
    """The hours calendar of the policy (the default policy when there is none)."""
    policy = policy_from_row(policy_row or default_policy_row())
    return policy.calendar(policy.hours_calendar)


def split(calendar: Calendar, start: dt.datetime, end: dt.datetime) -> list[Segment]:
    """Cut [start, end) at every opening and closing of the calendar, in order."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("instants must carry a time zone")
    if end <= start:
        return []
    lo, hi = _to_us(start), _to_us(end)
    segments: list[Segment] = []
    cursor = lo
    for s, e in calendar.timeline_for(lo, hi).segments(lo, hi):
        if s > cursor:
            segments.append(Segment(_from_us(cursor), _from_us(s), in_hours=False))
        segments.append(Segment(_from_us(s), _from_us(e), in_hours=True))
        cursor = e
    if cursor < hi:
        segments.append(Segment(_from_us(cursor), _from_us(hi), in_hours=False))
    return segments


def in_and_out_seconds(segments: list[Segment]) -> tuple[int, int]:
    inside = sum(s.seconds for s in segments if s.in_hours)
    outside = sum(s.seconds for s in segments if not s.in_hours)
    return inside, outside

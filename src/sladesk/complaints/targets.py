"""Complaint targets in business days, computed by the SLA engine's calendars.

The Django side of the complaint targets, like `contracts.sla_adapter` for tickets: rows
become engine `Calendar` values (through `calendar_from_row`, so holidays added as
`CalendarDate` rows count here too) and the engine does the arithmetic.

"Within N business days" = by the close of the Nth business day after the London date on
which the complaint was logged (ADR 0007). The logging day itself never counts, whatever
the hour, so a customer who complains at 09:01 and one who complains at 16:59 get the same
date, and one who complains on Saturday is treated as if they had complained on Friday
evening.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sladesk.complaints.models import ComplaintPolicy
from sladesk.contracts.models import SlaCalendar
from sladesk.contracts.sla_adapter import calendar_from_row
from sladesk.sla import BUILTIN_CALENDARS, Calendar

DEFAULT_COMPLAINT_POLICY_NAME = "default"


@dataclass(frozen=True)
class Targets:
    acknowledge_due: dt.datetime
    decision_due: dt.datetime


def default_complaint_policy() -> ComplaintPolicy:
    """The default complaint policy row, created when missing (a flushed test database)."""
    row = ComplaintPolicy.objects.filter(is_default=True).first()
    if row is None:
        row, _ = ComplaintPolicy.objects.get_or_create(
            name=DEFAULT_COMPLAINT_POLICY_NAME, defaults={"is_default": True}
        )
        if not row.is_default:
            row.is_default = True
            row.save(update_fields=["is_default"])
    return row


def calendar_for(policy: ComplaintPolicy) -> Calendar:
    row = SlaCalendar.objects.filter(name=policy.calendar).first()
    if row is not None:
        return calendar_from_row(row)
    return BUILTIN_CALENDARS[policy.calendar]


def close_of_business_day(calendar: Calendar, start: dt.datetime, n: int) -> dt.datetime:
    """The close of the nth business day after `start`'s local date (n >= 1)."""
    if n < 1:
        raise ValueError("count at least one business day")
    due = start
    for _ in range(n):
        # The close of a business day lies on that day, so the next call counts the next day.
        due = calendar.close_of_next_business_day(due)
    return due


def targets_for(policy: ComplaintPolicy, logged_at: dt.datetime) -> Targets:
    calendar = calendar_for(policy)
    acknowledge = close_of_business_day(calendar, logged_at, policy.acknowledge_business_days)
    decision = close_of_business_day(calendar, logged_at, policy.decision_business_days)
    return Targets(acknowledge_due=acknowledge, decision_due=decision)


def business_days_between(calendar: Calendar, start: dt.datetime, end: dt.datetime) -> int:
    """Whole business days that have closed after `start`'s local date, up to `end`.

    A complaint logged on Thursday is 0 days old until Friday's close, then 1 day old: the
    same count the targets use, so "decision due after 10 business days" and "10 days old"
    agree.
    """
    days = 0
    close = calendar.close_of_next_business_day(start)
    while close <= end:
        days += 1
        close = calendar.close_of_next_business_day(close)
    return days


def explain_targets(policy: ComplaintPolicy, logged_at: dt.datetime) -> str:
    """The targets in plain words, naming every weekday that did not count and why."""
    calendar = calendar_for(policy)
    zone = calendar.zone
    local = logged_at.astimezone(zone)
    targets = targets_for(policy, logged_at)
    lines = [
        f"Logged {local:%A %d %B %Y %H:%M %Z}. Business days are counted on the "
        f"{calendar.name!r} calendar from the day after that date; the logging day never "
        "counts.",
    ]
    day = local.date() + dt.timedelta(days=1)
    last = targets.decision_due.astimezone(zone).date()
    skipped: list[str] = []
    while day <= last:
        hours, reason = calendar.hours_of(day)
        if not hours and (day.weekday() < 5 or (reason and reason != "weekend")):
            skipped.append(f"{day:%a %d %b} ({reason})")
        day += dt.timedelta(days=1)
    if skipped:
        lines.append("Not counted: " + "; ".join(skipped) + ".")
    ack = targets.acknowledge_due.astimezone(zone)
    decision = targets.decision_due.astimezone(zone)
    lines.append(
        f"Acknowledge within {policy.acknowledge_business_days} business "
        f"day{'s' if policy.acknowledge_business_days != 1 else ''}: by "
        f"{ack:%A %d %B %Y %H:%M %Z}."
    )
    lines.append(
        f"Decide within {policy.decision_business_days} business days: by "
        f"{decision:%A %d %B %Y %H:%M %Z}."
    )
    return "\n".join(lines)

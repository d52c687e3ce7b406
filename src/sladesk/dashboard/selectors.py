"""The manager dashboard's figures, for one period (today, this week, this month, UK time).

What is counted: tickets *logged* in the period. A ticket's response is "met" or "breached"
as the core recorded it at the first response; a ticket with no response yet whose due
time has passed counts as breached (it can no longer be met); one still inside its target
is "pending" and is left out of the met percentage. Tickets with no target (no contract,
enhancements) are counted as logged but not in the percentage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet

from sladesk.accounts.roles import Capability
from sladesk.queue.selectors import team_for
from sladesk.tickets.models import Priority, Ticket
from sladesk.tickets.selectors import tickets_visible_to

LONDON = ZoneInfo("Europe/London")
PERIODS = {"today": "Today", "week": "This week", "month": "This month"}


def period_bounds(period: str, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the period containing `now`, on the London calendar (a day that
    has a clock change is 23 or 25 hours long)."""
    today = now.astimezone(LONDON).date()
    if period == "week":
        first = today - dt.timedelta(days=today.weekday())
        last = first + dt.timedelta(days=7)
    elif period == "month":
        first = today.replace(day=1)
        last = (first + dt.timedelta(days=32)).replace(day=1)
    else:
        first, last = today, today + dt.timedelta(days=1)

    def midnight(day: dt.date) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, tzinfo=LONDON).astimezone(dt.UTC)

    return midnight(first), midnight(last)


def _counts(now: dt.datetime) -> dict[str, Any]:
    breached = Q(response_met=False) | Q(
        responded_at__isnull=True, response_due__isnull=False, response_due__lt=now
    )
    return {
        "logged": Count("id"),
        "met": Count("id", filter=Q(response_met=True)),
        "breached": Count("id", filter=breached),
        "pending": Count("id", filter=Q(responded_at__isnull=True, response_due__gte=now)),
    }


@dataclass
class Row:
    label: str
    logged: int
    met: int
    breached: int
    pending: int
    key: str = ""

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def met_percent(self) -> float | None:
        return None if not self.decided else round(100 * self.met / self.decided, 1)


def _row(label: str, values: Any, key: str = "") -> Row:
    return Row(
        label=label,
        logged=values["logged"],
        met=values["met"],
        breached=values["breached"],
        pending=values["pending"],
        key=key,
    )


def dashboard_for(user: Any, *, period: str, now: dt.datetime) -> dict[str, Any] | None:
    """Everything the dashboard shows, or None for a user who may not see it."""
    if not (user.is_authenticated and user.is_active and user.can(Capability.VIEW_TEAM)):
        return None
    period = period if period in PERIODS else "today"
    start, end = period_bounds(period, now)
    tickets: QuerySet[Ticket] = tickets_visible_to(user).filter(
        logged_at__gte=start, logged_at__lt=end
    )
    counts = _counts(now)
    total = _row("All", tickets.aggregate(**counts))
    by_priority_raw = {r["priority"]: r for r in tickets.values("priority").annotate(**counts)}
    by_priority = [
        _row(str(label), by_priority_raw.get(value, dict.fromkeys(counts, 0)), key=value)
        for value, label in Priority.choices
    ]
    per_company: Any = tickets.values("company_id", "company__name").annotate(**counts)
    by_company = [
        _row(r["company__name"], r, key=str(r["company_id"]))
        for r in per_company.order_by("-logged", "company__name")
    ]
    breaches = (
        tickets.filter(
            Q(response_met=False)
            | Q(responded_at__isnull=True, response_due__isnull=False, response_due__lt=now)
        )
        .select_related("company", "assignee")
        .order_by("response_due", "id")[:100]
    )
    return {
        "period": period,
        "period_label": PERIODS[period],
        "start": start,
        "end": end,
        "total": total,
        "by_priority": by_priority,
        "by_company": by_company,
        "breaches": list(breaches),
        "team": team_for(user),
    }

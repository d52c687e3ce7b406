"""The reports' figures, each scoped to what the viewer may see, and the tickets behind them.

Who sees what:

- managers and administrators (`Capability.VIEW_REPORTS`): every report, every company;
- a customer contact (`Capability.VIEW_OWN_COMPLIANCE`): the compliance report of its own
  company only (no breakdown by customer or by agent), drilling down to its own tickets;
- anyone else: nothing (the views answer 403).

How a response is counted, at the instant `now` (the same rules as the dashboard):
**met** and **breached** are what the core recorded at the first response; a ticket with
no response whose due time has passed is **breached** too (it can no longer be met); one
still inside its target is **pending**; a ticket with no target (no valid contract, an
enhancement) is **no target**. Met % is met / (met + breached). Median and p90 are of the
business time to the first response (see `sladesk.reports.facts`) of the responded tickets
that have a target, by linear interpolation between the two nearest values (PostgreSQL's
`percentile_cont`), in minutes to one decimal.

A month's figures (`MonthFigure`, built by `sladesk.reports.summaries`) and its drill-down
lists (`_classify` and `Filters.matches`) read the same report rows, brought up to date
for that month just before, with the same classification; a test checks every figure of
every table against the length of its list.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Count, Q, QuerySet, Sum

from sladesk.accounts.models import User
from sladesk.accounts.roles import Capability
from sladesk.billing.models import Charge
from sladesk.core.errors import ActionValidationError
from sladesk.customers.models import Company
from sladesk.reports.facts import LONDON, month_of, sync_month
from sladesk.reports.models import MonthFigure, ResponseFact
from sladesk.tickets.models import OPEN_STATUSES, Channel, Priority, Ticket
from sladesk.tickets.selectors import tickets_visible_to

OUTCOMES = {"met": "Met", "breached": "Breached", "pending": "Pending", "no_target": "No target"}
TREND_MONTHS = 12
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Open-ticket ageing buckets: (key, label, lower bound, upper bound) of wall-clock age.
AGE_BUCKETS: tuple[tuple[str, str, dt.timedelta, dt.timedelta | None], ...] = (
    ("lt1d", "Under 1 day", dt.timedelta(0), dt.timedelta(days=1)),
    ("1to3d", "1 to 3 days", dt.timedelta(days=1), dt.timedelta(days=3)),
    ("3to7d", "3 to 7 days", dt.timedelta(days=3), dt.timedelta(days=7)),
    ("7to30d", "7 to 30 days", dt.timedelta(days=7), dt.timedelta(days=30)),
    ("30dplus", "30 days or more", dt.timedelta(days=30), None),
)
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


# ----------------------------------------------------------------------------- who sees


@dataclass(frozen=True)
class Viewer:
    """What a viewer may see: every company, or one (`company_id`)."""

    user: Any
    company_id: int | None

    @property
    def is_manager(self) -> bool:
        return self.company_id is None


def viewer_for(user: Any, *, managers_only: bool = False) -> Viewer | None:
    if not (user is not None and user.is_authenticated and user.is_active):
        return None
    if user.can(Capability.VIEW_REPORTS):
        return Viewer(user=user, company_id=None)
    if (
        not managers_only
        and user.can(Capability.VIEW_OWN_COMPLIANCE)
        and user.is_customer
        and user.company_id is not None
    ):
        return Viewer(user=user, company_id=user.company_id)
    return None


# ---------------------------------------------------------------------------- the input


def parse_month(text: str | None, now: dt.datetime) -> dt.date:
    """`YYYY-MM` to the first day of that month; empty means the current London month."""
    if not text:
        return month_of(now)
    match = MONTH_RE.match(text.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ActionValidationError({"month": f"{text!r} is not a month written as YYYY-MM."})
    if not 2000 <= int(match.group(1)) <= 2100:
        raise ActionValidationError({"month": f"{text!r} is not between 2000 and 2100."})
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Filters:
    """A drill-down: which of a month's tickets a figure counts."""

    month: dt.date
    priority: str = ""
    company: int | None = None
    agent: int | None = None  # 0: tickets with no response yet (no agent)
    channel: str = ""
    outcome: str = ""  # one of OUTCOMES, or "timed" (responded, with a target)
    hour: int | None = None  # hour of week, 0 = Monday 00:00 London time

    @classmethod
    def from_query(cls, query: Mapping[str, str], now: dt.datetime) -> Filters:
        """Read a drill-down from the query string, listing every bad parameter at once."""
        errors: dict[str, str] = {}
        month = month_of(now)
        try:
            month = parse_month(query.get("month"), now)
        except ActionValidationError as exc:
            errors.update(exc.errors)
        priority = query.get("priority", "")
        if priority and priority not in Priority.values:
            errors["priority"] = f"{priority!r} is not a priority ({', '.join(Priority.values)})."
        channel = query.get("channel", "")
        if channel and channel not in Channel.values:
            errors["channel"] = f"{channel!r} is not a channel ({', '.join(Channel.values)})."
        outcome = query.get("outcome", "")
        if outcome and outcome not in {*OUTCOMES, "timed"}:
            errors["outcome"] = (
                f"{outcome!r} is not an outcome ({', '.join([*OUTCOMES, 'timed'])})."
            )
        numbers: dict[str, int | None] = {}
        for name, top in (("company", None), ("agent", None), ("hour", 167)):
            raw = query.get(name, "")
            numbers[name] = None
            if raw == "":
                continue
            if not raw.isdigit() or len(raw) > 18 or (top is not None and int(raw) > top):
                limit = f" from 0 to {top}" if top is not None else ""
                errors[name] = f"{raw!r} is not a whole number{limit}."
                continue
            numbers[name] = int(raw)
        if errors:
            raise ActionValidationError(errors)
        return cls(
            month=month,
            priority=priority,
            company=numbers["company"],
            agent=numbers["agent"],
            channel=channel,
            outcome=outcome,
            hour=numbers["hour"],
        )

    def query(self, **changes: Any) -> dict[str, str]:
        """The query string of this drill-down with `changes`, without empty parameters."""
        values = {
            "month": self.month.strftime("%Y-%m"),
            "priority": self.priority,
            "company": self.company,
            "agent": self.agent,
            "channel": self.channel,
            "outcome": self.outcome,
            "hour": self.hour,
            **changes,
        }
        return {k: str(v) for k, v in values.items() if v not in (None, "")}

    def matches(self, row: FactRow, now: dt.datetime) -> bool:
        if self.priority and row.priority != self.priority:
            return False
        if self.company is not None and row.company_id != self.company:
            return False
        if self.agent is not None and (row.agent_id or 0) != self.agent:
            return False
        if self.channel and row.channel != self.channel:
            return False
        if self.hour is not None and row.hour_of_week != self.hour:
            return False
        if self.outcome == "timed":
            return row.business_seconds is not None and row.response_met is not None
        return not self.outcome or _classify(row, now) == self.outcome


# --------------------------------------------------------------------------- the figures


@dataclass(frozen=True)
class FactRow:
    ticket_id: int
    priority: str
    company_id: int
    channel: str
    agent_id: int | None
    response_due: dt.datetime | None
    responded_at: dt.datetime | None
    response_met: bool | None
    business_seconds: int | None
    hour_of_week: int


FACT_COLUMNS = (
    "ticket_id",
    "priority",
    "company_id",
    "channel",
    "agent_id",
    "response_due",
    "responded_at",
    "response_met",
    "business_seconds",
    "hour_of_week",
)


def _classify(row: FactRow, now: dt.datetime) -> str:
    if row.response_met is True:
        return "met"
    if row.response_met is False:
        return "breached"
    if row.response_due is None or row.responded_at is not None:
        return "no_target"
    return "breached" if row.response_due < now else "pending"


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


@dataclass
class Stats:
    """One row of a compliance table."""

    key: str
    label: str
    logged: int = 0
    met: int = 0
    breached: int = 0
    pending: int = 0
    no_target: int = 0
    median_minutes: float | None = None
    p90_minutes: float | None = None
    drill: dict[str, str] = field(default_factory=dict)
    as_of: dt.datetime | None = None

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def met_percent(self) -> float | None:
        return None if not self.decided else round(100 * self.met / self.decided, 1)


def _fact_rows(viewer: Viewer, month: dt.date) -> list[FactRow]:
    facts = ResponseFact.objects.filter(month=month)
    if viewer.company_id is not None:
        facts = facts.filter(company_id=viewer.company_id)
    return [FactRow(*values) for values in facts.order_by().values_list(*FACT_COLUMNS)]


def _synced_rows(viewer: Viewer, month: dt.date, now: dt.datetime) -> list[FactRow]:
    sync_month(month, at=now)
    return _fact_rows(viewer, month)


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months = [first]
    while months[-1] < last:
        months.append(add_months(months[-1], 1))
    return months


Figures = dict[tuple[dt.date, str, str], "Stats"]


def _read_figures(viewer: Viewer, first: dt.date, last: dt.date, now: dt.datetime) -> Figures:
    """The stored figures of the months [first, last] in the viewer's scope (every
    dimension for `last`, the whole month for the others), with the unanswered tickets
    split into breached and pending at `now`."""
    figures = MonthFigure.objects.filter(month__gte=first, month__lte=last).filter(
        Q(dimension="all") | Q(month=last)
    )
    overdue_rows = ResponseFact.objects.filter(
        month__gte=first,
        month__lte=last,
        response_met__isnull=True,
        responded_at__isnull=True,
        response_due__isnull=False,
        response_due__lt=now,
    )
    if viewer.company_id is None:
        figures = figures.filter(scope__isnull=True)
    else:
        figures = figures.filter(scope_id=viewer.company_id)
        overdue_rows = overdue_rows.filter(company_id=viewer.company_id)
    overdue: dict[tuple[dt.date, str, str], int] = {}
    for month, company, priority, channel in overdue_rows.order_by().values_list(
        "month", "company_id", "priority", "channel"
    ):
        keys = [(month, "all", "")]
        if month == last:
            keys += [(month, "priority", priority), (month, "channel", channel)]
            if viewer.company_id is None:
                keys += [(month, "customer", str(company)), (month, "agent", "0")]
        for key in keys:
            overdue[key] = overdue.get(key, 0) + 1
    result: Figures = {}
    for f in figures.order_by():
        key = (f.month, f.dimension, f.key)
        late = overdue.get(key, 0)
        result[key] = Stats(
            key=f.key,
            label=f.key,
            logged=f.logged,
            met=f.met,
            breached=f.breached + late,
            pending=f.unanswered - late,
            no_target=f.no_target,
            median_minutes=_minutes(f.median_seconds),
            p90_minutes=_minutes(f.p90_seconds),
            as_of=f.computed_at,
        )
    return result


def _dimension(
    figures: Figures,
    month: dt.date,
    dimension: str,
    labels: Mapping[str, str],
    base: Filters,
    drill_name: str,
    keep_all: bool = False,
) -> list[Stats]:
    found = {k: s for (m, d, k), s in figures.items() if m == month and d == dimension}
    if keep_all:
        found = {k: found.get(k) or Stats(key=k, label=k) for k in labels}
    rows = list(found.values())
    for s in rows:
        s.label = labels.get(s.key, s.key)
        s.drill = base.query(**{drill_name: s.key})
    return rows


def compliance_report(user: Any, *, month: dt.date, now: dt.datetime) -> dict[str, Any] | None:
    """The monthly SLA compliance report, or None for a viewer who may not see it.

    The chosen month is brought up to date first (its changed tickets recomputed), so its
    figures are exact at `now`. The eleven months before it are read from their stored
    figures, made when one of their tickets last changed and was noticed (a view of that
    month, `sladesk reports refresh`); each shows when (`as_of`)."""
    viewer = viewer_for(user)
    if viewer is None:
        return None
    first = add_months(month, -(TREND_MONTHS - 1))
    sync_month(month, at=now)
    done = set(
        MonthFigure.objects.filter(
            month__gte=first, month__lt=month, scope__isnull=True, dimension="all", key=""
        ).values_list("month", flat=True)
    )
    for earlier in _months(first, add_months(month, -1)):
        if earlier not in done:  # never summarised (a new installation): once
            sync_month(earlier, at=now)
    figures = _read_figures(viewer, first, month, now)
    base = Filters(month=month)
    total = figures.get((month, "all", "")) or Stats(key="", label="All")
    total.label = "All"
    total.drill = base.query()
    by_priority = _dimension(
        figures, month, "priority", dict(Priority.choices), base, "priority", keep_all=True
    )
    by_channel = _dimension(
        figures, month, "channel", dict(Channel.choices), base, "channel", keep_all=True
    )
    by_customer: list[Stats] = []
    by_agent: list[Stats] = []
    if viewer.is_manager:
        company_ids = [k for (m, d, k) in figures if m == month and d == "customer"]
        names = {
            str(pk): name
            for pk, name in Company.objects.filter(pk__in=company_ids).values_list("pk", "name")
        }
        by_customer = sorted(
            _dimension(figures, month, "customer", names, base, "company"),
            key=lambda s: (-s.logged, s.label),
        )
        agent_ids = [k for (m, d, k) in figures if m == month and d == "agent" and k != "0"]
        agents = {
            str(u.pk): u.get_full_name() or u.email for u in User.objects.filter(pk__in=agent_ids)
        }
        agents["0"] = "No response yet"
        by_agent = sorted(
            _dimension(figures, month, "agent", agents, base, "agent"),
            key=lambda s: (s.key == "0", -s.logged, s.label),
        )
    by_month = []
    for m in _months(first, month):
        stats = figures.get((m, "all", "")) or Stats(key="", label="")
        stats.key = m.strftime("%Y-%m")
        stats.label = m.strftime("%b %Y")
        stats.drill = Filters(month=m).query()
        by_month.append(stats)
    return {
        "month": month,
        "previous": add_months(month, -1),
        "next": add_months(month, 1),
        "total": total,
        "by_priority": by_priority,
        "by_channel": by_channel,
        "by_customer": by_customer,
        "by_agent": by_agent,
        "by_month": by_month,
        "is_manager": viewer.is_manager,
        "company": None if viewer.is_manager else viewer.user.company,
    }


def volumes_report(user: Any, *, month: dt.date, now: dt.datetime) -> dict[str, Any] | None:
    """Tickets logged in the month by hour of the week (London time)."""
    viewer = viewer_for(user, managers_only=True)
    if viewer is None:
        return None
    rows = _synced_rows(viewer, month, now)
    grid = [[0] * 24 for _ in range(7)]
    for row in rows:
        grid[row.hour_of_week // 24][row.hour_of_week % 24] += 1
    base = Filters(month=month)
    cells = [
        [
            {"count": grid[d][h], "hour": d * 24 + h, "drill": base.query(hour=d * 24 + h)}
            for h in range(24)
        ]
        for d in range(7)
    ]
    return {
        "month": month,
        "previous": add_months(month, -1),
        "next": add_months(month, 1),
        "days": list(zip(DAYS, cells, strict=True)),
        "total": len(rows),
        "busiest": max((max(r) for r in grid), default=0),
        "drill": base.query(),
    }


# ------------------------------------------------------------------------------- ageing


def _age_filter(key: str, now: dt.datetime) -> Q:
    for bucket, _, low, high in AGE_BUCKETS:
        if bucket == key:
            q = Q(logged_at__lte=now - low)
            if high is not None:
                q &= Q(logged_at__gt=now - high)
            return q
    raise ActionValidationError(
        {"age": f"{key!r} is not an age ({', '.join(b[0] for b in AGE_BUCKETS)})."}
    )


def open_tickets(user: Any) -> QuerySet[Ticket]:
    return tickets_visible_to(user).filter(status__in=OPEN_STATUSES)


def ageing_report(user: Any, *, now: dt.datetime) -> dict[str, Any] | None:
    """Open tickets by wall-clock age since logging, per priority, at `now`."""
    if viewer_for(user, managers_only=True) is None:
        return None
    counts = {key: Count("pk", filter=_age_filter(key, now)) for key, _, _, _ in AGE_BUCKETS}
    raw = {
        r["priority"]: r
        for r in open_tickets(user).order_by().values("priority").annotate(**counts)
    }
    rows: list[dict[str, Any]] = []
    for value, label in Priority.choices:
        found = cast(dict[str, Any], raw.get(value, {}))
        cells: list[dict[str, Any]] = [
            {"count": found.get(key, 0), "drill": {"age": key, "priority": value}}
            for key, _, _, _ in AGE_BUCKETS
        ]
        rows.append(
            {
                "key": value,
                "label": label,
                "cells": cells,
                "total": sum(c["count"] for c in cells),
                "drill": {"priority": value},
            }
        )
    totals = [
        {"count": sum(r["cells"][i]["count"] for r in rows), "drill": {"age": bucket[0]}}
        for i, bucket in enumerate(AGE_BUCKETS)
    ]
    return {
        "buckets": AGE_BUCKETS,
        "rows": rows,
        "totals": totals,
        "total": sum(t["count"] for t in totals),
    }


def ageing_tickets(user: Any, query: Mapping[str, str], now: dt.datetime) -> QuerySet[Ticket]:
    """The open tickets behind an ageing figure."""
    errors: dict[str, str] = {}
    tickets = open_tickets(user)
    age = query.get("age", "")
    if age:
        try:
            tickets = tickets.filter(_age_filter(age, now))
        except ActionValidationError as exc:
            errors.update(exc.errors)
    priority = query.get("priority", "")
    if priority:
        if priority in Priority.values:
            tickets = tickets.filter(priority=priority)
        else:
            errors["priority"] = f"{priority!r} is not a priority ({', '.join(Priority.values)})."
    if errors:
        raise ActionValidationError(errors)
    return tickets.order_by("logged_at", "id")


# ----------------------------------------------------------------------- chargeable hours


def _chargeable_lines(month: dt.date) -> QuerySet[Charge]:
    """Work lines on the month's statements that still count (not waived after a dispute)."""
    return Charge.objects.filter(kind=Charge.Kind.WORK, statement__month=month).exclude(
        decision=Charge.Decision.WAIVED
    )


def chargeable_report(user: Any, *, month: dt.date) -> dict[str, Any] | None:
    """Hours billed on each customer's statement for the month (draft or issued)."""
    if viewer_for(user, managers_only=True) is None:
        return None
    raw = (
        _chargeable_lines(month)
        .order_by()
        .values("company_id", "company__name")
        .annotate(
            tickets=Count("ticket_id", distinct=True),
            in_seconds=Sum("billed_in_seconds"),
            out_seconds=Sum("billed_out_seconds"),
            held_in=Sum("billed_in_seconds", filter=Q(held=True)),
            held_out=Sum("billed_out_seconds", filter=Q(held=True)),
        )
    )

    def hours(seconds: int | None) -> str:
        return f"{(seconds or 0) / 3600:.2f}"

    rows = [
        {
            "key": r["company_id"],
            "label": r["company__name"],
            "tickets": r["tickets"],
            "in_hours": hours(r["in_seconds"]),
            "out_hours": hours(r["out_seconds"]),
            "total_hours": hours((r["in_seconds"] or 0) + (r["out_seconds"] or 0)),
            "held_hours": hours((r["held_in"] or 0) + (r["held_out"] or 0)),
            "seconds": (r["in_seconds"] or 0) + (r["out_seconds"] or 0),
            "drill": {"month": month.strftime("%Y-%m"), "company": str(r["company_id"])},
        }
        for r in raw
    ]
    rows.sort(key=lambda r: (-r["seconds"], r["label"]))
    return {
        "month": month,
        "previous": add_months(month, -1),
        "next": add_months(month, 1),
        "rows": rows,
    }


def chargeable_tickets(user: Any, query: Mapping[str, str], now: dt.datetime) -> QuerySet[Ticket]:
    """The tickets whose counted work lines make a chargeable-hours figure."""
    errors: dict[str, str] = {}
    month = month_of(now)
    try:
        month = parse_month(query.get("month"), now)
    except ActionValidationError as exc:
        errors.update(exc.errors)
    company = query.get("company", "")
    if company and (not company.isdigit() or len(company) > 18):
        errors["company"] = f"{company!r} is not a whole number."
    if errors:
        raise ActionValidationError(errors)
    lines = _chargeable_lines(month)
    if company:
        lines = lines.filter(company_id=int(company))
    return (
        tickets_visible_to(user)
        .filter(pk__in=lines.values("ticket_id"))
        .order_by("logged_at", "id")
    )


# ----------------------------------------------------------------------- the drill-down


def drill_tickets(
    user: Any, filters: Filters, now: dt.datetime
) -> tuple[list[int], dict[int, FactRow]] | None:
    """The ids (oldest first) and report rows of exactly the tickets a compliance or
    volume figure counts; None for a viewer who may not see reports."""
    viewer = viewer_for(user)
    if viewer is None:
        return None
    if viewer.company_id is not None and filters.hour is not None:
        return None  # volumes are for managers
    rows = _synced_rows(viewer, filters.month, now)
    chosen = {r.ticket_id: r for r in rows if filters.matches(r, now)}
    return sorted(chosen), chosen


def tickets_by_ids(user: Any, ids: list[int]) -> list[Ticket]:
    """These tickets as the user may see them, in the order of `ids`."""
    found = {
        t.pk: t
        for t in tickets_visible_to(user)
        .select_related("first_response_by", "assignee")
        .filter(pk__in=ids)
    }
    return [found[i] for i in ids if i in found]


def london_label(at: dt.datetime | None) -> str:
    return "" if at is None else at.astimezone(LONDON).strftime("%Y-%m-%d %H:%M %Z")


def ranked(rows: list[Stats]) -> list[Stats]:
    """Most breaches first, then most tickets, then by name: the order of the customer and
    agent breakdowns, both the page's top rows and the full table's pages."""
    return sorted(rows, key=lambda s: (-s.breached, -s.logged, s.label, s.key))

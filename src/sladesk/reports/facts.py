"""Derive each ticket's report row (`ResponseFact`) and keep the rows in step with tickets.

Business time to the first response is counted on the calendar the ticket's response clock
runs on, as the engine's policy resolves it (`Policy.plan`): for a ticket logged in hours
the in-hours target's calendar, else the out-of-hours one. So a standard-cover ticket
counts only Standard Support Hours (weekends and bank holidays do not count), and a Critical
or Major ticket with 24x7 cover counts the 24x7 calendar (every minute). A wall-clock
target counts elapsed time. A ticket without a target (no contract, an enhancement) counts
the policy's hours calendar. The arithmetic is NumPy over the engine's calendar timelines,
one array operation per group of tickets sharing a policy, priority and coverage.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet

from sladesk.contracts.models import SlaPolicy
from sladesk.contracts.sla_adapter import default_policy_row, policy_from_row
from sladesk.reports.models import ResponseFact
from sladesk.sla import Calendar, Coverage, Policy, Priority, SLAInputError, TargetKind
from sladesk.tickets.models import Ticket

LONDON = ZoneInfo("Europe/London")
WALL_CLOCK = "wall clock"
BATCH = 5000

# The ticket columns a report row is derived from, in this order.
SOURCE_FIELDS = (
    "id",
    "logged_at",
    "updated_at",
    "company_id",
    "priority",
    "channel",
    "first_response_by_id",
    "response_due",
    "responded_at",
    "response_met",
    "coverage",
    "policy_id",
)
FACT_FIELDS = (
    "month",
    "logged_at",
    "hour_of_week",
    "company_id",
    "priority",
    "channel",
    "agent_id",
    "response_due",
    "responded_at",
    "response_met",
    "business_seconds",
    "calendar",
    "source_updated_at",
    "computed_at",
)


def month_of(at: dt.datetime) -> dt.date:
    local = at.astimezone(LONDON)
    return dt.date(local.year, local.month, 1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a London calendar month, in UTC."""
    first = dt.date(month.year, month.month, 1)
    after = (first + dt.timedelta(days=32)).replace(day=1)

    def midnight(day: dt.date) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, tzinfo=LONDON).astimezone(dt.UTC)

    return midnight(first), midnight(after)


def _us(at: dt.datetime) -> int:
    delta = at - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass(frozen=True)
class _Clock:
    """How one group of tickets counts business time: a calendar, or wall clock (None)."""

    inside: Calendar | None
    outside: Calendar | None
    hours: Calendar


def _clock_for(policy: Policy, priority: str, coverage: str) -> _Clock:
    hours = policy.hours
    try:
        inside, outside = policy.plan[(Priority.parse(priority), Coverage.parse(coverage))]
    except SLAInputError:  # no contract (empty coverage) or an unknown value: no target
        return _Clock(inside=hours, outside=hours, hours=hours)

    def calendar(resolved: Any) -> Calendar | None:
        if resolved.kind is TargetKind.WALL_CLOCK_MINUTES:
            return None
        if resolved.kind in (TargetKind.BUSINESS_MINUTES, TargetKind.NEXT_BUSINESS_DAY_CLOSE):
            return resolved.calendar or hours
        return hours

    return _Clock(inside=calendar(inside), outside=calendar(outside), hours=hours)


def _open_time(calendar: Calendar | None, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    if calendar is None:
        return end - start
    timeline = calendar.timeline_for(int(start.min()), int(max(end.max(), start.max())))
    result: np.ndarray = timeline.business_us_many(end) - timeline.business_us_many(start)
    return result


def business_seconds(
    rows: Sequence[tuple[Any, ...]], policies: dict[int, Policy]
) -> dict[int, tuple[int, str]]:
    """{ticket id: (business seconds to the first response, calendar name)} for the rows
    (SOURCE_FIELDS tuples) that have a response. `policies` maps policy ids to engine
    policies; a ticket without a policy uses the key 0 (the default policy)."""
    groups: dict[tuple[int, str, str], list[tuple[int, int, int]]] = defaultdict(list)
    for row in rows:
        responded = row[8]
        if responded is None:
            continue
        groups[(row[11] or 0, row[4], row[10] or "")].append((row[0], _us(row[1]), _us(responded)))
    out: dict[int, tuple[int, str]] = {}
    for (policy_id, priority, coverage), members in groups.items():
        clock = _clock_for(policies[policy_id], priority, coverage)
        ids = [m[0] for m in members]
        start = np.fromiter((m[1] for m in members), dtype=np.int64, count=len(members))
        end = np.fromiter((m[2] for m in members), dtype=np.int64, count=len(members))
        # A response recorded before logging (imported data) counts as immediate.
        end = np.maximum(end, start)
        if clock.inside is clock.outside:
            in_hours = np.ones(len(members), dtype=bool)
        else:
            tl = clock.hours.timeline_for(int(start.min()), int(start.max()))
            in_hours = tl.is_open_many(start)
        result = np.empty(len(members), dtype=np.int64)
        names = np.empty(len(members), dtype=object)
        for mask, calendar in ((in_hours, clock.inside), (~in_hours, clock.outside)):
            if not mask.any():
                continue
            result[mask] = _open_time(calendar, start[mask], end[mask]) // 1_000_000
            names[mask] = WALL_CLOCK if calendar is None else calendar.name
        for i, ticket_id in enumerate(ids):
            out[ticket_id] = (int(result[i]), str(names[i]))
    return out


def _policies_for(rows: Iterable[tuple[Any, ...]]) -> dict[int, Policy]:
    ids = {row[11] for row in rows if row[11]}
    policies = {row.pk: policy_from_row(row) for row in SlaPolicy.objects.filter(pk__in=ids)}
    policies[0] = policy_from_row(default_policy_row())
    return policies


def facts_from_rows(rows: Sequence[tuple[Any, ...]], *, at: dt.datetime) -> list[tuple[Any, ...]]:
    """Report rows for these tickets (tuples of SOURCE_FIELDS), as tuples of
    ("ticket_id", *FACT_FIELDS)."""
    if not rows:
        return []
    timing = business_seconds(rows, _policies_for(rows))
    facts = []
    for row in rows:
        local = row[1].astimezone(LONDON)
        seconds, calendar = timing.get(row[0], (None, ""))
        facts.append(
            (
                row[0],
                dt.date(local.year, local.month, 1),
                row[1],
                local.weekday() * 24 + local.hour,
                row[3],
                row[4],
                row[5],
                row[6],
                row[7],
                row[8],
                row[9],
                seconds,
                calendar,
                row[2],
                at,
            )
        )
    return facts


def _store(facts: list[tuple[Any, ...]]) -> None:
    facts.sort(key=lambda f: f[0])  # one lock order for concurrent refreshes
    if connection.vendor == "postgresql":
        _store_by_copy(facts)
        return
    names = ("ticket_id", *FACT_FIELDS)
    ResponseFact.objects.bulk_create(
        [ResponseFact(**dict(zip(names, f, strict=True))) for f in facts],
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["ticket"],
        update_fields=list(FACT_FIELDS),
    )


def _store_by_copy(facts: list[tuple[Any, ...]]) -> None:
    """PostgreSQL: COPY into a temporary table, then one upsert (far faster than INSERT
    statements with a parameter per value when a whole history is built)."""
    table = ResponseFact._meta.db_table
    # Every FACT_FIELDS name is also its column name (foreign keys are listed as `*_id`).
    columns = ["ticket_id", *FACT_FIELDS]
    listed = ", ".join(columns)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns[1:])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE reports_fact_load (LIKE {table}) ON COMMIT DROP")
        with cursor.cursor.copy(f"COPY reports_fact_load ({listed}) FROM STDIN") as copy:
            for fact in facts:
                copy.write_row(fact)
        cursor.execute(
            f"INSERT INTO {table} ({listed}) SELECT {listed} FROM reports_fact_load "
            f"ORDER BY ticket_id ON CONFLICT (ticket_id) DO UPDATE SET {updates}"
        )
        # Inside an outer transaction (a request, a test) ON COMMIT comes too late.
        cursor.execute("DROP TABLE reports_fact_load")


def stale(tickets: QuerySet[Ticket], month: dt.date | None = None) -> QuerySet[Ticket]:
    """Those of `tickets` whose report row is missing or was computed from an older state.

    With `month` (the tickets are all logged in it), only that month's rows are compared,
    through their month index, instead of every row."""
    current = ResponseFact.objects.filter(
        ticket_id=OuterRef("pk"), source_updated_at=OuterRef("updated_at")
    )
    if month is not None:
        current = current.filter(month=month)
    return tickets.filter(~Exists(current))


def sync_month(month: dt.date, *, at: dt.datetime) -> int:
    """Bring the report rows of the tickets logged in `month` (London) up to date, and the
    month's figures with them when anything changed; return how many rows were computed.
    Costs two queries when nothing changed."""
    from sladesk.reports.summaries import rebuild_month, summarised

    start, end = month_bounds(month)
    rows = list(
        stale(Ticket.objects.filter(logged_at__gte=start, logged_at__lt=end), month)
        .order_by()
        .values_list(*SOURCE_FIELDS)
    )
    if rows or not summarised(month):
        # Rows and figures together: stored rows with stale figures would never be
        # noticed again (the rows are no longer stale).
        with transaction.atomic():
            if rows:
                _store(facts_from_rows(rows, at=at))
            rebuild_month(month, at=at)
    return len(rows)


def refresh_batch(
    *, at: dt.datetime, after: int = 0, limit: int = BATCH * 4
) -> tuple[int, int, list[dt.date]]:
    """Compute up to `limit` stale report rows, of the tickets with an id above `after` in
    id order, and rebuild the figures of the months they touched, in one transaction;
    return (rows computed, the last ticket id done, the months rebuilt)."""
    from sladesk.reports.summaries import rebuild_month

    base = stale(Ticket.objects.filter(pk__gt=after)).order_by("pk")
    rows = list(base.values_list(*SOURCE_FIELDS)[:limit])
    if not rows:
        return 0, after, []
    facts = facts_from_rows(rows, at=at)
    months = sorted({f[1] for f in facts})
    # Rows with the figures of their months, so an interrupted refresh leaves no stored
    # rows whose month's figures were not rebuilt.
    with transaction.atomic():
        _store(facts)
        for month in months:
            rebuild_month(month, at=at)
    return len(rows), rows[-1][0], months


def refresh_all(*, at: dt.datetime, progress: Any = None) -> int:
    """(Re)compute every stale report row, in batches by ticket id, with the figures of
    the months each batch touched; return how many rows were computed."""
    done = 0
    last = 0
    while True:
        # Ticket ids follow logging order, so a month is rebuilt about once, twice when it
        # spans two batches.
        count, last, _ = refresh_batch(at=at, after=last)
        if not count:
            return done
        done += count
        if progress is not None:
            progress(count)

"""Each month's compliance figures, made from the month's report rows and stored
(`MonthFigure`), so a report reads a few hundred rows instead of a month of tickets.

A month's figures are rebuilt whenever one of its report rows changes (`facts.sync_month`,
`facts.refresh_all`). Only the split of unanswered tickets into breached and pending
depends on the moment of reading; `read` counts those few rows live.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q

from sladesk.reports.models import MonthFigure, ResponseFact

MANAGER_DIMENSIONS = ("all", "priority", "customer", "agent", "channel")
COMPANY_DIMENSIONS = ("all", "priority", "channel")
LOCK_CLASS = 11_0001  # pg_advisory_xact_lock's first key: the reports' month rebuilds


def percentile(sorted_values: list[int], share: float) -> float | None:
    """Linear interpolation between the nearest ranks (as PostgreSQL's percentile_cont)."""
    if not sorted_values:
        return None
    position = share * (len(sorted_values) - 1)
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    fraction = position - low
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * fraction


def summarised(month: dt.date) -> bool:
    return MonthFigure.objects.filter(
        month=month, scope__isnull=True, dimension="all", key=""
    ).exists()


def _keys(company: int, priority: str, channel: str, agent: int) -> Iterable[Any]:
    yield (None, "all", "")
    yield (None, "priority", priority)
    yield (None, "customer", str(company))
    yield (None, "agent", str(agent))
    yield (None, "channel", channel)
    yield (company, "all", "")
    yield (company, "priority", priority)
    yield (company, "channel", channel)


def rebuild_month(month: dt.date, *, at: dt.datetime) -> int:
    """Recompute and store the month's figures from its report rows; return how many."""
    groups: dict[Any, list[Any]] = {(None, "all", ""): [0, 0, 0, 0, 0, []]}
    # Whether there is a response and a due time, as booleans: converting the instants
    # themselves would cost more than the rest of the loop.
    rows = (
        ResponseFact.objects.filter(month=month)
        .order_by()
        .annotate(
            answered=ExpressionWrapper(Q(responded_at__isnull=False), BooleanField()),
            has_due=ExpressionWrapper(Q(response_due__isnull=False), BooleanField()),
        )
        .values_list(
            "company_id",
            "priority",
            "channel",
            "agent_id",
            "response_met",
            "answered",
            "has_due",
            "business_seconds",
        )
    )
    for company, priority, channel, agent, met, answered, has_due, seconds in rows:
        # [logged, met, breached, no target, unanswered, business seconds of the timed]
        if met is True:
            column = 1
        elif met is False:
            column = 2
        elif not has_due or answered:
            column = 3
        else:
            column = 4
        for key in _keys(company, priority, channel, agent or 0):
            group = groups.get(key)
            if group is None:
                group = groups[key] = [0, 0, 0, 0, 0, []]
            group[0] += 1
            group[column] += 1
            if column in (1, 2) and seconds is not None:
                group[5].append(seconds)
    figures = []
    for (scope, dimension, key), (
        logged,
        met,
        breached,
        none,
        unanswered,
        seconds,
    ) in groups.items():
        seconds.sort()
        figures.append(
            (
                month,
                scope,
                dimension,
                key,
                logged,
                met,
                breached,
                none,
                unanswered,
                percentile(seconds, 0.5),
                percentile(seconds, 0.9),
                at,
            )
        )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Two views rebuilding the same month take turns, so neither keeps the other's
            # rows beside its own.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)",
                    [LOCK_CLASS, month.year * 12 + month.month],
                )
        MonthFigure.objects.filter(month=month).delete()
        _insert(figures)
    return len(figures)


FIGURE_COLUMNS = (
    "month",
    "scope_id",
    "dimension",
    "key",
    "logged",
    "met",
    "breached",
    "no_target",
    "unanswered",
    "median_seconds",
    "p90_seconds",
    "computed_at",
)


def _insert(figures: list[tuple[Any, ...]]) -> None:
    """Store the month's figures: with a directory of thousands of companies a month has
    tens of thousands of them (each company by priority and channel), which INSERT
    statements with a parameter per value took over a second to write on PostgreSQL; COPY
    writes them in one statement."""
    if connection.vendor == "postgresql":
        table = MonthFigure._meta.db_table
        listed = ", ".join(f'"{c}"' for c in FIGURE_COLUMNS)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({listed}) FROM STDIN") as copy,
        ):
            for figure in figures:
                copy.write_row(figure)
        return
    MonthFigure.objects.bulk_create(
        [MonthFigure(**dict(zip(FIGURE_COLUMNS, f, strict=True))) for f in figures],
        batch_size=1000,
    )

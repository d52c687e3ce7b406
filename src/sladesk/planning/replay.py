"""The Django side of a what-if replay: read tickets into arrays, build both sets of rules.

On PostgreSQL the tickets come through one binary COPY whose fixed-size rows NumPy reads in
place; on SQLite through one query per month, instants parsed by NumPy. Priority and
coverage become the engine's codes in the database. On PostgreSQL a million rows never
become a million Python objects; on both, the progress bar moves as rows arrive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
from django.db import connections

from sladesk.contracts.models import SlaCalendar, SlaPolicy
from sladesk.contracts.sla_adapter import policy_from_row
from sladesk.customers.models import Company
from sladesk.planning.models import PolicyDraft
from sladesk.planning.whatif import (
    COVERAGE_CODES,
    NO_POLICY,
    PRIORITY_CODES,
    ReplayResult,
    TicketArrays,
    replay_arrays,
    with_closures,
)
from sladesk.sla import Policy
from sladesk.sla.batch import NAT
from sladesk.tickets.models import Ticket

Progress = Callable[[int], None]


def _case(column: str, codes: dict[str, int], default: int) -> str:
    whens = " ".join(f"WHEN '{value}' THEN {code}" for value, code in codes.items())
    return f"CASE {column} {whens} ELSE {default} END"


def month_slices(since: dt.datetime, until: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """[since, until) cut into slices of at most 31 days (one query each)."""
    out = []
    start = since
    while start < until:
        end = min(start + dt.timedelta(days=31), until)
        out.append((start, end))
        start = end
    return out


def count_tickets(*, since: dt.datetime, until: dt.datetime, using: str = "default") -> int:
    return Ticket.objects.using(using).filter(logged_at__gte=since, logged_at__lt=until).count()


def load_tickets(
    *,
    since: dt.datetime,
    until: dt.datetime,
    using: str = "default",
    progress: Progress | None = None,
) -> TicketArrays:
    """Every ticket logged in [since, until), as arrays."""
    connection = connections[using]
    table = connection.ops.quote_name(Ticket._meta.db_table)
    codes = (
        f"COALESCE(policy_id, {NO_POLICY}), "
        f"{_case('priority', PRIORITY_CODES, 0)}, "
        f"{_case('coverage', COVERAGE_CODES, -1)}, company_id"
    )
    if connection.vendor == "postgresql":
        return _load_postgres(connection, table, since, until, progress)
    sql = (
        f"SELECT {codes}, logged_at, responded_at FROM {table} "
        "WHERE logged_at >= %s AND logged_at < %s"
    )
    parts = []
    with connection.cursor() as cursor:
        for start, end in month_slices(since, until):
            cursor.execute(sql, [start, end])
            rows = cursor.fetchall()
            if not rows:
                continue
            parts.append(_sqlite_rows(rows))
            if progress is not None:
                progress(len(rows))
    if not parts:
        return TicketArrays.from_rows(np.empty((0, 6), dtype=np.int64))
    return TicketArrays.from_rows(np.concatenate(parts))


# PostgreSQL's binary COPY row with six non-null bigint fields: a field count, then each
# field's length and value, all big-endian. NumPy reads a whole month of rows in one view.
_COPY_ROW = np.dtype(
    [("fields", ">i2")] + [item for i in range(6) for item in ((f"n{i}", ">i4"), (f"v{i}", ">i8"))]
)
_COPY_HEADER = 19  # signature (11 bytes), flags (4), header extension length (4)
_PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01T00:00:00Z in microseconds since 1970


def _load_postgres(
    connection: Any,
    table: str,
    since: dt.datetime,
    until: dt.datetime,
    progress: Progress | None,
) -> TicketArrays:
    """The same rows through one binary COPY: a million rows never become Python tuples,
    and the table is scanned once (slices by month would each scan it again). Progress is
    reported as the rows stream in."""
    # The bounds are datetimes formatted here (never user text): COPY takes no parameters.
    query = (
        f"COPY (SELECT COALESCE(policy_id, {NO_POLICY})::bigint, "
        f"({_case('priority', PRIORITY_CODES, 0)})::bigint, "
        f"({_case('coverage', COVERAGE_CODES, -1)})::bigint, company_id::bigint, "
        # Binary COPY sends a timestamptz as microseconds since 2000-01-01 (no EXTRACT
        # per row); -infinity is the smallest int64, our NaT.
        "logged_at, COALESCE(responded_at, '-infinity'::timestamptz) "
        f"FROM {table} WHERE logged_at >= '{since.isoformat()}'::timestamptz "
        f"AND logged_at < '{until.isoformat()}'::timestamptz) TO STDOUT (FORMAT BINARY)"
    )
    buffer = bytearray()
    reported = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor: COPY is not part of the DB-API
        with raw.copy(query) as copy:
            for block in copy:
                buffer += block
                if progress is not None:
                    arrived = max(0, len(buffer) - _COPY_HEADER) // _COPY_ROW.itemsize
                    if arrived - reported >= 50_000:
                        progress(arrived - reported)
                        reported = arrived
    if len(buffer) <= _COPY_HEADER + 2:
        return TicketArrays.from_rows(np.empty((0, 6), dtype=np.int64))
    body = memoryview(buffer)[_COPY_HEADER : len(buffer) - 2]  # minus the -1 trailer
    rows = np.frombuffer(body, dtype=_COPY_ROW)
    out = np.empty((len(rows), 6), dtype=np.int64)
    for i in range(6):
        out[:, i] = rows[f"v{i}"]
    for i in (4, 5):
        column = out[:, i]
        column[column != NAT] += _PG_EPOCH_US
    if progress is not None and len(rows) > reported:
        progress(len(rows) - reported)
    return TicketArrays.from_rows(out)


def _sqlite_rows(rows: list[tuple[Any, ...]]) -> np.ndarray[Any, np.dtype[np.int64]]:
    # SQLite keeps instants as naive UTC text ("2026-03-09 09:05:00.123456").
    columns = list(zip(*rows, strict=True))
    out = np.empty((len(rows), 6), dtype=np.int64)
    for index in range(4):
        out[:, index] = np.asarray(columns[index], dtype=np.int64)
    for index in (4, 5):
        text = [None if v is None else str(v)[:26] for v in columns[index]]
        out[:, index] = np.array(text, dtype="datetime64[us]").view(np.int64)
    return out


def rules_for(draft: PolicyDraft) -> tuple[dict[int, Policy], dict[int, Policy]]:
    """(current, candidate) engine policies for every policy row.

    The draft's own policy row gets the draft's rules; every policy gets the draft's extra
    closure days, because calendars are shared: a closure added to the `standard` calendar
    moves the due times of every policy that counts on it.
    """
    candidate_data = dict(draft.data)
    hours_name = str(candidate_data.get("hours_calendar") or "standard")
    current: dict[int, Policy] = {}
    candidate: dict[int, Policy] = {}
    for row in SlaPolicy.objects.order_by("pk"):
        now_policy = policy_from_row(row)
        current[row.pk] = now_policy
        calendars = with_closures(now_policy.calendars, hours_name, draft.closed_dates or {})
        if row.pk == draft.policy_id:
            data = {**candidate_data, "name": row.name}
            data.pop("calendars", None)
            candidate[row.pk] = Policy.from_dict(data, calendars=calendars)
        elif draft.closed_dates:
            data = {**(row.data or {}), "name": row.name}
            data.pop("calendars", None)
            candidate[row.pk] = Policy.from_dict(data, calendars=calendars)
        else:
            candidate[row.pk] = now_policy
    return current, candidate


def candidate_policy(data: dict[str, Any], closed_dates: dict[str, str]) -> Policy:
    """The candidate as the engine sees it (validates a draft before it is stored)."""
    calendars = _current_calendars()
    hours_name = str(data.get("hours_calendar") or "standard")
    calendars = with_closures(calendars, hours_name, closed_dates)
    clean = dict(data)
    clean.pop("calendars", None)
    return Policy.from_dict(clean, calendars=calendars)


def _current_calendars() -> list[Any]:
    default = SlaPolicy.objects.filter(is_default=True).first() or SlaPolicy.objects.first()
    if default is None:
        from sladesk.sla import BUILTIN_CALENDARS

        return list(BUILTIN_CALENDARS.values())
    return list(policy_from_row(default).calendars)


def rules_fingerprint() -> str:
    """A digest of every policy, calendar and calendar-date row: what a replay depended on.

    (Content, not `updated_at`: the rows' timestamps are the real clock's, and the replay
    may be pinned to another instant.)
    """
    import hashlib
    import json

    from sladesk.contracts.models import CalendarDate

    content = [
        [(p.pk, p.name, p.data) for p in SlaPolicy.objects.order_by("pk")],
        [(c.pk, c.name, c.data) for c in SlaCalendar.objects.order_by("pk")],
        [
            (d.calendar_id, d.date.isoformat(), d.kind, d.reason)
            for d in CalendarDate.objects.order_by("pk")
        ],
    ]
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def replay_window(months: int, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The last `months` months up to `now` (a month is 30.44 days: 365.25 / 12)."""
    return now - dt.timedelta(days=round(30.4375 * months, 4)), now


def run_replay(
    draft: PolicyDraft,
    *,
    months: int,
    now: dt.datetime,
    progress: Progress | None = None,
    using: str = "default",
) -> ReplayResult:
    since, until = replay_window(months, now)
    tickets = load_tickets(since=since, until=until, using=using, progress=progress)
    current, candidate = rules_for(draft)
    result = replay_arrays(
        tickets, current=current, candidate=candidate, now=now, progress=progress
    )
    ids = list(result.current.by_company)
    result.company_names = dict(
        Company.objects.using(using).filter(pk__in=ids).values_list("pk", "name")
    )
    return result

"""Turn policy and calendar rows into SLA engine values, and compute due times with them.

The only place where the Django side talks to `sladesk.sla`. Policies are stored without
their calendars; the calendars come from `SlaCalendar` rows (plus `CalendarDate` rows for
extra holidays and open days), so an administrator edits each once and every policy that
names it follows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sladesk.contracts.models import CalendarDate, SlaCalendar, SlaPolicy
from sladesk.sla import (
    BUILTIN_CALENDARS,
    DEFAULT_POLICY,
    Calendar,
    Explanation,
    Policy,
    response_due,
)

DEFAULT_POLICY_NAME = "default"


def calendar_data_from_row(row: SlaCalendar, dates: Iterable[CalendarDate] = ()) -> dict[str, Any]:
    data = dict(row.data or {})
    data["name"] = row.name
    closed = dict(data.get("closed_dates") or {})
    if isinstance(data.get("closed_dates"), list):
        closed = {d: "" for d in data["closed_dates"]}
    extra_open = set(data.get("extra_open_dates") or [])
    for entry in dates:
        key = entry.date.isoformat()
        if entry.kind == CalendarDate.Kind.CLOSED:
            closed[key] = entry.reason or "Closed"
            extra_open.discard(key)
        else:
            extra_open.add(key)
            closed.pop(key, None)
    data["closed_dates"] = closed
    data["extra_open_dates"] = sorted(extra_open)
    return data


def calendar_from_row(row: SlaCalendar, dates: Iterable[CalendarDate] | None = None) -> Calendar:
    if dates is None:
        dates = list(row.dates.all()) if row.pk else []
    return Calendar.from_dict(calendar_data_from_row(row, dates))


def policy_data_for_storage(policy: Policy) -> dict[str, Any]:
    data = policy.to_dict()
    data.pop("calendars", None)
    return data


# Engine values are immutable and calendars cache their timelines: keep them while the
# rows they came from are unchanged.
_cache: dict[tuple[Any, ...], Policy] = {}


def policy_from_row(row: SlaPolicy) -> Policy:
    calendar_rows = list(SlaCalendar.objects.order_by("pk"))
    if not set(BUILTIN_CALENDARS) <= {c.name for c in calendar_rows}:
        # A flushed test database, or built-in calendars an administrator deleted: put them
        # back before the policy that names them is built.
        ensure_reference_data()
        calendar_rows = list(SlaCalendar.objects.order_by("pk"))
    date_rows = list(CalendarDate.objects.order_by("pk"))
    key = (
        row.pk,
        repr(row.data),
        row.name,
        tuple((c.pk, c.name, repr(c.data)) for c in calendar_rows),
        tuple((d.calendar_id, d.date, d.kind, d.reason) for d in date_rows),
    )
    cached = _cache.get(key)
    if cached is not None:
        return cached
    by_calendar: dict[int, list[CalendarDate]] = {}
    for d in date_rows:
        by_calendar.setdefault(d.calendar_id, []).append(d)
    calendars = [calendar_from_row(c, by_calendar.get(c.pk, [])) for c in calendar_rows]
    data = dict(row.data or {})
    data.pop("calendars", None)
    data["name"] = row.name
    if not calendars:
        calendars = list(BUILTIN_CALENDARS.values())
    policy = Policy.from_dict(data, calendars=calendars)
    if len(_cache) > 64:
        _cache.clear()
    _cache[key] = policy
    return policy


def ensure_reference_data() -> SlaPolicy:
    """Create the built-in calendars and the default policy when missing; return the default.

    The data migration does the same on a new database; this keeps a flushed test database
    (or one whose rows an administrator deleted) usable.
    """
    # Every ticket logged passes here: one query when the built-in calendars are present.
    present = set(
        SlaCalendar.objects.filter(name__in=BUILTIN_CALENDARS).values_list("name", flat=True)
    )
    for name, calendar in BUILTIN_CALENDARS.items():
        if name not in present:
            SlaCalendar.objects.get_or_create(name=name, defaults={"data": calendar.to_dict()})
    default = SlaPolicy.objects.filter(is_default=True).first()
    if default is None:
        default, _ = SlaPolicy.objects.get_or_create(
            name=DEFAULT_POLICY_NAME,
            defaults={"data": policy_data_for_storage(DEFAULT_POLICY), "is_default": True},
        )
        if not default.is_default:
            default.is_default = True
            default.save(update_fields=["is_default"])
    return default


def default_policy_row() -> SlaPolicy:
    # Every ticket logged without a contract policy passes here: one query when the default
    # exists. The built-in calendars it names are checked where they are read
    # (`policy_from_row`).
    default = SlaPolicy.objects.filter(is_default=True).order_by("pk").first()
    return default if default is not None else ensure_reference_data()


def compute_response_due(
    *,
    policy_row: SlaPolicy,
    priority: str,
    coverage: str | None,
    logged_at: dt.datetime,
    policy: Policy | None = None,
) -> dt.datetime | None:
    """The response due time, or None (no valid contract, or an enhancement).

    `policy`: the row's engine policy when the caller already built it (one action asks
    several questions of the same policy; building it reads the calendar rows)."""
    if policy is None:
        policy = policy_from_row(policy_row)
    return response_due(policy, priority, coverage or None, logged_at)


def explain_due(
    *, policy_row: SlaPolicy, priority: str, coverage: str | None, logged_at: dt.datetime
) -> str:
    from sladesk.sla import explain_response_due

    policy = policy_from_row(policy_row)
    return explain_response_due(policy, priority, coverage or None, logged_at).text()


def sla_schedule(
    *,
    policy_row: SlaPolicy,
    priority: str,
    coverage: str | None,
    logged_at: dt.datetime,
    share: float,
    policy: Policy | None = None,
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(when the response clock starts, when `share` of the response target is used).

    Both are None when there is no target. The share is counted the way the target is:
    open time of the target's calendar for business-time targets, wall-clock time for
    wall-clock targets. For "close of next business day" the target is the open time of
    the hours calendar between logging and the due time.
    """
    from sladesk.sla import explain_response_due

    if policy is None:
        policy = policy_from_row(policy_row)
    explanation = explain_response_due(policy, priority, coverage or None, logged_at)
    due = explanation.due
    if due is None:
        return None, None
    if explanation.stretches:
        total = sum((s.duration for s in explanation.stretches), dt.timedelta())
        remaining = total * share
        warn_at = explanation.stretches[-1].end
        for stretch in explanation.stretches:
            if remaining <= stretch.duration:
                warn_at = stretch.start + remaining
                break
            remaining -= stretch.duration
        return explanation.stretches[0].start, warn_at
    calendar = policy.calendar(explanation.calendar) if explanation.calendar else policy.hours
    start = calendar.next_opening(logged_at) if not calendar.is_open(logged_at) else logged_at
    total = calendar.between(logged_at, due)
    return explanation.clock_starts or start, calendar.add(logged_at, total * share)


def needs_out_of_hours_action(
    *,
    policy_row: SlaPolicy,
    priority: str,
    coverage: str | None,
    logged_at: dt.datetime,
    policies: dict[int, Policy] | None = None,
) -> bool:
    """True when the policy gives this ticket out-of-hours action and it was logged out of
    the hours calendar's opening hours (the on-call engineer must be paged)."""
    if not coverage:
        return False
    from sladesk.sla import Coverage, Priority, SLAInputError

    # `policies` lets a caller looking at many tickets build each policy once (the SLA
    # monitor, per batch) instead of re-reading the calendar rows for every ticket.
    if policies is None:
        policy = policy_from_row(policy_row)
    else:
        policy = policies.get(policy_row.pk) or policies.setdefault(
            policy_row.pk, policy_from_row(policy_row)
        )
    try:
        inside, outside = policy.plan[(Priority.parse(priority), Coverage.parse(coverage))]
    except SLAInputError:  # an unknown priority or coverage gets no out-of-hours action
        return False
    return inside is not outside and not policy.hours.is_open(logged_at)


def next_opening(*, policy_row: SlaPolicy, at: dt.datetime) -> dt.datetime:
    """The next instant the hours calendar is open (`at` itself when open)."""
    hours = policy_from_row(policy_row).hours
    return at if hours.is_open(at) else hours.next_opening(at)


def explanation(
    *, policy_row: SlaPolicy, priority: str, coverage: str | None, logged_at: dt.datetime
) -> Explanation:
    """The engine's `Explanation` itself, for pages that put it in their own words (the
    customer portal)."""
    from sladesk.sla import explain_response_due

    return explain_response_due(policy_from_row(policy_row), priority, coverage or None, logged_at)

"""Response due times for one ticket, and the explanation a person can read."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sladesk.sla.calendar import EPOCH, ONE_US, Calendar, from_us, to_us
from sladesk.sla.errors import SLAInputError, require_aware
from sladesk.sla.policy import (
    _COVERAGE_LOOKUP,
    _PRIORITY_LOOKUP,
    Coverage,
    Policy,
    Priority,
    ResolvedTarget,
    TargetKind,
)

# Module-level names for the hot path (a global lookup is cheaper than an enum attribute).
_BUSINESS = TargetKind.BUSINESS_MINUTES
_WALL_CLOCK = TargetKind.WALL_CLOCK_MINUTES
_NEXT_DAY = TargetKind.NEXT_BUSINESS_DAY_CLOSE


def _priority(value: Priority | str) -> Priority:
    found = _PRIORITY_LOOKUP.get(value)
    return found if found is not None else Priority.parse(value)


def _coverage(value: Coverage | str | None) -> Coverage | None:
    if value is None:
        return None
    found = _COVERAGE_LOOKUP.get(value)
    return found if found is not None else Coverage.parse(value)


def response_due(
    policy: Policy,
    priority: Priority | str,
    coverage: Coverage | str | None,
    logged_at: datetime,
    *,
    agreed_date: datetime | None = None,
) -> datetime | None:
    """When the first response is due, in UTC; `None` when there is no target.

    `coverage=None` means the company had no valid contract when the ticket was logged.
    `agreed_date` is the per-ticket delivery date for targets of kind `agreed_date`.
    """
    # This is the per-ticket hot path (reports and pages call it for every row): one
    # subtraction both refuses naive datetimes and yields the instant in microseconds.
    try:
        logged_us = (logged_at - EPOCH) // ONE_US
    except TypeError:
        require_aware(logged_at, "logged_at")
        raise
    entry = policy.fast_plan.get((priority, coverage))
    if entry is None:
        p = _priority(priority)  # refuses an unknown priority even without a contract
        c = _coverage(coverage)
        if c is None:
            return None
        entry = policy.plan[(p, c)]
    inside, resolved = entry
    if inside is not resolved:
        hours = policy.hours
        tl = hours._holder.timeline
        if tl is None or not tl.lo_us <= logged_us < tl.hi_us:
            tl = hours.timeline_for(logged_us)
        if tl.is_open(logged_us):
            resolved = inside
    kind = resolved.kind
    if kind is _BUSINESS:
        due_us = resolved.calendar.add_us(logged_us, resolved.span_us)  # type: ignore[union-attr]
    elif kind is _WALL_CLOCK:
        due_us = logged_us + resolved.span_us
    elif kind is _NEXT_DAY:
        due_us = resolved.calendar.next_business_day_close_us(logged_us)  # type: ignore[union-attr]
    elif kind is TargetKind.AGREED_DATE and agreed_date is not None:
        require_aware(agreed_date, "agreed_date")
        return agreed_date.astimezone(UTC)
    else:
        return None
    return EPOCH + timedelta(0, 0, due_us)


def _select(
    policy: Policy, priority: Priority, coverage: Coverage, logged_us: int
) -> tuple[ResolvedTarget, bool | None]:
    """The target in force and whether the ticket was logged in hours (None: not needed)."""
    inside, outside = policy.plan[(priority, coverage)]
    if inside is outside:
        return inside, None
    in_hours = policy.hours.timeline_for(logged_us).is_open(logged_us)
    return (inside if in_hours else outside), in_hours


# ------------------------------------------------------------------------ explanation


@dataclass(frozen=True)
class Stretch:
    """Open time counted towards the target."""

    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class Skip:
    """Closed time the clock waited through, and why."""

    start: datetime
    end: datetime
    reason: str


@dataclass(frozen=True)
class Explanation:
    priority: Priority
    coverage: Coverage | None
    logged_at: datetime
    in_hours: bool
    rule: str
    calendar: str | None
    clock_starts: datetime | None
    stretches: tuple[Stretch, ...]
    skips: tuple[Skip, ...]
    due: datetime | None
    policy: str

    def text(self, zone: str = "Europe/London") -> str:
        """The explanation in plain words, with instants shown in `zone`."""
        tz = ZoneInfo(zone)

        def at(t: datetime) -> str:
            return t.astimezone(tz).strftime("%a %d %b %Y %H:%M:%S %Z")

        coverage = {None: "no valid contract", "standard": "standard cover"}.get(
            self.coverage, "24x7 cover"
        )
        lines = [
            f"{self.priority.value.capitalize()} ticket, {coverage}, logged {at(self.logged_at)}"
            f" ({'in' if self.in_hours else 'outside'} standard support hours).",
            f"Rule: {self.rule}.",
        ]
        if self.clock_starts is not None and self.clock_starts != self.logged_at:
            lines.append(f"The clock starts at the next opening: {at(self.clock_starts)}.")
        events: list[tuple[datetime, str]] = []
        for s in self.stretches:
            events.append(
                (s.start, f"  counted  {at(s.start)} → {at(s.end)} ({_span(s.duration)})")
            )
        for k in self.skips:
            events.append((k.start, f"  skipped  {at(k.start)} → {at(k.end)}: {k.reason}"))
        lines.extend(line for _, line in sorted(events, key=lambda e: e[0]))
        if self.due is None:
            lines.append("Due: no response target.")
        else:
            lines.append(f"Due: {at(self.due)} ({self.due.strftime('%Y-%m-%dT%H:%M:%SZ')}).")
        return "\n".join(lines)


def _span(d: timedelta) -> str:
    total = int(d.total_seconds())
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    parts = [f"{h} h"] if h else []
    if m:
        parts.append(f"{m} min")
    if s or not parts:
        parts.append(f"{s} s")
    return " ".join(parts)


def explain_response_due(
    policy: Policy,
    priority: Priority | str,
    coverage: Coverage | str | None,
    logged_at: datetime,
    *,
    agreed_date: datetime | None = None,
) -> Explanation:
    """The same computation as `response_due`, with each step recorded for a person."""
    require_aware(logged_at, "logged_at")
    p = _priority(priority)
    c = _coverage(coverage)
    logged_us = to_us(logged_at)
    logged_utc = logged_at.astimezone(UTC)
    in_hours = policy.hours.timeline_for(logged_us).is_open(logged_us)
    due = response_due(policy, p, c, logged_at, agreed_date=agreed_date)
    base = Explanation(
        priority=p,
        coverage=c,
        logged_at=logged_utc,
        in_hours=in_hours,
        rule="",
        calendar=None,
        clock_starts=None,
        stretches=(),
        skips=(),
        due=due,
        policy=policy.name,
    )
    if c is None:
        return replace(
            base,
            rule="no response target: the company had no signed, in-date support contract "
            "covering this when the ticket was logged (flagged for review as possibly chargeable)",
            calendar=None,
            clock_starts=None,
            stretches=(),
            skips=(),
        )
    resolved, _ = _select(policy, p, c, logged_us)
    target = resolved.target
    cal = resolved.calendar
    kind = target.kind
    inside, outside = policy.plan[(p, c)]
    if in_hours:
        why = "logged in standard hours"
    elif inside is not outside:
        why = "logged out of hours, with out-of-hours cover for this priority"
    else:
        why = (
            "logged out of hours; this priority and cover get no out-of-hours action, "
            "so the clock waits for the next opening"
        )
    if kind is TargetKind.BUSINESS_MINUTES:
        assert cal is not None
        assert due is not None
        rule = f"{target.describe()} on the {cal.name!r} calendar ({why})"
        stretches, skips = _walk(cal, logged_utc, due)
        start = stretches[0].start if stretches else logged_utc
        return replace(
            base,
            rule=rule,
            calendar=cal.name,
            clock_starts=start,
            stretches=stretches,
            skips=skips,
        )
    if kind is TargetKind.WALL_CLOCK_MINUTES:
        rule = f"{target.describe()} from logging ({why}); closures do not stop this clock"
        return replace(
            base,
            rule=rule,
            calendar=None,
            clock_starts=logged_utc,
            stretches=(Stretch(logged_utc, due),) if due else (),
            skips=(),
        )
    if kind is TargetKind.NEXT_BUSINESS_DAY_CLOSE:
        assert cal is not None
        assert due is not None
        local_day = logged_utc.astimezone(cal.zone).date()
        rule = (
            f"{target.describe()}: the last close of the first business day of the "
            f"{cal.name!r} calendar strictly after {local_day.isoformat()}, the ticket's "
            f"local date"
        )
        skips = tuple(
            Skip(s, e, r) for s, e, r in _closed_days(cal, local_day + timedelta(days=1), due)
        )
        return replace(
            base,
            rule=rule,
            calendar=cal.name,
            clock_starts=logged_utc,
            stretches=(),
            skips=skips,
        )
    if kind is TargetKind.AGREED_DATE:
        rule = f"{target.describe()}: " + (
            f"agreed for {due.isoformat()}" if due else "none agreed yet, so no target"
        )
    else:
        rule = "no target for this priority"
    return replace(base, rule=rule, calendar=None, clock_starts=None, stretches=(), skips=())


def _walk(
    cal: Calendar, start: datetime, due: datetime
) -> tuple[tuple[Stretch, ...], tuple[Skip, ...]]:
    """The open stretches from `start` to `due` and the closed gaps between them."""
    lo, hi = to_us(start), to_us(due)
    tl = cal.timeline_for(lo, hi)
    stretches = tuple(Stretch(from_us(s), from_us(e)) for s, e in tl.segments(lo, hi))
    skips: list[Skip] = []
    cursor = lo
    for stretch in stretches:
        s = to_us(stretch.start)
        if s > cursor:
            skips.extend(_gap_reasons(cal, cursor, s))
        cursor = to_us(stretch.end)
    return stretches, tuple(skips)


def _gap_reasons(cal: Calendar, lo: int, hi: int) -> list[Skip]:
    """Split a closed gap by local day, naming why each part was closed.

    Consecutive days closed for the same reason (a weekend) are merged into one line.
    """
    tl = cal.timeline_for(lo, hi)
    out: list[Skip] = []
    k = tl.day_index(lo)
    while lo < hi:
        day_end = min(tl.day_starts[k + 1], hi)
        reason = tl.day_reasons[k]
        if reason is None:
            day = tl.first_day + timedelta(days=k)
            hours, _ = cal.hours_of(day)
            reason = f"outside {', '.join(iv.label for iv in hours)} {cal.timezone} time"
        if out and out[-1].reason == reason and to_us(out[-1].end) == lo:
            out[-1] = Skip(out[-1].start, from_us(day_end), reason)
        else:
            out.append(Skip(from_us(lo), from_us(day_end), reason))
        lo = day_end
        k += 1
    return out


def _closed_days(cal: Calendar, first: date, due: datetime) -> list[tuple[datetime, datetime, str]]:
    """Whole closed local days from `first` until the due day (for the next-day rule)."""
    tl = cal.timeline_for(to_us(due))
    zone = cal.zone
    out: list[tuple[datetime, datetime, str]] = []
    day = first
    due_day = due.astimezone(zone).date()
    while day < due_day:
        k = (day - tl.first_day).days
        reason = tl.day_reasons[k] if 0 <= k < len(tl.day_reasons) else None
        if reason is None:
            raise SLAInputError(f"internal: {day} is open but before the due day {due_day}")
        start, end = from_us(tl.day_starts[k]), from_us(tl.day_starts[k + 1])
        if out and out[-1][2] == reason and out[-1][1] == start:
            out[-1] = (out[-1][0], end, reason)
        else:
            out.append((start, end, reason))
        day += timedelta(days=1)
    return out

"""Business calendars: when the helpdesk is open, and business-time arithmetic.

A calendar is plain data (a frozen dataclass). Arithmetic works on a *timeline*: the open
intervals of a range of years converted once to UTC microseconds, with running totals of
open time. Every question then becomes a binary search, which is exact across clock
changes (the conversion from local wall time to UTC happens once per day, with the real
offset of that day) and fast enough for the per-ticket path and the NumPy batch path alike.
"""

from __future__ import annotations

import bisect
import calendar as _stdlib_calendar
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_pkg
import numpy as np
import numpy.typing as npt

from sladesk.sla.errors import SLAInputError, require_aware

IntArray = npt.NDArray[np.int64]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)
DAY_SECONDS = 86_400
# Timelines are built lazily for the years asked about; these bounds keep a runaway
# request (a calendar that never opens) from building forever.
MIN_YEAR = 1900
MAX_YEAR = 2300
_WEEKDAYS = tuple(_stdlib_calendar.day_name)  # Monday first, like date.weekday()


def to_us(t: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime."""
    return (t - EPOCH) // ONE_US


def from_us(us: int) -> datetime:
    """The aware UTC datetime for microseconds since the Unix epoch."""
    return EPOCH + timedelta(microseconds=us)


def _hhmm(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" if s == 0 else f"{h:02d}:{m:02d}:{s:02d}"


def _parse_clock(text: str) -> int:
    parts = text.strip().split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        raise SLAInputError(f"time of day {text!r} is not HH:MM or HH:MM:SS")
    h, m = int(parts[0]), int(parts[1])
    s = int(parts[2]) if len(parts) == 3 else 0
    if m > 59 or s > 59 or h > 24 or (h == 24 and (m or s)):
        raise SLAInputError(f"time of day {text!r} is out of range (00:00 to 24:00)")
    return h * 3600 + m * 60 + s


@dataclass(frozen=True, order=True)
class Interval:
    """An open interval of a day in local wall time, in seconds after midnight.

    `end` may be 86400 (24:00, the next midnight); the interval is half-open [start, end).
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        if not (0 <= self.start < self.end <= DAY_SECONDS):
            raise SLAInputError(
                f"opening interval {self.start}-{self.end}s must satisfy "
                "0 <= start < end <= 86400 (24:00)"
            )

    @classmethod
    def parse(cls, text: str) -> Interval:
        """Parse `"09:00-17:00"` (also accepts an en dash)."""
        pieces = text.replace("–", "-").split("-")
        if len(pieces) != 2:
            raise SLAInputError(f"opening interval {text!r} is not like 09:00-17:00")
        return cls(_parse_clock(pieces[0]), _parse_clock(pieces[1]))

    @property
    def label(self) -> str:
        return f"{_hhmm(self.start)}–{_hhmm(self.end)}"


@dataclass(frozen=True)
class Closure:
    """A whole local date on which a calendar is closed, and why."""

    date: date
    reason: str


class _TimelineHolder:
    """Mutable cache slot attached to an immutable Calendar (not part of its value)."""

    __slots__ = ("closed", "holiday_names", "timeline")

    def __init__(self) -> None:
        self.timeline: _Timeline | None = None
        self.closed: dict[date, str] = {}
        # Holiday names per (first year, last year): building them from the holidays
        # package costs about a millisecond each time, and every explanation asks.
        self.holiday_names: dict[tuple[int, int], Mapping[date, str]] = {}


@dataclass(frozen=True)
class Calendar:
    """When a helpdesk is open: weekly hours in a time zone, minus holidays and closures.

    `week` has seven entries, Monday first, each a tuple of non-overlapping `Interval`s.
    Holidays come from the `holidays` package (`holiday_country`, `holiday_subdivision`).
    `closed_dates` adds closures (date, reason); `extra_open_dates` opens dates that would
    otherwise be closed, with that weekday's hours, or `extra_open_hours` when the weekday
    has none (defaults to the first weekday that has hours).
    """

    name: str
    timezone: str
    week: tuple[tuple[Interval, ...], ...]
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    closed_dates: tuple[tuple[date, str], ...] = ()
    extra_open_dates: frozenset[date] = frozenset()
    extra_open_hours: tuple[Interval, ...] = ()
    _holder: _TimelineHolder = field(
        default_factory=_TimelineHolder, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        if not self.name:
            raise SLAInputError("a calendar needs a name")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SLAInputError(
                f"calendar {self.name!r}: unknown time zone {self.timezone!r}"
            ) from exc
        if len(self.week) != 7:
            raise SLAInputError(
                f"calendar {self.name!r}: week needs 7 days (Monday first), got {len(self.week)}"
            )
        for day_name, intervals in zip(_WEEKDAYS, self.week, strict=True):
            _check_sorted(self.name, day_name, intervals)
        _check_sorted(self.name, "extra open hours", self.extra_open_hours)
        if self.holiday_subdivision and not self.holiday_country:
            raise SLAInputError(
                f"calendar {self.name!r}: a holiday subdivision needs a holiday country"
            )
        if self.holiday_country:
            try:
                holidays_pkg.country_holidays(
                    self.holiday_country, subdiv=self.holiday_subdivision, years=[]
                )
            except NotImplementedError as exc:
                raise SLAInputError(
                    f"calendar {self.name!r}: the holidays package has no "
                    f"{self.holiday_country!r}/{self.holiday_subdivision!r}"
                ) from exc
        object.__setattr__(self, "closed_dates", tuple(sorted(self.closed_dates)))
        self._holder.closed = dict(self.closed_dates)

    # ----------------------------------------------------------------- describing days

    @property
    def always_open(self) -> bool:
        """Open every second: business time is then plain elapsed time."""
        whole_day = (Interval(0, DAY_SECONDS),)
        return (
            all(day == whole_day for day in self.week)
            and not self.closed_dates
            and not self.holiday_country
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def hours_of(self, day: date) -> tuple[tuple[Interval, ...], str | None]:
        """The open intervals of a local date and, if it has none, why it is closed."""
        return self._day(day, self._holidays_for(day.year, day.year))

    def _holidays_for(self, first_year: int, last_year: int) -> Mapping[date, str]:
        if not self.holiday_country:
            return {}
        key = (first_year, last_year)
        cached = self._holder.holiday_names.get(key)
        if cached is not None:
            return cached
        found = holidays_pkg.country_holidays(
            self.holiday_country,
            subdiv=self.holiday_subdivision,
            years=range(first_year, last_year + 1),
        )
        names = MappingProxyType({day: "; ".join(found.get_list(day)) for day in found})
        if len(self._holder.holiday_names) > 64:
            self._holder.holiday_names.clear()
        self._holder.holiday_names[key] = names
        return names

    def _day(
        self, day: date, holiday_names: Mapping[date, str]
    ) -> tuple[tuple[Interval, ...], str | None]:
        weekday = day.weekday()
        regular = self.week[weekday]
        if day in self.extra_open_dates:
            hours = regular or self.extra_open_hours or next((w for w in self.week if w), ())
            if hours:
                return hours, None
        closed_reason = self._holder.closed.get(day)
        if closed_reason is not None:
            return (), closed_reason or "closed"
        holiday = holiday_names.get(day)
        if not regular:
            base = "weekend" if weekday >= 5 else f"closed on {_WEEKDAYS[weekday]}s"
            return (), f"{base} ({holiday})" if holiday else base
        if holiday:
            return (), holiday
        return regular, None

    def closures(self, year: int) -> list[Closure]:
        """Every local date of `year` on which a day that normally opens is closed.

        Weekends (days that never open) are not listed; holidays falling on them are.
        """
        names = self._holidays_for(year, year)
        result = []
        day = date(year, 1, 1)
        while day.year == year:
            hours, reason = self._day(day, names)
            if not hours and reason is not None and (self.week[day.weekday()] or day in names):
                result.append(Closure(day, reason))
            day += timedelta(days=1)
        return result

    # ------------------------------------------------------------ business arithmetic

    def is_open(self, t: datetime) -> bool:
        require_aware(t, "t")
        return self.timeline_for(to_us(t)).is_open(to_us(t))

    def next_opening(self, t: datetime) -> datetime:
        """`t` itself when open, else the start of the next open interval."""
        require_aware(t, "t")
        us = to_us(t)
        tl = self.timeline_for(us)
        if tl.is_open(us):
            return t.astimezone(UTC)
        return from_us(self._next_opening_us(us))

    def add(self, t: datetime, duration: timedelta) -> datetime:
        """The earliest instant at which `duration` of open time has elapsed since `t`.

        A result that lands exactly on a close is that close (17:00), not the next opening.
        """
        require_aware(t, "t")
        if duration < timedelta(0):
            raise SLAInputError(f"business duration {duration} must not be negative")
        if duration == timedelta(0):
            return t.astimezone(UTC)
        return from_us(self.add_us(to_us(t), duration // ONE_US))

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Open time elapsed from `a` to `b` (negative when `b` is before `a`)."""
        require_aware(a, "a")
        require_aware(b, "b")
        a_us, b_us = to_us(a), to_us(b)
        tl = self.timeline_for(min(a_us, b_us), max(a_us, b_us))
        return timedelta(microseconds=tl.business_us(b_us) - tl.business_us(a_us))

    def close_of_next_business_day(self, t: datetime) -> datetime:
        """The last close of the first business day strictly after `t`'s local date."""
        require_aware(t, "t")
        return from_us(self.next_business_day_close_us(to_us(t)))

    # ------------------------------------------------- microsecond-level (fast paths)

    def timeline_for(self, lo_us: int, hi_us: int | None = None) -> _Timeline:
        """A timeline covering [lo_us, hi_us], built or widened on demand."""
        hi = lo_us if hi_us is None else hi_us
        tl = self._holder.timeline
        if tl is not None and tl.lo_us <= lo_us and hi < tl.hi_us:
            return tl
        lo_year = _year_of(lo_us) - 1
        hi_year = _year_of(hi) + 1
        if tl is not None:
            lo_year = min(lo_year, tl.first_year)
            hi_year = max(hi_year, tl.last_year)
        else:
            hi_year += 1  # room for "next business day" and short targets past year end
        if lo_year < MIN_YEAR or hi_year > MAX_YEAR:
            raise SLAInputError(
                f"calendar {self.name!r} works between {MIN_YEAR + 1} and {MAX_YEAR - 1}; "
                f"asked about {from_us(lo_us).isoformat()} to {from_us(hi).isoformat()}"
            )
        tl = _Timeline.build(self, lo_year, hi_year)
        self._holder.timeline = tl
        return tl

    def _widen(self, tl: _Timeline, years: int = 5) -> _Timeline:
        if tl.last_year + years > MAX_YEAR:
            raise SLAInputError(f"calendar {self.name!r} has no open time left before {MAX_YEAR}")
        new = _Timeline.build(self, tl.first_year, tl.last_year + years)
        self._holder.timeline = new
        return new

    def business_us(self, us: int) -> int:
        return self.timeline_for(us).business_us(us)

    def add_us(self, t_us: int, duration_us: int) -> int:
        # The per-ticket hot path: the bucket lookups of `_Timeline.business_us` and
        # `BucketIndex.lt` are written out here, as each Python call costs as much as
        # the arithmetic itself.
        tl = self._holder.timeline
        if tl is None or not tl.lo_us <= t_us < tl.hi_us:
            tl = self.timeline_for(t_us)
        index = tl._by_start
        assert index is not None
        i = index.base_list[(t_us - index.lo) // index.width]
        padded = index.padded_list
        while padded[i] <= t_us:
            i += 1
        elapsed = t_us + tl.offset_l[i]
        cap = tl.cum_after_pl[i]
        target = (elapsed if elapsed < cap else cap) + duration_us
        while target > tl.total_us:
            tl = self._widen(tl)
        index = tl._by_cum_after
        assert index is not None
        j = index.base_list[target // index.width]
        padded = index.padded_list
        while padded[j] < target:
            j += 1
        return target + tl.shift_l[j]

    def _next_opening_us(self, us: int) -> int:
        tl = self.timeline_for(us)
        while True:
            i = bisect.bisect_right(tl.starts, us)
            if i < len(tl.starts):
                return tl.starts[i]
            tl = self._widen(tl)

    def next_business_day_close_us(self, us: int) -> int:
        tl = self._holder.timeline
        if tl is None or not tl.lo_us <= us < tl.hi_us:
            tl = self.timeline_for(us)
        while True:
            close = tl.next_close[tl.by_day_start.le(us) - 1]
            if close >= 0:
                return close
            tl = self._widen(tl)

    # ---------------------------------------------------------------- serialisation

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "timezone": self.timezone,
            "week": {
                day.lower(): [iv.label.replace("–", "-") for iv in intervals]
                for day, intervals in zip(_WEEKDAYS, self.week, strict=True)
            },
            "holiday_country": self.holiday_country,
            "holiday_subdivision": self.holiday_subdivision,
            "closed_dates": {d.isoformat(): reason for d, reason in self.closed_dates},
            "extra_open_dates": sorted(d.isoformat() for d in self.extra_open_dates),
            "extra_open_hours": [iv.label.replace("–", "-") for iv in self.extra_open_hours],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calendar:
        """Build a calendar from `to_dict()`'s shape, naming the field that is wrong."""
        try:
            name = str(data["name"])
            week_data = data.get("week", {})
            if not isinstance(week_data, Mapping):
                raise SLAInputError("week must map weekday names to lists of HH:MM-HH:MM")
            unknown = set(week_data) - {d.lower() for d in _WEEKDAYS}
            if unknown:
                raise SLAInputError(f"week has unknown day(s): {', '.join(sorted(unknown))}")
            week = tuple(
                tuple(Interval.parse(s) for s in week_data.get(day.lower(), []))
                for day in _WEEKDAYS
            )
            closed_raw = data.get("closed_dates", {})
            closed = (
                closed_raw.items()
                if isinstance(closed_raw, Mapping)
                else ((d, "") for d in closed_raw)
            )
            return cls(
                name=name,
                timezone=str(data["timezone"]),
                week=week,
                holiday_country=data.get("holiday_country") or None,
                holiday_subdivision=data.get("holiday_subdivision") or None,
                closed_dates=tuple((_parse_date(d), str(r)) for d, r in closed),
                extra_open_dates=frozenset(
                    _parse_date(d) for d in data.get("extra_open_dates", [])
                ),
                extra_open_hours=tuple(Interval.parse(s) for s in data.get("extra_open_hours", [])),
            )
        except KeyError as exc:
            raise SLAInputError(f"calendar data is missing {exc.args[0]!r}") from exc
        except SLAInputError as exc:
            label = data.get("name", "?") if isinstance(data, Mapping) else "?"
            raise SLAInputError(f"calendar {label!r}: {exc}") from exc


def _parse_date(value: object) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise SLAInputError(f"{value!r} is not a date (YYYY-MM-DD)") from exc


def _check_sorted(name: str, label: str, intervals: Sequence[Interval]) -> None:
    for before, after in itertools.pairwise(intervals):
        if after.start < before.end:
            raise SLAInputError(
                f"calendar {name!r}: {label} intervals {before.label} and {after.label} "
                "overlap or are out of order"
            )


def _year_of(us: int) -> int:
    return (EPOCH + timedelta(microseconds=us)).year


def _local_us(day: date, seconds: int, zone: ZoneInfo) -> int:
    if seconds == DAY_SECONDS:
        day, seconds = day + timedelta(days=1), 0
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    # fold=0: a wall time skipped by a spring-forward change maps to the instant the clock
    # jumped over it, and an ambiguous autumn time to its first occurrence.
    return to_us(datetime(day.year, day.month, day.day, h, m, s, tzinfo=zone))


class BucketIndex:
    """`np.searchsorted` on a fixed sorted array, for many unsorted queries at once.

    Binary search over a million random queries is dominated by cache misses. Here the
    value axis is cut into equal buckets; a table gives how many values lie before each
    bucket, and a bucket holds at most `k` values, so the exact answer is that count plus
    at most `k` comparisons. Queries outside the indexed range fall back to searchsorted.
    """

    __slots__ = (
        "base",
        "base_list",
        "k",
        "lo",
        "n_buckets",
        "padded",
        "padded_list",
        "values",
        "values_list",
        "width",
    )

    def __init__(self, values: IntArray, lo: int, hi: int, max_per_bucket: int = 1) -> None:
        self.values = values
        self.lo = lo
        self.padded: IntArray = np.concatenate(
            [values, np.full(max_per_bucket + 1, np.iinfo(np.int64).max, dtype=np.int64)]
        )
        width = max((hi - lo) // max(len(values), 1), 1)
        while True:
            n_buckets = (hi - lo) // width + 1
            counts = np.bincount((values - lo) // width, minlength=n_buckets)
            if not len(values) or counts.max() <= max_per_bucket or width == 1:
                break
            width = max(width // 2, 1)
        self.width = width
        self.n_buckets = int(n_buckets)
        self.k = int(counts.max()) if len(values) else 0
        edges = lo + np.arange(self.n_buckets + 1, dtype=np.int64) * width
        self.base: IntArray = np.searchsorted(values, edges, side="left").astype(np.int64)
        # Plain lists for the one-query path: indexing a list beats NumPy scalar access.
        self.base_list: list[int] = self.base.tolist()
        self.padded_list: list[int] = self.padded.tolist()
        self.values_list: list[int] = values.tolist()

    def le(self, q: int) -> int:
        """How many values are <= q, for one query."""
        b = (q - self.lo) // self.width
        if not 0 <= b < self.n_buckets:
            return bisect.bisect_right(self.values_list, q)
        i = self.base_list[b]
        padded = self.padded_list
        while padded[i] <= q:  # at most k steps: the sentinel ends the scan
            i += 1
        return i

    def lt(self, q: int) -> int:
        """How many values are < q, for one query."""
        b = (q - self.lo) // self.width
        if not 0 <= b < self.n_buckets:
            return bisect.bisect_left(self.values_list, q)
        i = self.base_list[b]
        padded = self.padded_list
        while padded[i] < q:
            i += 1
        return i

    def _in_range(self, q: IntArray) -> bool:
        return (
            bool(len(q))
            and int(q.min()) >= self.lo
            and (int(q.max()) - self.lo) // self.width < self.n_buckets
        )

    def count_le(self, q: IntArray) -> IntArray:
        """For each query, how many values are <= it (searchsorted side="right")."""
        if not self._in_range(q):
            return np.searchsorted(self.values, q, side="right").astype(np.int64)
        i = self.base[(q - self.lo) // self.width]
        for _ in range(self.k):
            i += self.padded[i] <= q
        return i

    def count_lt(self, q: IntArray) -> IntArray:
        """For each query, how many values are < it (searchsorted side="left")."""
        if not self._in_range(q):
            return np.searchsorted(self.values, q, side="left").astype(np.int64)
        i = self.base[(q - self.lo) // self.width]
        for _ in range(self.k):
            i += self.padded[i] < q
        return i


class _Timeline:
    """Open intervals of whole local years, in UTC microseconds, with running totals."""

    __slots__ = (
        "_by_cum_after",
        "_by_day_start",
        "_by_start",
        "calendar",
        "cum_after",
        "cum_after_np",
        "cum_after_p",
        "cum_after_pl",
        "cum_before",
        "day_reasons",
        "day_starts",
        "day_starts_np",
        "ends",
        "ends_np",
        "ends_p",
        "ends_pl",
        "first_day",
        "first_year",
        "hi_us",
        "last_year",
        "lo_us",
        "next_close",
        "next_close_np",
        "offset_l",
        "offset_p",
        "shift_l",
        "shift_np",
        "starts",
        "starts_np",
        "total_us",
    )

    def __init__(self, calendar: Calendar, first_year: int, last_year: int) -> None:
        self.calendar = calendar
        self.first_year = first_year
        self.last_year = last_year
        self.first_day = date(first_year, 1, 1)
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.cum_before: list[int] = []
        self.cum_after: list[int] = []
        self.day_starts: list[int] = []
        self.next_close: list[int] = []
        self.day_reasons: list[str | None] = []
        self.lo_us = 0
        self.hi_us = 0
        self.total_us = 0
        empty: IntArray = np.zeros(0, dtype=np.int64)
        self.starts_np = self.ends_np = self.cum_after_np = empty
        self.day_starts_np = self.next_close_np = empty
        self.offset_p = self.cum_after_p = self.ends_p = self.shift_np = empty
        self._by_start: BucketIndex | None = None
        self._by_cum_after: BucketIndex | None = None
        self._by_day_start: BucketIndex | None = None
        self.offset_l: list[int] = []
        self.cum_after_pl: list[int] = []
        self.ends_pl: list[int] = []
        self.shift_l: list[int] = []

    @classmethod
    def build(cls, calendar: Calendar, first_year: int, last_year: int) -> _Timeline:
        tl = cls(calendar, first_year, last_year)
        zone = ZoneInfo(calendar.timezone)
        names = calendar._holidays_for(first_year, last_year)
        day = date(first_year, 1, 1)
        stop = date(last_year + 1, 1, 1)
        closes: list[int] = []
        starts, ends = tl.starts, tl.ends
        while day < stop:
            tl.day_starts.append(_local_us(day, 0, zone))
            hours, reason = calendar._day(day, names)
            tl.day_reasons.append(reason)
            close = -1
            for iv in hours:
                s, e = _local_us(day, iv.start, zone), _local_us(day, iv.end, zone)
                if e <= s:  # an interval wholly inside a spring-forward gap
                    continue
                if ends and s <= ends[-1]:
                    ends[-1] = max(ends[-1], e)  # contiguous (e.g. 24x7): one interval
                else:
                    starts.append(s)
                    ends.append(e)
                close = e
            closes.append(close)
            day += timedelta(days=1)
        tl.day_starts.append(_local_us(stop, 0, zone))
        tl.lo_us, tl.hi_us = tl.day_starts[0], tl.day_starts[-1]
        total = 0
        for s, e in zip(starts, ends, strict=True):
            tl.cum_before.append(total)
            total += e - s
            tl.cum_after.append(total)
        tl.total_us = total
        following = -1
        next_close = [0] * len(closes)
        for k in range(len(closes) - 1, -1, -1):
            next_close[k] = following
            if closes[k] >= 0:
                following = closes[k]
        tl.next_close = next_close
        tl.starts_np = np.asarray(starts, dtype=np.int64)
        tl.ends_np = np.asarray(ends, dtype=np.int64)
        tl.cum_after_np = np.asarray(tl.cum_after, dtype=np.int64)
        tl.day_starts_np = np.asarray(tl.day_starts, dtype=np.int64)
        tl.next_close_np = np.asarray(next_close, dtype=np.int64)
        # Arrays for the batch path, with a leading empty interval at the timeline's start
        # so that index = count of starts <= t needs no "before the first interval" case:
        # open time up to t is min(t + offset_p[i], cum_after_p[i]), open iff t < ends_p[i].
        zero = np.zeros(1, dtype=np.int64)
        cum_before = np.concatenate([zero, np.asarray(tl.cum_before, dtype=np.int64)])
        starts_p = np.concatenate([np.array([tl.lo_us], dtype=np.int64), tl.starts_np])
        tl.offset_p = cum_before - starts_p
        tl.cum_after_p = np.concatenate([zero, tl.cum_after_np])
        tl.ends_p = np.concatenate([np.array([tl.lo_us], dtype=np.int64), tl.ends_np])
        # The instant at which open time `x` is reached, inside interval j: x + shift_np[j].
        tl.shift_np = tl.ends_np - tl.cum_after_np
        tl._by_start = BucketIndex(tl.starts_np, tl.lo_us, tl.hi_us)
        tl._by_cum_after = BucketIndex(tl.cum_after_np, 0, tl.total_us)
        tl._by_day_start = BucketIndex(tl.day_starts_np, tl.lo_us, tl.hi_us)
        tl.offset_l = tl.offset_p.tolist()
        tl.cum_after_pl = tl.cum_after_p.tolist()
        tl.ends_pl = tl.ends_p.tolist()
        tl.shift_l = tl.shift_np.tolist()
        return tl

    @property
    def by_start(self) -> BucketIndex:
        assert self._by_start is not None
        return self._by_start

    @property
    def by_cum_after(self) -> BucketIndex:
        assert self._by_cum_after is not None
        return self._by_cum_after

    @property
    def by_day_start(self) -> BucketIndex:
        assert self._by_day_start is not None
        return self._by_day_start

    # The one-query methods use the same padded arrays as the batch path (index 0 is an
    # empty interval at the timeline's start), as Python lists.
    def is_open(self, us: int) -> bool:
        index = self._by_start
        assert index is not None
        if not self.lo_us <= us < self.hi_us:
            return us < self.ends_pl[index.le(us)]
        i = index.base_list[(us - index.lo) // index.width]
        padded = index.padded_list
        while padded[i] <= us:
            i += 1
        return us < self.ends_pl[i]

    def business_us(self, us: int) -> int:
        """Open time from the timeline's start up to `us`."""
        assert self._by_start is not None
        i = self._by_start.le(us)
        return min(us + self.offset_l[i], self.cum_after_pl[i])

    def business_us_many(self, us: IntArray, count_le: IntArray | None = None) -> IntArray:
        """Open time from the timeline's start up to each instant.

        `count_le` may pass in `by_start.count_le(us)` when the caller already has it.
        """
        i = self.by_start.count_le(us) if count_le is None else count_le
        result: IntArray = np.minimum(us + self.offset_p[i], self.cum_after_p[i])
        return result

    def is_open_many(self, us: IntArray, count_le: IntArray | None = None) -> npt.NDArray[np.bool_]:
        i = self.by_start.count_le(us) if count_le is None else count_le
        result: npt.NDArray[np.bool_] = us < self.ends_p[i]
        return result

    def segments(self, lo_us: int, hi_us: int) -> Iterable[tuple[int, int]]:
        """The open stretches intersecting [lo_us, hi_us)."""
        i = max(bisect.bisect_right(self.starts, lo_us) - 1, 0)
        while i < len(self.starts) and self.starts[i] < hi_us:
            s, e = max(self.starts[i], lo_us), min(self.ends[i], hi_us)
            if s < e:
                yield s, e
            i += 1

    def day_index(self, us: int) -> int:
        return bisect.bisect_right(self.day_starts, us) - 1


def weekly(
    name: str, timezone_name: str, hours: Mapping[int, Sequence[str]], **kw: Any
) -> Calendar:
    """Convenience builder: `hours` maps weekday number (0 = Monday) to "HH:MM-HH:MM" strings."""
    week = tuple(tuple(Interval.parse(s) for s in hours.get(d, ())) for d in range(7))
    return Calendar(name=name, timezone=timezone_name, week=week, **kw)


STANDARD = weekly(
    "standard",
    "Europe/London",
    {d: ["09:00-17:00"] for d in range(5)},
    holiday_country="GB",
    holiday_subdivision="ENG",
)
ALWAYS_OPEN = weekly("24x7", "UTC", {d: ["00:00-24:00"] for d in range(7)})
BUILTIN_CALENDARS: Mapping[str, Calendar] = {c.name: c for c in (STANDARD, ALWAYS_OPEN)}

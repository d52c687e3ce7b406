"""The batch path: due times for many tickets at once, with NumPy.

Used by reports, what-if replays, imports and `sladesk sla due --jsonl`. It computes exactly
what `response_due` computes, row by row, on the same calendar timelines: every step is an
array operation (a binary search into the timeline, a table lookup, an addition), so a
million tickets take a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from sladesk.sla.calendar import Calendar, IntArray, _Timeline, to_us
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

PRIORITY_ORDER: tuple[Priority, ...] = tuple(Priority)
COVERAGE_ORDER: tuple[Coverage, ...] = tuple(Coverage)
NO_COVERAGE = -1
NAT = np.iinfo(np.int64).min  # the int64 view of NaT

_P_CODE = {p: i for i, p in enumerate(PRIORITY_ORDER)}
_C_CODE = {c: i for i, c in enumerate(COVERAGE_ORDER)}
_KINDS = tuple(TargetKind)
_K_CODE = {k: i for i, k in enumerate(_KINDS)}


def encode_priorities(values: Sequence[Any] | npt.NDArray[Any]) -> npt.NDArray[np.int8]:
    """Priority names or enums to codes (index in `PRIORITY_ORDER`); integers pass through.

    An unknown value raises `SLAInputError` naming its (0-based) row.
    """
    arr = np.asarray(values)
    if arr.dtype.kind in "iu":
        if arr.size and (arr.min() < 0 or arr.max() >= len(PRIORITY_ORDER)):
            raise SLAInputError(f"priority codes must be 0..{len(PRIORITY_ORDER) - 1}")
        return arr.astype(np.int8, copy=False)
    codes = {k: _P_CODE[v] for k, v in _PRIORITY_LOOKUP.items()}
    try:
        return np.fromiter((codes[v] for v in values), dtype=np.int8, count=len(values))
    except (KeyError, TypeError):
        pass
    out = np.empty(len(values), dtype=np.int8)
    for row, v in enumerate(values):
        try:
            out[row] = _P_CODE[Priority.parse(v)]
        except SLAInputError as exc:
            raise SLAInputError(f"row {row}: {exc}") from exc
    return out


def encode_coverages(values: Sequence[Any] | npt.NDArray[Any]) -> npt.NDArray[np.int8]:
    """Coverage names or enums to codes (index in `COVERAGE_ORDER`, -1 for no contract)."""
    arr = np.asarray(values)
    if arr.dtype.kind in "iu":
        if arr.size and (arr.min() < NO_COVERAGE or arr.max() >= len(COVERAGE_ORDER)):
            raise SLAInputError(f"coverage codes must be -1..{len(COVERAGE_ORDER) - 1}")
        return arr.astype(np.int8, copy=False)
    codes: dict[Any, int] = {k: _C_CODE[v] for k, v in _COVERAGE_LOOKUP.items()}
    codes[None] = NO_COVERAGE
    try:
        return np.fromiter((codes[v] for v in values), dtype=np.int8, count=len(values))
    except (KeyError, TypeError):
        pass
    out = np.empty(len(values), dtype=np.int8)
    for row, v in enumerate(values):
        try:
            out[row] = NO_COVERAGE if v is None else _C_CODE[Coverage.parse(v)]
        except SLAInputError as exc:
            raise SLAInputError(f"row {row}: {exc}") from exc
    return out


def to_epoch_us(values: Sequence[datetime] | npt.NDArray[Any]) -> IntArray:
    """`datetime64` (taken as UTC) or aware datetimes to int64 microseconds; NaT stays NaT."""
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        return arr.astype("datetime64[us]", copy=False).view(np.int64)
    out = np.empty(len(arr), dtype=np.int64)
    for row, v in enumerate(values):
        if v is None:
            out[row] = NAT
            continue
        try:
            require_aware(v, "logged_at")
        except SLAInputError as exc:
            raise SLAInputError(f"row {row}: {exc}") from exc
        out[row] = to_us(v)
    return out


class _Compiled:
    """A policy flattened into small lookup tables indexed by (priority, coverage) code."""

    def __init__(self, policy: Policy) -> None:
        n_cov = len(COVERAGE_ORDER)
        targets: list[ResolvedTarget] = []
        index: dict[int, int] = {}

        def slot(resolved: ResolvedTarget) -> int:
            key = id(resolved)
            if key not in index:
                index[key] = len(targets)
                targets.append(resolved)
            return index[key]

        size = len(PRIORITY_ORDER) * n_cov
        self.sel_in = np.zeros(size, dtype=np.int16)
        self.sel_out = np.zeros(size, dtype=np.int16)
        for (p, c), (inside, outside) in policy.plan.items():
            key = _P_CODE[p] * n_cov + _C_CODE[c]
            self.sel_in[key] = slot(inside)
            self.sel_out[key] = slot(outside)
        self.targets = targets
        # Business minutes on an always-open calendar are elapsed minutes: computing them
        # as wall-clock time spares the batch a second calendar's searches.
        kinds = [
            TargetKind.WALL_CLOCK_MINUTES
            if t.target.kind is TargetKind.BUSINESS_MINUTES
            and t.calendar is not None
            and t.calendar.always_open
            else t.target.kind
            for t in targets
        ]
        self.kind = np.array([_K_CODE[k] for k in kinds], dtype=np.int8)
        self.minutes_us = np.array(
            [(t.target.minutes or 0) * 60_000_000 for t in targets], dtype=np.int64
        )
        self.calendars: list[Calendar] = []
        cal_idx = []
        for t, k in zip(targets, kinds, strict=True):
            if t.calendar is None or k is TargetKind.WALL_CLOCK_MINUTES:
                cal_idx.append(-1)
                continue
            if t.calendar not in self.calendars:
                self.calendars.append(t.calendar)
            cal_idx.append(self.calendars.index(t.calendar))
        self.cal = np.array(cal_idx, dtype=np.int16)
        self.needs_hours = bool(np.any(self.sel_in != self.sel_out))
        # sel[2 * key + closed]: the target of a row from one lookup.
        self.sel = np.stack([self.sel_in, self.sel_out], axis=1).reshape(-1)


_COMPILED: dict[int, tuple[Policy, _Compiled]] = {}


def _compiled(policy: Policy) -> _Compiled:
    hit = _COMPILED.get(id(policy))
    if hit is None or hit[0] is not policy:
        hit = (policy, _Compiled(policy))
        _COMPILED[id(policy)] = hit
    return hit[1]


def response_due_many(
    policy: Policy,
    priorities: Sequence[Any] | npt.NDArray[Any],
    coverages: Sequence[Any] | npt.NDArray[Any],
    logged_at: Sequence[datetime] | npt.NDArray[Any],
    *,
    agreed_dates: npt.NDArray[Any] | None = None,
) -> npt.NDArray[np.datetime64]:
    """Due instants as `datetime64[us]` (UTC), `NaT` where there is no target.

    `priorities`/`coverages` are names, enums or codes from `encode_priorities` /
    `encode_coverages` (coverage `None` or -1: no valid contract). `logged_at` is
    `datetime64` in UTC or a sequence of aware datetimes. Row for row, the result equals
    `response_due(policy, priority, coverage, logged_at)`.
    """
    p = encode_priorities(priorities)
    c = encode_coverages(coverages)
    t = to_epoch_us(logged_at)
    n = len(t)
    if len(p) != n or len(c) != n:
        raise SLAInputError(
            f"priorities ({len(p)}), coverages ({len(c)}) and logged_at ({n}) differ in length"
        )
    out = np.full(n, NAT, dtype=np.int64)
    if n == 0:
        return out.view("datetime64[us]")
    comp = _compiled(policy)
    valid = (c >= 0) & (t != NAT)
    all_valid = bool(valid.all())
    if not all_valid:
        if not valid.any():
            return out.view("datetime64[us]")
        # NaT rows get a harmless stand-in instant so every array step stays in range;
        # their result is left NaT.
        t = np.where(valid, t, t[valid].min())
        c = np.where(valid, c, 0).astype(np.int8)
    key = p.astype(np.int16) * len(COVERAGE_ORDER) + c
    lo, hi = int(t.min()), int(t.max())
    hours = policy.hours
    hours_tl = hours.timeline_for(lo, hi)
    # One search on the hours calendar serves both the in-hours test and the business
    # arithmetic of every row counted on that calendar (usually most rows).
    hours_count = hours_tl.by_start.count_le(t)
    if comp.needs_hours:
        closed = t >= hours_tl.ends_p[hours_count]
        tidx = comp.sel[key * 2 + closed]
    else:
        tidx = comp.sel_in[key]
    kind = comp.kind[tidx]
    if not all_valid:
        kind = np.where(valid, kind, _K_CODE[TargetKind.NONE])
    span = comp.minutes_us[tidx]
    cal_of_row = comp.cal[tidx]

    # Whole-array arithmetic is cheaper than gathering each kind's rows first, so each
    # formula runs on every row and np.where keeps the right answer per row.
    np.copyto(out, t + span, where=kind == _K_CODE[TargetKind.WALL_CLOCK_MINUTES])
    for ci, cal in enumerate(comp.calendars):
        on_cal = cal_of_row == ci
        business = on_cal & (kind == _K_CODE[TargetKind.BUSINESS_MINUTES])
        if business.any():
            if cal is hours:
                np.copyto(out, _add_many(hours, hours_tl, t, span, hours_count), where=business)
            else:
                rows = np.flatnonzero(business)
                sub = t[rows]
                cal_tl = cal.timeline_for(int(sub.min()), int(sub.max()))
                out[rows] = _add_many(cal, cal_tl, sub, span[rows], None)
        next_day = on_cal & (kind == _K_CODE[TargetKind.NEXT_BUSINESS_DAY_CLOSE])
        if next_day.any():
            rows = np.flatnonzero(next_day)
            out[rows] = _next_close_many(cal, t[rows])

    if agreed_dates is not None:
        agreed = np.flatnonzero(kind == _K_CODE[TargetKind.AGREED_DATE])
        out[agreed] = to_epoch_us(agreed_dates)[agreed]
    return out.view("datetime64[us]")


def _add_many(
    cal: Calendar, tl: _Timeline, t: IntArray, span: IntArray, count: IntArray | None
) -> IntArray:
    target = tl.business_us_many(t, count) + span
    while int(target.max()) > tl.total_us:
        tl = cal._widen(tl)
        target = tl.business_us_many(t) + span
    result: IntArray = target + tl.shift_np[tl.by_cum_after.count_lt(target)]
    return result


def _next_close_many(cal: Calendar, t: IntArray) -> IntArray:
    tl = cal.timeline_for(int(t.min()), int(t.max()))
    while True:
        k = tl.by_day_start.count_le(t) - 1
        closes: IntArray = tl.next_close_np[k]
        if not (closes < 0).any():
            return closes
        tl = cal._widen(tl)

"""The service-level policy as data: which target applies to which ticket.

The default policy is exactly `SLA.md`: see `DEFAULT_POLICY` at the end of this module and
`docs/sla.md` for the rules in plain words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from sladesk.sla.calendar import ALWAYS_OPEN, STANDARD, Calendar
from sladesk.sla.errors import SLAInputError


class Priority(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    NORMAL = "normal"
    MINOR = "minor"
    ENHANCEMENT = "enhancement"

    @classmethod
    def parse(cls, value: object) -> Priority:
        found = _PRIORITY_LOOKUP.get(value) if isinstance(value, str) else None
        if found is None:
            if isinstance(value, str):
                found = _PRIORITY_LOOKUP.get(value.strip().lower())
            if found is None:
                choices = ", ".join(p.value for p in cls)
                raise SLAInputError(f"unknown priority {value!r} (expected one of: {choices})")
        return found


class Coverage(StrEnum):
    """The support contract's cover: standard hours only, or out-of-hours (24/7) too."""

    STANDARD = "standard"
    ALWAYS = "24x7"

    @classmethod
    def parse(cls, value: object) -> Coverage:
        found = _COVERAGE_LOOKUP.get(value) if isinstance(value, str) else None
        if found is None:
            if isinstance(value, str):
                found = _COVERAGE_LOOKUP.get(value.strip().lower())
            if found is None:
                raise SLAInputError(f"unknown coverage {value!r} (expected standard or 24x7)")
        return found


_PRIORITY_LOOKUP: dict[object, Priority] = {p.value: p for p in Priority}
_COVERAGE_LOOKUP: dict[object, Coverage] = {
    "standard": Coverage.STANDARD,
    "24x7": Coverage.ALWAYS,
    "24/7": Coverage.ALWAYS,
}


class TargetKind(StrEnum):
    BUSINESS_MINUTES = "business_minutes"
    WALL_CLOCK_MINUTES = "wall_clock_minutes"
    NEXT_BUSINESS_DAY_CLOSE = "next_business_day_close"
    AGREED_DATE = "agreed_date"
    NONE = "none"


_MINUTE_KINDS = {TargetKind.BUSINESS_MINUTES, TargetKind.WALL_CLOCK_MINUTES}


@dataclass(frozen=True)
class Target:
    """One response target.

    `calendar` names the calendar for business minutes or the next-business-day close.
    `None` means: for business minutes, the calendar of the coverage in force when the
    priority gets out-of-hours action (so 15 minutes for a 24x7 customer run on the 24x7
    calendar), else the policy's hours calendar; for the next business day, the hours
    calendar.
    """

    kind: TargetKind
    minutes: int | None = None
    calendar: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", TargetKind(self.kind))
        if self.kind in _MINUTE_KINDS:
            if not isinstance(self.minutes, int) or isinstance(self.minutes, bool):
                raise SLAInputError(f"target {self.kind.value} needs whole minutes")
            if self.minutes <= 0:
                raise SLAInputError(
                    f"target {self.kind.value} needs a positive number of minutes, "
                    f"got {self.minutes}"
                )
        elif self.minutes is not None:
            raise SLAInputError(f"target {self.kind.value} takes no minutes")

    def describe(self) -> str:
        if self.kind is TargetKind.BUSINESS_MINUTES:
            return f"{_minutes(self.minutes or 0)} of open time"
        if self.kind is TargetKind.WALL_CLOCK_MINUTES:
            return f"{_minutes(self.minutes or 0)}, wall clock"
        if self.kind is TargetKind.NEXT_BUSINESS_DAY_CLOSE:
            return "close of the next business day"
        if self.kind is TargetKind.AGREED_DATE:
            return "a delivery date agreed per ticket"
        return "no target"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind.value}
        if self.minutes is not None:
            data["minutes"] = self.minutes
        if self.calendar is not None:
            data["calendar"] = self.calendar
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Target:
        extra = sorted(set(data) - {"kind", "minutes", "calendar"})
        if extra:
            raise SLAInputError(
                f"a target has unknown key(s) {', '.join(extra)} "
                "(expected: kind, minutes, calendar)"
            )
        try:
            kind = TargetKind(data["kind"])
        except KeyError as exc:
            raise SLAInputError("a target needs a kind") from exc
        except ValueError as exc:
            kinds = ", ".join(k.value for k in TargetKind)
            raise SLAInputError(f"unknown target kind {data['kind']!r} ({kinds})") from exc
        return cls(kind, data.get("minutes"), data.get("calendar"))


def _minutes(n: int) -> str:
    if n % 60 == 0:
        hours = n // 60
        return f"{hours} hour" + ("s" if hours != 1 else "")
    return f"{n} minute" + ("s" if n != 1 else "")


@dataclass(frozen=True)
class PriorityRule:
    """The target when logged in standard hours, and when logged out of them."""

    in_hours: Target
    out_of_hours: Target


@dataclass(frozen=True)
class ResolvedTarget:
    """A target with its calendar looked up, ready to compute."""

    target: Target
    calendar: Calendar | None
    why: str
    span_us: int = field(init=False)
    kind: TargetKind = field(init=False)

    def __post_init__(self) -> None:
        # Precomputed: the hot path reads them for every ticket.
        object.__setattr__(self, "span_us", (self.target.minutes or 0) * 60_000_000)
        object.__setattr__(self, "kind", self.target.kind)


DEFAULT_COVERAGE_CALENDARS: tuple[tuple[Coverage, str], ...] = (
    (Coverage.STANDARD, "standard"),
    (Coverage.ALWAYS, "24x7"),
)


@dataclass(frozen=True)
class Policy:
    """A complete service-level policy.

    `out_of_hours_priorities` are the priorities that get out-of-hours action for customers
    whose coverage calendar is not the hours calendar (24x7 cover). All other tickets use
    their `in_hours` target, counted on the hours calendar.
    """

    name: str
    rules: tuple[tuple[Priority, PriorityRule], ...]
    out_of_hours_priorities: frozenset[Priority]
    hours_calendar: str = "standard"
    coverage_calendars: tuple[tuple[Coverage, str], ...] = DEFAULT_COVERAGE_CALENDARS
    calendars: tuple[Calendar, ...] = (STANDARD, ALWAYS_OPEN)
    description: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.name:
            raise SLAInputError("a policy needs a name")
        by_name = {c.name: c for c in self.calendars}
        if len(by_name) != len(self.calendars):
            raise SLAInputError(f"policy {self.name!r}: two calendars share a name")
        missing = [p.value for p in Priority if p not in dict(self.rules)]
        if missing:
            raise SLAInputError(f"policy {self.name!r}: no rule for {', '.join(missing)}")
        names = {self.hours_calendar} | {cal for _, cal in self.coverage_calendars}
        for _, rule in self.rules:
            for target in (rule.in_hours, rule.out_of_hours):
                if target.calendar is not None:
                    names.add(target.calendar)
        unknown = sorted(n for n in names if n not in by_name)
        if unknown:
            raise SLAInputError(
                f"policy {self.name!r} refers to unknown calendar(s): {', '.join(unknown)}"
            )
        missing_cov = [c.value for c in Coverage if c not in dict(self.coverage_calendars)]
        if missing_cov:
            raise SLAInputError(
                f"policy {self.name!r}: no calendar for coverage {', '.join(missing_cov)}"
            )
        object.__setattr__(
            self, "out_of_hours_priorities", frozenset(map(Priority, self.out_of_hours_priorities))
        )

    def rule(self, priority: Priority | str) -> PriorityRule:
        return self._rules[Priority.parse(priority)]

    def calendar(self, name: str) -> Calendar:
        try:
            return self._calendars[name]
        except KeyError as exc:
            raise SLAInputError(f"policy {self.name!r} has no calendar {name!r}") from exc

    @cached_property
    def _rules(self) -> dict[Priority, PriorityRule]:
        return dict(self.rules)

    @cached_property
    def _calendars(self) -> dict[str, Calendar]:
        return {c.name: c for c in self.calendars}

    @cached_property
    def hours(self) -> Calendar:
        return self.calendar(self.hours_calendar)

    @cached_property
    def plan(self) -> dict[tuple[Priority, Coverage], tuple[ResolvedTarget, ResolvedTarget]]:
        """For each (priority, coverage): the resolved (in hours, out of hours) targets.

        Where the ticket gets no out-of-hours action, both entries are the same object,
        so the hot path can skip the in-hours test.
        """
        coverage_cal = dict(self.coverage_calendars)
        plan = {}
        for priority, rule in self.rules:
            for coverage in Coverage:
                cal_name = coverage_cal[coverage]
                ooh_action = (
                    cal_name != self.hours_calendar and priority in self.out_of_hours_priorities
                )
                clock_cal = cal_name if ooh_action else self.hours_calendar
                inside = self._resolve(rule.in_hours, clock_cal, "logged in standard hours")
                if ooh_action:
                    outside = self._resolve(
                        rule.out_of_hours, clock_cal, "logged out of hours, with out-of-hours cover"
                    )
                else:
                    outside = inside
                plan[(priority, coverage)] = (inside, outside)
        return plan

    @cached_property
    def fast_plan(self) -> dict[tuple[object, object], tuple[ResolvedTarget, ResolvedTarget]]:
        """`plan` keyed by the plain strings callers usually pass (hashing str is cheap)."""
        fast: dict[tuple[object, object], tuple[ResolvedTarget, ResolvedTarget]] = {}
        for (priority, coverage), entry in self.plan.items():
            for cov_name, cov in _COVERAGE_LOOKUP.items():
                if cov is coverage:
                    fast[(str(priority.value), str(cov_name))] = entry
        return fast

    def _resolve(self, target: Target, clock_calendar: str, why: str) -> ResolvedTarget:
        if target.kind is TargetKind.BUSINESS_MINUTES:
            cal: Calendar | None = self.calendar(target.calendar or clock_calendar)
        elif target.kind is TargetKind.NEXT_BUSINESS_DAY_CLOSE:
            cal = self.calendar(target.calendar or self.hours_calendar)
        else:
            cal = None
        return ResolvedTarget(target, cal, why)

    # ---------------------------------------------------------------- serialisation

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "hours_calendar": self.hours_calendar,
            "out_of_hours_priorities": sorted(p.value for p in self.out_of_hours_priorities),
            "coverage_calendars": {c.value: name for c, name in self.coverage_calendars},
            "rules": {
                p.value: {
                    "in_hours": r.in_hours.to_dict(),
                    "out_of_hours": r.out_of_hours.to_dict(),
                }
                for p, r in self.rules
            },
            "calendars": [c.to_dict() for c in self.calendars],
        }

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, calendars: Iterable[Calendar] | None = None
    ) -> Policy:
        """Build a policy from `to_dict()`'s shape.

        `calendars` replaces the embedded calendar list (the database keeps calendars as
        their own rows); without either, the built-in calendars are used.
        """
        label = data.get("name", "?")
        # A misspelt key must not silently fall back to a default: that would quietly
        # change due times (e.g. drop out-of-hours action).
        unknown = sorted(set(data) - _POLICY_KEYS)
        if unknown:
            raise SLAInputError(
                f"policy {label!r}: unknown key(s) {', '.join(unknown)} "
                f"(expected: {', '.join(sorted(_POLICY_KEYS))})"
            )
        try:
            rules_data = data["rules"]
            rules = []
            for key, rule in rules_data.items():
                priority = Priority.parse(key)
                extra = sorted(set(rule) - {"in_hours", "out_of_hours"})
                if extra:
                    raise SLAInputError(
                        f"rule {key!r}: unknown key(s) {', '.join(extra)} "
                        "(expected: in_hours, out_of_hours)"
                    )
                try:
                    rules.append(
                        (
                            priority,
                            PriorityRule(
                                Target.from_dict(rule["in_hours"]),
                                Target.from_dict(rule["out_of_hours"]),
                            ),
                        )
                    )
                except KeyError as exc:
                    raise SLAInputError(f"rule {key!r} is missing {exc.args[0]!r}") from exc
                except SLAInputError as exc:
                    raise SLAInputError(f"rule {key!r}: {exc}") from exc
            if calendars is not None:
                cals = tuple(calendars)
            elif "calendars" in data:
                cals = tuple(Calendar.from_dict(c) for c in data["calendars"])
            else:
                cals = (STANDARD, ALWAYS_OPEN)
            cov = data.get("coverage_calendars")
            coverage_calendars = (
                tuple((Coverage.parse(k), str(v)) for k, v in cov.items())
                if cov
                else DEFAULT_COVERAGE_CALENDARS
            )
            return cls(
                name=str(data["name"]),
                description=str(data.get("description", "")),
                rules=tuple(rules),
                out_of_hours_priorities=frozenset(
                    Priority.parse(p) for p in data["out_of_hours_priorities"]
                ),
                hours_calendar=str(data.get("hours_calendar", "standard")),
                coverage_calendars=coverage_calendars,
                calendars=cals,
            )
        except KeyError as exc:
            raise SLAInputError(f"policy {label!r} is missing {exc.args[0]!r}") from exc
        except SLAInputError as exc:
            if str(exc).startswith("policy "):
                raise
            raise SLAInputError(f"policy {label!r}: {exc}") from exc


_POLICY_KEYS = frozenset(
    {
        "name",
        "description",
        "hours_calendar",
        "out_of_hours_priorities",
        "coverage_calendars",
        "rules",
        "calendars",
    }
)


def _business(minutes: int) -> Target:
    return Target(TargetKind.BUSINESS_MINUTES, minutes)


def _wall(minutes: int) -> Target:
    return Target(TargetKind.WALL_CLOCK_MINUTES, minutes)


_NEXT_DAY = Target(TargetKind.NEXT_BUSINESS_DAY_CLOSE)
_AGREED = Target(TargetKind.AGREED_DATE)

DEFAULT_POLICY = Policy(
    name="default",
    description="The support contract's response times, as made exact in SLA.md.",
    rules=(
        (Priority.CRITICAL, PriorityRule(_business(15), _wall(30))),
        (Priority.MAJOR, PriorityRule(_business(60), _wall(60))),
        (Priority.NORMAL, PriorityRule(_business(120), _business(120))),
        (Priority.MINOR, PriorityRule(_NEXT_DAY, _NEXT_DAY)),
        (Priority.ENHANCEMENT, PriorityRule(_AGREED, _AGREED)),
    ),
    out_of_hours_priorities=frozenset({Priority.CRITICAL, Priority.MAJOR}),
)

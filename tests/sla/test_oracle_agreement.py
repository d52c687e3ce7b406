"""The engine's ``response_due`` agrees with the independent oracle (``oracle.py``).

Three layers:
- the oracle itself reproduces the hand-worked table of ``test_rules_table.py`` and gives
  the same answer whether it walks time by the hour or by the minute;
- hypothesis: random priorities, coverages and instants (2025-2028, whole seconds, any
  offset), biased towards the tricky ones (opening/closing, midnight, clock changes);
- a deterministic sweep every 7 min 13 s through weeks containing the spring clock change
  and Easter 2026, the autumn clock change 2026 and Christmas/New Year 2026-27.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import COVERAGES, PRIORITIES, oracle_due
from test_rules_table import (
    BANK_HOLIDAY_EVES,
    BOUNDARY_CASES,
    CHRISTMAS_CASES,
    COVER_DOES_NOT_CHANGE_NORMAL_OR_MINOR,
    DST_CASES,
    OTHER_OFFSET_CASES,
    WEEKEND_CASES,
    WORKED_EXAMPLES,
    at,
)

from sladesk.sla import DEFAULT_POLICY, response_due

UTC = dt.UTC
LONDON = ZoneInfo("Europe/London")
ZONES = [
    UTC,
    LONDON,
    ZoneInfo("America/New_York"),
    ZoneInfo("Asia/Tokyo"),
    ZoneInfo("Asia/Kolkata"),
    ZoneInfo("Australia/Lord_Howe"),  # half-hour DST
    ZoneInfo("Pacific/Kiritimati"),  # UTC+14
    ZoneInfo("Pacific/Pago_Pago"),  # UTC-11
]
FIRST = dt.datetime(2025, 1, 1, tzinfo=UTC)
LAST = dt.datetime(2028, 12, 31, 23, 59, 59, tzinfo=UTC)


def engine_agrees(priority: str, coverage: str | None, logged_at: dt.datetime) -> str | None:
    """None when the engine agrees with the oracle, else a description of the disagreement."""
    expected = oracle_due(priority, coverage, logged_at)
    got = response_due(DEFAULT_POLICY, priority, coverage, logged_at)
    if got is not None and got.utcoffset() != dt.timedelta(0):
        return f"{priority}/{coverage} {logged_at.isoformat()}: result not in UTC: {got!r}"
    if got != expected:
        want = None if expected is None else expected.isoformat()
        have = None if got is None else got.isoformat()
        london = logged_at.astimezone(LONDON).strftime("%a %Y-%m-%d %H:%M:%S %Z")
        return (
            f"{priority}/{coverage} logged {logged_at.isoformat()} ({london}): "
            f"expected {want}, got {have}"
        )
    return None


# ---------------------------------------------------------------------------------------
# The oracle checks itself
# ---------------------------------------------------------------------------------------
HAND_TABLE = [
    *WORKED_EXAMPLES,
    *DST_CASES,
    *BOUNDARY_CASES,
    *WEEKEND_CASES,
    *CHRISTMAS_CASES,
    *COVER_DOES_NOT_CHANGE_NORMAL_OR_MINOR,
    *OTHER_OFFSET_CASES,
]


@pytest.mark.parametrize("step", [3600, 60], ids=["hourly_walk", "minute_walk"])
def test_oracle_reproduces_the_hand_worked_table(step):
    for case in HAND_TABLE:
        priority, coverage, logged, expected = case.values
        assert oracle_due(priority, coverage, at(logged), step=step) == at(expected), case.id
    for case in BANK_HOLIDAY_EVES:
        logged, normal_due, minor_due = case.values
        assert oracle_due("normal", "standard", at(logged), step=step) == at(normal_due)
        assert oracle_due("minor", "standard", at(logged), step=step) == at(minor_due)


@settings(max_examples=60, deadline=None, database=None)
@given(
    priority=st.sampled_from(["critical", "major", "normal"]),
    seconds=st.integers(int(FIRST.timestamp()), int(LAST.timestamp())),
)
def test_oracle_hourly_walk_equals_its_second_precise_minute_walk(priority, seconds):
    logged_at = dt.datetime.fromtimestamp(seconds, UTC)
    hourly = oracle_due(priority, "standard", logged_at, step=3600)
    assert hourly == oracle_due(priority, "standard", logged_at, step=60)


# ---------------------------------------------------------------------------------------
# Hypothesis
# ---------------------------------------------------------------------------------------
uniform_instants = st.integers(int(FIRST.timestamp()), int(LAST.timestamp())).map(
    lambda s: dt.datetime.fromtimestamp(s, UTC)
)


@st.composite
def tricky_instants(draw: st.DrawFn) -> dt.datetime:
    """A London wall-clock time a few seconds around an edge, on a 2025-2028 day."""
    day = draw(
        st.one_of(
            st.dates(dt.date(2025, 1, 1), dt.date(2028, 12, 30)),
            # the weekends of the clock changes and the Christmas / Easter weeks
            st.sampled_from(
                [
                    dt.date(y, m, d)
                    for y, m, d in [
                        (2025, 3, 28), (2025, 3, 30), (2025, 3, 31), (2025, 4, 17),
                        (2025, 10, 24), (2025, 10, 26), (2025, 10, 27), (2025, 12, 24),
                        (2026, 3, 27), (2026, 3, 29), (2026, 3, 30), (2026, 4, 2),
                        (2026, 10, 23), (2026, 10, 25), (2026, 10, 26), (2026, 12, 24),
                        (2026, 12, 28), (2026, 12, 31), (2027, 3, 25), (2027, 3, 28),
                        (2027, 10, 29), (2027, 10, 31), (2027, 12, 24), (2027, 12, 31),
                        (2028, 3, 24), (2028, 3, 26), (2028, 10, 27), (2028, 10, 29),
                        (2028, 12, 22), (2028, 12, 29),
                    ]
                ]
            ),
        )
    )  # fmt: skip
    edge = draw(
        st.sampled_from(
            [(0, 0), (0, 45), (1, 0), (1, 30), (2, 0), (8, 45), (9, 0), (10, 0),
             (15, 0), (16, 0), (16, 45), (17, 0), (23, 0), (23, 30)]
        )
    )  # fmt: skip
    fold = draw(st.integers(0, 1))
    wiggle = draw(st.one_of(st.just(0), st.integers(-90, 90), st.integers(-7200, 7200)))
    local = dt.datetime.combine(day, dt.time(*edge), tzinfo=LONDON).replace(fold=fold)
    return local.astimezone(UTC) + dt.timedelta(seconds=wiggle)


@st.composite
def any_offset(draw: st.DrawFn, instant: dt.datetime) -> dt.datetime:
    zone = draw(
        st.one_of(
            st.sampled_from(ZONES),
            st.integers(-23 * 60 - 59, 23 * 60 + 59).map(
                lambda m: dt.timezone(dt.timedelta(minutes=m))
            ),
        )
    )
    return instant.astimezone(zone)


instants = st.one_of(uniform_instants, tricky_instants()).flatmap(any_offset)


@settings(
    max_examples=1500,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    priority=st.sampled_from(PRIORITIES),
    coverage=st.sampled_from(COVERAGES),
    logged_at=instants,
)
def test_engine_response_due_equals_the_oracle_for_any_instant(priority, coverage, logged_at):
    problem = engine_agrees(priority, coverage, logged_at)
    assert problem is None, problem


# ---------------------------------------------------------------------------------------
# Deterministic sweep
# ---------------------------------------------------------------------------------------
SWEEP_STEP = dt.timedelta(minutes=7, seconds=13)
SWEEP_WINDOWS = [
    pytest.param(
        dt.datetime(2026, 3, 23, 0, 0, 7, tzinfo=UTC),
        dt.datetime(2026, 4, 13, tzinfo=UTC),
        id="spring_clock_change_and_easter_2026",
    ),
    pytest.param(
        dt.datetime(2026, 10, 19, 0, 0, 11, tzinfo=UTC),
        dt.datetime(2026, 11, 2, tzinfo=UTC),
        id="autumn_clock_change_2026",
    ),
    pytest.param(
        dt.datetime(2026, 12, 21, 0, 0, 13, tzinfo=UTC),
        dt.datetime(2027, 1, 6, tzinfo=UTC),
        id="christmas_and_new_year_2026_27",
    ),
]
SWEEP_COMBOS = [(p, c) for p in PRIORITIES for c in COVERAGES]


@pytest.mark.parametrize(("first", "end"), SWEEP_WINDOWS)
def test_engine_agrees_with_the_oracle_every_7_min_13_s(first, end):
    problems: list[str] = []
    checked = 0
    t = first
    i = 0
    while t < end:
        logged_at = t.astimezone(ZONES[i % 4])  # UTC, London, New York, Tokyo in turn
        for priority, coverage in SWEEP_COMBOS:
            problem = engine_agrees(priority, coverage, logged_at)
            checked += 1
            if problem:
                problems.append(problem)
        t += SWEEP_STEP
        i += 1
    assert checked > 1000
    assert not problems, f"{len(problems)} of {checked} disagree; first ones:\n" + "\n".join(
        problems[:25]
    )

"""The NumPy batch path agrees with the per-ticket path (sla/batch.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sladesk.sla import (
    COVERAGE_ORDER,
    DEFAULT_POLICY,
    PRIORITY_ORDER,
    Policy,
    SLAInputError,
    encode_coverages,
    encode_priorities,
    response_due,
    response_due_many,
)

START = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
END = int(datetime(2028, 12, 31, tzinfo=UTC).timestamp())

ticket = st.tuples(
    st.sampled_from([p.value for p in PRIORITY_ORDER]),
    st.sampled_from([*(c.value for c in COVERAGE_ORDER), None]),
    st.integers(min_value=START, max_value=END),
)


def _as_datetime(value: np.datetime64) -> datetime | None:
    if np.isnat(value):
        return None
    micros = int(value.astype("datetime64[us]").astype(np.int64))
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)


def _per_ticket(policy: Policy, rows: list[tuple[str, str | None, int]]) -> list[datetime | None]:
    return [response_due(policy, p, c, datetime.fromtimestamp(s, UTC)) for p, c, s in rows]


def _batch(policy: Policy, rows: list[tuple[str, str | None, int]]) -> list[datetime | None]:
    logged = np.array([s for _, _, s in rows], dtype="datetime64[s]")
    due = response_due_many(policy, [r[0] for r in rows], [r[1] for r in rows], logged)
    return [_as_datetime(v) for v in due]


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(ticket, min_size=1, max_size=300))
def test_batch_and_per_ticket_paths_agree_on_random_tickets(rows) -> None:  # type: ignore[no-untyped-def]
    assert _batch(DEFAULT_POLICY, rows) == _per_ticket(DEFAULT_POLICY, rows)


ONLY_CRITICAL_OUT_OF_HOURS = Policy.from_dict(
    DEFAULT_POLICY.to_dict() | {"name": "critical-only", "out_of_hours_priorities": ["critical"]}
)


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(ticket, min_size=1, max_size=300))
def test_batch_and_per_ticket_paths_agree_under_a_changed_policy(rows) -> None:  # type: ignore[no-untyped-def]
    assert _batch(ONLY_CRITICAL_OUT_OF_HOURS, rows) == _per_ticket(ONLY_CRITICAL_OUT_OF_HOURS, rows)


def test_a_large_random_batch_agrees_with_the_per_ticket_path_row_for_row() -> None:
    rng = np.random.default_rng(2026)
    n = 20_000
    seconds = rng.integers(START, END, n)
    priorities = rng.integers(0, len(PRIORITY_ORDER), n).astype(np.int8)
    coverages = rng.integers(-1, len(COVERAGE_ORDER), n).astype(np.int8)
    due = response_due_many(DEFAULT_POLICY, priorities, coverages, seconds.astype("datetime64[s]"))
    expected = [
        response_due(
            DEFAULT_POLICY,
            PRIORITY_ORDER[p],
            None if c < 0 else COVERAGE_ORDER[c],
            datetime.fromtimestamp(int(s), UTC),
        )
        for p, c, s in zip(priorities, coverages, seconds, strict=True)
    ]
    assert [_as_datetime(v) for v in due] == expected


def test_nat_logging_instants_give_nat_and_do_not_disturb_other_rows() -> None:
    logged = np.array(["NaT", "2026-12-24T16:00:00"], dtype="datetime64[us]")
    due = response_due_many(DEFAULT_POLICY, ["critical", "critical"], ["24x7", "24x7"], logged)
    assert np.isnat(due[0])
    assert due[1] == np.datetime64("2026-12-24T16:15:00", "us")


def test_an_empty_batch_gives_an_empty_result() -> None:
    due = response_due_many(DEFAULT_POLICY, [], [], np.array([], dtype="datetime64[us]"))
    assert due.shape == (0,)
    assert due.dtype == np.dtype("datetime64[us]")


def test_aware_datetimes_are_accepted_and_naive_ones_refused_naming_the_row() -> None:
    aware = [datetime(2026, 12, 24, 16, tzinfo=UTC)]
    due = response_due_many(DEFAULT_POLICY, ["critical"], ["standard"], aware)
    assert due[0] == np.datetime64("2026-12-24T16:15:00", "us")
    with pytest.raises(SLAInputError, match=r"row 1: logged_at .* has no time zone"):
        response_due_many(
            DEFAULT_POLICY,
            ["critical", "major"],
            ["standard", "standard"],
            [aware[0], datetime(2026, 12, 24, 16)],
        )


def test_an_unknown_priority_is_refused_naming_the_row() -> None:
    with pytest.raises(SLAInputError, match="row 2: unknown priority 'urgent'"):
        encode_priorities(["critical", "minor", "urgent"])


def test_an_unknown_coverage_is_refused_naming_the_row() -> None:
    with pytest.raises(SLAInputError, match="row 0: unknown coverage 'gold'"):
        encode_coverages(["gold"])


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(SLAInputError, match="differ in length"):
        response_due_many(
            DEFAULT_POLICY, ["critical"], ["standard", "24x7"], np.array([0], dtype="datetime64[s]")
        )


def test_agreed_delivery_dates_pass_through_for_enhancements_only() -> None:
    logged = np.array(["2026-12-01T10:00", "2026-12-01T10:00"], dtype="datetime64[us]")
    agreed = np.array(["2027-01-15T17:00", "2027-01-15T17:00"], dtype="datetime64[us]")
    due = response_due_many(
        DEFAULT_POLICY,
        ["enhancement", "minor"],
        ["standard", "standard"],
        logged,
        agreed_dates=agreed,
    )
    assert due[0] == np.datetime64("2027-01-15T17:00", "us")
    assert due[1] == np.datetime64("2026-12-02T17:00", "us")

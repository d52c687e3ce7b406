"""Table tests of the DEFAULT policy, every expected value worked out by hand from SLA.md.

The expected due times are literals, not computed: each one was derived from the rules in
``../shared/SLA.md`` (standard hours Mon-Fri 09:00-17:00 Europe/London, closed on the
England & Wales bank holidays; exactly 09:00 is in hours, exactly 17:00 is not).

Reminders used while working the tables out by hand:
- London is GMT (UTC+0) in winter and BST (UTC+1) in summer. The clocks go forward at
  01:00 UTC on the last Sunday of March (2025-03-30, 2026-03-29, 2027-03-28, 2028-03-26) and
  back at 01:00 UTC on the last Sunday of October (2025-10-26, 2026-10-25, 2027-10-31,
  2028-10-29).
- Targets: Critical 15 min, Major 60 min, Normal 120 min of standard hours; with 24x7 cover
  Critical/Major are wall clock (out of hours: Critical 30 min, Major 60 min); Minor is
  17:00 London on the first business day strictly after the London date of ``logged_at``.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from sladesk.sla import (
    DEFAULT_POLICY,
    STANDARD,
    Coverage,
    Priority,
    SLAInputError,
    response_due,
)

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    """An aware datetime from an ISO 8601 literal that carries its own offset."""
    value = dt.datetime.fromisoformat(text)
    assert value.tzinfo is not None, text
    return value


def assert_same_instant_in_utc(got: dt.datetime | None, expected: str) -> None:
    assert got is not None, f"expected {expected}, got None"
    assert got.tzinfo is not None, f"result must be aware, got {got!r}"
    assert got.utcoffset() == dt.timedelta(0), f"result must be in UTC, got {got!r}"
    assert got == at(expected), f"expected {expected}, got {got.isoformat()}"


def due_case(case_id: str, priority: str, coverage: str | None, logged: str, expected: str):
    return pytest.param(priority, coverage, logged, expected, id=case_id)


# ---------------------------------------------------------------------------------------
# The worked examples of SLA.md
# ---------------------------------------------------------------------------------------
# fmt: off
WORKED_EXAMPLES = [
    due_case(
        "critical_with_cover_logged_friday_1650_is_due_1705_same_day",
        "critical", "24x7", "2026-01-09T16:50:00+00:00", "2026-01-09T17:05:00Z",
    ),
    due_case(
        "critical_with_cover_logged_friday_1650_bst_is_due_1705_bst_same_day",
        "critical", "24x7", "2026-06-12T16:50:00+01:00", "2026-06-12T16:05:00Z",
    ),
    due_case(
        "critical_standard_logged_friday_1650_is_due_monday_0905",
        "critical", "standard", "2026-01-09T16:50:00+00:00", "2026-01-12T09:05:00Z",
    ),
    due_case(
        "critical_standard_logged_friday_1650_bst_is_due_monday_0905_bst",
        "critical", "standard", "2026-06-12T16:50:00+01:00", "2026-06-15T08:05:00Z",
    ),
    due_case(
        "normal_logged_thursday_1630_before_easter_2025_is_due_tuesday_1030",
        "normal", "standard", "2025-04-17T16:30:00+01:00", "2025-04-22T09:30:00Z",
    ),
    due_case(
        "normal_logged_thursday_1630_before_easter_2026_is_due_tuesday_1030",
        "normal", "standard", "2026-04-02T16:30:00+01:00", "2026-04-07T09:30:00Z",
    ),
    due_case(
        "normal_logged_thursday_1630_gmt_before_easter_2027_is_due_tuesday_1030_bst",
        "normal", "standard", "2027-03-25T16:30:00+00:00", "2027-03-30T09:30:00Z",
    ),
    due_case(
        "normal_logged_thursday_1630_before_easter_2028_is_due_tuesday_1030",
        "normal", "standard", "2028-04-13T16:30:00+01:00", "2028-04-18T09:30:00Z",
    ),
    due_case(
        "minor_logged_monday_0800_is_due_tuesday_1700",
        "minor", "standard", "2026-01-12T08:00:00+00:00", "2026-01-13T17:00:00Z",
    ),
    due_case(
        "minor_logged_monday_1600_is_due_tuesday_1700",
        "minor", "standard", "2026-01-12T16:00:00+00:00", "2026-01-13T17:00:00Z",
    ),
    due_case(
        "minor_logged_monday_0800_bst_is_due_tuesday_1700_bst",
        "minor", "standard", "2026-06-15T08:00:00+01:00", "2026-06-16T16:00:00Z",
    ),
    due_case(
        "minor_logged_friday_1800_is_due_monday_1700",
        "minor", "standard", "2026-01-09T18:00:00+00:00", "2026-01-12T17:00:00Z",
    ),
    due_case(
        "minor_logged_saturday_is_due_monday_1700",
        "minor", "standard", "2026-01-10T12:00:00+00:00", "2026-01-12T17:00:00Z",
    ),
    due_case(
        "minor_logged_sunday_235959_is_due_monday_1700",
        "minor", "standard", "2026-01-11T23:59:59+00:00", "2026-01-12T17:00:00Z",
    ),
    due_case(
        "minor_logged_friday_1800_before_may_day_is_due_tuesday_1700",
        "minor", "standard", "2026-05-01T18:00:00+01:00", "2026-05-05T16:00:00Z",
    ),
    due_case(
        "minor_logged_saturday_before_may_day_is_due_tuesday_1700",
        "minor", "standard", "2026-05-02T10:00:00+01:00", "2026-05-05T16:00:00Z",
    ),
    due_case(
        "minor_logged_sunday_before_may_day_is_due_tuesday_1700",
        "minor", "standard", "2026-05-03T22:00:00+01:00", "2026-05-05T16:00:00Z",
    ),
    due_case(
        "minor_logged_sunday_2330_utc_is_monday_in_london_so_due_tuesday_1700",
        "minor", "standard", "2026-06-14T23:30:00+00:00", "2026-06-16T16:00:00Z",
    ),
]
# fmt: on


# ---------------------------------------------------------------------------------------
# Both clock changes of 2025-2028
# ---------------------------------------------------------------------------------------
# fmt: off
DST_CASES = [
    # 2025: forward on Sunday 30 March, back on Sunday 26 October.
    due_case(
        "normal_logged_friday_1800_gmt_before_spring_2025_change_is_due_monday_1100_bst",
        "normal", "standard", "2025-03-28T18:00:00+00:00", "2025-03-31T10:00:00Z",
    ),
    due_case(
        "critical_standard_logged_friday_1655_gmt_spring_2025_is_due_monday_0910_bst",
        "critical", "standard", "2025-03-28T16:55:00+00:00", "2025-03-31T08:10:00Z",
    ),
    due_case(
        "critical_with_cover_logged_0045_on_spring_2025_change_night_is_due_0215_bst",
        "critical", "24x7", "2025-03-30T00:45:00+00:00", "2025-03-30T01:15:00Z",
    ),
    due_case(
        "major_with_cover_logged_0045_on_spring_2025_change_night_is_due_0245_bst",
        "major", "24x7", "2025-03-30T00:45:00+00:00", "2025-03-30T01:45:00Z",
    ),
    due_case(
        "normal_logged_friday_1800_bst_before_autumn_2025_change_is_due_monday_1100_gmt",
        "normal", "standard", "2025-10-24T18:00:00+01:00", "2025-10-27T11:00:00Z",
    ),
    due_case(
        "critical_standard_logged_friday_1655_bst_autumn_2025_is_due_monday_0910_gmt",
        "critical", "standard", "2025-10-24T16:55:00+01:00", "2025-10-27T09:10:00Z",
    ),
    due_case(
        "critical_with_cover_logged_0045_bst_on_autumn_2025_change_night_is_due_30_min_later",
        "critical", "24x7", "2025-10-26T00:45:00+01:00", "2025-10-26T00:15:00Z",
    ),
    due_case(
        "critical_with_cover_logged_first_0130_bst_on_autumn_2025_night_is_due_0100_gmt",
        "critical", "24x7", "2025-10-26T01:30:00+01:00", "2025-10-26T01:00:00Z",
    ),
    due_case(
        "critical_with_cover_logged_second_0130_gmt_on_autumn_2025_night_is_due_0200_gmt",
        "critical", "24x7", "2025-10-26T01:30:00+00:00", "2025-10-26T02:00:00Z",
    ),
    # 2026: forward on Sunday 29 March, back on Sunday 25 October.
    due_case(
        "normal_logged_friday_1800_gmt_before_spring_2026_change_is_due_monday_1100_bst",
        "normal", "standard", "2026-03-27T18:00:00+00:00", "2026-03-30T10:00:00Z",
    ),
    due_case(
        "critical_standard_logged_friday_1655_gmt_spring_2026_is_due_monday_0910_bst",
        "critical", "standard", "2026-03-27T16:55:00+00:00", "2026-03-30T08:10:00Z",
    ),
    due_case(
        "critical_with_cover_logged_0045_on_spring_2026_change_night_is_due_0215_bst",
        "critical", "24x7", "2026-03-29T00:45:00+00:00", "2026-03-29T01:15:00Z",
    ),
    due_case(
        "minor_logged_friday_1800_gmt_before_spring_2026_change_is_due_monday_1700_bst",
        "minor", "standard", "2026-03-27T18:00:00+00:00", "2026-03-30T16:00:00Z",
    ),
    due_case(
        "normal_logged_friday_1800_bst_before_autumn_2026_change_is_due_monday_1100_gmt",
        "normal", "standard", "2026-10-23T18:00:00+01:00", "2026-10-26T11:00:00Z",
    ),
    due_case(
        "critical_standard_logged_friday_1655_bst_autumn_2026_is_due_monday_0910_gmt",
        "critical", "standard", "2026-10-23T16:55:00+01:00", "2026-10-26T09:10:00Z",
    ),
    due_case(
        "major_standard_logged_friday_1630_bst_autumn_2026_is_due_monday_0930_gmt",
        "major", "standard", "2026-10-23T16:30:00+01:00", "2026-10-26T09:30:00Z",
    ),
    due_case(
        "critical_with_cover_logged_0045_bst_on_autumn_2026_change_night_is_due_30_min_later",
        "critical", "24x7", "2026-10-25T00:45:00+01:00", "2026-10-25T00:15:00Z",
    ),
    due_case(
        "minor_logged_friday_1800_bst_before_autumn_2026_change_is_due_monday_1700_gmt",
        "minor", "standard", "2026-10-23T18:00:00+01:00", "2026-10-26T17:00:00Z",
    ),
    # 2027: forward on Sunday 28 March (Easter Sunday: Good Friday 26th, Easter Monday 29th),
    # back on Sunday 31 October.
    due_case(
        "normal_logged_thursday_1800_gmt_before_easter_and_spring_2027_is_due_tuesday_1100_bst",
        "normal", "standard", "2027-03-25T18:00:00+00:00", "2027-03-30T10:00:00Z",
    ),
    due_case(
        "critical_standard_logged_thursday_1655_gmt_spring_2027_is_due_tuesday_0910_bst",
        "critical", "standard", "2027-03-25T16:55:00+00:00", "2027-03-30T08:10:00Z",
    ),
    due_case(
        "critical_standard_logged_on_good_friday_2027_is_due_tuesday_0915_bst",
        "critical", "standard", "2027-03-26T10:00:00+00:00", "2027-03-30T08:15:00Z",
    ),
    due_case(
        "critical_with_cover_logged_0045_on_spring_2027_change_night_is_due_0215_bst",
        "critical", "24x7", "2027-03-28T00:45:00+00:00", "2027-03-28T01:15:00Z",
    ),
    due_case(
        "normal_logged_friday_1800_bst_before_autumn_2027_change_is_due_monday_1100_gmt",
        "normal", "standard", "2027-10-29T18:00:00+01:00", "2027-11-01T11:00:00Z",
    ),
    due_case(
        "critical_standard_logged_friday_1655_bst_autumn_2027_is_due_monday_0910_gmt",
        "critical", "standard", "2027-10-29T16:55:00+01:00", "2027-11-01T09:10:00Z",
    ),
    due_case(
        "critical_with_cover_logged_0045_bst_on_autumn_2027_change_night_is_due_30_min_later",
        "critical", "24x7", "2027-10-31T00:45:00+01:00", "2027-10-31T00:15:00Z",
    ),
    # 2028: forward on Sunday 26 March, back on Sunday 29 October.
    due_case(
        "normal_logged_friday_1800_gmt_before_spring_2028_change_is_due_monday_1100_bst",
        "normal", "standard", "2028-03-24T18:00:00+00:00", "2028-03-27T10:00:00Z",
    ),
    due_case(
        "critical_standard_logged_friday_1655_gmt_spring_2028_is_due_monday_0910_bst",
        "critical", "standard", "2028-03-24T16:55:00+00:00", "2028-03-27T08:10:00Z",
    ),
    due_case(
        "critical_with_cover_logged_0045_on_spring_2028_change_night_is_due_0215_bst",
        "critical", "24x7", "2028-03-26T00:45:00+00:00", "2028-03-26T01:15:00Z",
    ),
    due_case(
        "normal_logged_friday_1800_bst_before_autumn_2028_change_is_due_monday_1100_gmt",
        "normal", "standard", "2028-10-27T18:00:00+01:00", "2028-10-30T11:00:00Z",
    ),
    due_case(
        "critical_standard_logged_friday_1655_bst_autumn_2028_is_due_monday_0910_gmt",
        "critical", "standard", "2028-10-27T16:55:00+01:00", "2028-10-30T09:10:00Z",
    ),
    due_case(
        "critical_with_cover_logged_0045_bst_on_autumn_2028_change_night_is_due_30_min_later",
        "critical", "24x7", "2028-10-29T00:45:00+01:00", "2028-10-29T00:15:00Z",
    ),
]
# fmt: on


# ---------------------------------------------------------------------------------------
# Boundaries: exactly 09:00 is in hours, exactly 17:00 is not; second precision
# (Wednesday 14 January 2026 is GMT, Wednesday 15 July 2026 is BST)
# ---------------------------------------------------------------------------------------
# fmt: off
BOUNDARY_CASES = [
    due_case(
        "critical_standard_logged_exactly_0900_is_due_0915",
        "critical", "standard", "2026-01-14T09:00:00+00:00", "2026-01-14T09:15:00Z",
    ),
    due_case(
        "critical_with_cover_logged_exactly_0900_is_in_hours_so_due_0915",
        "critical", "24x7", "2026-01-14T09:00:00+00:00", "2026-01-14T09:15:00Z",
    ),
    due_case(
        "critical_standard_logged_085959_waits_for_opening_and_is_due_0915",
        "critical", "standard", "2026-01-14T08:59:59+00:00", "2026-01-14T09:15:00Z",
    ),
    due_case(
        "critical_with_cover_logged_085959_is_out_of_hours_so_due_092959",
        "critical", "24x7", "2026-01-14T08:59:59+00:00", "2026-01-14T09:29:59Z",
    ),
    due_case(
        "critical_standard_logged_165959_uses_one_second_then_is_due_next_day_091459",
        "critical", "standard", "2026-01-14T16:59:59+00:00", "2026-01-15T09:14:59Z",
    ),
    due_case(
        "critical_with_cover_logged_165959_is_in_hours_so_due_171459",
        "critical", "24x7", "2026-01-14T16:59:59+00:00", "2026-01-14T17:14:59Z",
    ),
    due_case(
        "critical_standard_logged_exactly_1700_is_due_next_day_0915",
        "critical", "standard", "2026-01-14T17:00:00+00:00", "2026-01-15T09:15:00Z",
    ),
    due_case(
        "critical_with_cover_logged_exactly_1700_is_out_of_hours_so_due_1730",
        "critical", "24x7", "2026-01-14T17:00:00+00:00", "2026-01-14T17:30:00Z",
    ),
    due_case(
        "critical_standard_logged_1645_ends_exactly_at_1700_same_day",
        "critical", "standard", "2026-01-14T16:45:00+00:00", "2026-01-14T17:00:00Z",
    ),
    due_case(
        "critical_standard_logged_164501_is_due_next_day_090001",
        "critical", "standard", "2026-01-14T16:45:01+00:00", "2026-01-15T09:00:01Z",
    ),
    due_case(
        "critical_standard_logged_with_seconds_keeps_the_seconds",
        "critical", "standard", "2026-01-14T12:34:56+00:00", "2026-01-14T12:49:56Z",
    ),
    due_case(
        "major_standard_logged_1600_ends_exactly_at_1700_same_day",
        "major", "standard", "2026-01-14T16:00:00+00:00", "2026-01-14T17:00:00Z",
    ),
    due_case(
        "major_standard_logged_165959_is_due_next_day_095959",
        "major", "standard", "2026-01-14T16:59:59+00:00", "2026-01-15T09:59:59Z",
    ),
    due_case(
        "major_with_cover_logged_165959_is_due_175959",
        "major", "24x7", "2026-01-14T16:59:59+00:00", "2026-01-14T17:59:59Z",
    ),
    due_case(
        "major_with_cover_logged_exactly_1700_is_due_1800",
        "major", "24x7", "2026-01-14T17:00:00+00:00", "2026-01-14T18:00:00Z",
    ),
    due_case(
        "major_with_cover_logged_exactly_0900_is_due_1000",
        "major", "24x7", "2026-01-14T09:00:00+00:00", "2026-01-14T10:00:00Z",
    ),
    due_case(
        "normal_standard_logged_exactly_0900_is_due_1100",
        "normal", "standard", "2026-01-14T09:00:00+00:00", "2026-01-14T11:00:00Z",
    ),
    due_case(
        "normal_standard_logged_1500_ends_exactly_at_1700_same_day",
        "normal", "standard", "2026-01-14T15:00:00+00:00", "2026-01-14T17:00:00Z",
    ),
    due_case(
        "normal_standard_logged_150001_is_due_next_day_090001",
        "normal", "standard", "2026-01-14T15:00:01+00:00", "2026-01-15T09:00:01Z",
    ),
    due_case(
        "normal_standard_logged_165959_is_due_next_day_105959",
        "normal", "standard", "2026-01-14T16:59:59+00:00", "2026-01-15T10:59:59Z",
    ),
    due_case(
        "normal_standard_logged_exactly_1700_is_due_next_day_1100",
        "normal", "standard", "2026-01-14T17:00:00+00:00", "2026-01-15T11:00:00Z",
    ),
    due_case(
        "minor_logged_165959_is_due_next_day_1700",
        "minor", "standard", "2026-01-14T16:59:59+00:00", "2026-01-15T17:00:00Z",
    ),
    due_case(
        "minor_logged_exactly_1700_is_due_next_day_1700",
        "minor", "standard", "2026-01-14T17:00:00+00:00", "2026-01-15T17:00:00Z",
    ),
    due_case(
        "minor_logged_at_midnight_is_due_next_day_1700",
        "minor", "standard", "2026-01-14T00:00:00+00:00", "2026-01-15T17:00:00Z",
    ),
    due_case(
        "critical_standard_logged_exactly_0900_bst_is_due_0915_bst",
        "critical", "standard", "2026-07-15T09:00:00+01:00", "2026-07-15T08:15:00Z",
    ),
    due_case(
        "critical_with_cover_logged_085959_bst_is_out_of_hours_so_due_092959_bst",
        "critical", "24x7", "2026-07-15T08:59:59+01:00", "2026-07-15T08:29:59Z",
    ),
    due_case(
        "critical_with_cover_logged_0830_utc_in_summer_is_0930_bst_so_in_hours",
        "critical", "24x7", "2026-07-15T08:30:00+00:00", "2026-07-15T08:45:00Z",
    ),
    due_case(
        "critical_with_cover_logged_1630_utc_in_summer_is_1730_bst_so_out_of_hours",
        "critical", "24x7", "2026-07-15T16:30:00+00:00", "2026-07-15T17:00:00Z",
    ),
    due_case(
        "critical_standard_logged_165959_bst_is_due_next_day_091459_bst",
        "critical", "standard", "2026-07-15T16:59:59+01:00", "2026-07-16T08:14:59Z",
    ),
    due_case(
        "critical_with_cover_logged_exactly_1700_bst_is_due_1730_bst",
        "critical", "24x7", "2026-07-15T17:00:00+01:00", "2026-07-15T16:30:00Z",
    ),
    due_case(
        "normal_standard_logged_1500_bst_ends_exactly_at_1700_bst",
        "normal", "standard", "2026-07-15T15:00:00+01:00", "2026-07-15T16:00:00Z",
    ),
]
# fmt: on


# ---------------------------------------------------------------------------------------
# Weekends, Christmas weeks, 24x7 cover for Normal/Minor, other offsets
# ---------------------------------------------------------------------------------------
# fmt: off
WEEKEND_CASES = [
    due_case(
        "critical_standard_logged_saturday_is_due_monday_0915",
        "critical", "standard", "2026-01-10T12:00:00+00:00", "2026-01-12T09:15:00Z",
    ),
    due_case(
        "critical_with_cover_logged_saturday_is_due_30_min_later",
        "critical", "24x7", "2026-01-10T12:00:00+00:00", "2026-01-10T12:30:00Z",
    ),
    due_case(
        "major_with_cover_logged_sunday_0300_is_due_0400",
        "major", "24x7", "2026-01-11T03:00:00+00:00", "2026-01-11T04:00:00Z",
    ),
    due_case(
        "major_standard_logged_sunday_is_due_monday_1000",
        "major", "standard", "2026-01-11T03:00:00+00:00", "2026-01-12T10:00:00Z",
    ),
    due_case(
        "normal_standard_logged_sunday_is_due_monday_1100",
        "normal", "standard", "2026-01-11T03:00:00+00:00", "2026-01-12T11:00:00Z",
    ),
    due_case(
        "critical_with_cover_logged_friday_exactly_1700_is_due_1730",
        "critical", "24x7", "2026-01-09T17:00:00+00:00", "2026-01-09T17:30:00Z",
    ),
    due_case(
        "critical_standard_logged_sunday_2330_utc_in_summer_is_monday_0030_bst_due_0915_bst",
        "critical", "standard", "2026-06-14T23:30:00+00:00", "2026-06-15T08:15:00Z",
    ),
    due_case(
        "critical_with_cover_logged_sunday_2330_utc_in_summer_is_out_of_hours_due_30_min",
        "critical", "24x7", "2026-06-14T23:30:00+00:00", "2026-06-15T00:00:00Z",
    ),
]

CHRISTMAS_CASES = [
    due_case(
        "critical_with_cover_logged_christmas_day_2025_is_out_of_hours_due_30_min_later",
        "critical", "24x7", "2025-12-25T10:00:00+00:00", "2025-12-25T10:30:00Z",
    ),
    due_case(
        "major_with_cover_logged_boxing_day_2025_is_due_60_min_later",
        "major", "24x7", "2025-12-26T10:00:00+00:00", "2025-12-26T11:00:00Z",
    ),
    due_case(
        "critical_standard_logged_christmas_day_2025_is_due_monday_29th_0915",
        "critical", "standard", "2025-12-25T10:00:00+00:00", "2025-12-29T09:15:00Z",
    ),
    due_case(
        "minor_logged_christmas_eve_2025_is_due_monday_29th_1700",
        "minor", "standard", "2025-12-24T10:00:00+00:00", "2025-12-29T17:00:00Z",
    ),
    due_case(
        "minor_logged_monday_29_december_2025_is_due_tuesday_30th_1700",
        "minor", "standard", "2025-12-29T10:00:00+00:00", "2025-12-30T17:00:00Z",
    ),
    due_case(
        "minor_logged_new_years_eve_2025_is_due_friday_2_january_1700",
        "minor", "standard", "2025-12-31T10:00:00+00:00", "2026-01-02T17:00:00Z",
    ),
    due_case(
        "minor_logged_christmas_eve_2026_skips_boxing_day_observed_due_tuesday_29th",
        "minor", "standard", "2026-12-24T10:00:00+00:00", "2026-12-29T17:00:00Z",
    ),
    due_case(
        "critical_standard_logged_on_boxing_day_observed_2026_is_due_tuesday_0915",
        "critical", "standard", "2026-12-28T10:00:00+00:00", "2026-12-29T09:15:00Z",
    ),
    due_case(
        "normal_with_cover_logged_christmas_eve_2026_1600_is_due_tuesday_29th_1000",
        "normal", "24x7", "2026-12-24T16:00:00+00:00", "2026-12-29T10:00:00Z",
    ),
    due_case(
        "normal_standard_logged_thursday_23_december_2027_1630_is_due_christmas_eve_1030",
        "normal", "standard", "2027-12-23T16:30:00+00:00", "2027-12-24T10:30:00Z",
    ),
    due_case(
        "minor_logged_christmas_eve_2027_skips_both_observed_days_due_wednesday_29th",
        "minor", "standard", "2027-12-24T10:00:00+00:00", "2027-12-29T17:00:00Z",
    ),
    due_case(
        "critical_standard_logged_christmas_eve_2027_1650_is_due_wednesday_29th_0905",
        "critical", "standard", "2027-12-24T16:50:00+00:00", "2027-12-29T09:05:00Z",
    ),
    due_case(
        "major_standard_logged_friday_22_december_2028_1630_is_due_wednesday_27th_0930",
        "major", "standard", "2028-12-22T16:30:00+00:00", "2028-12-27T09:30:00Z",
    ),
]

COVER_DOES_NOT_CHANGE_NORMAL_OR_MINOR = [
    due_case(
        "normal_with_cover_logged_friday_1630_is_due_monday_1030_like_standard",
        "normal", "24x7", "2026-01-09T16:30:00+00:00", "2026-01-12T10:30:00Z",
    ),
    due_case(
        "normal_with_cover_logged_saturday_is_due_monday_1100_like_standard",
        "normal", "24x7", "2026-01-10T03:00:00+00:00", "2026-01-12T11:00:00Z",
    ),
    due_case(
        "normal_with_cover_logged_thursday_1630_before_easter_2026_is_due_tuesday_1030",
        "normal", "24x7", "2026-04-02T16:30:00+01:00", "2026-04-07T09:30:00Z",
    ),
    due_case(
        "minor_with_cover_logged_monday_0800_is_due_tuesday_1700_like_standard",
        "minor", "24x7", "2026-01-12T08:00:00+00:00", "2026-01-13T17:00:00Z",
    ),
    due_case(
        "minor_with_cover_logged_friday_1800_before_may_day_is_due_tuesday_1700",
        "minor", "24x7", "2026-05-01T18:00:00+01:00", "2026-05-05T16:00:00Z",
    ),
]

OTHER_OFFSET_CASES = [
    due_case(
        "critical_with_cover_logged_1150_new_york_is_friday_1650_london_due_1705",
        "critical", "24x7", "2026-01-09T11:50:00-05:00", "2026-01-09T17:05:00Z",
    ),
    due_case(
        "critical_standard_logged_1150_new_york_is_friday_1650_london_due_monday_0905",
        "critical", "standard", "2026-01-09T11:50:00-05:00", "2026-01-12T09:05:00Z",
    ),
    due_case(
        "normal_logged_1130_new_york_edt_is_thursday_1630_bst_before_easter_due_tuesday_1030",
        "normal", "standard", "2026-04-02T11:30:00-04:00", "2026-04-07T09:30:00Z",
    ),
    due_case(
        "minor_logged_monday_0100_tokyo_is_sunday_in_london_so_due_monday_1700",
        "minor", "standard", "2026-01-12T01:00:00+09:00", "2026-01-12T17:00:00Z",
    ),
    due_case(
        "minor_logged_monday_2000_new_york_is_tuesday_in_london_so_due_wednesday_1700",
        "minor", "standard", "2026-01-12T20:00:00-05:00", "2026-01-14T17:00:00Z",
    ),
    due_case(
        "critical_standard_logged_1430_india_is_0900_london_due_0915",
        "critical", "standard", "2026-01-14T14:30:00+05:30", "2026-01-14T09:15:00Z",
    ),
    due_case(
        "critical_with_cover_logged_035959_new_york_is_085959_london_out_of_hours",
        "critical", "24x7", "2026-01-14T03:59:59-05:00", "2026-01-14T09:29:59Z",
    ),
    due_case(
        "major_with_cover_logged_1700_plus_one_in_winter_is_1600_london_in_hours",
        "major", "24x7", "2026-01-14T17:00:00+01:00", "2026-01-14T17:00:00Z",
    ),
]
# fmt: on


@pytest.mark.parametrize(
    ("priority", "coverage", "logged", "expected"),
    [
        *WORKED_EXAMPLES,
        *DST_CASES,
        *BOUNDARY_CASES,
        *WEEKEND_CASES,
        *CHRISTMAS_CASES,
        *COVER_DOES_NOT_CHANGE_NORMAL_OR_MINOR,
        *OTHER_OFFSET_CASES,
    ],
)
def test_response_due_matches_the_hand_worked_table(priority, coverage, logged, expected):
    got = response_due(DEFAULT_POLICY, priority, coverage, at(logged))
    assert_same_instant_in_utc(got, expected)


# ---------------------------------------------------------------------------------------
# Every England & Wales bank holiday 2025-2028 (and New Year 2029), logged at 16:00 London
# on the business day before: one hour that day, the rest on the next business day.
# (logged_at, Normal due = 10:00 London next business day, Minor due = 17:00 London then)
# ---------------------------------------------------------------------------------------
# fmt: off
BANK_HOLIDAY_EVES = [
    pytest.param(
        "2024-12-31T16:00:00+00:00", "2025-01-02T10:00:00Z", "2025-01-02T17:00:00Z",
        id="new_years_day_2025",
    ),
    pytest.param(
        "2025-04-17T16:00:00+01:00", "2025-04-22T09:00:00Z", "2025-04-22T16:00:00Z",
        id="good_friday_and_easter_monday_2025",
    ),
    pytest.param(
        "2025-05-02T16:00:00+01:00", "2025-05-06T09:00:00Z", "2025-05-06T16:00:00Z",
        id="may_day_2025",
    ),
    pytest.param(
        "2025-05-23T16:00:00+01:00", "2025-05-27T09:00:00Z", "2025-05-27T16:00:00Z",
        id="spring_bank_holiday_2025",
    ),
    pytest.param(
        "2025-08-22T16:00:00+01:00", "2025-08-26T09:00:00Z", "2025-08-26T16:00:00Z",
        id="late_summer_bank_holiday_2025",
    ),
    pytest.param(
        "2025-12-24T16:00:00+00:00", "2025-12-29T10:00:00Z", "2025-12-29T17:00:00Z",
        id="christmas_and_boxing_day_2025",
    ),
    pytest.param(
        "2025-12-31T16:00:00+00:00", "2026-01-02T10:00:00Z", "2026-01-02T17:00:00Z",
        id="new_years_day_2026",
    ),
    pytest.param(
        "2026-04-02T16:00:00+01:00", "2026-04-07T09:00:00Z", "2026-04-07T16:00:00Z",
        id="good_friday_and_easter_monday_2026",
    ),
    pytest.param(
        "2026-05-01T16:00:00+01:00", "2026-05-05T09:00:00Z", "2026-05-05T16:00:00Z",
        id="may_day_2026",
    ),
    pytest.param(
        "2026-05-22T16:00:00+01:00", "2026-05-26T09:00:00Z", "2026-05-26T16:00:00Z",
        id="spring_bank_holiday_2026",
    ),
    pytest.param(
        "2026-08-28T16:00:00+01:00", "2026-09-01T09:00:00Z", "2026-09-01T16:00:00Z",
        id="late_summer_bank_holiday_2026",
    ),
    pytest.param(
        "2026-12-24T16:00:00+00:00", "2026-12-29T10:00:00Z", "2026-12-29T17:00:00Z",
        id="christmas_2026_and_boxing_day_observed_monday_28th",
    ),
    pytest.param(
        "2026-12-31T16:00:00+00:00", "2027-01-04T10:00:00Z", "2027-01-04T17:00:00Z",
        id="new_years_day_2027_a_friday",
    ),
    pytest.param(
        "2027-03-25T16:00:00+00:00", "2027-03-30T09:00:00Z", "2027-03-30T16:00:00Z",
        id="good_friday_and_easter_monday_2027_across_the_clock_change",
    ),
    pytest.param(
        "2027-04-30T16:00:00+01:00", "2027-05-04T09:00:00Z", "2027-05-04T16:00:00Z",
        id="may_day_2027",
    ),
    pytest.param(
        "2027-05-28T16:00:00+01:00", "2027-06-01T09:00:00Z", "2027-06-01T16:00:00Z",
        id="spring_bank_holiday_2027",
    ),
    pytest.param(
        "2027-08-27T16:00:00+01:00", "2027-08-31T09:00:00Z", "2027-08-31T16:00:00Z",
        id="late_summer_bank_holiday_2027",
    ),
    pytest.param(
        "2027-12-24T16:00:00+00:00", "2027-12-29T10:00:00Z", "2027-12-29T17:00:00Z",
        id="christmas_2027_observed_monday_27th_and_boxing_day_observed_tuesday_28th",
    ),
    pytest.param(
        "2027-12-31T16:00:00+00:00", "2028-01-04T10:00:00Z", "2028-01-04T17:00:00Z",
        id="new_years_day_2028_observed_monday_3rd",
    ),
    pytest.param(
        "2028-04-13T16:00:00+01:00", "2028-04-18T09:00:00Z", "2028-04-18T16:00:00Z",
        id="good_friday_and_easter_monday_2028",
    ),
    pytest.param(
        "2028-04-28T16:00:00+01:00", "2028-05-02T09:00:00Z", "2028-05-02T16:00:00Z",
        id="may_day_2028",
    ),
    pytest.param(
        "2028-05-26T16:00:00+01:00", "2028-05-30T09:00:00Z", "2028-05-30T16:00:00Z",
        id="spring_bank_holiday_2028",
    ),
    pytest.param(
        "2028-08-25T16:00:00+01:00", "2028-08-29T09:00:00Z", "2028-08-29T16:00:00Z",
        id="late_summer_bank_holiday_2028",
    ),
    pytest.param(
        "2028-12-22T16:00:00+00:00", "2028-12-27T10:00:00Z", "2028-12-27T17:00:00Z",
        id="christmas_and_boxing_day_2028",
    ),
    pytest.param(
        "2028-12-29T16:00:00+00:00", "2029-01-02T10:00:00Z", "2029-01-02T17:00:00Z",
        id="new_years_day_2029",
    ),
]
# fmt: on


@pytest.mark.parametrize(("logged", "normal_due", "minor_due"), BANK_HOLIDAY_EVES)
@pytest.mark.parametrize("coverage", ["standard", "24x7"])
def test_normal_logged_1600_before_a_bank_holiday_is_due_1000_on_the_next_business_day(
    coverage, logged, normal_due, minor_due
):
    got = response_due(DEFAULT_POLICY, "normal", coverage, at(logged))
    assert_same_instant_in_utc(got, normal_due)


@pytest.mark.parametrize(("logged", "normal_due", "minor_due"), BANK_HOLIDAY_EVES)
def test_minor_logged_before_a_bank_holiday_is_due_1700_on_the_next_business_day(
    logged, normal_due, minor_due
):
    got = response_due(DEFAULT_POLICY, "minor", "standard", at(logged))
    assert_same_instant_in_utc(got, minor_due)


# Every weekday England & Wales bank holiday 2025-2028, with London's offset that day.
# fmt: off
WEEKDAY_BANK_HOLIDAYS = [
    ("2025-01-01", "+00:00"), ("2025-04-18", "+01:00"), ("2025-04-21", "+01:00"),
    ("2025-05-05", "+01:00"), ("2025-05-26", "+01:00"), ("2025-08-25", "+01:00"),
    ("2025-12-25", "+00:00"), ("2025-12-26", "+00:00"),
    ("2026-01-01", "+00:00"), ("2026-04-03", "+01:00"), ("2026-04-06", "+01:00"),
    ("2026-05-04", "+01:00"), ("2026-05-25", "+01:00"), ("2026-08-31", "+01:00"),
    ("2026-12-25", "+00:00"), ("2026-12-28", "+00:00"),
    ("2027-01-01", "+00:00"), ("2027-03-26", "+00:00"), ("2027-03-29", "+01:00"),
    ("2027-05-03", "+01:00"), ("2027-05-31", "+01:00"), ("2027-08-30", "+01:00"),
    ("2027-12-27", "+00:00"), ("2027-12-28", "+00:00"),
    ("2028-01-03", "+00:00"), ("2028-04-14", "+01:00"), ("2028-04-17", "+01:00"),
    ("2028-05-01", "+01:00"), ("2028-05-29", "+01:00"), ("2028-08-28", "+01:00"),
    ("2028-12-25", "+00:00"), ("2028-12-26", "+00:00"),
]
# fmt: on


@pytest.mark.parametrize(
    ("day", "offset"), [pytest.param(d, o, id=d) for d, o in WEEKDAY_BANK_HOLIDAYS]
)
def test_a_bank_holiday_noon_is_out_of_hours_for_critical_and_major_with_cover(day, offset):
    logged = at(f"{day}T12:00:00{offset}")
    critical = response_due(DEFAULT_POLICY, "critical", "24x7", logged)
    major = response_due(DEFAULT_POLICY, "major", "24x7", logged)
    assert_same_instant_in_utc(critical, f"{day}T12:30:00{offset}")
    assert_same_instant_in_utc(major, f"{day}T13:00:00{offset}")
    assert STANDARD.is_open(logged) is False


# ---------------------------------------------------------------------------------------
# No target
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("coverage", ["standard", "24x7", None])
def test_enhancement_has_no_response_target(coverage):
    logged = at("2026-01-14T10:00:00+00:00")
    assert response_due(DEFAULT_POLICY, "enhancement", coverage, logged) is None


@pytest.mark.parametrize("priority", ["critical", "major", "normal", "minor", "enhancement"])
def test_company_without_a_valid_contract_gets_no_response_target(priority):
    logged = at("2026-01-14T10:00:00+00:00")
    assert response_due(DEFAULT_POLICY, priority, None, logged) is None


# ---------------------------------------------------------------------------------------
# Input handling
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("priority", "coverage"),
    [
        pytest.param("critical", "standard", id="critical_standard"),
        pytest.param("critical", "24x7", id="critical_with_cover"),
        pytest.param("major", "standard", id="major_standard"),
        pytest.param("major", "24x7", id="major_with_cover"),
        pytest.param("normal", "standard", id="normal_standard"),
        pytest.param("minor", "24x7", id="minor_with_cover"),
        pytest.param("enhancement", "standard", id="enhancement"),
        pytest.param("critical", None, id="no_contract"),
    ],
)
def test_naive_logged_at_is_rejected_with_sla_input_error(priority, coverage):
    assert issubclass(SLAInputError, ValueError)
    with pytest.raises(SLAInputError):
        response_due(DEFAULT_POLICY, priority, coverage, dt.datetime(2026, 1, 14, 10, 0))


# One instant, Friday 27 March 2026 16:55 GMT (before the spring change), in many zones.
SAME_INSTANT = [
    pytest.param(dt.datetime(2026, 3, 27, 16, 55, tzinfo=UTC), id="utc"),
    pytest.param(dt.datetime(2026, 3, 27, 16, 55, tzinfo=ZoneInfo("Europe/London")), id="london"),
    pytest.param(
        dt.datetime(2026, 3, 27, 12, 55, tzinfo=ZoneInfo("America/New_York")), id="new_york_edt"
    ),
    pytest.param(dt.datetime(2026, 3, 28, 1, 55, tzinfo=ZoneInfo("Asia/Tokyo")), id="tokyo"),
    pytest.param(at("2026-03-27T17:55:00+01:00"), id="fixed_plus_0100"),
    pytest.param(at("2026-03-27T11:55:00-05:00"), id="fixed_minus_0500"),
    pytest.param(at("2026-03-27T22:25:00+05:30"), id="fixed_plus_0530"),
]


@pytest.mark.parametrize("logged", SAME_INSTANT)
@pytest.mark.parametrize(
    ("priority", "coverage", "expected"),
    [
        pytest.param("critical", "standard", "2026-03-30T08:10:00Z", id="critical_standard"),
        pytest.param("critical", "24x7", "2026-03-27T17:10:00Z", id="critical_with_cover"),
        pytest.param("major", "standard", "2026-03-30T08:55:00Z", id="major_standard"),
        pytest.param("major", "24x7", "2026-03-27T17:55:00Z", id="major_with_cover"),
        pytest.param("normal", "standard", "2026-03-30T09:55:00Z", id="normal_standard"),
        pytest.param("minor", "standard", "2026-03-30T16:00:00Z", id="minor_standard"),
    ],
)
def test_the_same_instant_given_in_any_offset_has_the_same_due(
    priority, coverage, expected, logged
):
    got = response_due(DEFAULT_POLICY, priority, coverage, logged)
    assert_same_instant_in_utc(got, expected)


def test_priority_and_coverage_accept_the_enum_members_as_well_as_their_values():
    logged = at("2026-01-09T16:50:00+00:00")
    by_enum = response_due(DEFAULT_POLICY, Priority.CRITICAL, Coverage.ALWAYS, logged)
    by_value = response_due(DEFAULT_POLICY, "critical", "24x7", logged)
    assert_same_instant_in_utc(by_enum, "2026-01-09T17:05:00Z")
    assert by_value == by_enum
    standard = response_due(DEFAULT_POLICY, Priority.CRITICAL, Coverage.STANDARD, logged)
    assert_same_instant_in_utc(standard, "2026-01-12T09:05:00Z")


# ---------------------------------------------------------------------------------------
# The STANDARD calendar
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("instant", "is_open"),
    [
        pytest.param("2026-01-14T08:59:59+00:00", False, id="wednesday_085959_gmt_closed"),
        pytest.param("2026-01-14T09:00:00+00:00", True, id="wednesday_0900_gmt_open"),
        pytest.param("2026-01-14T16:59:59+00:00", True, id="wednesday_165959_gmt_open"),
        pytest.param("2026-01-14T17:00:00+00:00", False, id="wednesday_1700_gmt_closed"),
        pytest.param("2026-07-15T08:59:59+01:00", False, id="wednesday_085959_bst_closed"),
        pytest.param("2026-07-15T09:00:00+01:00", True, id="wednesday_0900_bst_open"),
        pytest.param("2026-07-15T16:59:59+01:00", True, id="wednesday_165959_bst_open"),
        pytest.param("2026-07-15T17:00:00+01:00", False, id="wednesday_1700_bst_closed"),
        pytest.param("2026-07-15T08:30:00+00:00", True, id="0830_utc_in_summer_is_0930_bst"),
        pytest.param("2026-07-15T16:30:00+00:00", False, id="1630_utc_in_summer_is_1730_bst"),
        pytest.param("2026-01-10T12:00:00+00:00", False, id="saturday_noon_closed"),
        pytest.param("2026-01-11T12:00:00+00:00", False, id="sunday_noon_closed"),
        pytest.param("2026-04-03T12:00:00+01:00", False, id="good_friday_2026_closed"),
        pytest.param("2026-12-28T12:00:00+00:00", False, id="boxing_day_observed_2026_closed"),
        pytest.param("2027-12-24T12:00:00+00:00", True, id="christmas_eve_2027_is_open"),
        pytest.param("2026-01-14T04:00:00-05:00", True, id="new_york_0400_is_0900_london"),
    ],
)
def test_standard_calendar_is_open(instant, is_open):
    assert STANDARD.is_open(at(instant)) is is_open


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        pytest.param(
            "2026-04-02T17:00:00+01:00",
            "2026-04-07T08:00:00Z",
            id="easter_2026_long_weekend_opens_tuesday_0900_bst",
        ),
        pytest.param(
            "2026-05-01T17:30:00+01:00",
            "2026-05-05T08:00:00Z",
            id="may_day_2026_long_weekend_opens_tuesday_0900_bst",
        ),
        pytest.param(
            "2027-12-24T17:00:00+00:00",
            "2027-12-29T09:00:00Z",
            id="christmas_2027_opens_wednesday_29th_0900",
        ),
        pytest.param(
            "2026-12-31T17:00:00+00:00",
            "2027-01-04T09:00:00Z",
            id="new_year_2027_opens_monday_4th_0900",
        ),
        pytest.param(
            "2026-03-27T17:00:00+00:00",
            "2026-03-30T08:00:00Z",
            id="spring_2026_clock_change_weekend_opens_monday_0900_bst",
        ),
        pytest.param(
            "2026-10-23T17:00:00+01:00",
            "2026-10-26T09:00:00Z",
            id="autumn_2026_clock_change_weekend_opens_monday_0900_gmt",
        ),
        pytest.param(
            "2027-03-25T17:00:00+00:00",
            "2027-03-30T08:00:00Z",
            id="easter_and_spring_change_2027_opens_tuesday_0900_bst",
        ),
        pytest.param(
            "2026-01-14T08:59:59+00:00",
            "2026-01-14T09:00:00Z",
            id="one_second_before_opening_opens_at_0900",
        ),
    ],
)
def test_standard_calendar_next_opening(instant, expected):
    assert_same_instant_in_utc(STANDARD.next_opening(at(instant)), expected)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        pytest.param(
            "2026-01-12T08:00:00+00:00", "2026-01-13T17:00:00Z", id="monday_0800_is_tuesday"
        ),
        pytest.param(
            "2026-01-12T16:00:00+00:00", "2026-01-13T17:00:00Z", id="monday_1600_is_tuesday"
        ),
        pytest.param(
            "2026-05-01T18:00:00+01:00",
            "2026-05-05T16:00:00Z",
            id="friday_before_may_day_2026_is_tuesday_1700_bst",
        ),
        pytest.param(
            "2026-12-24T10:00:00+00:00",
            "2026-12-29T17:00:00Z",
            id="christmas_eve_2026_is_tuesday_29th",
        ),
        pytest.param(
            "2027-12-24T10:00:00+00:00",
            "2027-12-29T17:00:00Z",
            id="christmas_eve_2027_is_wednesday_29th",
        ),
        pytest.param(
            "2027-12-31T10:00:00+00:00",
            "2028-01-04T17:00:00Z",
            id="new_years_eve_2027_is_tuesday_4_january",
        ),
        pytest.param(
            "2026-06-14T23:30:00+00:00",
            "2026-06-16T16:00:00Z",
            id="sunday_2330_utc_is_monday_in_london_so_tuesday_1700_bst",
        ),
        pytest.param(
            "2026-03-27T18:00:00+00:00",
            "2026-03-30T16:00:00Z",
            id="friday_before_spring_change_is_monday_1700_bst",
        ),
    ],
)
def test_standard_calendar_close_of_next_business_day(instant, expected):
    assert_same_instant_in_utc(STANDARD.close_of_next_business_day(at(instant)), expected)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(
            "2026-01-09T16:00:00+00:00",
            "2026-01-12T10:00:00+00:00",
            dt.timedelta(hours=2),
            id="friday_1600_to_monday_1000_is_two_hours",
        ),
        pytest.param(
            "2026-03-27T16:00:00+00:00",
            "2026-03-30T10:00:00+01:00",
            dt.timedelta(hours=2),
            id="across_the_spring_2026_change_is_two_hours",
        ),
        pytest.param(
            "2026-10-23T16:00:00+01:00",
            "2026-10-26T10:00:00+00:00",
            dt.timedelta(hours=2),
            id="across_the_autumn_2026_change_is_two_hours",
        ),
        pytest.param(
            "2026-01-12T00:00:00+00:00",
            "2026-01-19T00:00:00+00:00",
            dt.timedelta(hours=40),
            id="an_ordinary_week_is_forty_hours",
        ),
        pytest.param(
            "2026-03-30T00:00:00+01:00",
            "2026-04-06T00:00:00+01:00",
            dt.timedelta(hours=32),
            id="the_week_of_good_friday_2026_is_thirty_two_hours",
        ),
        pytest.param(
            "2026-12-24T16:59:59+00:00",
            "2026-12-29T09:00:01+00:00",
            dt.timedelta(seconds=2),
            id="christmas_2026_gap_counts_only_two_seconds",
        ),
        pytest.param(
            "2026-03-28T00:00:00+00:00",
            "2026-03-30T08:00:00+00:00",
            dt.timedelta(0),
            id="the_spring_change_weekend_up_to_monday_0900_bst_is_zero",
        ),
    ],
)
def test_standard_calendar_between(start, end, expected):
    assert STANDARD.between(at(start), at(end)) == expected


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        pytest.param(
            "2026-01-09T16:50:00+00:00",
            15,
            "2026-01-12T09:05:00Z",
            id="fifteen_minutes_from_friday_1650_is_monday_0905",
        ),
        pytest.param(
            "2026-01-14T15:00:00+00:00",
            120,
            "2026-01-14T17:00:00Z",
            id="two_hours_from_1500_ends_exactly_at_1700",
        ),
        pytest.param(
            "2026-03-27T16:55:00+00:00",
            15,
            "2026-03-30T08:10:00Z",
            id="fifteen_minutes_across_the_spring_change",
        ),
    ],
)
def test_standard_calendar_add(start, minutes, expected):
    got = STANDARD.add(at(start), dt.timedelta(minutes=minutes))
    assert_same_instant_in_utc(got, expected)


def test_standard_calendar_closures_2027_name_every_weekday_bank_holiday():
    expected = {
        dt.date(2027, 1, 1): "New Year's Day",
        dt.date(2027, 3, 26): "Good Friday",
        dt.date(2027, 3, 29): "Easter Monday",
        dt.date(2027, 5, 3): "May Day",
        dt.date(2027, 5, 31): "Spring Bank Holiday",
        dt.date(2027, 8, 30): "Late Summer Bank Holiday",
        dt.date(2027, 12, 27): "Christmas Day (observed)",
        dt.date(2027, 12, 28): "Boxing Day (observed)",
    }
    closures = STANDARD.closures(2027)
    weekday_closures = {c.date: c.reason for c in closures if c.date.weekday() < 5}
    assert set(weekday_closures) == set(expected)
    for day, name in expected.items():
        assert name in weekday_closures[day], (day, weekday_closures[day])
    assert all(c.date.year == 2027 for c in closures)

"""Properties of business-time arithmetic on calendars (sla/calendar.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sladesk.sla import ALWAYS_OPEN, STANDARD, Calendar, Interval, SLAInputError
from sladesk.sla.calendar import weekly

LONDON = ZoneInfo("Europe/London")

instants = st.integers(
    min_value=int(datetime(2025, 1, 1, tzinfo=UTC).timestamp()),
    max_value=int(datetime(2028, 12, 31, tzinfo=UTC).timestamp()),
).map(lambda s: datetime.fromtimestamp(s, UTC))
durations = st.integers(min_value=0, max_value=60 * 60 * 8 * 15).map(lambda s: timedelta(seconds=s))
# A calendar with split days, an early Friday and a Saturday morning, in a zone with DST.
SPLIT = weekly(
    "split",
    "America/New_York",
    {
        0: ["08:00-12:00", "13:00-17:30"],
        1: ["08:00-12:00", "13:00-17:30"],
        2: ["00:00-24:00"],
        3: ["08:00-12:00", "13:00-17:30"],
        4: ["08:00-14:00"],
        5: ["09:00-11:00"],
    },
    holiday_country="US",
    closed_dates=((date(2026, 7, 6), "summer shutdown"),),
    extra_open_dates=frozenset({date(2026, 11, 26)}),
)
CALENDARS = [STANDARD, ALWAYS_OPEN, SPLIT]


@pytest.mark.parametrize("cal", CALENDARS, ids=lambda c: c.name)
@settings(max_examples=150, deadline=None)
@given(t=instants, d=durations)
def test_between_t_and_add_t_d_is_d(cal: Calendar, t: datetime, d: timedelta) -> None:
    assert cal.between(t, cal.add(t, d)) == d


@pytest.mark.parametrize("cal", CALENDARS, ids=lambda c: c.name)
@settings(max_examples=150, deadline=None)
@given(t=instants, d=durations, later=durations, more=durations)
def test_add_is_monotonic_in_the_start_and_the_duration(
    cal: Calendar, t: datetime, d: timedelta, later: timedelta, more: timedelta
) -> None:
    assert cal.add(t, d) <= cal.add(t + later, d)
    assert cal.add(t, d) <= cal.add(t, d + more)


@pytest.mark.parametrize("cal", CALENDARS, ids=lambda c: c.name)
@settings(max_examples=150, deadline=None)
@given(t=instants, d=durations.filter(lambda d: d > timedelta(0)))
def test_a_business_time_result_is_open_or_exactly_at_a_close(
    cal: Calendar, t: datetime, d: timedelta
) -> None:
    due = cal.add(t, d)
    one_second_before = due - timedelta(seconds=1)
    assert cal.is_open(due) or cal.is_open(one_second_before)
    assert cal.is_open(one_second_before)


@settings(max_examples=200, deadline=None)
@given(a=instants, b=instants)
def test_between_is_antisymmetric_and_never_exceeds_wall_time(a: datetime, b: datetime) -> None:
    assert STANDARD.between(a, b) == -STANDARD.between(b, a)
    assert abs(STANDARD.between(a, b)) <= abs(b - a)


@settings(max_examples=200, deadline=None)
@given(t=instants)
def test_next_opening_is_open_and_nothing_before_it_is(t: datetime) -> None:
    opening = STANDARD.next_opening(t)
    assert STANDARD.is_open(opening)
    assert opening >= t
    assert STANDARD.between(t, opening) == timedelta(0)


def test_a_split_day_skips_lunch() -> None:
    monday_1130 = datetime(2026, 11, 30, 11, 30, tzinfo=ZoneInfo("America/New_York"))
    due = SPLIT.add(monday_1130, timedelta(hours=1))
    assert due == datetime(2026, 11, 30, 13, 30, tzinfo=ZoneInfo("America/New_York"))


def test_an_extra_closed_date_is_skipped_with_its_reason() -> None:
    assert SPLIT.hours_of(date(2026, 7, 6)) == ((), "summer shutdown")
    assert [c.reason for c in SPLIT.closures(2026) if c.date == date(2026, 7, 6)] == [
        "summer shutdown"
    ]


def test_an_extra_open_date_opens_a_holiday_with_that_weekdays_hours() -> None:
    thanksgiving = date(2026, 11, 26)  # a Thursday and a US holiday, opened here
    hours, reason = SPLIT.hours_of(thanksgiving)
    assert reason is None
    assert hours == (Interval.parse("08:00-12:00"), Interval.parse("13:00-17:30"))


def test_a_spring_forward_day_counts_its_real_length() -> None:
    # 24x7 in London: the day the clocks go forward has 23 hours of open time.
    london_always = weekly("london-24x7", "Europe/London", {d: ["00:00-24:00"] for d in range(7)})
    start = datetime(2026, 3, 29, 0, 0, tzinfo=LONDON)
    end = datetime(2026, 3, 30, 0, 0, tzinfo=LONDON)
    assert london_always.between(start, end) == timedelta(hours=23)


def test_a_fall_back_day_counts_its_real_length() -> None:
    london_always = weekly("london-24x7", "Europe/London", {d: ["00:00-24:00"] for d in range(7)})
    start = datetime(2026, 10, 25, 0, 0, tzinfo=LONDON)
    end = datetime(2026, 10, 26, 0, 0, tzinfo=LONDON)
    assert london_always.between(start, end) == timedelta(hours=25)


def test_results_are_exact_to_the_microsecond() -> None:
    t = datetime(2026, 6, 1, 16, 59, 59, 999_999, tzinfo=LONDON)
    assert STANDARD.add(t, timedelta(microseconds=1)) == datetime(2026, 6, 1, 16, tzinfo=UTC)


def test_timelines_extend_to_far_years_on_demand() -> None:
    t = datetime(2099, 12, 31, 16, 0, tzinfo=LONDON)  # a Thursday
    assert STANDARD.add(t, timedelta(hours=2)) == datetime(2100, 1, 4, 10, tzinfo=UTC)
    early = datetime(2004, 12, 30, 16, 0, tzinfo=LONDON)  # a Thursday
    assert STANDARD.add(early, timedelta(hours=2)) == datetime(2004, 12, 31, 10, tzinfo=UTC)
    # 31 December 1999 was a one-off bank holiday, and the holidays package knows it.
    eve = datetime(1999, 12, 30, 16, 0, tzinfo=LONDON)
    assert STANDARD.add(eve, timedelta(hours=2)) == datetime(2000, 1, 4, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    "call",
    [
        lambda: STANDARD.is_open(datetime(2026, 1, 5, 10)),
        lambda: STANDARD.next_opening(datetime(2026, 1, 5, 10)),
        lambda: STANDARD.add(datetime(2026, 1, 5, 10), timedelta(hours=1)),
        lambda: STANDARD.between(datetime(2026, 1, 5, 10), datetime(2026, 1, 6, tzinfo=UTC)),
        lambda: STANDARD.close_of_next_business_day(datetime(2026, 1, 5, 10)),
    ],
    ids=["is_open", "next_opening", "add", "between", "close_of_next_business_day"],
)
def test_every_operation_refuses_a_naive_datetime(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SLAInputError, match="has no time zone"):
        call()


def test_a_negative_business_duration_is_refused() -> None:
    with pytest.raises(SLAInputError, match="must not be negative"):
        STANDARD.add(datetime(2026, 1, 5, 10, tzinfo=UTC), timedelta(minutes=-1))


def test_a_calendar_that_never_opens_says_so_instead_of_looping() -> None:
    never = weekly("never", "UTC", {})
    with pytest.raises(SLAInputError, match="no open time left"):
        never.add(datetime(2026, 1, 5, tzinfo=UTC), timedelta(minutes=1))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
        ({"week": ((),) * 6}, "week needs 7 days"),
        (
            {"week": ((Interval(9 * 3600, 12 * 3600), Interval(11 * 3600, 13 * 3600)),) * 7},
            "overlap or are out of order",
        ),
        ({"holiday_country": "XX"}, "holidays package has no 'XX'"),
        ({"holiday_subdivision": "ENG"}, "needs a holiday country"),
    ],
)
def test_an_invalid_calendar_is_refused_naming_the_problem(kwargs: dict, message: str) -> None:
    base = {"name": "bad", "timezone": "UTC", "week": ((),) * 7}
    with pytest.raises(SLAInputError, match=message):
        Calendar(**(base | kwargs))


@pytest.mark.parametrize(
    ("text", "message"),
    [("9-17", "not HH:MM"), ("17:00-09:00", "0 <= start < end"), ("09:00-24:30", "out of range")],
)
def test_an_invalid_opening_interval_is_refused(text: str, message: str) -> None:
    with pytest.raises(SLAInputError, match=message):
        Interval.parse(text)


def test_a_calendar_survives_a_round_trip_through_its_dict() -> None:
    again = Calendar.from_dict(SPLIT.to_dict())
    assert again == SPLIT
    assert Calendar.from_dict(STANDARD.to_dict()) == STANDARD


def test_calendar_data_with_an_unknown_day_is_refused() -> None:
    data = STANDARD.to_dict() | {"week": {"funday": ["09:00-17:00"]}}
    with pytest.raises(SLAInputError, match="unknown day"):
        Calendar.from_dict(data)

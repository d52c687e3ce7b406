"""In or out of standard hours, from the standard calendar of the ticket's policy."""

from __future__ import annotations

import datetime as dt

import pytest

from billing.conftest import LOGGED, work
from helpdesk_world import london
from sladesk.audit.models import AuditEvent
from sladesk.billing import actions
from sladesk.billing.hours import split, standard_calendar
from sladesk.billing.models import TimeEntry
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError


@pytest.fixture
def calendar(world):
    return standard_calendar(None)


def test_an_entry_from_1630_to_1800_splits_at_1700(calendar):
    parts = split(calendar, london(2026, 3, 10, 16, 30), london(2026, 3, 10, 18, 0))
    assert [(p.start, p.end, p.in_hours) for p in parts] == [
        (london(2026, 3, 10, 16, 30), london(2026, 3, 10, 17, 0), True),
        (london(2026, 3, 10, 17, 0), london(2026, 3, 10, 18, 0), False),
    ]


def test_an_entry_from_0830_to_0930_splits_at_0900(calendar):
    parts = split(calendar, london(2026, 3, 10, 8, 30), london(2026, 3, 10, 9, 30))
    assert [(p.seconds, p.in_hours) for p in parts] == [(1800, False), (1800, True)]


def test_split_at_1700_holds_in_british_summer_time(calendar):
    parts = split(calendar, london(2026, 6, 16, 16, 45), london(2026, 6, 16, 17, 15))
    assert [(p.start, p.in_hours) for p in parts] == [
        (london(2026, 6, 16, 16, 45), True),
        (london(2026, 6, 16, 17, 0), False),
    ]


def test_work_on_a_saturday_is_all_out_of_hours(calendar):
    parts = split(calendar, london(2026, 3, 14, 10, 0), london(2026, 3, 14, 12, 0))
    assert [(p.seconds, p.in_hours) for p in parts] == [(7200, False)]


def test_work_on_good_friday_is_all_out_of_hours(calendar):
    parts = split(calendar, london(2026, 4, 3, 10, 0), london(2026, 4, 3, 11, 0))
    assert [(p.seconds, p.in_hours) for p in parts] == [(3600, False)]


def test_work_across_a_weekend_is_in_hours_only_while_open(calendar):
    parts = split(calendar, london(2026, 3, 13, 16, 0), london(2026, 3, 16, 10, 0))
    assert [(p.seconds, p.in_hours) for p in parts] == [
        (3600, True),  # Friday 16:00-17:00
        (64 * 3600, False),  # Friday 17:00 to Monday 09:00
        (3600, True),  # Monday 09:00-10:00
    ]


def test_recording_time_stores_the_split_and_audits_it(world, ticket):
    entry = work(world, ticket, london(2026, 3, 10, 16, 30), 90, is_diagnosis=True)
    entry.refresh_from_db()
    assert (entry.duration_seconds, entry.in_hours_seconds, entry.out_of_hours_seconds) == (
        5400,
        1800,
        3600,
    )
    assert entry.staff == world.engineer
    assert entry.is_diagnosis is True
    event = AuditEvent.objects.get(action="billing.time_recorded")
    assert event.ticket == ticket
    assert event.after["segments"] == [
        ["2026-03-10T16:30:00+00:00", "2026-03-10T17:00:00+00:00", "in"],
        ["2026-03-10T17:00:00+00:00", "2026-03-10T18:00:00+00:00", "out"],
    ]


def test_time_with_no_description_zero_length_and_ending_in_the_future_is_refused(world, ticket):
    with pytest.raises(ActionValidationError) as exc:
        actions.record_time(
            actor=world.engineer,
            ticket=ticket,
            started_at=LOGGED + dt.timedelta(hours=1),
            duration=dt.timedelta(0),
            description=" ",
            at=LOGGED,
        )
    assert exc.value.errors == {
        "duration": "give a duration of more than zero",
        "description": "describe the work",
    }
    with pytest.raises(ActionValidationError) as exc:
        work(world, ticket, LOGGED, 60, at=LOGGED + dt.timedelta(minutes=30))
    assert exc.value.errors == {"duration": "the work cannot end in the future"}
    with pytest.raises(ActionValidationError) as exc:
        work(world, ticket, LOGGED - dt.timedelta(hours=1), 30)
    assert exc.value.errors == {"started_at": "work cannot start before the ticket was logged"}
    assert TimeEntry.objects.count() == 0


def test_a_customer_cannot_record_time(world, ticket):
    with pytest.raises(ActionPermissionDenied):
        work(world, ticket, LOGGED, 30, actor=world.acme_user)
    assert TimeEntry.objects.count() == 0

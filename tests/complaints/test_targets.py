"""Complaint targets: business days on the standard calendar, across bank holidays."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from helpdesk_world import World, london
from sladesk.complaints.actions import log_complaint
from sladesk.complaints.models import ComplaintPolicy
from sladesk.complaints.targets import (
    business_days_between,
    calendar_for,
    explain_targets,
    targets_for,
)

UTC = dt.UTC

# Easter 2027: Good Friday 26 March, Easter Monday 29 March; BST starts Sunday 28 March.
THURSDAY_BEFORE_EASTER_2027 = london(2027, 3, 25, 10, 0)


def complain(world: World, at: dt.datetime) -> Any:
    return log_complaint(
        actor=world.acme_user, about="service", summary="Nobody called us back", at=at
    )


def test_logged_thursday_before_easter_2027_acknowledge_by_tuesday_and_decide_by_12_april(
    world: World,
) -> None:
    complaint = complain(world, THURSDAY_BEFORE_EASTER_2027)
    # Friday and Monday are bank holidays: the next business day is Tuesday 30 March (BST).
    assert complaint.acknowledge_due == dt.datetime(2027, 3, 30, 16, 0, tzinfo=UTC)
    # Tue 30, Wed 31, Thu 1, Fri 2, Mon 5, Tue 6, Wed 7, Thu 8, Fri 9, Mon 12 April.
    assert complaint.decision_due == dt.datetime(2027, 4, 12, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "logged_at",
    [
        london(2027, 3, 25, 8, 0),  # Thursday, before opening
        london(2027, 3, 25, 16, 59),  # Thursday, just before closing
        london(2027, 3, 26, 12, 0),  # Good Friday
        london(2027, 3, 27, 11, 0),  # Saturday
        london(2027, 3, 29, 10, 0),  # Easter Monday
    ],
)
def test_the_logging_day_never_counts_so_thursday_to_easter_monday_share_the_targets(
    world: World, logged_at: dt.datetime
) -> None:
    complaint = complain(world, logged_at)
    assert complaint.acknowledge_due == dt.datetime(2027, 3, 30, 16, 0, tzinfo=UTC)
    assert complaint.decision_due == dt.datetime(2027, 4, 12, 16, 0, tzinfo=UTC)


def test_logged_on_the_tuesday_after_easter_the_targets_move_by_one_business_day(
    world: World,
) -> None:
    complaint = complain(world, london(2027, 3, 30, 9, 0))
    assert complaint.acknowledge_due == dt.datetime(2027, 3, 31, 16, 0, tzinfo=UTC)
    assert complaint.decision_due == dt.datetime(2027, 4, 13, 16, 0, tzinfo=UTC)


def test_a_winter_complaint_is_due_at_17_00_gmt(world: World) -> None:
    complaint = complain(world, london(2026, 3, 10, 10, 0))  # Tuesday
    assert complaint.acknowledge_due == dt.datetime(2026, 3, 11, 17, 0, tzinfo=UTC)
    assert complaint.decision_due == dt.datetime(2026, 3, 24, 17, 0, tzinfo=UTC)


def test_the_targets_are_data_a_changed_policy_changes_the_due_times(world: World) -> None:
    ComplaintPolicy.objects.filter(is_default=True).update(
        acknowledge_business_days=2, decision_business_days=5
    )
    complaint = complain(world, THURSDAY_BEFORE_EASTER_2027)
    assert complaint.acknowledge_due == dt.datetime(2027, 3, 31, 16, 0, tzinfo=UTC)
    assert complaint.decision_due == dt.datetime(2027, 4, 5, 16, 0, tzinfo=UTC)


def test_an_extra_closed_date_on_the_standard_calendar_is_not_a_business_day(
    world: World,
) -> None:
    from sladesk.contracts.models import CalendarDate, SlaCalendar

    CalendarDate.objects.create(
        calendar=SlaCalendar.objects.get(name="standard"),
        date=dt.date(2027, 3, 30),
        kind=CalendarDate.Kind.CLOSED,
        reason="Office move",
    )
    complaint = complain(world, THURSDAY_BEFORE_EASTER_2027)
    assert complaint.acknowledge_due == dt.datetime(2027, 3, 31, 16, 0, tzinfo=UTC)
    assert complaint.decision_due == dt.datetime(2027, 4, 13, 16, 0, tzinfo=UTC)


def test_the_explanation_names_the_bank_holidays_that_did_not_count(world: World) -> None:
    policy = ComplaintPolicy.objects.get(is_default=True)
    assert explain_targets(policy, THURSDAY_BEFORE_EASTER_2027) == (
        "Logged Thursday 25 March 2027 10:00 GMT. Business days are counted on the "
        "'standard' calendar from the day after that date; the logging day never counts.\n"
        "Not counted: Fri 26 Mar (Good Friday); Mon 29 Mar (Easter Monday).\n"
        "Acknowledge within 1 business day: by Tuesday 30 March 2027 17:00 BST.\n"
        "Decide within 10 business days: by Monday 12 April 2027 17:00 BST."
    )


def test_age_in_business_days_counts_closes_passed_since_the_logging_date(
    world: World,
) -> None:
    policy = ComplaintPolicy.objects.get(is_default=True)
    calendar = calendar_for(policy)
    start = THURSDAY_BEFORE_EASTER_2027
    assert business_days_between(calendar, start, london(2027, 3, 30, 16, 59)) == 0
    assert business_days_between(calendar, start, london(2027, 3, 30, 17, 0)) == 1
    assert business_days_between(calendar, start, london(2027, 4, 12, 17, 0)) == 10
    targets = targets_for(policy, start)
    assert business_days_between(calendar, start, targets.decision_due) == 10

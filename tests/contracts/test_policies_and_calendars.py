"""Policies and calendars are rows; the default is exactly the engine's DEFAULT_POLICY."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from helpdesk_world import london
from sladesk.contracts.models import CalendarDate, SlaCalendar, SlaPolicy
from sladesk.contracts.sla_adapter import policy_data_for_storage, policy_from_row
from sladesk.sla import BUILTIN_CALENDARS, DEFAULT_POLICY


@pytest.mark.django_db
def test_the_data_migration_seeds_the_default_policy_and_the_builtin_calendars():
    default = SlaPolicy.objects.get(is_default=True)

    assert default.name == "default"
    assert default.data == policy_data_for_storage(DEFAULT_POLICY)
    assert {c.name: c.data for c in SlaCalendar.objects.all()} == {
        name: cal.to_dict() for name, cal in BUILTIN_CALENDARS.items()
    }
    assert policy_from_row(default).to_dict() == DEFAULT_POLICY.to_dict()


def test_an_extra_closed_date_row_moves_the_due_time(world, log):
    # The helpdesk closes on Wednesday 11 March 2026 (an office move, say).
    CalendarDate.objects.create(
        calendar=SlaCalendar.objects.get(name="standard"),
        date=dt.date(2026, 3, 11),
        kind="closed",
        reason="Office move",
    )

    ticket = log(
        company=world.bluebell,
        contact=world.bluebell_contact,
        priority="normal",
        at=london(2026, 3, 10, 16, 0),
        problem_since=london(2026, 3, 10, 15, 0),
    )

    # One hour on Tuesday, one hour from Thursday's opening.
    assert ticket.response_due == london(2026, 3, 12, 10, 0)


def test_a_contract_that_names_another_policy_uses_it(world, log):
    data = policy_data_for_storage(DEFAULT_POLICY)
    data["out_of_hours_priorities"] = ["critical"]
    strict = SlaPolicy.objects.create(name="critical-only-out-of-hours", data=data)
    world.acme_contract.policy = strict
    world.acme_contract.save()

    # Major out of hours on 24x7: the default policy gives 60 wall-clock minutes; this one
    # waits for standard hours (Monday 09:00 + 60 minutes).
    ticket = log(
        priority="major", at=london(2026, 3, 14, 3, 0), problem_since=london(2026, 3, 14, 2)
    )

    assert ticket.policy == strict
    assert ticket.response_due == london(2026, 3, 16, 10, 0)


@pytest.mark.django_db
def test_an_invalid_policy_row_is_refused_by_validation():
    row = SlaPolicy(name="broken", data={"name": "broken", "rules": {"critical": {}}})

    with pytest.raises(ValidationError) as raised:
        row.full_clean()

    assert "data" in raised.value.message_dict
    assert raised.value.message_dict["data"][0].startswith("Not a valid policy:")

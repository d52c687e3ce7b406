"""The policy as data (sla/policy.py) and the due computation's explanation (sla/due.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from sladesk.sla import (
    DEFAULT_POLICY,
    Coverage,
    Policy,
    Priority,
    SLAInputError,
    Target,
    TargetKind,
    explain_response_due,
    response_due,
)

LONDON = ZoneInfo("Europe/London")


def test_the_default_policy_survives_a_json_round_trip() -> None:
    data = json.loads(json.dumps(DEFAULT_POLICY.to_dict()))
    assert Policy.from_dict(data) == DEFAULT_POLICY


def test_the_default_policy_gives_out_of_hours_action_to_critical_and_major() -> None:
    assert DEFAULT_POLICY.out_of_hours_priorities == {Priority.CRITICAL, Priority.MAJOR}


def test_with_only_critical_out_of_hours_a_major_logged_on_saturday_waits_for_monday() -> None:
    policy = Policy.from_dict(
        DEFAULT_POLICY.to_dict() | {"name": "seed-wording", "out_of_hours_priorities": ["critical"]}
    )
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=LONDON)
    assert response_due(DEFAULT_POLICY, "major", "24x7", saturday) == datetime(
        2026, 11, 28, 11, 0, tzinfo=UTC
    )
    assert response_due(policy, "major", "24x7", saturday) == datetime(
        2026, 11, 30, 10, 0, tzinfo=UTC
    )
    assert response_due(policy, "critical", "24x7", saturday) == datetime(
        2026, 11, 28, 10, 30, tzinfo=UTC
    )


def test_a_changed_target_changes_the_due_time() -> None:
    data = DEFAULT_POLICY.to_dict()
    data["rules"]["normal"]["in_hours"] = {"kind": "business_minutes", "minutes": 240}
    policy = Policy.from_dict(data | {"name": "slower-normal"})
    logged = datetime(2026, 11, 30, 9, 0, tzinfo=LONDON)
    assert response_due(policy, "normal", "standard", logged) == datetime(
        2026, 11, 30, 13, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["rules"].pop("minor"), "no rule for minor"),
        (
            lambda d: d["rules"]["major"].update(in_hours={"kind": "business_minutes"}),
            "rule 'major': target business_minutes needs whole minutes",
        ),
        (
            lambda d: d["rules"]["major"].update(in_hours={"kind": "soon"}),
            "unknown target kind 'soon'",
        ),
        (
            lambda d: d["rules"]["major"].update(
                in_hours={"kind": "wall_clock_minutes", "minutes": 0}
            ),
            "positive number of minutes",
        ),
        (lambda d: d.update(hours_calendar="office"), "unknown calendar"),
        (lambda d: d.update(out_of_hours_priorities=["urgent"]), "unknown priority 'urgent'"),
        (lambda d: d.pop("rules"), "missing 'rules'"),
    ],
)
def test_an_invalid_policy_is_refused_naming_the_problem(mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(json.dumps(DEFAULT_POLICY.to_dict()))
    mutate(data)
    with pytest.raises(SLAInputError, match=message):
        Policy.from_dict(data)


def test_priority_and_coverage_accept_names_in_any_case_and_the_24_7_spelling() -> None:
    assert Priority.parse(" Critical ") is Priority.CRITICAL
    assert Coverage.parse("24/7") is Coverage.ALWAYS
    with pytest.raises(SLAInputError, match="unknown priority 'P1'"):
        Priority.parse("P1")


def test_enums_and_strings_give_the_same_due_time() -> None:
    logged = datetime(2026, 12, 24, 16, 50, tzinfo=UTC)
    assert response_due(DEFAULT_POLICY, Priority.CRITICAL, Coverage.STANDARD, logged) == (
        response_due(DEFAULT_POLICY, "critical", "standard", logged)
    )


def test_an_enhancement_is_due_on_its_agreed_date_once_one_is_agreed() -> None:
    logged = datetime(2026, 12, 1, 10, tzinfo=UTC)
    agreed = datetime(2027, 1, 15, 17, tzinfo=LONDON)
    assert response_due(DEFAULT_POLICY, "enhancement", "standard", logged) is None
    assert response_due(
        DEFAULT_POLICY, "enhancement", "standard", logged, agreed_date=agreed
    ) == datetime(2027, 1, 15, 17, tzinfo=UTC)


def test_a_target_description_reads_as_words() -> None:
    assert Target(TargetKind.BUSINESS_MINUTES, 120).describe() == "2 hours of open time"
    assert Target(TargetKind.WALL_CLOCK_MINUTES, 30).describe() == "30 minutes, wall clock"


def test_the_explanation_of_a_normal_ticket_over_easter_names_each_closure() -> None:
    logged = datetime(2026, 4, 2, 16, 30, tzinfo=LONDON)
    explanation = explain_response_due(DEFAULT_POLICY, "normal", "standard", logged)
    assert explanation.due == datetime(2026, 4, 7, 9, 30, tzinfo=UTC)
    assert explanation.in_hours is True
    assert [s.reason for s in explanation.skips] == [
        "outside 09:00–17:00 Europe/London time",
        "Good Friday",
        "weekend",
        "Easter Monday",
        "outside 09:00–17:00 Europe/London time",
    ]
    assert [(s.start, s.end) for s in explanation.stretches] == [
        (datetime(2026, 4, 2, 15, 30, tzinfo=UTC), datetime(2026, 4, 2, 16, 0, tzinfo=UTC)),
        (datetime(2026, 4, 7, 8, 0, tzinfo=UTC), datetime(2026, 4, 7, 9, 30, tzinfo=UTC)),
    ]
    text = explanation.text()
    assert "Rule: 2 hours of open time on the 'standard' calendar" in text
    assert "Due: Tue 07 Apr 2026 10:30:00 BST (2026-04-07T09:30:00Z)." in text


def test_the_explanation_of_a_ticket_logged_out_of_hours_says_when_the_clock_starts() -> None:
    logged = datetime(2026, 11, 28, 10, 0, tzinfo=LONDON)  # Saturday
    explanation = explain_response_due(DEFAULT_POLICY, "critical", "standard", logged)
    assert explanation.in_hours is False
    assert explanation.clock_starts == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert "The clock starts at the next opening: Mon 30 Nov 2026 09:00:00 GMT." in (
        explanation.text()
    )


def test_the_explanation_of_a_critical_with_cover_out_of_hours_is_wall_clock() -> None:
    logged = datetime(2026, 12, 25, 18, 30, tzinfo=LONDON)
    explanation = explain_response_due(DEFAULT_POLICY, "critical", "24x7", logged)
    assert explanation.due == datetime(2026, 12, 25, 19, 0, tzinfo=UTC)
    assert explanation.rule.startswith("30 minutes, wall clock from logging")


def test_the_explanation_of_a_minor_lists_the_closed_days_until_the_due_day() -> None:
    logged = datetime(2026, 12, 24, 18, 30, tzinfo=LONDON)
    explanation = explain_response_due(DEFAULT_POLICY, "minor", "standard", logged)
    assert explanation.due == datetime(2026, 12, 29, 17, 0, tzinfo=UTC)
    assert [s.reason for s in explanation.skips] == [
        "Christmas Day",
        "weekend (Boxing Day)",
        "weekend",
        "Boxing Day (observed)",
    ]


def test_the_explanation_without_a_contract_has_no_target_and_says_why() -> None:
    explanation = explain_response_due(
        DEFAULT_POLICY, "critical", None, datetime(2026, 12, 1, 10, tzinfo=UTC)
    )
    assert explanation.due is None
    assert "no signed, in-date support contract" in explanation.rule


def test_a_misspelt_policy_key_is_refused_rather_than_silently_defaulted() -> None:
    data = DEFAULT_POLICY.to_dict()
    data["out_of_hour_priorities"] = data.pop("out_of_hours_priorities")
    with pytest.raises(SLAInputError, match="unknown key\\(s\\) out_of_hour_priorities"):
        Policy.from_dict(data)


def test_an_unknown_priority_is_refused_even_without_a_contract() -> None:
    with pytest.raises(SLAInputError, match="unknown priority 'bogus'"):
        response_due(DEFAULT_POLICY, "bogus", None, datetime(2026, 12, 1, tzinfo=UTC))


def test_the_explanation_of_a_normal_logged_on_saturday_says_the_clock_waits() -> None:
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=LONDON)
    explanation = explain_response_due(DEFAULT_POLICY, "normal", "24x7", saturday)
    assert "no out-of-hours action, so the clock waits for the next opening" in (explanation.rule)

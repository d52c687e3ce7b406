"""Work done once per process, not once per request, on the hot paths."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sladesk.sla import DEFAULT_POLICY, explain_response_due
from sladesk.sla import calendar as calendar_module


def test_explaining_due_times_builds_each_years_bank_holidays_once(monkeypatch):
    calls: list[Any] = []
    real = calendar_module.holidays_pkg.country_holidays

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(tuple(kwargs["years"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(calendar_module.holidays_pkg, "country_holidays", counting)
    policy = DEFAULT_POLICY.__class__.from_dict(DEFAULT_POLICY.to_dict())
    logged = dt.datetime(2026, 12, 24, 16, 0, tzinfo=dt.UTC)

    first = explain_response_due(policy, "normal", "standard", logged).text()
    built = len(calls)
    again = [explain_response_due(policy, "normal", "standard", logged).text() for _ in range(5)]

    assert built >= 1
    assert len(calls) == built
    assert again == [first] * 5
    assert "Christmas Day" in first


def test_the_cached_holiday_names_cannot_be_changed_by_a_caller():
    from sladesk.sla import STANDARD

    names = STANDARD._holidays_for(2026, 2026)

    assert names[dt.date(2026, 12, 25)] == "Christmas Day"
    with pytest.raises(TypeError):
        names[dt.date(2026, 12, 24)] = "not a holiday"  # type: ignore[index]
    assert dt.date(2026, 12, 24) not in STANDARD._holidays_for(2026, 2026)

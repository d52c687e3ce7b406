"""The countdown's instants for the script are the ISO 8601 text the `date:"c"` filter
writes, in the viewer's zone, across a clock change."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import timezone

from sladesk.web.templatetags.sladesk_ui import countdown

UTC = dt.UTC


def _ticket(due: dt.datetime, warn: dt.datetime, start: dt.datetime) -> SimpleNamespace:
    return SimpleNamespace(
        response_due=due,
        sla_warn_at=warn,
        sla_clock_starts_at=start,
        responded_at=None,
        response_met=None,
    )


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "UTC"])
def test_the_countdown_instants_match_the_date_filter_in_the_viewers_zone(zone):
    # The due time falls after the UK clocks go back (25 October 2026); now is before.
    now = dt.datetime(2026, 10, 24, 22, 30, tzinfo=UTC)
    ticket = _ticket(
        due=dt.datetime(2026, 10, 26, 9, 15, 30, tzinfo=UTC),
        warn=dt.datetime(2026, 10, 26, 8, 0, tzinfo=UTC),
        start=dt.datetime(2026, 10, 24, 23, 0, tzinfo=UTC),
    )
    reference = Template(
        "{{ c.due|date:'c' }} {{ c.warn|date:'c' }} {{ c.start|date:'c' }} {{ c.now|date:'c' }}"
    )

    with timezone.override(zone):
        tag = countdown(ticket, now)
        expected = reference.render(Context({"c": tag["c"]}))

    assert " ".join(tag["iso"][k] for k in ("due", "warn", "start", "now")) == expected
    if zone == "Europe/London":
        assert tag["iso"]["due"] == "2026-10-26T09:15:30+00:00"
        assert tag["iso"]["now"] == "2026-10-24T23:30:00+01:00"


def test_a_ticket_without_a_target_gives_the_script_no_instants():
    ticket = SimpleNamespace(
        response_due=None,
        sla_warn_at=None,
        sla_clock_starts_at=None,
        responded_at=None,
        response_met=None,
    )

    tag = countdown(ticket, dt.datetime(2026, 3, 3, 10, 0, tzinfo=UTC))

    assert (tag["c"]["band"], tag["iso"]["due"], tag["iso"]["warn"]) == ("none", "", "")

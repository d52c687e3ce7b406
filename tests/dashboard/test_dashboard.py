"""The manager dashboard: periods on the London calendar, met %, breaches, agent load."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from helpdesk_world import london
from sladesk.dashboard.selectors import dashboard_for, period_bounds
from sladesk.tickets.actions import add_public_reply


def test_periods_follow_the_london_calendar_across_a_clock_change():
    now = london(2026, 3, 29, 12, 0)  # clocks went forward at 01:00 GMT that day

    today = period_bounds("today", now)
    week = period_bounds("week", now)
    month = period_bounds("month", now)

    assert today == (
        dt.datetime(2026, 3, 29, 0, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 29, 23, 0, tzinfo=dt.UTC),
    )
    assert week[0] == dt.datetime(2026, 3, 23, 0, 0, tzinfo=dt.UTC)
    assert month == (
        dt.datetime(2026, 3, 1, 0, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 31, 23, 0, tzinfo=dt.UTC),
    )


def test_met_percent_counts_met_against_met_and_breached(world, log):
    met = log(at=london(2026, 3, 10, 10, 0))
    late = log(at=london(2026, 3, 10, 10, 5), priority="critical")
    log(at=london(2026, 3, 10, 16, 0))  # still inside its target at 16:30: pending
    add_public_reply(actor=world.engineer, ticket=met, body="ok", at=london(2026, 3, 10, 10, 30))
    add_public_reply(actor=world.engineer, ticket=late, body="late", at=london(2026, 3, 10, 11, 0))

    data = dashboard_for(world.manager, period="today", now=london(2026, 3, 10, 16, 30))

    total = data["total"]
    assert (total.logged, total.met, total.breached, total.pending, total.met_percent) == (
        3,
        1,
        1,
        1,
        50.0,
    )
    critical = next(r for r in data["by_priority"] if r.key == "critical")
    assert (critical.logged, critical.breached) == (1, 1)
    assert [t.reference for t in data["breaches"]] == [late.reference]
    assert [(r.label, r.logged) for r in data["by_company"]] == [("Acme Contact Centres", 3)]


def test_only_managers_see_the_dashboard(client, world):
    assert dashboard_for(world.engineer, period="today", now=london(2026, 3, 10, 12)) is None
    client.force_login(world.engineer)
    assert client.get(reverse("dashboard:home")).status_code == 403


def test_the_dashboard_page_draws_svg_charts_without_inline_style(client, world, log):
    log()
    client.force_login(world.manager)

    page = client.get(reverse("dashboard:home"), {"period": "month"}).content.decode()

    assert page.count('<svg class="chart"') == 3
    assert "style=" not in page
    assert "Olive Operator" in page

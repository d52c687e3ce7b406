"""The demo's planning data: working hours, the on-call rota with its gap, ticket history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.test import override_settings

from helpdesk_world import london
from sladesk.core.demo import load_demo
from sladesk.oncall.models import RotaShift
from sladesk.planning import staffing
from sladesk.planning.models import WorkingHours
from sladesk.tickets.models import Ticket

NOW = london(2026, 11, 18, 12, 0)  # a Wednesday


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker):
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        yield load_demo(now=NOW, seed=7, tickets=60, history_weeks=4)
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_once, db):
    return demo_once


def test_the_demo_has_working_hours_for_the_desk(demo):
    rows = WorkingHours.objects.select_related("agent")
    by_agent: dict[str, set[int]] = {}
    for row in rows:
        by_agent.setdefault(row.agent.email, set()).add(row.weekday)
    assert by_agent == {
        "operator@sladesk.demo": {0, 1, 2, 3, 4},
        "engineer@sladesk.demo": {0, 1, 2, 3, 4},
        "engineer2@sladesk.demo": {0, 1, 2, 3},
    }


def test_the_demo_history_adds_weeks_of_answered_tickets(demo):
    history = Ticket.objects.filter(description="From the demo history.")

    assert demo.tickets == Ticket.objects.count()
    assert history.count() > 400
    assert not history.filter(responded_at__isnull=True).exists()
    assert history.order_by("logged_at").first().logged_at >= NOW - dt.timedelta(weeks=4, hours=1)


def test_the_demo_forecast_shows_the_uncovered_saturday_afternoon_at_risk(demo):
    fc = staffing.forecast(at=NOW, replications=50)

    on_call_at_risk = [h.local for h in fc.hours if h.at_risk and not h.open]
    saturday = london(2026, 11, 28)
    assert on_call_at_risk == [saturday.replace(hour=h) for h in range(12, 20)]
    # Weeknights from Wednesday 18 November to Wednesday 2 December (11), and each of the
    # two weekends in two stretches around the Saturday-afternoon gap (2 more).
    assert RotaShift.objects.filter(engineer__email="oncall@sladesk.demo").count() == 13

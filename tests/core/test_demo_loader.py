"""The demo data loader: made through the actions, loaded once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Count
from django.test import override_settings

from helpdesk_world import LONDON, london
from sladesk.accounts.models import User
from sladesk.accounts.roles import Role
from sladesk.audit.models import AuditEvent
from sladesk.contracts.sla_adapter import compute_response_due
from sladesk.core.demo import DEMO_PASSWORD, load_demo
from sladesk.customers.models import Company
from sladesk.sla import STANDARD
from sladesk.tickets.models import Ticket

NOW = london(2026, 11, 20, 12, 0)


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker):
    """Load the demo once for this module (it takes a while), rolled back at the end."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        yield load_demo(now=NOW, seed=7)
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_once, db):
    return demo_once


def test_the_demo_has_three_companies_with_different_coverage_and_every_role(demo):
    assert demo.created is True
    assert Company.objects.count() == 3
    coverages = {c.slug: {k.coverage for k in c.contracts.all()} for c in Company.objects.all()}
    assert coverages == {"northwind": {"24x7"}, "bluebell": {"standard"}, "harbour": {"24x7"}}
    assert set(User.objects.values_list("role", flat=True)) == {r.value for r in Role}
    assert {password for _, password, _ in demo.logins} == {DEMO_PASSWORD}
    assert User.objects.get(email="operator@sladesk.demo").check_password(DEMO_PASSWORD)


def test_the_demo_has_a_few_hundred_tickets_across_priorities_and_statuses(demo):
    assert 300 <= Ticket.objects.count() == demo.tickets < 330
    by_priority = dict(Ticket.objects.values_list("priority").annotate(n=Count("id")))
    assert set(by_priority) == {"critical", "major", "normal", "minor", "enhancement"}
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert {"resolved", "closed", "in_progress", "awaiting_customer"} <= statuses
    assert Ticket.objects.filter(response_met=False).count() > 0
    assert Ticket.objects.filter(response_met=True).count() > 0
    assert Ticket.objects.filter(response_due__isnull=True, coverage="").count() > 0
    assert Ticket.objects.filter(logged_at__gt=NOW).count() == 0
    assert AuditEvent.objects.filter(at__gt=NOW).count() == 0
    first = Ticket.objects.order_by("logged_at").first()
    assert first is not None
    assert first.logged_at >= NOW - dt.timedelta(days=240)


def test_the_demo_includes_bank_holidays_and_clock_changes(demo):
    local_dates = {t.logged_at.astimezone(LONDON).date() for t in Ticket.objects.all()}
    holidays = {c.date for year in (2026,) for c in STANDARD.closures(year)}
    assert {dt.date(2026, 5, 4), dt.date(2026, 5, 25), dt.date(2026, 8, 31)} <= (
        local_dates & holidays
    )
    # The clock went back on Sunday 25 October 2026.
    assert dt.date(2026, 10, 25) in local_dates


def test_every_demo_due_time_is_the_engines(demo):
    for ticket in Ticket.objects.exclude(coverage="").select_related("policy"):
        assert ticket.response_due == compute_response_due(
            policy_row=ticket.policy,
            priority=ticket.priority,
            coverage=ticket.coverage,
            logged_at=ticket.logged_at,
        )


def test_every_breach_is_a_response_after_its_due_time(demo):
    for ticket in Ticket.objects.filter(response_met__isnull=False):
        assert ticket.response_met is (ticket.responded_at <= ticket.response_due_at_response)


def test_loading_again_reuses_the_data(demo):
    again = load_demo(now=NOW, seed=7)

    assert again.created is False
    assert again.tickets == demo.tickets
    assert Company.objects.count() == 3

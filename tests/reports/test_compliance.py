"""The SLA compliance report: exact figures on a fixed set of tickets around Easter 2026.

The set (London time; Good Friday 3 April and Easter Monday 6 April 2026 are bank holidays):

| ticket | customer | priority | logged | first response | business min | outcome |
|---|---|---|---|---|---|---|
| A | Bluebell (standard) | normal | Thu 2 Apr 16:30 | Tue 7 Apr 10:00 | 90 | met (due Tue 10:30) |
| B | Bluebell | normal | Tue 7 Apr 10:00 | Tue 7 Apr 13:00 | 180 | breached (due 12:00) |
| C | Bluebell | critical | Fri 10 Apr 16:50 | Mon 13 Apr 09:10 | 20 | breached (due Mon 09:05) |
| D | Bluebell | major | Wed 8 Apr 09:00 | Wed 8 Apr 09:30 | 30 | met |
| E | Bluebell | minor | Sat 11 Apr 12:00 | Mon 13 Apr 09:00 | 0 | met (due Mon 17:00) |
| F | Bluebell | normal | Thu 30 Apr 16:00 | none | | pending at Fri 1 May 09:30 |
| G | Bluebell | normal | Mon 13 Apr 10:00 | none | | breached (due 12:00 passed) |
| H | Acme (24x7) | critical | Sat 18 Apr 03:00 | Sat 18 Apr 03:20 | 20 (24x7 clock) | met |
| I | Bluebell | enhancement | Tue 14 Apr 11:00 | Tue 14 Apr 11:30 | | no target |

Business minutes of the timed responses: 0, 20, 20, 30, 90, 180: median 25.0, p90 135.0.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helpdesk_world import london, valid_ticket_fields
from sladesk.reports import views
from sladesk.reports.models import ResponseFact
from sladesk.reports.selectors import Filters, compliance_report, drill_tickets
from sladesk.reports.summaries import percentile
from sladesk.tickets.actions import add_public_reply, log_ticket, set_priority

NOW = london(2026, 5, 1, 9, 30)
APRIL = dt.date(2026, 4, 1)


@pytest.fixture
def easter(world: Any, log: Any) -> dict[str, Any]:
    def blue(priority: str, at: dt.datetime) -> Any:
        return log(
            company=world.bluebell,
            contact=world.bluebell_contact,
            priority=priority,
            at=at,
            problem_since=london(2026, 3, 1),
        )

    def reply(ticket: Any, at: dt.datetime) -> None:
        add_public_reply(actor=world.engineer, ticket=ticket, body="On it.", at=at)

    t = {
        "A": blue("normal", london(2026, 4, 2, 16, 30)),
        "B": blue("normal", london(2026, 4, 7, 10, 0)),
        "C": blue("critical", london(2026, 4, 10, 16, 50)),
        "D": blue("major", london(2026, 4, 8, 9, 0)),
        "E": blue("minor", london(2026, 4, 11, 12, 0)),
        "F": blue("normal", london(2026, 4, 30, 16, 0)),
        "G": blue("normal", london(2026, 4, 13, 10, 0)),
        "H": log(
            priority="critical",
            at=london(2026, 4, 18, 3, 0),
            channel="out_of_hours",
            problem_since=london(2026, 3, 1),
        ),
        "I": blue("enhancement", london(2026, 4, 14, 11, 0)),
    }
    reply(t["A"], london(2026, 4, 7, 10, 0))
    reply(t["B"], london(2026, 4, 7, 13, 0))
    reply(t["C"], london(2026, 4, 13, 9, 10))
    reply(t["D"], london(2026, 4, 8, 9, 30))
    reply(t["E"], london(2026, 4, 13, 9, 0))
    add_public_reply(
        actor=world.oncall, ticket=t["H"], body="Calling you.", at=london(2026, 4, 18, 3, 20)
    )
    reply(t["I"], london(2026, 4, 14, 11, 30))
    for ticket in t.values():
        ticket.refresh_from_db()
    return t


def _figures(stats: Any) -> tuple[Any, ...]:
    return (
        stats.logged,
        stats.met,
        stats.breached,
        stats.pending,
        stats.no_target,
        stats.met_percent,
        stats.median_minutes,
        stats.p90_minutes,
    )


def test_the_fixed_set_has_the_outcomes_the_core_recorded(easter):
    assert [easter[k].response_met for k in "ABCDEFGHI"] == [
        True,
        False,
        False,
        True,
        True,
        None,
        None,
        True,
        None,
    ]


def test_april_compliance_counts_met_breached_pending_and_business_minutes(world, easter):
    data = compliance_report(world.manager, month=APRIL, now=NOW)

    assert _figures(data["total"]) == (9, 4, 3, 1, 1, 57.1, 25.0, 135.0)


def test_business_minutes_skip_the_easter_weekend_and_bank_holidays(world, easter):
    compliance_report(world.manager, month=APRIL, now=NOW)

    facts = {f.ticket_id: f for f in ResponseFact.objects.all()}
    minutes = {k: facts[t.pk].business_seconds for k, t in easter.items()}
    assert minutes == {
        "A": 90 * 60,
        "B": 180 * 60,
        "C": 20 * 60,
        "D": 30 * 60,
        "E": 0,
        "F": None,
        "G": None,
        "H": 20 * 60,
        "I": 30 * 60,
    }
    assert facts[easter["A"].pk].calendar == "standard"
    assert facts[easter["H"].pk].calendar == "wall clock"  # 30 min wall clock out of hours


def test_compliance_by_priority_customer_agent_and_channel(world, easter):
    data = compliance_report(world.manager, month=APRIL, now=NOW)

    by_priority = {s.key: _figures(s) for s in data["by_priority"]}
    assert by_priority == {
        "critical": (2, 1, 1, 0, 0, 50.0, 20.0, 20.0),
        "major": (1, 1, 0, 0, 0, 100.0, 30.0, 30.0),
        "normal": (4, 1, 2, 1, 0, 33.3, 135.0, 171.0),
        "minor": (1, 1, 0, 0, 0, 100.0, 0.0, 0.0),
        "enhancement": (1, 0, 0, 0, 1, None, None, None),
    }
    assert [(s.label, _figures(s)) for s in data["by_customer"]] == [
        ("Bluebell Insurance", (8, 3, 3, 1, 1, 50.0, 30.0, 144.0)),
        ("Acme Contact Centres", (1, 1, 0, 0, 0, 100.0, 20.0, 20.0)),
    ]
    assert [(s.label, s.logged, s.met, s.breached) for s in data["by_agent"]] == [
        ("Ed Engineer", 6, 3, 2),
        ("Nina Oncall", 1, 1, 0),
        ("No response yet", 2, 0, 1),
    ]
    by_channel = {s.key: (s.logged, s.met) for s in data["by_channel"] if s.logged}
    assert by_channel == {"phone": (8, 3), "out_of_hours": (1, 1)}


def test_the_month_table_shows_twelve_months_ending_with_the_chosen_one(world, easter):
    data = compliance_report(world.manager, month=APRIL, now=NOW)

    months = data["by_month"]
    assert months[0].key == "2025-05"
    assert [m.key for m in months][-1] == "2026-04"
    assert _figures(months[-1]) == _figures(data["total"])
    assert all(m.logged == 0 for m in months[:-1])


def test_a_ticket_answered_after_the_report_is_counted_at_the_next_view(world, easter):
    assert compliance_report(world.manager, month=APRIL, now=NOW)["total"].pending == 1

    add_public_reply(
        actor=world.engineer, ticket=easter["F"], body="Late", at=london(2026, 5, 1, 9, 0)
    )
    data = compliance_report(world.manager, month=APRIL, now=NOW)

    # Thu 16:00-17:00 and Fri 09:00-09:00: one business hour of the two allowed.
    assert _figures(data["total"]) == (9, 5, 3, 0, 1, 62.5, 30.0, 126.0)


def test_percentile_interpolates_between_the_nearest_values():
    assert percentile([0, 20, 20, 30, 90, 180], 0.5) == 25
    assert percentile([0, 20, 20, 30, 90, 180], 0.9) == 135
    assert percentile([7], 0.9) == 7
    assert percentile([], 0.5) is None


@pytest.fixture
def pinned(monkeypatch):
    monkeypatch.setattr(views, "_now", lambda: NOW)


def test_the_page_draws_charts_and_tables_without_script_or_inline_style(
    client, world, easter, pinned
):
    client.force_login(world.manager)

    response = client.get(reverse("reports:compliance"), {"month": "2026-04"})

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('<svg class="chart"') == 5
    assert "style=" not in page
    assert "<script" not in page.split("</head>")[1]
    assert "57.1%" in page
    assert "Bluebell Insurance" in page


def test_every_figure_links_to_the_tickets_behind_it(client, world, easter, pinned):
    client.force_login(world.manager)

    page = client.get(
        reverse("reports:tickets"), {"month": "2026-04", "outcome": "breached"}
    ).content.decode()

    shown = {k for k, t in easter.items() if f">{t.reference}</a>" in page}
    assert shown == {"B", "C", "G"}
    assert reverse("console:ticket", args=[easter["C"].reference]) in page


def test_the_median_drills_down_to_the_timed_responses(client, world, easter, pinned):
    client.force_login(world.manager)

    page = client.get(
        reverse("reports:tickets"), {"month": "2026-04", "outcome": "timed", "priority": "normal"}
    ).content.decode()

    assert {k for k, t in easter.items() if f">{t.reference}</a>" in page} == {"A", "B"}


def test_drill_down_by_customer_and_agent(client, world, easter, pinned):
    client.force_login(world.manager)

    by_customer = client.get(
        reverse("reports:tickets"), {"month": "2026-04", "company": world.acme.pk}
    ).content.decode()
    no_agent = client.get(
        reverse("reports:tickets"), {"month": "2026-04", "agent": "0"}
    ).content.decode()

    assert {k for k, t in easter.items() if f">{t.reference}</a>" in by_customer} == {"H"}
    assert "Tickets logged in April 2026, Acme Contact Centres</h1>" in by_customer
    assert {k for k, t in easter.items() if f">{t.reference}</a>" in no_agent} == {"F", "G"}


def test_bad_drill_down_parameters_are_all_named(client, world, easter, pinned):
    client.force_login(world.manager)

    response = client.get(
        reverse("reports:tickets"),
        {"month": "April", "priority": "urgent", "hour": "200", "outcome": "late"},
    )

    page = response.content.decode()
    assert response.status_code == 400
    for field in ("month", "priority", "hour", "outcome"):
        assert f"<strong>{field}</strong>" in page
    assert "&#x27;April&#x27; is not a month written as YYYY-MM." in page


def test_the_query_count_does_not_grow_with_the_number_of_tickets(client, world, log, pinned):
    client.force_login(world.manager)
    url = reverse("reports:compliance")

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"month": "2026-04"}).status_code == 200
        return len(queries)

    def add(n: int, start: int) -> None:
        for i in range(n):
            ticket = log(at=london(2026, 4, 7, 9, 0) + dt.timedelta(minutes=start + i))
            if i % 2:
                add_public_reply(
                    actor=world.engineer if i % 4 == 1 else world.oncall,
                    ticket=ticket,
                    body="ok",
                    at=london(2026, 4, 7, 15, 0),
                )

    count_queries()  # summarises the eleven earlier (empty) months once
    add(2, 0)
    first_few = count_queries()
    settled_few = count_queries()
    add(30, 100)
    first_many = count_queries()
    settled_many = count_queries()

    assert first_many == first_few
    assert settled_many == settled_few
    assert ResponseFact.objects.count() == 32


def test_every_figure_of_every_table_drills_down_to_as_many_tickets(world, easter):
    data = compliance_report(world.manager, month=APRIL, now=NOW)
    checked = 0
    for table in ("by_priority", "by_customer", "by_agent", "by_channel"):
        for stats in [*data[table], data["total"]]:
            for outcome, expected in (
                ("", stats.logged),
                ("met", stats.met),
                ("breached", stats.breached),
                ("pending", stats.pending),
                ("no_target", stats.no_target),
            ):
                query = {**stats.drill, "outcome": outcome}
                ids, _ = drill_tickets(world.manager, Filters.from_query(query, NOW), NOW)
                assert len(ids) == expected, (table, stats.label, outcome)
                checked += 1
    # Each table plus the total: 5 priorities, 2 customers, 3 agents, 5 channels.
    assert checked == 5 * (6 + 3 + 4 + 6)


def test_business_minutes_are_exact_across_the_spring_clock_change(world, log):
    # Friday 27 March 16:00 GMT to Monday 30 March 10:00 BST: 60 + 60 business minutes.
    ticket = log(
        company=world.bluebell,
        contact=world.bluebell_contact,
        at=london(2026, 3, 27, 16, 0),
        problem_since=london(2026, 3, 1),
    )
    add_public_reply(actor=world.engineer, ticket=ticket, body="ok", at=london(2026, 3, 30, 10))

    data = compliance_report(world.manager, month=dt.date(2026, 3, 1), now=NOW)

    assert (data["total"].met, data["total"].median_minutes) == (1, 120.0)


def test_an_earlier_month_in_the_table_is_as_stored_until_that_month_is_viewed(world, easter):
    compliance_report(world.manager, month=dt.date(2026, 3, 1), now=NOW)
    before = compliance_report(world.manager, month=APRIL, now=NOW)["by_month"]
    # A ticket of March is logged after March was last viewed.
    log_ticket(**valid_ticket_fields(world, at=london(2026, 3, 20, 10, 0)))
    stale = compliance_report(world.manager, month=APRIL, now=NOW)["by_month"]
    compliance_report(world.manager, month=dt.date(2026, 3, 1), now=NOW)
    fresh = compliance_report(world.manager, month=APRIL, now=NOW)["by_month"]

    assert [m.logged for m in before][-2:] == [0, 9]
    assert [m.logged for m in stale][-2:] == [0, 9]
    assert [m.logged for m in fresh][-2:] == [1, 9]
    assert fresh[-2].as_of == NOW


def test_a_month_without_tickets_shows_empty_figures(client, world, pinned):
    client.force_login(world.manager)

    response = client.get(reverse("reports:compliance"), {"month": "2027-02"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "No tickets logged this month." in page
    assert page.count('<svg class="chart"') == 5


def test_a_priority_change_moves_the_ticket_between_rows_at_the_next_view(world, easter):
    compliance_report(world.manager, month=APRIL, now=NOW)
    set_priority(
        actor=world.manager,
        ticket=easter["G"],
        priority="major",
        reason="The whole centre is affected",
        agreed_by="Bob Bluebell",
        at=london(2026, 4, 13, 10, 30),
    )

    data = compliance_report(world.manager, month=APRIL, now=NOW)

    by_priority = {s.key: (s.logged, s.breached) for s in data["by_priority"]}
    assert by_priority["normal"] == (3, 1)
    assert by_priority["major"] == (2, 1)
    assert _figures(data["total"]) == (9, 4, 3, 1, 1, 57.1, 25.0, 135.0)

"""Volumes by hour of week, open-ticket ageing, chargeable hours, CSV export and the
`sladesk reports refresh` command."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from helpdesk_world import london
from sladesk.billing.models import Charge, Statement
from sladesk.customers.models import Company
from sladesk.reports import views
from sladesk.reports.exports import cell
from sladesk.reports.models import ResponseFact
from sladesk.reports.selectors import ageing_report, chargeable_report, volumes_report
from sladesk.tickets.actions import add_public_reply, resolve

NOW = london(2026, 4, 30, 12, 0)
APRIL = dt.date(2026, 4, 1)


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    monkeypatch.setattr(views, "_now", lambda: NOW)


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


# ----------------------------------------------------------------------------- volumes


def test_volumes_count_tickets_by_london_day_and_hour_across_the_clock_change(world, log):
    # Clocks went forward on Sunday 29 March 2026: 30 March 09:15 BST is 08:15 UTC.
    log(at=london(2026, 3, 30, 9, 15))
    log(at=london(2026, 4, 6, 9, 59))  # Easter Monday, still a Monday 09:00 hour
    log(at=london(2026, 4, 12, 23, 30))  # Sunday 23:00
    log(at=london(2026, 4, 14, 10, 0))  # Tuesday 10:00

    data = volumes_report(world.manager, month=APRIL, now=NOW)
    march = volumes_report(world.manager, month=dt.date(2026, 3, 1), now=NOW)

    counts = {
        (day, h): c["count"]
        for day, cells in data["days"]
        for h, c in enumerate(cells)
        if c["count"]
    }
    assert counts == {("Mon", 9): 1, ("Sun", 23): 1, ("Tue", 10): 1}
    assert data["total"] == 3
    assert march["days"][0][1][9]["count"] == 1


def test_a_volume_cell_drills_down_to_its_tickets(client, world, log):
    monday = log(at=london(2026, 4, 6, 9, 59))
    log(at=london(2026, 4, 14, 10, 0))
    client.force_login(world.manager)

    page = client.get(reverse("reports:tickets"), {"month": "2026-04", "hour": "9"}).content

    assert monday.reference.encode() in page
    assert b"1 ticket;" in page


def test_the_volume_table_downloads_as_csv(client, world, log):
    log(at=london(2026, 4, 14, 10, 0))
    client.force_login(world.manager)

    rows = _rows(client.get(reverse("reports:volumes"), {"month": "2026-04", "csv": "1"}))

    assert rows[0][:3] == ["Day (London time)", "00:00", "01:00"]
    assert [r[0] for r in rows[1:]] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert rows[2][11] == "1"  # Tuesday, the 10:00 column


# ------------------------------------------------------------------------------ ageing


def test_open_tickets_are_aged_by_wall_clock_time_per_priority(world, log):
    log(at=NOW - dt.timedelta(hours=3))
    log(at=NOW - dt.timedelta(days=1), priority="critical")  # exactly one day: 1 to 3 days
    log(at=NOW - dt.timedelta(days=10), priority="minor")
    old = log(at=NOW - dt.timedelta(days=40))
    done = log(at=NOW - dt.timedelta(days=5))
    add_public_reply(actor=world.engineer, ticket=done, body="ok", at=NOW - dt.timedelta(days=5))
    resolve(actor=world.engineer, ticket=done, resolution="Fixed", at=NOW)

    data = ageing_report(world.manager, now=NOW)

    table = {r["key"]: [c["count"] for c in r["cells"]] for r in data["rows"]}
    assert table == {
        "critical": [0, 1, 0, 0, 0],
        "major": [0, 0, 0, 0, 0],
        "normal": [1, 0, 0, 0, 1],
        "minor": [0, 0, 0, 1, 0],
        "enhancement": [0, 0, 0, 0, 0],
    }
    assert data["total"] == 4
    assert old.is_open


def test_an_ageing_figure_drills_down_to_exactly_its_open_tickets(client, world, log):
    young = log(at=NOW - dt.timedelta(hours=3))
    old = log(at=NOW - dt.timedelta(days=40))
    client.force_login(world.manager)

    page = client.get(
        reverse("reports:ageing_tickets"), {"age": "30dplus", "priority": "normal"}
    ).content.decode()

    assert old.reference in page
    assert young.reference not in page
    assert reverse("console:ticket", args=[old.reference]) in page


def test_bad_ageing_parameters_are_all_named(client, world, log):
    client.force_login(world.manager)

    response = client.get(reverse("reports:ageing_tickets"), {"age": "old", "priority": "x"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "<strong>age</strong>" in page
    assert "<strong>priority</strong>" in page


# ---------------------------------------------------------------------- chargeable hours


def _charge(world, ticket, statement, *, inside: int, outside: int, **extra) -> Charge:
    return Charge.objects.create(
        statement=statement,
        company=statement.company,
        ticket=ticket,
        description="Work",
        currency="GBP",
        billed_in_seconds=inside,
        billed_out_seconds=outside,
        in_hours_amount=Decimal("90.00") * inside // 3600,
        out_of_hours_amount=Decimal("135.00") * outside // 3600,
        amount=Decimal("90.00") * inside // 3600 + Decimal("135.00") * outside // 3600,
        created_at=NOW,
        **extra,
    )


@pytest.fixture
def charges(world, log):
    april = Statement.objects.create(
        company=world.acme, month=APRIL, currency="GBP", number="ST-1", generated_at=NOW
    )
    march = Statement.objects.create(
        company=world.acme,
        month=dt.date(2026, 3, 1),
        currency="GBP",
        number="ST-0",
        generated_at=NOW,
    )
    t1, t2, t3, t4 = (log(at=london(2026, 4, d, 10, 0)) for d in (7, 8, 9, 10))
    _charge(world, t1, april, inside=7200, outside=0)
    _charge(world, t2, april, inside=1800, outside=3600, held=True, hold_reason="disputed")
    _charge(world, t3, april, inside=7200, outside=0, decision=Charge.Decision.WAIVED)
    _charge(world, t4, march, inside=3600, outside=0)
    return {"t1": t1, "t2": t2, "t3": t3, "t4": t4}


def test_chargeable_hours_add_up_the_months_counted_work_lines(world, charges):
    data = chargeable_report(world.manager, month=APRIL)

    assert [
        (r["label"], r["tickets"], r["in_hours"], r["out_hours"], r["total_hours"], r["held_hours"])
        for r in data["rows"]
    ] == [("Acme Contact Centres", 2, "2.50", "1.00", "3.50", "1.50")]


def test_chargeable_hours_drill_down_to_the_charged_tickets(client, world, charges):
    client.force_login(world.manager)

    page = client.get(
        reverse("reports:chargeable_tickets"), {"month": "2026-04", "company": world.acme.pk}
    ).content.decode()

    shown = {k for k, t in charges.items() if f">{t.reference}</a>" in page}
    assert shown == {"t1", "t2"}


# ---------------------------------------------------------------------------------- CSV


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 phone", "'+1 phone"),
        ("-rm", "'-rm"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("-12.5", "-12.5"),
        ("Acme", "Acme"),
        (57.1, "57.1"),
        (None, ""),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(value, expected):
    assert cell(value) == expected


def test_a_company_named_like_a_formula_downloads_as_text(client, world, log):
    evil = Company.objects.create(name="=cmd|' /C calc'!A0", slug="evil")
    ticket = log(at=london(2026, 4, 14, 10, 0))
    type(ticket).objects.filter(pk=ticket.pk).update(company=evil)
    world.engineer.full_name = "@Agent"
    world.engineer.save()
    add_public_reply(actor=world.engineer, ticket=ticket, body="ok", at=london(2026, 4, 14, 10, 5))
    client.force_login(world.manager)

    by_customer = _rows(
        client.get(reverse("reports:compliance"), {"month": "2026-04", "csv": "customer"})
    )
    by_agent = _rows(
        client.get(reverse("reports:compliance"), {"month": "2026-04", "csv": "agent"})
    )
    listed = _rows(client.get(reverse("reports:tickets"), {"month": "2026-04", "csv": "1"}))

    assert by_customer[0][:3] == ["Customer", "Logged", "Met"]
    assert by_customer[1] == ["'=cmd|' /C calc'!A0", "1", "1", "0", "0", "0", "100.0", "5.0", "5.0"]
    assert by_agent[1][0] == "'@Agent"
    assert listed[1][1] == "'=cmd|' /C calc'!A0"
    assert listed[1][9] == "'@Agent"


@pytest.mark.parametrize("table", ["priority", "customer", "agent", "channel", "month"])
def test_every_compliance_table_downloads(client, world, log, table):
    log(at=london(2026, 4, 14, 10, 0))
    client.force_login(world.manager)

    response = client.get(reverse("reports:compliance"), {"month": "2026-04", "csv": table})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"by-{table}.csv" in response["Content-Disposition"]
    assert _rows(response)[0][-2:] == ["Median business minutes", "p90 business minutes"]


def test_an_unknown_table_is_named(client, world, log):
    client.force_login(world.manager)

    response = client.get(reverse("reports:compliance"), {"month": "2026-04", "csv": "nope"})

    assert response.status_code == 400
    assert "<strong>csv</strong>" in response.content.decode()


def test_the_ageing_and_chargeable_tables_download(client, world, charges):
    client.force_login(world.manager)

    ageing = _rows(client.get(reverse("reports:ageing"), {"csv": "1"}))
    hours = _rows(client.get(reverse("reports:chargeable"), {"month": "2026-04", "csv": "1"}))

    assert ageing[0] == [
        "Priority",
        "Under 1 day",
        "1 to 3 days",
        "3 to 7 days",
        "7 to 30 days",
        "30 days or more",
        "Open",
    ]
    assert ageing[-1][0] == "All"
    assert hours[1] == ["Acme Contact Centres", "2", "2.50", "1.00", "3.50", "1.50"]


# ------------------------------------------------------------------------------ command


def test_the_refresh_command_builds_every_row_and_then_has_nothing_to_do(world, log):
    for day in (7, 8, 9):
        log(at=london(2026, 4, day, 10, 0))
    out = io.StringIO()

    call_command("reports", "refresh", "--quiet", stdout=out)
    call_command("reports", "refresh", "--quiet", stdout=out)

    assert out.getvalue().splitlines() == [
        "3 report rows computed; 3 in all.",
        "0 report rows computed; 3 in all.",
    ]
    assert ResponseFact.objects.count() == 3


def test_refresh_all_recomputes_every_row(world, log):
    log(at=london(2026, 4, 7, 10, 0))
    out = io.StringIO()
    call_command("reports", "refresh", "--quiet", stdout=out)

    call_command("reports", "refresh", "--all", "--quiet", stdout=out)

    assert out.getvalue().splitlines()[-1] == "1 report rows computed; 1 in all."

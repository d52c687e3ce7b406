"""The customer and agent breakdowns of the compliance page stay bounded however large the
directory: the page shows the 25 most relevant rows (most breaches, then most tickets, then
by name) and links to the full table, 100 rows a page; the CSV keeps every row."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helpdesk_world import london
from sladesk.contracts.models import Contract
from sladesk.customers.models import Company, Contact
from sladesk.reports import views
from sladesk.reports.models import ResponseFact
from sladesk.reports.selectors import Stats
from sladesk.tickets.actions import add_public_reply

NOW = london(2026, 5, 1, 9, 30)
APRIL = {"month": "2026-04"}


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    monkeypatch.setattr(views, "_now", lambda: NOW)


@pytest.fixture
def companies(world, log):
    """`add(n)` adds n standard-cover customers ("Customer 001", ...), each logging one
    April ticket; every third one is answered in time, the others are never answered and
    so breached by NOW. Returns the companies made so far, in order."""
    made: list[Any] = []

    def add(n: int) -> list[Any]:
        for _ in range(n):
            i = len(made) + 1
            company = Company.objects.create(name=f"Customer {i:03d}", slug=f"customer-{i:03d}")
            contract = Contract.objects.create(
                company=company,
                reference=f"SC-C{i:03d}",
                signed_on=dt.date(2025, 12, 1),
                valid_from=dt.date(2026, 1, 1),
                valid_to=dt.date(2026, 12, 31),
                coverage="standard",
            )
            contract.modules.set([world.desktop])
            contact = Contact.objects.create(
                company=company, name=f"Contact {i:03d}", phone="01473 000009"
            )
            logged = london(2026, 4, 7, 9, 0) + dt.timedelta(minutes=i)
            ticket = log(
                company=company, contact=contact, at=logged, problem_since=london(2026, 4, 1)
            )
            if i % 3 == 0:
                add_public_reply(
                    actor=world.engineer,
                    ticket=ticket,
                    body="On it.",
                    at=logged + dt.timedelta(minutes=30),
                )
            made.append(company)
        return made

    return add


def _customer_rows(page: str) -> list[str]:
    """The customer names of the page's "By customer" table, in order."""
    section = page.split('id="section-customer"')[1].split("</section>")[0]
    table = section.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r'<th scope="row"><a href="[^"]*">([^<]*)</a></th>', table)


def test_the_breakdown_order_is_most_breaches_then_most_tickets_then_name():
    rows = [
        Stats(key="1", label="Bravo", logged=9, breached=1),
        Stats(key="2", label="Alpha", logged=3, breached=2),
        Stats(key="3", label="Delta", logged=9, breached=1),
        Stats(key="4", label="Charlie", logged=12, breached=1),
        Stats(key="5", label="Echo", logged=50, breached=0),
    ]

    assert [s.label for s in views.ranked(rows)] == ["Alpha", "Charlie", "Bravo", "Delta", "Echo"]


def test_the_page_shows_the_25_customers_with_most_breaches_and_says_so(client, world, companies):
    made = companies(30)
    client.force_login(world.manager)

    page = client.get(reverse("reports:compliance"), APRIL).content.decode()

    # 20 breached customers (every one not divisible by 3), then the answered ones by name;
    # the world's own companies logged nothing in April and have no row.
    breached = [c.name for i, c in enumerate(made, 1) if i % 3]
    answered = [c.name for i, c in enumerate(made, 1) if not i % 3]
    assert _customer_rows(page) == breached + answered[:5]
    assert (
        "Showing 25 of 30: the 25 with the most breached responses, then the most tickets "
        "logged (then by name)." in page
    )
    assert f'href="{reverse("reports:breakdown", args=["customer"])}?month=2026-04"' in page
    assert "The full table of all 30</a>" in page


def test_a_small_directory_shows_every_row_and_the_rule(client, world, companies):
    made = companies(3)
    client.force_login(world.manager)

    page = client.get(reverse("reports:compliance"), APRIL).content.decode()

    assert _customer_rows(page) == [made[0].name, made[1].name, made[2].name]
    assert "All 3, ordered as the top rows are chosen when there are more" in page


def test_the_main_page_does_not_grow_with_the_number_of_companies(client, world, companies):
    client.force_login(world.manager)
    url = reverse("reports:compliance")

    def view() -> tuple[int, str]:
        client.get(url, APRIL)  # brings the month up to date after the new tickets
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, APRIL)
        assert response.status_code == 200
        return len(queries), response.content.decode()

    companies(5)
    queries_5, page_5 = view()
    companies(35)  # 40: 27 breached customers, so the top 25 are all breached ones
    queries_40, page_40 = view()
    companies(20)
    queries_60, page_60 = view()

    assert ResponseFact.objects.filter(month=dt.date(2026, 4, 1)).count() == 60
    assert queries_5 == queries_40 == queries_60
    assert len(_customer_rows(page_5)) == 5
    assert len(_customer_rows(page_40)) == len(_customer_rows(page_60)) == 25
    assert page_40.count("<a ") == page_60.count("<a ")
    assert page_40.count("<rect ") == page_60.count("<rect ")
    # The same rows and links; only digits (counts, ids in links) may differ in length.
    assert abs(len(page_60.encode()) - len(page_40.encode())) < 200


def test_the_full_table_pages_100_rows_in_the_same_order_with_the_same_links(
    client, world, companies, monkeypatch
):
    monkeypatch.setattr(views, "BREAKDOWN_PAGE_SIZE", 4)
    made = companies(9)
    client.force_login(world.manager)
    url = reverse("reports:breakdown", args=["customer"])

    pages = [client.get(url, {**APRIL, "page": n}) for n in (1, 2, 3)]

    assert [r.status_code for r in pages] == [200, 200, 200]
    shown = [_table_rows(r.content.decode()) for r in pages]
    order = [made[i - 1].name for i in (1, 2, 4, 5, 7, 8, 3, 6, 9)]
    assert shown == [order[0:4], order[4:8], order[8:9]]
    first, last = pages[0].content.decode(), pages[2].content.decode()
    assert "showing 1 to 4 (page 1 of 3)" in first
    assert "showing 9 to 9 (page 3 of 3)" in last
    assert f'href="{url}?month=2026-04&amp;page=2">Next →' in first
    assert "← Previous" not in first
    assert f'href="{url}?month=2026-04&amp;page=2">← Previous' in last
    assert "Next →" not in last
    drill = reverse("reports:tickets")
    assert f'href="{drill}?month=2026-04&amp;company={made[0].pk}&amp;outcome=breached"' in first
    assert "style=" not in first
    assert "<script" not in first.split("</head>")[1]


def test_the_full_table_has_100_rows_a_page(client, world, companies):
    client.force_login(world.manager)
    companies(3)
    page = client.get(reverse("reports:breakdown", args=["customer"]), APRIL).content.decode()

    assert views.BREAKDOWN_PAGE_SIZE == 100
    assert "3 rows; showing 1 to 3 (page 1 of 1)" in page


def _table_rows(page: str) -> list[str]:
    table = page.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r'<th scope="row"><a href="[^"]*">([^<]*)</a></th>', table)


def test_the_full_agent_table_lists_every_first_responder(client, world, companies):
    companies(6)
    client.force_login(world.manager)

    page = client.get(reverse("reports:breakdown", args=["agent"]), APRIL).content.decode()

    assert _table_rows(page) == ["No response yet", "Ed Engineer"]


def test_the_csv_still_exports_every_customer(client, world, companies):
    made = companies(30)
    client.force_login(world.manager)

    response = client.get(reverse("reports:compliance"), {**APRIL, "csv": "customer"})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Customer"
    assert sorted(r[0] for r in rows[1:]) == [c.name for c in made]


@pytest.mark.parametrize(
    ("query", "table", "message"),
    [
        ({"page": "0"}, "customer", "&#x27;0&#x27; is not a page number (1, 2, ...)."),
        ({"page": "x"}, "customer", "&#x27;x&#x27; is not a page number (1, 2, ...)."),
        ({"page": "2"}, "customer", "Page 2 does not exist: the table has 1 page(s)."),
        ({}, "channel", "&#x27;channel&#x27; is not a breakdown of this report"),
    ],
)
def test_bad_full_table_requests_are_named(client, world, companies, query, table, message):
    companies(2)
    client.force_login(world.manager)

    response = client.get(reverse("reports:breakdown", args=[table]), {**APRIL, **query})

    assert response.status_code == 400
    assert message in response.content.decode()


def test_customers_and_helpdesk_staff_cannot_open_the_full_table(client, world):
    for user in (world.acme_user, world.engineer, world.operator):
        client.force_login(user)
        for table in ("customer", "agent"):
            response = client.get(reverse("reports:breakdown", args=[table]), APRIL)
            assert response.status_code == 403
    assert ResponseFact.objects.count() == 0


def _agent_rows(page: str) -> list[str]:
    section = page.split('id="section-agent"')[1].split("</section>")[0]
    table = section.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r'<th scope="row"><a href="[^"]*">([^<]*)</a></th>', table)


def test_the_agent_table_ranks_no_response_yet_by_the_same_rule(client, world, companies):
    companies(6)  # 4 unanswered and breached, 2 answered in time by Ed Engineer
    client.force_login(world.manager)

    page = client.get(reverse("reports:compliance"), APRIL).content.decode()

    assert _agent_rows(page) == ["No response yet", "Ed Engineer"]
    assert "All 2, ordered as the top rows are chosen when there are more" in page
    assert f'href="{reverse("reports:breakdown", args=["agent"])}?month=2026-04"' in page


def test_a_customer_page_has_no_breakdown_and_no_link_to_the_full_tables(client, world, companies):
    companies(30)
    client.force_login(world.acme_user)

    page = client.get(reverse("reports:compliance"), APRIL).content.decode()

    assert 'id="section-customer"' not in page
    assert 'id="section-agent"' not in page
    assert reverse("reports:breakdown", args=["customer"]) not in page
    assert "Customer 001" not in page

"""The busy pages and API calls use a fixed number of queries, whatever the data size.

Each test measures the same request with few and with many tickets (or messages, or rows
per page) and asserts the query count is exactly the same: nothing runs a query per row.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from api_client import NOW, ticket_body
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from helpdesk_world import World


@pytest.fixture(autouse=True)
def _pinned(monkeypatch: Any, settings: Any) -> None:
    monkeypatch.setattr("sladesk.core.clock.timezone.now", lambda: NOW.astimezone(dt.UTC))
    settings.SLADESK_API_RATE_LIMIT = 0
    cache.clear()


def _count(call: Any) -> int:
    call()  # warm: per-process caches and once-a-minute writes are not per-row costs
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code in (200, 201), response.content[:500]
    return len(captured)


def _log_tickets(world: World, count: int, start: int) -> list[Any]:
    """Tickets logged an hour apart, each with a public reply and an internal note."""
    from helpdesk_world import valid_ticket_fields
    from sladesk.tickets.actions import add_internal_note, add_public_reply, log_ticket

    tickets = []
    base = NOW - dt.timedelta(days=20)
    for i in range(start, start + count):
        at = base + dt.timedelta(hours=i)
        company, contact = (
            (world.acme, world.acme_contact) if i % 2 else (world.bluebell, world.bluebell_contact)
        )
        ticket = log_ticket(
            **valid_ticket_fields(
                world,
                company=company,
                contact=contact,
                at=at,
                problem_since=at - dt.timedelta(hours=1),
                priority=["critical", "major", "normal", "minor"][i % 4],
            )
        )
        if i % 3:
            add_public_reply(
                actor=world.engineer, ticket=ticket, body="Looking", at=at + dt.timedelta(minutes=5)
            )
        add_internal_note(
            actor=world.engineer, ticket=ticket, body="Note", at=at + dt.timedelta(minutes=6)
        )
        tickets.append(ticket)
    return tickets


def _add_messages(world: World, ticket: Any, count: int) -> None:
    from sladesk.tickets.actions import add_internal_note, add_public_reply

    at = max(ticket.logged_at, NOW - dt.timedelta(days=1))
    customer = world.acme_user if ticket.company_id == world.acme.pk else world.bluebell_user
    for i in range(count):
        add_public_reply(
            actor=customer if i % 2 else world.engineer,
            ticket=ticket,
            body=f"Reply {i}",
            at=at + dt.timedelta(minutes=i + 10),
        )
        add_internal_note(
            actor=world.engineer, ticket=ticket, body=f"Note {i}", at=at + dt.timedelta(minutes=i)
        )


def _browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/queue/",
        "/queue/?page=2",
        "/console/",
        "/console/?assignee=queue",
        "/console/?assignee=open&page=2",
        "/console/?company=acme",
        "/console/?company=Bluebell+Insurance&page=2",
    ],
)
def test_the_queue_pages_use_the_same_queries_for_5_and_60_open_tickets(world, path):
    client = _browser(world.operator)
    _log_tickets(world, 5, 0)
    few = _count(lambda: client.get(path))

    # 60 open tickets: more than a page of 50, so the page now has a link to the next one.
    _log_tickets(world, 55, 5)
    many = _count(lambda: client.get(path))

    assert many == few


@pytest.mark.parametrize("page", ["/tickets/{ref}/", "/console/tickets/{ref}/"])
def test_a_ticket_page_uses_the_same_queries_for_few_and_many_messages(world, page):
    from sladesk.tickets.models import Ticket

    client = _browser(world.engineer)
    few_ticket, many_ticket = _log_tickets(world, 2, 0)
    _add_messages(world, few_ticket, 2)
    _add_messages(world, many_ticket, 25)
    assert Ticket.objects.get(pk=many_ticket.pk).messages.count() == 52

    few = _count(lambda: client.get(page.format(ref=few_ticket.reference)))
    many = _count(lambda: client.get(page.format(ref=many_ticket.reference)))

    assert many == few


def test_a_customer_ticket_page_uses_the_same_queries_for_few_and_many_messages(world):
    client = _browser(world.acme_user)
    tickets = _log_tickets(world, 4, 0)
    few_ticket, many_ticket = tickets[1], tickets[3]  # acme's
    _add_messages(world, few_ticket, 2)
    _add_messages(world, many_ticket, 25)

    few = _count(lambda: client.get(f"/portal/tickets/{few_ticket.reference}/"))
    many = _count(lambda: client.get(f"/portal/tickets/{many_ticket.reference}/"))

    assert many == few


@pytest.mark.parametrize("query", ["", "&status=new", "&priority=critical", "&company=acme"])
def test_the_api_ticket_list_uses_the_same_queries_for_5_and_50_rows(world, api_as, query):
    api = api_as(world.engineer)
    _log_tickets(world, 60, 0)

    five = _count(lambda: api.get(f"/tickets?limit=5{query}"))
    fifty = _count(lambda: api.get(f"/tickets?limit=50{query}"))

    assert fifty == five
    assert len(api.get(f"/tickets?limit=50{query}").json()["items"]) > 5


def test_the_api_ticket_list_uses_the_same_queries_for_5_and_50_tickets(world, api_as):
    api = api_as(world.engineer)
    _log_tickets(world, 5, 0)
    few = _count(lambda: api.get("/tickets?limit=50"))

    _log_tickets(world, 45, 5)
    many = _count(lambda: api.get("/tickets?limit=50"))

    assert many == few


def test_the_api_queue_and_sla_explanation_use_the_same_queries_for_5_and_60_tickets(world, api_as):
    api = api_as(world.engineer)
    first = _log_tickets(world, 5, 0)[0]
    few = (
        _count(lambda: api.get("/queue")),
        _count(lambda: api.get("/queue?limit=500")),
        _count(lambda: api.get(f"/tickets/{first.reference}/sla")),
    )

    _log_tickets(world, 55, 5)
    many = (
        _count(lambda: api.get("/queue")),
        _count(lambda: api.get("/queue?limit=500")),
        _count(lambda: api.get(f"/tickets/{first.reference}/sla")),
    )

    assert many == few
    assert api.get("/queue").json()["next_offset"] == 50


def test_the_api_queue_uses_the_same_queries_for_5_and_50_rows(world, api_as):
    api = api_as(world.engineer)
    _log_tickets(world, 60, 0)

    five = _count(lambda: api.get("/queue?limit=5&offset=10"))
    fifty = _count(lambda: api.get("/queue?limit=50&offset=10"))

    assert fifty == five
    assert len(api.get("/queue?limit=50&offset=10").json()["items"]) == 50


@pytest.mark.parametrize("who", ["acme_user", "operator"])
def test_logging_a_ticket_through_the_api_uses_the_same_queries_with_5_or_50_tickets(
    world, api_as, who
):
    api = api_as(getattr(world, who))
    body = (
        ticket_body(world)
        if who == "acme_user"
        else {
            **ticket_body(world),
            "company": "acme",
            "contact_id": world.acme_contact.pk,
        }
    )

    def log() -> Any:
        return api.post("/tickets", body)

    _log_tickets(world, 5, 0)
    few = _count(log)

    _log_tickets(world, 45, 5)
    many = _count(log)

    assert many == few
    from sladesk.tickets.models import Ticket

    assert Ticket.objects.count() == 54
    assert json.loads(log().content)["reference"].startswith("CS-")


def test_logging_a_ticket_reads_nothing_back_and_takes_its_number_in_one_statement(world, api_as):
    """The write path of the throughput target: the ticket row is not read back for its
    acknowledgement, the reference number costs one statement, and the acknowledgement's
    outbox row needs no savepoint (its key is the event written a moment before)."""
    api = api_as(world.acme_user)
    api.post("/tickets", ticket_body(world))  # warm the per-process caches

    with CaptureQueriesContext(connection) as captured:
        response = api.post("/tickets", ticket_body(world))

    assert response.status_code == 201, response.content[:500]
    statements = [q["sql"] for q in captured]
    assert [s for s in statements if "tickets_ticketcounter" in s] == [
        next(s for s in statements if "tickets_ticketcounter" in s)
    ]
    assert [s.split()[0] for s in statements if '"tickets_ticket"' in s.split(" WHERE")[0]] == [
        "INSERT"
    ]
    outbox = [i for i, s in enumerate(statements) if '"mail_outboundemail"' in s]
    assert len(outbox) == 1
    assert "SAVEPOINT" not in statements[outbox[0] - 1]
    assert "mail_inboundmessage" not in " ".join(statements)
    from sladesk.mail.models import OutboundEmail

    email = OutboundEmail.objects.get(
        key__startswith="audit:", ticket__reference=json.loads(response.content)["reference"]
    )
    assert email.recipient == world.acme_user.email
    assert email.subject.startswith(f"[{email.ticket.reference}]")


def test_the_console_ticket_page_reads_missing_information_and_article_links_once(world):
    """The page shows both twice (the missing-information notice and the details form; the
    linked articles and their workarounds), from one read each."""
    client = _browser(world.engineer)
    [ticket] = _log_tickets(world, 1, 0)
    client.get(f"/console/tickets/{ticket.reference}/")

    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/console/tickets/{ticket.reference}/")

    assert response.status_code == 200
    statements = [q["sql"] for q in captured]
    assert sum('FROM "mail_missinginformation"' in s for s in statements) == 1
    assert sum('FROM "knowledge_ticketarticle"' in s for s in statements) == 1

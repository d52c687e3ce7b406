"""The agent console: the live queue (htmx partial), filters, take next, and each action of
the ticket page calling its core action."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sladesk.audit.models import AuditEvent
from sladesk.queue.actions import set_availability
from sladesk.tickets.models import Message, Ticket


@pytest.fixture
def fresh(log, world):
    """A ticket logged a minute ago (Acme's contract is made valid around today)."""
    today = dt.date.today()
    world.acme_contract.valid_from = today - dt.timedelta(days=30)
    world.acme_contract.valid_to = today + dt.timedelta(days=30)
    world.acme_contract.save()
    return log(
        at=timezone.now() - dt.timedelta(minutes=1),
        problem_since=timezone.now() - dt.timedelta(hours=1),
    )


def test_the_queue_puts_breached_tickets_first_and_its_poll_returns_only_the_live_part(
    client, world, log, fresh
):
    late = log(
        at=timezone.now() - dt.timedelta(hours=2),
        priority="critical",
        problem_since=timezone.now() - dt.timedelta(hours=3),
    )
    client.force_login(world.engineer)

    full = client.get(reverse("console:queue")).content.decode()
    poll = client.get(reverse("console:queue"), HTTP_HX_REQUEST="true").content.decode()

    assert full.index('id="g-breached"') < full.index(late.reference) < full.index('id="g-running"')
    assert poll.startswith('\n<div id="queue-body"') or poll.lstrip().startswith(
        '<div id="queue-body"'
    )
    assert "<html" not in poll
    assert 'hx-trigger="every 15s"' in poll
    assert fresh.reference in poll


def test_queue_filters_by_priority_and_company(client, world, log, fresh):
    other = log(company=world.bluebell, contact=world.bluebell_contact, overview="Bluebell fault")
    client.force_login(world.engineer)

    by_company = client.get(
        reverse("console:queue"), {"company": world.bluebell.pk}
    ).content.decode()
    by_priority = client.get(reverse("console:queue"), {"priority": "major"}).content.decode()

    assert other.reference in by_company
    assert fresh.reference not in by_company
    assert fresh.reference not in by_priority


def test_take_next_gives_the_agent_the_ticket_and_opens_it(client, world, fresh):
    set_availability(actor=world.engineer, available=True)
    client.force_login(world.engineer)

    response = client.post(reverse("console:take_next"))

    fresh.refresh_from_db()
    assert response["Location"] == reverse("console:ticket", args=[fresh.reference])
    assert fresh.assignee == world.engineer


def test_customers_cannot_open_the_console(client, world, fresh):
    client.force_login(world.acme_user)

    assert client.get(reverse("console:queue")).status_code == 403
    assert client.get(reverse("console:ticket", args=[fresh.reference])).status_code == 403


def _act(client, ticket, **data):
    return client.post(reverse("console:act", args=[ticket.reference]), data)


def test_each_ticket_action_calls_its_core_action(client, world, log, fresh):
    client.force_login(world.manager)
    reply = _act(client, fresh, op="reply", body="Looking now")
    note = _act(client, fresh, op="note", body="Checked the logs")
    call = _act(
        client, fresh, op="call", direction="outbound", duration_minutes="2", summary="Rang Ann"
    )
    priority = _act(
        client, fresh, op="priority", priority="major", reason="Whole centre", agreed_by="Ann"
    )
    status = _act(client, fresh, op="status", status="awaiting_customer", reason="Need logs")
    classify = _act(client, fresh, op="classify", scope="product_fault", reason="Engine bug")
    assign = _act(client, fresh, op="assign", agent=world.engineer.pk, reason="Specialist")
    first = fresh.messages.order_by("id").first()
    split = _act(
        client, fresh, op="split", overview="Second issue", reason="Separate", messages=[first.pk]
    )

    assert [
        r.status_code for r in (reply, note, call, priority, status, classify, assign, split)
    ] == [302] * 8
    fresh.refresh_from_db()
    assert (fresh.priority, fresh.status, fresh.scope, fresh.chargeable, fresh.assignee) == (
        "major",
        "awaiting_customer",
        "product_fault",
        False,
        world.engineer,
    )
    assert list(fresh.messages.values_list("kind", "call_duration_seconds")) == [
        (Message.Kind.INTERNAL, None),
        (Message.Kind.CALL, 120),
    ]
    new = Ticket.objects.get(split_from=fresh)
    assert list(new.messages.values_list("body", flat=True)) == ["Looking now"]


def test_mark_investigating_is_the_response_for_a_normal_ticket(client, world, fresh):
    client.force_login(world.engineer)

    _act(client, fresh, op="investigate")

    fresh.refresh_from_db()
    assert (fresh.status, fresh.first_response_kind) == ("in_progress", "investigating")


def test_a_refused_action_keeps_the_typed_values_and_saves_nothing(client, world, fresh):
    client.force_login(world.engineer)
    events = AuditEvent.objects.count()

    response = _act(client, fresh, op="priority", priority="critical", reason="", agreed_by="Ann")

    page = response.content.decode()
    fresh.refresh_from_db()
    assert response.status_code == 422
    assert "Give the reason for the priority change" in page
    assert 'id="prio-agreed" name="agreed_by" value="Ann"' in page
    assert fresh.priority == "normal"
    assert AuditEvent.objects.count() == events


def test_an_operator_may_not_classify_and_nothing_changes(client, world, fresh):
    client.force_login(world.operator)

    response = _act(client, fresh, op="classify", scope="hardware", chargeable="yes", reason="x")

    fresh.refresh_from_db()
    assert response.status_code == 403
    assert fresh.scope == ""


def test_the_ticket_page_shows_the_timeline_with_audited_changes_and_notes(client, world, fresh):
    client.force_login(world.engineer)
    _act(client, fresh, op="note", body="<b>bold</b><script>alert(1)</script>")

    page = client.get(reverse("console:ticket", args=[fresh.reference])).content.decode()

    assert "ticket.logged" in page
    assert "<b>bold</b>" in page
    assert "<script>alert(1)" not in page
    assert 'data-shortcut="r"' in page

"""Two agents act on the same quarantined email at once: exactly one of them handles it."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from mailbuilder import make_mail

from helpdesk_world import TUESDAY_10AM, build_world, valid_ticket_fields
from sladesk.audit.models import AuditEvent
from sladesk.core.errors import ActionValidationError
from sladesk.mail.actions import create_ticket_from, dismiss, release_to_ticket
from sladesk.mail.ingest import ingest
from sladesk.mail.models import InboundMessage
from sladesk.tickets.actions import log_ticket
from sladesk.tickets.models import Message, Ticket


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs real concurrent transactions: run with DATABASE_URL=postgres://...",
)
@pytest.mark.django_db(transaction=True)
def test_racing_agents_handle_a_quarantined_email_exactly_once(fast_settings):
    world = build_world()
    ticket = log_ticket(**valid_ticket_fields(world))
    row = ingest(
        make_mail(sender="stranger@elsewhere.example"), source="test", at=TUESDAY_10AM
    ).inbound
    attempts = [
        lambda: dismiss(actor=world.operator, inbound=row, reason="spam"),
        lambda: release_to_ticket(actor=world.engineer, inbound=row, ticket=ticket),
        lambda: create_ticket_from(actor=world.oncall, inbound=row, contact=world.acme_contact),
        lambda: dismiss(actor=world.manager, inbound=row, reason="spam too"),
    ]
    barrier = threading.Barrier(len(attempts))
    won: list[int] = []
    refused: list[dict[str, str]] = []
    errors: list[BaseException] = []

    def attempt(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            attempts[index]()
            won.append(index)
        except ActionValidationError as exc:
            refused.append(dict(exc.errors))
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(attempts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert len(won) == 1
    assert refused == [{"email": "this email is not in the quarantine"}] * 3
    handled = InboundMessage.objects.get(pk=row.pk)
    assert handled.outcome in {"released", "dismissed"}
    assert AuditEvent.objects.filter(action__startswith="mail.quarantine").count() == 1
    # Whatever won, nothing else was half-done by the losers.
    assert Message.objects.count() == (1 if won == [1] else 0)
    assert Ticket.objects.count() == (2 if won == [2] else 1)
    assert bytes(handled.raw).startswith(b"From: stranger@elsewhere.example")

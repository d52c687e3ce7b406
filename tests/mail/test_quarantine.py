"""An agent deals with quarantined mail; the raw message always stays."""

from __future__ import annotations

import pytest
from mailbuilder import make_mail

from helpdesk_world import TUESDAY_10AM
from sladesk.audit.models import AuditEvent
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.mail.actions import dismiss, release_to_ticket
from sladesk.mail.ingest import ingest
from sladesk.mail.selectors import quarantine_visible_to
from sladesk.tickets.models import Message


def _quarantined():
    return ingest(
        make_mail(sender="stranger@elsewhere.example"), source="test", at=TUESDAY_10AM
    ).inbound


def test_an_agent_files_quarantined_mail_on_a_ticket_as_an_internal_note(world, log):
    ticket = log()
    row = _quarantined()

    release_to_ticket(actor=world.operator, inbound=row, ticket=ticket, at=TUESDAY_10AM)

    row.refresh_from_db()
    assert (row.outcome, row.ticket, row.handled_by) == ("released", ticket, world.operator)
    note = Message.objects.get(ticket=ticket)
    assert note.kind == "internal"
    assert note.body.startswith("Email from stranger@elsewhere.example")
    assert AuditEvent.objects.filter(action="mail.quarantine_released").count() == 1
    assert list(quarantine_visible_to(world.operator)) == []


def test_only_staff_see_the_quarantine_and_customers_cannot_release_it(world, log):
    ticket = log()
    row = _quarantined()

    assert list(quarantine_visible_to(world.operator)) == [row]
    assert list(quarantine_visible_to(world.acme_user)) == []
    with pytest.raises(ActionPermissionDenied):
        release_to_ticket(actor=world.acme_user, inbound=row, ticket=ticket)
    row.refresh_from_db()
    assert row.outcome == "quarantined"


def test_dismissing_needs_a_reason_and_keeps_the_raw_message(world):
    row = _quarantined()
    with pytest.raises(ActionValidationError) as refused:
        dismiss(actor=world.operator, inbound=row, reason=" ")
    assert refused.value.errors == {"reason": "say why the email needs nothing"}

    dismiss(actor=world.operator, inbound=row, reason="spam", at=TUESDAY_10AM)

    row.refresh_from_db()
    assert row.outcome == "dismissed"
    assert bytes(row.raw).startswith(b"From: stranger@elsewhere.example")
    with pytest.raises(ActionValidationError):
        dismiss(actor=world.operator, inbound=row, reason="again")

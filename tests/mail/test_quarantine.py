"""An agent deals with quarantined mail; the raw message always stays."""

from __future__ import annotations

import datetime as dt

import pytest
from mailbuilder import make_mail

from helpdesk_world import TUESDAY_10AM
from sladesk.audit.models import AuditEvent
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.mail.actions import attach_as_reply, create_ticket_from, dismiss, release_to_ticket
from sladesk.mail.ingest import ingest
from sladesk.mail.selectors import quarantine_visible_to
from sladesk.tickets.models import Attachment, Message

LATER = TUESDAY_10AM + dt.timedelta(minutes=20)


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


def test_an_agent_attaches_quarantined_mail_as_the_contacts_reply_with_its_files(world, log):
    from sladesk.mail.models import OutboundEmail
    from sladesk.queue.actions import assign

    ticket = log()
    assign(actor=world.manager, ticket=ticket, agent=world.engineer, reason="expert")
    row = ingest(
        make_mail(
            sender="ann.private@home.example",
            subject=f"Re: [{ticket.reference}] still broken",
            body="Still broken after the restart.\n\nOn Tue, Ed wrote:\n> old",
            message_id="<private.1@home.example>",
            attachments=[("screen.png", "image/png", b"\x89PNG-bytes")],
        ),
        source="test",
        at=TUESDAY_10AM,
    ).inbound
    assert (row.outcome, row.ticket) == ("quarantined", ticket)

    attach_as_reply(
        actor=world.operator, inbound=row, ticket=ticket, contact=world.acme_contact, at=LATER
    )

    row.refresh_from_db()
    reply = Message.objects.get(ticket=ticket)
    assert (reply.kind, reply.author, reply.body) == (
        "public",
        world.acme_user,
        "Still broken after the restart.",
    )
    assert [a.original_name for a in Attachment.objects.filter(message=reply)] == ["screen.png"]
    assert (row.outcome, row.ticket, row.ticket_message, row.handled_by) == (
        "released",
        ticket,
        reply,
        world.operator,
    )
    event = AuditEvent.objects.get(action="mail.quarantine_attached_as_reply")
    assert (event.actor, event.ticket, event.after["contact"]) == (
        world.operator,
        ticket,
        "Ann Acme",
    )
    # The assignee hears of the customer's reply, exactly as for a reply by email.
    told = OutboundEmail.objects.get(kind="customer_reply")
    assert told.recipient == "ed@helpdesk.example"
    assert bytes(row.raw).startswith(b"From: ann.private@home.example")


def test_a_reply_can_only_come_from_a_contact_of_the_tickets_company(world, log):
    ticket = log()
    row = _quarantined()

    with pytest.raises(ActionValidationError) as refused:
        attach_as_reply(
            actor=world.operator, inbound=row, ticket=ticket, contact=world.bluebell_contact
        )

    assert refused.value.errors == {
        "contact": "Bob Bluebell is not a contact of Acme Contact Centres"
    }
    row.refresh_from_db()
    assert row.outcome == "quarantined"
    assert not Message.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="mail.").exists()


def test_attaching_without_a_ticket_or_contact_names_both(world):
    row = _quarantined()

    with pytest.raises(ActionValidationError) as refused:
        attach_as_reply(actor=world.operator, inbound=row, ticket=None, contact=None)

    assert refused.value.errors == {
        "ticket": "choose the ticket to attach the email to",
        "contact": "choose the contact the reply is from",
    }


def test_a_contact_without_a_login_cannot_be_written_as(world, log):
    from sladesk.customers.models import Contact

    ticket = log()
    row = _quarantined()
    no_login = Contact.objects.create(company=world.acme, name="Pat Paper", phone="01473 1")

    with pytest.raises(ActionValidationError) as refused:
        attach_as_reply(actor=world.operator, inbound=row, ticket=ticket, contact=no_login)

    assert refused.value.errors == {"contact": "Pat Paper has no active customer login to write as"}
    row.refresh_from_db()
    assert row.outcome == "quarantined"


def test_an_agent_creates_a_ticket_from_quarantined_mail_for_a_chosen_contact(world):
    from sladesk.mail.models import MissingInformation, OutboundEmail

    row = ingest(
        make_mail(
            sender="Bob at home <bob.home@private.example>",
            subject="Reports do not run",
            body="Nothing runs.\nModule: Agent Desktop\nVersion: 5.1\nAffected: several PCs",
            message_id="<bob.home.1@private.example>",
        ),
        source="test",
        at=TUESDAY_10AM,
    ).inbound

    ticket = create_ticket_from(
        actor=world.operator, inbound=row, contact=world.bluebell_contact, at=LATER
    )

    assert (ticket.company, ticket.contact, ticket.channel) == (
        world.bluebell,
        world.bluebell_contact,
        "email",
    )
    assert (ticket.module, ticket.version, ticket.affected) == (world.desktop, "5.1", "several_pcs")
    assert (ticket.logged_by, ticket.logged_at, ticket.overview) == (
        world.operator,
        LATER,
        "Reports do not run",
    )
    assert ticket.description.startswith(
        "[Logged by Olive Operator from an email by bob.home@private.example"
    )
    assert [f["field"] for f in MissingInformation.objects.get(ticket=ticket).fields] == [
        "problem_since",
        "error_details",
        "business_impact",
    ]
    row.refresh_from_db()
    assert (row.outcome, row.ticket, row.handled_by) == ("released", ticket, world.operator)
    ack = OutboundEmail.objects.get(kind="ticket_logged")
    assert ack.recipient == "bob@bluebell.example"
    assert f"Reference number: {ticket.reference}" in ack.body_text
    assert ack.in_reply_to == "<bob.home.1@private.example>"
    assert AuditEvent.objects.filter(action="mail.quarantine_ticket_created").count() == 1


def test_creating_a_ticket_needs_a_contact_and_a_customer_cannot(world):
    from sladesk.tickets.models import Ticket

    row = _quarantined()
    with pytest.raises(ActionValidationError) as refused:
        create_ticket_from(actor=world.operator, inbound=row, contact=None)
    with pytest.raises(ActionPermissionDenied):
        create_ticket_from(actor=world.acme_user, inbound=row, contact=world.acme_contact)

    assert refused.value.errors == {"contact": "choose the contact the ticket is for"}
    assert not Ticket.objects.exists()
    row.refresh_from_db()
    assert row.outcome == "quarantined"


def test_mail_that_was_never_readable_can_still_become_a_ticket(world):
    from sladesk.mail.ingest import quarantine_unparseable

    row = quarantine_unparseable(b"\x00\x01garbage", source="imap", reason="no header section")
    row = row.inbound

    ticket = create_ticket_from(
        actor=world.operator, inbound=row, contact=world.acme_contact, at=LATER
    )

    assert ticket.overview == "Email without a subject"
    row.refresh_from_db()
    assert (row.outcome, bytes(row.raw)) == ("released", b"\x00\x01garbage")


def test_a_handled_email_cannot_be_handled_again(world, log):
    ticket = log()
    row = _quarantined()
    dismiss(actor=world.operator, inbound=row, reason="spam", at=LATER)

    with pytest.raises(ActionValidationError) as refused:
        release_to_ticket(actor=world.operator, inbound=row, ticket=ticket, at=LATER)

    assert refused.value.errors == {"email": "this email is not in the quarantine"}
    assert not Message.objects.exists()

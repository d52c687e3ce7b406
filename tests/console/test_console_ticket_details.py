"""The console ticket page shows what an emailed ticket lacks, and the form to give it."""

from __future__ import annotations

from email.message import EmailMessage

from django.urls import reverse

from helpdesk_world import TUESDAY_10AM
from sladesk.audit.models import AuditEvent
from sladesk.mail.ingest import ingest
from sladesk.mail.models import MissingInformation
from sladesk.tickets.models import Ticket


def _emailed() -> Ticket:
    msg = EmailMessage()
    msg["From"] = "bob@bluebell.example"
    msg["To"] = "helpdesk@example.test"
    msg["Subject"] = "Agents cannot open scripts"
    msg["Date"] = "Tue, 10 Mar 2026 09:40:00 +0000"
    msg["Message-ID"] = "<bob.1@bluebell.example>"
    msg.set_content("Blank screens.\nAffected: the entire contact centre")
    return ingest(msg.as_bytes(), source="test", at=TUESDAY_10AM).ticket


def test_the_page_lists_what_is_missing_with_the_form_open(client, world):
    ticket = _emailed()
    client.force_login(world.operator)

    page = client.get(reverse("console:ticket", args=[ticket.reference])).content.decode()

    assert "Missing information" in page
    assert "Module: the product module you are using — assumed for now:" in page
    assert '<details class="action card" id="act-details" open>' in page
    assert 'name="op" value="details"' in page
    assert "Module (missing)" in page
    assert "Who is affected (missing)" not in page  # the email said it


def test_an_agent_gives_the_missing_details_and_the_block_goes(client, world):
    ticket = _emailed()
    client.force_login(world.operator)

    done = client.post(
        reverse("console:act", args=[ticket.reference]),
        {
            "op": "details",
            "module": str(world.desktop.pk),
            "version": "5.1",
            "affected": "",
            "problem_since": "2026-03-10T08:15",
            "error_details": "Error 17",
            "business_impact": "No calls answered",
            "contact_phone": ticket.contact_phone,
        },
    )

    assert done.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.module, ticket.version, ticket.error_details) == (
        world.desktop,
        "5.1",
        "Error 17",
    )
    assert MissingInformation.objects.get(ticket=ticket).outstanding == []
    event = AuditEvent.objects.get(action="ticket.details_completed")
    assert event.after["given"] == [
        "business_impact",
        "error_details",
        "module",
        "problem_since",
        "version",
    ]
    page = client.get(reverse("console:ticket", args=[ticket.reference])).content.decode()
    assert "Missing information" not in page


def test_a_wrong_version_is_named_on_the_page_and_nothing_changes(client, world):
    ticket = _emailed()
    client.force_login(world.operator)

    refused = client.post(
        reverse("console:act", args=[ticket.reference]),
        {"op": "details", "version": "9.9", "contact_phone": "call me"},
    )

    page = refused.content.decode()
    assert refused.status_code == 422
    assert "has no version &#x27;9.9&#x27;" in page
    assert "&#x27;call me&#x27; is not a phone number" in page
    ticket.refresh_from_db()
    assert ticket.version == "5.2"
    assert not AuditEvent.objects.filter(action="ticket.details_completed").exists()

"""The portal ticket page lets the customer give what their emailed ticket lacked."""

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
    msg.set_content("Blank screens.")
    return ingest(msg.as_bytes(), source="test", at=TUESDAY_10AM).ticket


def test_the_customer_sees_what_is_missing_and_gives_it(client, world):
    ticket = _emailed()
    client.force_login(world.bluebell_user)

    page = client.get(reverse("portal:ticket", args=[ticket.reference])).content.decode()
    done = client.post(
        reverse("portal:details", args=[ticket.reference]),
        {
            "module": str(world.desktop.pk),
            "version": "5.2",
            "affected": "several_pcs",
            "problem_since": "2026-03-10T07:45",
            "error_details": "No message, the screen stays blank",
            "business_impact": "Half the agents are idle",
        },
    )

    assert "Missing information" in page
    assert f'action="{reverse("portal:details", args=[ticket.reference])}"' in page
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.affected, ticket.business_impact) == (
        "several_pcs",
        "Half the agents are idle",
    )
    assert MissingInformation.objects.get(ticket=ticket).completed_at is not None
    after = client.get(reverse("portal:ticket", args=[ticket.reference])).content.decode()
    assert "Missing information" not in after
    assert "Correct the module, version or details" in after


def test_the_form_as_shown_gives_nothing_and_says_so(client, world):
    ticket = _emailed()
    client.force_login(world.bluebell_user)

    refused = client.post(
        reverse("portal:details", args=[ticket.reference]),
        {"module": "", "version": "", "contact_phone": ticket.contact_phone},
    )

    assert refused.status_code == 422
    assert "Give at least one of: module, version" in refused.content.decode()
    assert not AuditEvent.objects.filter(action="ticket.details_completed").exists()


def test_another_companys_contact_gets_not_found(client, world):
    ticket = _emailed()
    client.force_login(world.acme_user)

    answer = client.post(reverse("portal:details", args=[ticket.reference]), {"version": "5.1"})

    assert answer.status_code == 404
    ticket.refresh_from_db()
    assert ticket.version == "5.2"

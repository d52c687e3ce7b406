"""The email channel's pages: the quarantine for agents, preferences for everyone."""

from __future__ import annotations

from django.urls import reverse
from mailbuilder import make_mail

from helpdesk_world import TUESDAY_10AM
from sladesk.audit.models import AuditEvent
from sladesk.mail.ingest import ingest
from sladesk.mail.models import InboundMessage, NotificationPreference
from sladesk.tickets.models import Message, Ticket


def _quarantined(**kwargs):
    fields = {"sender": "Stranger <stranger@elsewhere.example>", **kwargs}
    return ingest(make_mail(**fields), source="test", at=TUESDAY_10AM).inbound


def test_agents_see_the_waiting_emails_oldest_first_and_customers_are_refused(client, world):
    first = _quarantined(subject="First stranger", message_id="<s1@elsewhere.example>")
    second = _quarantined(subject="Second stranger", message_id="<s2@elsewhere.example>")
    client.force_login(world.operator)

    page = client.get(reverse("mail:quarantine"))

    text = page.content.decode()
    assert page.status_code == 200
    assert "2 emails waiting for an agent." in text
    assert text.index(first.subject) < text.index(second.subject)
    assert "is not a known customer contact" in text
    client.force_login(world.acme_user)
    assert client.get(reverse("mail:quarantine")).status_code == 403
    assert client.get(reverse("mail:item", args=[first.pk])).status_code == 403
    assert client.get(reverse("mail:raw", args=[first.pk])).status_code == 403


def test_the_filter_answers_htmx_with_only_the_table(client, world):
    _quarantined(subject="Invoice overdue", message_id="<s1@elsewhere.example>")
    _quarantined(subject="Scripts broken", message_id="<s2@elsewhere.example>")
    client.force_login(world.engineer)

    part = client.get(reverse("mail:quarantine"), {"q": "scripts"}, HTTP_HX_REQUEST="true")

    text = part.content.decode()
    assert text.lstrip().startswith('<div id="quarantine-rows"')
    assert "<html" not in text
    assert "Scripts broken" in text
    assert "Invoice overdue" not in text


def test_an_email_shows_its_text_headers_and_files_but_never_runs_its_html(client, world):
    row = _quarantined(
        subject="Look <script>alert(1)</script>",
        body="Plain part with <b>tags</b>",
        attachments=[("log.txt", "text/plain", b"line 1\n")],
    )
    client.force_login(world.operator)

    page = client.get(reverse("mail:item", args=[row.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "Plain part with &lt;b&gt;tags&lt;/b&gt;" in text
    assert "<script>alert(1)</script>" not in text
    assert "<dt>Message-Id</dt><dd>&lt;first.mail@acme.example&gt;</dd>" in text
    assert "log.txt (7\xa0bytes)" in text
    assert "script-src" in page["Content-Security-Policy"]


def test_only_staff_download_the_raw_message_exactly_as_received(client, world):
    row = _quarantined()
    client.force_login(world.engineer)

    got = client.get(reverse("mail:raw", args=[row.pk]))

    assert got.status_code == 200
    assert got["Content-Type"] == "message/rfc822"
    assert got["Content-Disposition"] == f'attachment; filename="email-{row.pk}.eml"'
    assert got.content == bytes(InboundMessage.objects.get(pk=row.pk).raw)


def test_filing_as_a_note_from_the_page_calls_the_action(client, world, log):
    ticket = log()
    row = _quarantined()
    client.force_login(world.operator)

    done = client.post(
        reverse("mail:act", args=[row.pk]), {"op": "note", "reference": ticket.reference.lower()}
    )

    assert done.status_code == 302
    assert done["Location"] == reverse("mail:quarantine")
    assert Message.objects.get(ticket=ticket).kind == "internal"
    row.refresh_from_db()
    assert row.outcome == "released"


def test_a_wrong_reference_and_no_contact_are_both_named_and_nothing_is_filed(client, world):
    row = _quarantined()
    client.force_login(world.operator)

    refused = client.post(
        reverse("mail:act", args=[row.pk]), {"op": "reply", "reference": "CS-999999"}
    )

    text = refused.content.decode()
    assert refused.status_code == 422
    assert "There is no ticket CS-999999" in text
    assert "Choose the contact the reply is from" in text
    row.refresh_from_db()
    assert row.outcome == "quarantined"
    assert not AuditEvent.objects.filter(action__startswith="mail.").exists()


def test_a_new_ticket_from_the_page_goes_to_the_chosen_contact(client, world):
    row = _quarantined()
    client.force_login(world.operator)

    done = client.post(
        reverse("mail:act", args=[row.pk]), {"op": "ticket", "contact": world.bluebell_contact.pk}
    )

    ticket = Ticket.objects.get()
    assert done.status_code == 302
    assert (ticket.company, ticket.contact) == (world.bluebell, world.bluebell_contact)
    row.refresh_from_db()
    assert (row.outcome, row.ticket) == ("released", ticket)


def test_dismissing_without_a_reason_is_refused_on_the_page(client, world):
    row = _quarantined()
    client.force_login(world.operator)

    refused = client.post(reverse("mail:act", args=[row.pk]), {"op": "dismiss", "reason": ""})
    done = client.post(reverse("mail:act", args=[row.pk]), {"op": "dismiss", "reason": "spam"})

    assert refused.status_code == 422
    assert "Say why the email needs nothing" in refused.content.decode()
    assert done.status_code == 302
    row.refresh_from_db()
    assert row.outcome == "dismissed"
    handled = client.get(reverse("mail:quarantine"), {"show": "handled"}).content.decode()
    assert "Quarantine dismissed by an agent by Olive Operator" in handled


def test_a_customer_sees_the_customer_notifications_and_cannot_turn_off_the_reference(
    client, world
):
    client.force_login(world.acme_user)

    page = client.get(reverse("mail:preferences")).content.decode()

    assert 'value="public_reply" checked>' in page
    assert 'value="ticket_logged" checked disabled' in page
    assert "Always sent: it carries the reference number to quote" in page
    assert 'value="assigned"' not in page


def test_a_customer_turns_public_replies_off_and_the_outbox_honours_it(client, world, log):
    from sladesk.mail.models import OutboundEmail
    from sladesk.tickets.actions import add_public_reply

    client.force_login(world.acme_user)
    saved = client.post(
        reverse("mail:preferences"), {"on": ["status_changed", "resolved", "priority_changed"]}
    )

    assert saved.status_code == 302
    assert dict(
        NotificationPreference.objects.filter(user=world.acme_user).values_list("kind", "enabled")
    ) == {
        "public_reply": False,
        "status_changed": True,
        "resolved": True,
        "priority_changed": True,
    }
    ticket = log()
    add_public_reply(actor=world.engineer, ticket=ticket, body="On it", at=TUESDAY_10AM)
    assert list(OutboundEmail.objects.values_list("kind", flat=True)) == ["ticket_logged"]


def test_staff_see_their_own_notifications_and_pages_are_always_on(client, world):
    client.force_login(world.oncall)

    page = client.get(reverse("mail:preferences")).content.decode()

    for kind in ("customer_reply", "assigned", "sla_warning", "sla_breach"):
        assert f'value="{kind}" checked>' in page
    assert 'value="oncall_page" checked disabled' in page
    assert 'value="public_reply"' not in page


def test_the_navigation_links_staff_to_the_quarantine_and_everyone_to_their_settings(client, world):
    client.force_login(world.operator)
    staff = client.get(reverse("mail:preferences")).content.decode()
    client.force_login(world.acme_user)
    customer = client.get(reverse("mail:preferences")).content.decode()

    assert f'href="{reverse("mail:quarantine")}"' in staff
    assert f'href="{reverse("mail:quarantine")}"' not in customer
    assert f'href="{reverse("mail:preferences")}">Email settings' in staff
    assert f'href="{reverse("mail:preferences")}">Email settings' in customer


def test_an_unreadable_email_still_has_a_page_and_its_raw_bytes(client, world):
    from sladesk.mail.ingest import quarantine_unparseable

    row = quarantine_unparseable(b"\x00\x01garbage", source="imap", reason="no header section")
    client.force_login(world.operator)

    page = client.get(reverse("mail:item", args=[row.inbound.pk]))
    raw = client.get(reverse("mail:raw", args=[row.inbound.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "not a readable email: no header section" in text
    assert "The message has no readable header section." in text
    assert raw.content == b"\x00\x01garbage"


def test_a_handled_email_shows_who_dealt_with_it_and_offers_no_forms(client, world):
    from sladesk.mail.actions import dismiss

    row = _quarantined()
    dismiss(actor=world.engineer, inbound=row, reason="spam", at=TUESDAY_10AM)
    client.force_login(world.operator)

    page = client.get(reverse("mail:item", args=[row.pk])).content.decode()

    assert "Quarantine dismissed by an agent by Ed Engineer" in page
    assert 'name="op"' not in page
    refused = client.post(reverse("mail:act", args=[row.pk]), {"op": "dismiss", "reason": "x"})
    assert refused.status_code == 422
    assert "This email is not in the quarantine" in refused.content.decode()

"""The customer portal: logging a fault, errors that keep what was typed, the company's
tickets, the conversation without internal notes, replies, proposed priorities."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sladesk.tickets.actions import add_internal_note, add_public_reply
from sladesk.tickets.models import Ticket


def _form(world, **overrides):
    data = {
        "contact_name": "Ann Acme",
        "contact_phone": "+44 1473 000001",
        "module": str(world.desktop.pk),
        "version": "5.2",
        "overview": "Agents see a blank script page",
        "error_details": "Script engine returned HTTP 500",
        "description": "",
        "affected": "entire_centre",
        "problem_since": "2026-03-10T08:30",
        "business_impact": "No calls can be handled",
        "proposed_priority": "critical",
    }
    data.update(overrides)
    return data


def test_a_customer_logs_a_fault_with_files_and_sees_the_reference_at_once(client, world):
    client.force_login(world.acme_user)
    shot = SimpleUploadedFile("pasted-1.png", b"\x89PNG fake", content_type="image/png")

    response = client.post(reverse("portal:new"), {**_form(world), "attachments": [shot]})

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/tickets/{ticket.reference}/?logged=1"
    assert (ticket.company, ticket.channel, ticket.proposed_priority) == (
        world.acme,
        "web",
        "critical",
    )
    assert ticket.priority == "normal"
    assert [a.original_name for a in ticket.attachments.all()] == ["pasted-1.png"]
    page = client.get(response["Location"]).content.decode()
    assert f'data-testid="reference">{ticket.reference}<' in page


def test_errors_are_listed_together_and_keep_what_was_typed(client, world):
    client.force_login(world.acme_user)

    response = client.post(
        reverse("portal:new"),
        _form(world, overview="", business_impact="", contact_phone="call me", version="9.9"),
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert Ticket.objects.count() == 0
    assert "Give an overview of the problem" in page
    assert "Describe the business impact" in page
    assert "&#x27;call me&#x27; is not a phone number" in page
    assert 'value="call me"' in page
    assert 'value="9.9"' in page
    assert "Script engine returned HTTP 500</textarea>" in page
    assert 'href="#id_overview"' in page


def test_the_company_list_shows_due_and_met_and_only_the_company_s_tickets(client, world, log):
    mine = log()
    log(company=world.bluebell, contact=world.bluebell_contact, overview="Bluebell's own")
    add_public_reply(actor=world.engineer, ticket=mine, body="On it", at=mine.logged_at)
    client.force_login(world.acme_user)

    page = client.get(reverse("portal:home"), {"show": "all"}).content.decode()

    assert mine.reference in page
    assert "Bluebell&#x27;s own" not in page
    assert "band-met" in page
    assert "Tue 10 Mar 12:00 GMT" in page  # Normal: 2 h of standard hours from 10:00


def test_the_conversation_never_shows_internal_notes(client, world, log):
    ticket = log()
    add_public_reply(actor=world.engineer, ticket=ticket, body="Visible reply", at=ticket.logged_at)
    add_internal_note(actor=world.engineer, ticket=ticket, body="SECRET NOTE", at=ticket.logged_at)
    client.force_login(world.acme_user)

    page = client.get(reverse("portal:ticket", args=[ticket.reference])).content.decode()

    assert "Visible reply" in page
    assert "SECRET NOTE" not in page


def test_the_explanation_is_in_plain_words(client, world, log):
    ticket = log()
    client.force_login(world.acme_user)

    page = client.get(reverse("portal:ticket", args=[ticket.reference])).content.decode()

    assert "Your ticket was logged on Tuesday 10 March 2026 at 10:00 GMT, inside standard" in page
    assert "So a response is due by" in page


def test_another_company_s_ticket_is_not_found(client, world, log):
    ticket = log()
    client.force_login(world.bluebell_user)

    assert client.get(reverse("portal:ticket", args=[ticket.reference])).status_code == 404
    assert (
        client.post(reverse("portal:reply", args=[ticket.reference]), {"body": "x"}).status_code
        == 404
    )


def test_a_reply_with_a_file_is_sent_and_an_empty_one_keeps_the_page(client, world, log):
    ticket = log()
    client.force_login(world.acme_user)
    url = reverse("portal:reply", args=[ticket.reference])

    empty = client.post(url, {"body": "  "})
    sent = client.post(
        url,
        {"body": "Log attached", "attachments": [SimpleUploadedFile("app.log", b"boom")]},
    )

    assert empty.status_code == 422
    assert "Write the reply" in empty.content.decode()
    assert sent.status_code == 302
    message = ticket.messages.get()
    assert (message.body, [a.original_name for a in message.attachments.all()]) == (
        "Log attached",
        ["app.log"],
    )


def test_a_customer_proposes_a_priority_with_a_reason_but_cannot_set_it(client, world, log):
    ticket = log()
    client.force_login(world.acme_user)
    url = reverse("portal:propose", args=[ticket.reference])

    refused = client.post(url, {"priority": "critical", "reason": ""})
    accepted = client.post(url, {"priority": "critical", "reason": "All agents are down"})

    ticket.refresh_from_db()
    assert refused.status_code == 422
    assert accepted.status_code == 302
    assert (ticket.priority, ticket.proposed_priority) == ("normal", "critical")


def test_staff_are_sent_away_from_the_portal_and_suggestions_have_a_hook(client, world, settings):
    client.force_login(world.engineer)
    assert client.get(reverse("portal:home")).status_code == 403

    client.force_login(world.acme_user)
    # With no suggester registered (the knowledge base registers one by default).
    settings.SLADESK_KB_SUGGESTERS = []
    page = client.get(reverse("portal:suggest"), {"overview": "blank script page"})
    assert "will be suggested here once the knowledge base is available" in page.content.decode()

    settings.SLADESK_KB_SUGGESTERS = ["kb_stub.suggest"]
    page = client.get(reverse("portal:suggest"), {"overview": "blank script page"})
    assert (
        '<a href="/kb/blank-page/">Blank script page after an upgrade</a>' in page.content.decode()
    )


def test_the_explanation_names_the_closed_days_it_skipped(client, world, log):
    from helpdesk_world import london

    ticket = log(
        company=world.bluebell,
        contact=world.bluebell_contact,
        at=london(2026, 4, 2, 16, 30),  # Thursday before Easter, standard cover
        problem_since=london(2026, 4, 2, 16, 0),
    )
    client.force_login(world.bluebell_user)

    page = client.get(reverse("portal:ticket", args=[ticket.reference])).content.decode()

    assert "Good Friday" in page
    assert "Easter Monday" in page
    assert "So a response is due by Tuesday 7 April 2026 at 10:30 BST." in page

"""A customer contact reads only its own company's tickets, public replies and attachments,
on every read path: selectors, the ticket list, the ticket page and attachment downloads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from helpdesk_world import TUESDAY_10AM
from sladesk.tickets import actions, selectors
from sladesk.tickets.models import Message

MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def two_companies(world, log):
    acme = log(overview="Acme scripts broken")
    blue = log(
        company=world.bluebell, contact=world.bluebell_contact, overview="Bluebell reports slow"
    )
    public = actions.add_public_reply(
        actor=world.engineer,
        ticket=acme,
        body="We are restarting the engine",
        attachments=[SimpleUploadedFile("fix.txt", b"public fix notes")],
        at=TUESDAY_10AM + MINUTE,
    )
    note = actions.add_internal_note(
        actor=world.engineer,
        ticket=acme,
        body="SECRET: customer misconfigured the proxy",
        attachments=[SimpleUploadedFile("internal.log", b"internal stack trace")],
        at=TUESDAY_10AM + 2 * MINUTE,
    )
    call = actions.log_phone_call(
        actor=world.engineer,
        ticket=acme,
        direction="inbound",
        duration_seconds=60,
        summary="CALLNOTE: customer shouted",
        at=TUESDAY_10AM + 3 * MINUTE,
    )
    blue_reply = actions.add_public_reply(
        actor=world.engineer,
        ticket=blue,
        body="Bluebell-only answer",
        attachments=[SimpleUploadedFile("blue.txt", b"bluebell data")],
        at=TUESDAY_10AM + MINUTE,
    )
    return {
        "acme": acme,
        "blue": blue,
        "public": public,
        "note": note,
        "call": call,
        "blue_reply": blue_reply,
    }


def _attachment(message):
    return message.attachments.get()


def test_selectors_scope_tickets_to_the_customers_company(world, two_companies):
    assert list(selectors.tickets_visible_to(world.acme_user)) == [two_companies["acme"]]
    assert list(selectors.tickets_visible_to(world.bluebell_user)) == [two_companies["blue"]]
    assert list(selectors.tickets_visible_to(world.corvid_user)) == []
    assert set(selectors.tickets_visible_to(world.operator)) == {
        two_companies["acme"],
        two_companies["blue"],
    }


def test_selectors_show_customers_only_public_messages_of_their_company(world, two_companies):
    assert list(selectors.messages_visible_to(world.acme_user)) == [two_companies["public"]]
    assert list(selectors.messages_visible_to(world.acme_user, two_companies["blue"])) == []
    assert list(selectors.messages_visible_to(world.engineer, two_companies["acme"])) == [
        two_companies["public"],
        two_companies["note"],
        two_companies["call"],
    ]


def test_selectors_show_customers_only_public_attachments_of_their_company(world, two_companies):
    public_file = _attachment(two_companies["public"])
    assert list(selectors.attachments_visible_to(world.acme_user)) == [public_file]
    assert list(selectors.attachments_visible_to(world.bluebell_user)) == [
        _attachment(two_companies["blue_reply"])
    ]
    assert selectors.attachments_visible_to(world.engineer).count() == 3


def test_customers_see_no_audit_events(world, two_companies):
    assert list(selectors.audit_events_visible_to(world.acme_user)) == []
    assert selectors.audit_events_visible_to(world.engineer, two_companies["acme"]).count() == 5


def test_anonymous_and_inactive_users_see_nothing(world, two_companies):
    from django.contrib.auth.models import AnonymousUser

    world.acme_user.is_active = False
    world.acme_user.save()
    for user in (AnonymousUser(), world.acme_user):
        assert list(selectors.tickets_visible_to(user)) == []
        assert list(selectors.messages_visible_to(user)) == []
        assert list(selectors.attachments_visible_to(user)) == []


def test_the_ticket_list_page_shows_a_customer_only_its_companys_tickets(
    client, world, two_companies
):
    client.force_login(world.acme_user)

    page = client.get(reverse("tickets:list")).content.decode()

    assert "Acme scripts broken" in page
    assert two_companies["acme"].reference in page
    assert "Bluebell reports slow" not in page
    assert two_companies["blue"].reference not in page


def test_the_ticket_list_requires_login(client, world):
    response = client.get(reverse("tickets:list"))

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_the_ticket_page_never_shows_a_customer_internal_notes_or_calls(
    client, world, two_companies
):
    client.force_login(world.acme_user)

    response = client.get(reverse("tickets:detail", args=[two_companies["acme"].reference]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "We are restarting the engine" in page
    assert "fix.txt" in page
    assert "SECRET" not in page
    assert "internal.log" not in page
    assert "CALLNOTE" not in page
    assert "ticket.logged" not in page  # no audit timeline for customers


def test_staff_see_the_whole_conversation_and_the_timeline(client, world, two_companies):
    client.force_login(world.operator)

    page = client.get(
        reverse("tickets:detail", args=[two_companies["acme"].reference])
    ).content.decode()

    assert "SECRET: customer misconfigured the proxy" in page
    assert "CALLNOTE: customer shouted" in page
    assert "internal.log" in page
    assert "ticket.first_response" in page


def test_another_companys_ticket_page_is_not_found(client, world, two_companies):
    client.force_login(world.bluebell_user)

    response = client.get(reverse("tickets:detail", args=[two_companies["acme"].reference]))

    assert response.status_code == 404


def test_a_customer_downloads_its_public_attachment(client, world, two_companies):
    client.force_login(world.acme_user)
    attachment = _attachment(two_companies["public"])

    response = client.get(
        reverse("tickets:attachment", args=[two_companies["acme"].reference, attachment.pk])
    )

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"public fix notes"
    assert response["Content-Disposition"] == 'attachment; filename="fix.txt"'
    assert response["Cache-Control"] == "private, no-store"


def test_a_customer_cannot_download_an_internal_attachment(client, world, two_companies):
    client.force_login(world.acme_user)
    attachment = _attachment(two_companies["note"])

    response = client.get(
        reverse("tickets:attachment", args=[two_companies["acme"].reference, attachment.pk])
    )

    assert response.status_code == 404


def test_a_customer_cannot_download_another_companys_attachment(client, world, two_companies):
    client.force_login(world.acme_user)
    blue = two_companies["blue"]
    attachment = _attachment(two_companies["blue_reply"])

    through_own_ticket = client.get(
        reverse("tickets:attachment", args=[two_companies["acme"].reference, attachment.pk])
    )
    through_their_ticket = client.get(
        reverse("tickets:attachment", args=[blue.reference, attachment.pk])
    )

    assert through_own_ticket.status_code == 404
    assert through_their_ticket.status_code == 404


def test_attachments_have_no_public_url(client, world, two_companies):
    attachment = _attachment(two_companies["public"])

    response = client.get("/private-media-not-served/" + attachment.file.name)

    assert response.status_code == 404


def test_a_customer_cannot_reply_on_another_companys_ticket_through_the_page(
    client, world, two_companies
):
    client.force_login(world.bluebell_user)
    acme = two_companies["acme"]

    response = client.post(reverse("tickets:reply", args=[acme.reference]), {"body": "hi"})

    assert response.status_code == 404
    assert Message.objects.filter(ticket=acme).count() == 3


def test_a_customer_posting_kind_internal_gets_a_refusal_not_a_note(client, world, two_companies):
    client.force_login(world.acme_user)
    acme = two_companies["acme"]

    response = client.post(
        reverse("tickets:reply", args=[acme.reference]), {"body": "sneaky", "kind": "internal"}
    )

    assert response.status_code == 302
    assert not Message.objects.filter(ticket=acme, body="sneaky").exists()


def test_a_reply_through_the_page_is_saved_by_the_action(client, world, two_companies):
    client.force_login(world.acme_user)
    acme = two_companies["acme"]

    response = client.post(reverse("tickets:reply", args=[acme.reference]), {"body": "Thanks"})

    assert response.status_code == 302
    reply = Message.objects.get(ticket=acme, body="Thanks")
    assert (reply.kind, reply.author) == ("public", world.acme_user)


def test_staff_see_how_the_due_time_was_computed_and_customers_do_not(client, world, two_companies):
    from sladesk.tickets.selectors import due_explanation

    acme = two_companies["acme"]
    explanation = due_explanation(world.engineer, acme)
    client.force_login(world.engineer)
    staff_page = client.get(reverse("tickets:detail", args=[acme.reference])).content.decode()
    client.force_login(world.acme_user)
    customer_page = client.get(reverse("tickets:detail", args=[acme.reference])).content.decode()

    assert explanation != ""
    assert due_explanation(world.acme_user, acme) == ""
    assert "Why this due time" in staff_page
    assert "Why this due time" not in customer_page

"""Inbound: new tickets, replies, the quarantine, duplicates, loops, awkward MIME."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from mailbuilder import make_mail

from helpdesk_world import TUESDAY_10AM
from sladesk.mail.headers import LOOP_HEADER, loop_signature
from sladesk.mail.ingest import ingest
from sladesk.mail.models import InboundMessage, MissingInformation, OutboundEmail
from sladesk.mail.parsing import Unparseable
from sladesk.tickets.models import Attachment, Message, Ticket

AT = TUESDAY_10AM
CORPUS = Path(__file__).with_name("corpus")
OUT_OF_OFFICE = "an out-of-office or delivery notice (subject)"


def _take(raw: bytes, at: dt.datetime = AT):
    return ingest(raw, source="test", at=at)


def test_new_mail_from_a_known_contact_becomes_a_ticket_and_asks_for_what_is_missing(world):
    outcome = _take(
        make_mail(body="Blank screen for everyone.\nModule: Reports\nPhone: 01473 111222")
    )

    ticket = Ticket.objects.get()
    assert (outcome.outcome, outcome.ticket) == ("ticket", ticket)
    assert (ticket.channel, ticket.company, ticket.contact, ticket.module) == (
        "email",
        world.acme,
        world.acme_contact,
        world.reports,
    )
    assert ticket.overview == "Agents cannot open scripts"
    assert ticket.coverage == "24x7"  # the SLA clock runs on the contract
    missing = MissingInformation.objects.get(ticket=ticket)
    assert [f["field"] for f in missing.fields] == [
        "version",  # Reports lists no versions and the mail named none
        "affected",
        "problem_since",
        "error_details",
        "business_impact",
    ]
    ack = OutboundEmail.objects.get(kind="ticket_logged")
    assert ack.recipient == "ann@acme.example"
    assert f"Reference number: {ticket.reference}" in ack.body_text
    assert "Affected: one person, several PCs or the entire contact centre" in ack.body_text
    # It answers the customer's email, so it threads under it.
    assert ack.in_reply_to == "<first.mail@acme.example>"
    assert "<first.mail@acme.example>" in ack.references.split()


def test_the_ticket_page_shows_what_is_missing(world, client):
    _take(make_mail())
    ticket = Ticket.objects.get()
    client.force_login(world.acme_user)

    page = client.get(reverse("tickets:detail", args=[ticket.reference]))
    assert page.status_code == 200
    assert b"Missing information" in page.content
    assert b"Module: the product module you are using" in page.content


def test_the_same_mail_twice_creates_one_ticket(world):
    raw = make_mail()
    first = _take(raw)
    again = _take(raw, at=AT + dt.timedelta(minutes=1))

    assert (first.outcome, again.outcome) == ("ticket", "duplicate")
    assert Ticket.objects.count() == 1
    assert InboundMessage.objects.count() == 1


def test_the_same_content_without_a_message_id_fetched_twice_creates_one_ticket(world):
    raw = make_mail(message_id=None)
    relayed = (
        b"Received: from relay.example by mx.example; Tue, 10 Mar 2026 09:41:00 +0000\r\n" + raw
    )

    assert [_take(raw).outcome, _take(relayed).outcome] == ["ticket", "duplicate"]
    assert Ticket.objects.count() == 1


def test_a_reply_naming_the_reference_joins_its_ticket(world, log):
    ticket = log()
    outcome = _take(
        make_mail(
            subject=f"Re: [{ticket.reference}] Logged: Agents cannot open scripts",
            body="It is still broken.\n\n## Reply above this line to add to it ##\nold text",
            message_id="<reply.1@acme.example>",
        )
    )

    assert (outcome.outcome, outcome.ticket) == ("reply", ticket)
    reply = Message.objects.get(ticket=ticket)
    assert (reply.kind, reply.author, reply.body) == (
        "public",
        world.acme_user,
        "It is still broken.",
    )


def test_a_reply_found_by_in_reply_to_joins_its_ticket(world, log):
    ticket = log()
    sent = OutboundEmail.objects.get()
    outcome = _take(
        make_mail(
            subject="Re: your query",
            message_id="<reply.2@acme.example>",
            headers={"In-Reply-To": sent.message_id, "References": sent.message_id},
        )
    )

    assert (outcome.outcome, outcome.ticket) == ("reply", ticket)


def test_a_reply_from_another_company_is_quarantined_and_changes_nothing(world, log):
    ticket = log()
    outcome = _take(
        make_mail(
            sender="bob@bluebell.example",
            subject=f"Re: [{ticket.reference}] hello",
            message_id="<reply.3@bluebell.example>",
        )
    )

    assert outcome.outcome == "quarantined"
    assert outcome.reason == (
        f"bob@bluebell.example is not a contact of Acme Contact Centres, whose ticket "
        f"{ticket.reference} this replies to"
    )
    assert not Message.objects.filter(ticket=ticket).exists()
    assert InboundMessage.objects.get().outcome == "quarantined"


def test_mail_from_an_unknown_sender_is_quarantined_with_the_raw_message(world):
    raw = make_mail(sender="stranger@elsewhere.example")
    outcome = _take(raw)

    assert (outcome.outcome, outcome.reason) == (
        "quarantined",
        "stranger@elsewhere.example is not a known customer contact",
    )
    assert bytes(InboundMessage.objects.get().raw) == raw
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"headers": {"Auto-Submitted": "auto-replied"}}, "Auto-Submitted: auto-replied"),
        ({"headers": {"Precedence": "bulk"}}, "Precedence: bulk"),
        ({"headers": {"Precedence": "junk"}}, "Precedence: junk"),
        ({"headers": {"Precedence": "list"}}, "Precedence: list"),
        ({"sender": "MAILER-DAEMON@acme.example"}, "sent by mailer-daemon (a bounce)"),
        ({"sender": "postmaster@acme.example"}, "sent by postmaster (a bounce)"),
        ({"sender": "helpdesk@localhost"}, "sent from the helpdesk's own address"),
        (
            {"subject": "Out of Office: back Monday"},
            "an out-of-office or delivery notice (subject)",
        ),
        ({"subject": "Automatic reply: Agents"}, "an out-of-office or delivery notice (subject)"),
        ({"headers": {"X-Autoreply": "yes"}}, "marked as an automatic reply"),
        ({"headers": {"Return-Path": "<>"}}, "null return path (a bounce or automatic notice)"),
    ],
)
def test_automatic_mail_never_creates_a_ticket_or_an_acknowledgement(world, overrides, reason):
    outcome = _take(make_mail(**overrides))

    assert (outcome.outcome, outcome.reason) == ("ignored", reason)
    assert Ticket.objects.count() == 0
    assert OutboundEmail.objects.count() == 0


def test_a_delivery_status_report_is_ignored(world):
    outcome = _take((CORPUS / "bounce-dsn.eml").read_bytes())

    assert (outcome.outcome, outcome.reason) == ("ignored", "a delivery or read report")


def test_our_own_email_coming_back_is_recognised_by_its_signed_loop_header(world):
    mid = "<sladesk.abc@localhost>"
    outcome = _take(make_mail(message_id=mid, headers={LOOP_HEADER: loop_signature(mid)}))

    assert (outcome.outcome, outcome.reason) == ("ignored", "our own email came back")


def test_internal_control_headers_from_outside_are_ignored(world, log):
    other = log()
    outcome = _take(
        make_mail(
            headers={
                LOOP_HEADER: "localhost; forged",
                "X-Sladesk-Ticket": other.reference,
                "Auto-Submitted": "no",
            }
        )
    )

    assert outcome.outcome == "ticket"
    assert outcome.ticket != other


def test_a_sender_over_the_rate_limit_is_quarantined(world, settings):
    settings.SLADESK_MAIL_RATE_LIMIT = 2
    outcomes = [
        _take(make_mail(message_id=f"<m{i}@acme.example>", subject=f"Problem {i}")).outcome
        for i in range(3)
    ]

    assert outcomes == ["ticket", "ticket", "quarantined"]


def test_an_html_only_body_is_sanitised_and_nothing_remote_is_kept(world):
    from sladesk.mail.parsing import parse

    raw = (CORPUS / "html-only-remote-image.eml").read_bytes()
    parsed = parse(raw)
    _take(raw)

    ticket = Ticket.objects.get()
    assert ticket.description == "Hello\nThe report fails & stops.\nThanks"
    assert "<script" not in parsed.html
    assert "<img" not in parsed.html
    assert "http://tracker.example" not in parsed.html


def test_attachments_are_stored_privately_within_the_size_limit(world, settings):
    settings.SLADESK_MAX_ATTACHMENT_BYTES = 1000
    _take(
        make_mail(
            attachments=[
                ("screen.png", "image/png", b"\x89PNG" + b"0" * 100),
                ("../../etc/huge.log", "text/plain", b"x" * 5000),
            ]
        )
    )

    ticket = Ticket.objects.get()
    stored = Attachment.objects.get(ticket=ticket)
    assert (stored.original_name, stored.size, stored.internal) == ("screen.png", 104, False)
    assert "huge.log: larger than 0 MB" in ticket.description


@pytest.mark.parametrize(
    ("name", "outcome", "text"),
    [
        ("bad-boundary.eml", "ticket", "The first part survives."),
        ("unknown-charset.eml", "ticket", "Caf\ufffd is closed"),
        ("broken-encoded-word.eml", "ticket", "Body of a mail with a broken subject."),
        ("deep-nesting.eml", "ticket", "Deep inside."),
        ("no-from.eml", "quarantined", "Who sent me?"),
        ("latin1-no-charset.eml", "ticket", "Na\ufffdve"),
    ],
)
def test_awkward_messages_give_the_best_text_or_the_quarantine_never_nothing(
    world, name, outcome, text
):
    raw = (CORPUS / name).read_bytes()
    result = _take(raw)

    row = InboundMessage.objects.get()
    assert (result.outcome, bytes(row.raw)) == (outcome, raw)
    assert text in row.text


def test_input_that_is_not_an_email_is_refused_as_unparseable(world):
    for raw in (b"", b"   \n", b"just some words without any header\n"):
        with pytest.raises(Unparseable):
            _take(raw)
    assert InboundMessage.objects.count() == 0


def test_a_reply_giving_the_missing_lines_completes_the_ticket_and_bad_lines_are_dropped(world):
    from sladesk.audit.models import AuditEvent

    _take(make_mail(body="Blank screen for everyone.\nModule: Agent Desktop"))
    ticket = Ticket.objects.get()
    outcome = _take(
        make_mail(
            subject=f"Re: [{ticket.reference}] Logged: Agents cannot open scripts",
            body=(
                "Here you are.\nVersion: 9.9\nAffected: the entire contact centre\n"
                "Error: Error 17, script engine stopped\nImpact: no calls answered\n"
                "\n## Reply above this line to add to it ##\n- Since: when it started"
            ),
            message_id="<reply.details@acme.example>",
        ),
        at=AT + dt.timedelta(minutes=30),
    )

    assert outcome.outcome == "reply"
    ticket.refresh_from_db()
    assert (ticket.affected, ticket.error_details, ticket.business_impact) == (
        "entire_centre",
        "Error 17, script engine stopped",
        "no calls answered",
    )
    assert ticket.version == "5.2"  # 9.9 is not a version of Agent Desktop: left out
    missing = MissingInformation.objects.get(ticket=ticket)
    assert [f["field"] for f in missing.outstanding] == ["version", "problem_since"]
    event = AuditEvent.objects.get(action="ticket.details_completed")
    assert event.actor == world.acme_user
    assert Message.objects.get(ticket=ticket).body.startswith("Here you are.")


def test_labels_in_a_reply_change_nothing_once_nothing_is_missing(world, log):
    ticket = log()  # logged by phone with everything
    _take(
        make_mail(
            subject=f"Re: [{ticket.reference}] update",
            body="Version: 5.1",
            message_id="<reply.later@acme.example>",
        )
    )

    ticket.refresh_from_db()
    assert ticket.version == "5.2"

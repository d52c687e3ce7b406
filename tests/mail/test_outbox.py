"""Outbound: the outbox is written with the event, sent once, retried, given up visibly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from helpdesk_world import TUESDAY_10AM, london
from sladesk.core.errors import ActionValidationError
from sladesk.mail.actions import set_preferences
from sladesk.mail.headers import LOOP_HEADER, is_our_loop, thread_root
from sladesk.mail.models import OutboundEmail
from sladesk.mail.outbox import send_due
from sladesk.queue.actions import assign
from sladesk.tickets.actions import add_public_reply, resolve, set_priority

LATER = TUESDAY_10AM + dt.timedelta(minutes=5)


def _rows():
    return list(OutboundEmail.objects.order_by("pk").values_list("kind", "recipient", "state"))


def test_logging_a_ticket_queues_its_reference_email_to_the_contact_in_the_same_transaction(
    log, world
):
    ticket = log()

    assert _rows() == [("ticket_logged", "ann@acme.example", "pending")]
    row = OutboundEmail.objects.get()
    assert row.subject == f"[{ticket.reference}] Logged: Agents cannot open scripts"
    assert f"Reference number: {ticket.reference}" in row.body_text
    assert row.key.startswith("audit:")
    assert row.references == thread_root(ticket.reference)


def test_a_refused_action_queues_nothing(log, world):
    with pytest.raises(ActionValidationError):
        log(overview="")

    assert OutboundEmail.objects.count() == 0


def test_every_notification_of_the_issue_reaches_its_recipient_once(log, world):
    ticket = log()
    assign(actor=world.manager, ticket=ticket, agent=world.engineer, at=LATER)
    add_public_reply(actor=world.engineer, ticket=ticket, body="Looking now", at=LATER)
    add_public_reply(actor=world.acme_user, ticket=ticket, body="Thanks", at=LATER)
    set_priority(
        actor=world.engineer,
        ticket=ticket,
        priority="critical",
        reason="whole centre down",
        agreed_by="Ann Acme",
        at=LATER,
    )
    resolve(actor=world.engineer, ticket=ticket, resolution="Restarted the engine", at=LATER)

    assert _rows() == [
        ("ticket_logged", "ann@acme.example", "pending"),
        ("assigned", "ed@helpdesk.example", "pending"),
        ("public_reply", "ann@acme.example", "pending"),
        ("customer_reply", "ed@helpdesk.example", "pending"),
        ("priority_changed", "ann@acme.example", "pending"),
        ("resolved", "ann@acme.example", "pending"),
    ]
    assert send_due(at=LATER).sent == 6
    assert send_due(at=LATER).sent == 0
    assert len(mail.outbox) == 6
    assert {m.to[0] for m in mail.outbox} == {"ann@acme.example", "ed@helpdesk.example"}


def test_each_message_carries_auto_submitted_the_loop_header_and_the_thread(log, world):
    ticket = log()
    send_due(at=TUESDAY_10AM)

    sent = mail.outbox[0].message()
    row = OutboundEmail.objects.get()
    assert sent["Auto-Submitted"] == "auto-generated"
    assert sent["Message-ID"] == row.message_id
    assert is_our_loop(row.message_id, sent[LOOP_HEADER])
    assert sent["References"] == f"<ticket.{ticket.reference}@localhost>"
    assert sent["In-Reply-To"] == f"<ticket.{ticket.reference}@localhost>"
    assert sent.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in sent.get_payload()] == ["text/plain", "text/html"]


def test_a_user_who_turned_a_kind_off_gets_none_of_it_but_pages_cannot_be_turned_off(log, world):
    set_preferences(actor=world.acme_user, enabled={"public_reply": False})
    ticket = log()
    add_public_reply(actor=world.engineer, ticket=ticket, body="Looking now", at=LATER)

    assert _rows() == [("ticket_logged", "ann@acme.example", "pending")]
    with pytest.raises(ActionValidationError) as refused:
        set_preferences(actor=world.oncall, enabled={"oncall_page": False})
    assert refused.value.errors == {
        "oncall_page": "always sent by email: an out-of-hours fault waits on the engineer "
        "who is paged"
    }


def test_an_administrators_template_replaces_the_packaged_one(log, world):
    from sladesk.mail.models import NotificationTemplate

    NotificationTemplate.objects.create(
        kind="ticket_logged",
        subject="We have your query",
        body_text="Ref {{ ticket.reference }} & co",
        body_html="<p>Ref {{ ticket.reference }} &amp; co</p>",
    )
    ticket = log()

    row = OutboundEmail.objects.get()
    assert row.subject == f"[{ticket.reference}] We have your query"
    assert row.body_text == f"Ref {ticket.reference} & co\n"
    assert row.body_html == f"<p>Ref {ticket.reference} &amp; co</p>"


def test_a_worker_that_dies_mid_batch_leaves_no_recipient_without_and_none_with_two(
    log, world, monkeypatch
):
    tickets = [log() for _ in range(4)]
    from django.core.mail.backends.locmem import EmailBackend

    real = EmailBackend.send_messages
    calls = {"n": 0}

    def dies_on_the_third(self, messages):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("killed")  # before the message left: the process is gone
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", dies_on_the_third)
    with pytest.raises(SystemExit):
        send_due(at=TUESDAY_10AM, worker="doomed")
    monkeypatch.setattr(EmailBackend, "send_messages", real)

    # The fourth was never claimed; the third stays claimed until its lease runs out.
    assert send_due(at=TUESDAY_10AM, worker="survivor").sent == 1
    after_lease = TUESDAY_10AM + dt.timedelta(minutes=6)
    assert send_due(at=after_lease, worker="survivor").sent == 1

    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == sorted(
        f"[{t.reference}] Logged: Agents cannot open scripts" for t in tickets
    )
    stuck = OutboundEmail.objects.get(ambiguous_attempts=1)
    assert (stuck.state, stuck.attempts) == ("sent", 2)


def test_failures_are_retried_with_backoff_then_given_up_and_shown(
    log, world, settings, smtp_server
):
    settings.SLADESK_MAIL_MAX_ATTEMPTS = 3
    settings.SLADESK_MAIL_RETRY_SECONDS = 60
    smtp_server.refuse_with = "451 4.3.0 try again later"
    log()

    first = send_due(at=TUESDAY_10AM)
    row = OutboundEmail.objects.get()
    assert (first.retrying, row.state, row.attempts) == (1, "pending", 1)
    assert row.next_attempt_at == TUESDAY_10AM + dt.timedelta(seconds=60)
    assert "451" in row.last_error
    assert send_due(at=TUESDAY_10AM + dt.timedelta(seconds=59)).retrying == 0
    send_due(at=TUESDAY_10AM + dt.timedelta(seconds=60))
    row.refresh_from_db()
    assert row.next_attempt_at == TUESDAY_10AM + dt.timedelta(seconds=180)
    last = send_due(at=TUESDAY_10AM + dt.timedelta(seconds=180))
    row.refresh_from_db()
    assert (last.dead, row.state, row.attempts) == (1, "dead", 3)
    assert smtp_server.received == []


def test_a_permanent_refusal_is_given_up_at_once(log, world, smtp_server):
    smtp_server.refuse_with = "550 5.1.1 no such mailbox"
    log()

    assert send_due(at=TUESDAY_10AM).dead == 1
    assert OutboundEmail.objects.get().state == "dead"


def test_real_smtp_server_receives_one_message_per_recipient_with_the_headers(
    log, world, smtp_server
):
    ticket = log()
    send_due(at=TUESDAY_10AM)

    assert len(smtp_server.received) == 1
    rcpts, msg = smtp_server.received[0]
    assert rcpts == ["ann@acme.example"]
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Message-ID"] == OutboundEmail.objects.get().message_id
    assert ticket.reference in msg["Subject"]


def test_a_connection_dropped_after_the_data_is_retried_with_the_same_message_id(
    log, world, smtp_server
):
    log()
    smtp_server.drop_after_data = 1

    first = send_due(at=TUESDAY_10AM)
    row = OutboundEmail.objects.get()
    assert (first.retrying, row.state, row.ambiguous_attempts) == (1, "pending", 1)
    second = send_due(at=TUESDAY_10AM + dt.timedelta(minutes=1))
    row.refresh_from_db()

    assert (second.sent, row.state, row.attempts) == (1, "sent", 2)
    # The server had queued the first copy: the recipient holds two deliveries of ONE
    # message (one Message-ID), which mail clients show once.
    assert smtp_server.by_recipient() == {"ann@acme.example": [row.message_id, row.message_id]}


def test_sla_alerts_and_pages_go_through_the_outbox(log, world):
    from sladesk.queue.actions import set_availability
    from sladesk.queue.monitor import scan
    from worker_helpers import run_queued_tasks

    set_availability(actor=world.operator, available=True, at=TUESDAY_10AM)
    ticket = log(priority="critical")
    scan(at=london(2026, 3, 10, 10, 12))
    run_queued_tasks("email_alert")
    run_queued_tasks("email_alert")

    warning = OutboundEmail.objects.get(kind="sla_warning")
    assert (warning.recipient, warning.state, warning.ticket_id) == (
        "olive@helpdesk.example",
        "sent",
        ticket.pk,
    )
    assert [m.subject for m in mail.outbox if m.to == ["olive@helpdesk.example"]] == [
        f"[sladesk] 75% of the response time used: {ticket.reference}"
    ]


def test_the_worker_pass_sends_the_outbox(log, world):
    from sladesk.mail.jobs import periodic

    log()

    assert periodic(worker="w1") == "mail: sent 1, retrying 0, given up 0"
    assert periodic(worker="w1") == ""
    assert len(mail.outbox) == 1


def test_notifications_come_from_an_explicit_call_in_the_recorder_not_a_signal(log, world):
    from django.db import transaction
    from django.db.models.signals import post_save

    from sladesk.audit.models import AuditEvent

    assert not post_save.has_listeners(AuditEvent)

    queued_inside = []
    with transaction.atomic():
        log()
        queued_inside = _rows()
        transaction.set_rollback(True)

    assert queued_inside == [("ticket_logged", "ann@acme.example", "pending")]
    # The email was part of the event's transaction: it went with it.
    assert _rows() == []


def test_a_customer_who_turned_off_every_kind_still_gets_the_reference(log, world):
    set_preferences(
        actor=world.acme_user,
        enabled={
            "public_reply": False,
            "status_changed": False,
            "resolved": False,
            "priority_changed": False,
        },
    )
    ticket = log()
    set_priority(
        actor=world.engineer,
        ticket=ticket,
        priority="major",
        reason="whole centre",
        agreed_by="Ann",
        at=LATER,
    )
    add_public_reply(actor=world.engineer, ticket=ticket, body="Calling you", at=LATER)
    resolve(actor=world.engineer, ticket=ticket, resolution="Restarted", at=LATER)

    assert _rows() == [("ticket_logged", "ann@acme.example", "pending")]
    with pytest.raises(ActionValidationError) as refused:
        set_preferences(actor=world.acme_user, enabled={"ticket_logged": False})
    assert list(refused.value.errors) == ["ticket_logged"]


def test_a_customer_cannot_set_staff_notifications_and_nothing_is_saved(world):
    from sladesk.mail.models import NotificationPreference

    with pytest.raises(ActionValidationError) as refused:
        set_preferences(actor=world.acme_user, enabled={"public_reply": False, "assigned": False})

    assert refused.value.errors == {
        "assigned": "a customer contact does not receive this notification"
    }
    assert not NotificationPreference.objects.exists()


def test_an_assignee_who_turned_off_assignments_is_not_told_but_others_are(log, world):
    set_preferences(actor=world.engineer, enabled={"assigned": False})
    first = log()
    second = log(overview="Reports fail")

    assign(actor=world.manager, ticket=first, agent=world.engineer, reason="expert")
    assign(actor=world.manager, ticket=second, agent=world.oncall, reason="on duty")

    assert [r for r in _rows() if r[0] == "assigned"] == [
        ("assigned", "nina@helpdesk.example", "pending")
    ]


def test_an_engineer_who_turned_off_sla_warnings_gets_no_warning_but_pages_still_come(world):
    from sladesk.core.notify import email

    set_preferences(actor=world.engineer, enabled={"sla_warning": False})

    warned = email(
        to=["ed@helpdesk.example", "max@helpdesk.example"],
        subject="CS-100001 has used 75% of its target",
        body="Respond soon.",
        key="queue.alert:1",
        kind="sla_warning",
    )
    email(
        to=["ed@helpdesk.example"],
        subject="Page: critical fault",
        body="Call the customer.",
        key="oncall.page:1",
        kind="oncall_page",
    )

    assert warned == 2  # both were addressed; the preference decides who gets a row
    assert _rows() == [
        ("sla_warning", "max@helpdesk.example", "pending"),
        ("oncall_page", "ed@helpdesk.example", "pending"),
    ]


# The worker closes its database connections as it goes (close_old_connections), so a test
# transaction cannot wrap it.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["--scan-only", "--tasks-only", None])
def test_every_kind_of_worker_sends_the_outbox(log, world, mode):
    # A Redis install runs its tasks in RQ workers and only `--scan-only` sladesk workers:
    # those must still send email.
    from io import StringIO

    from django.core.management import call_command

    log()
    out = StringIO()

    call_command("worker", "--once", *([mode] if mode else []), stdout=out, stderr=StringIO())

    # (A worker that also runs tasks sends the monitor's alert about this long-past ticket
    # to the manager too; the customer's acknowledgement is what every kind must send.)
    assert "mail: sent 1, retrying 0, given up 0" in out.getvalue()
    assert [m.to for m in mail.outbox if m.to == ["ann@acme.example"]] == [["ann@acme.example"]]
    assert OutboundEmail.objects.get(kind="ticket_logged").state == "sent"

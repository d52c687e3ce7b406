"""Status changes, resolving, closing, reopening, splitting, notes and calls; with refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from helpdesk_world import TUESDAY_10AM
from sladesk.audit.models import AuditEvent
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.tickets import actions
from sladesk.tickets.models import Attachment, Message, Ticket

MINUTE = dt.timedelta(minutes=1)


def _status(ticket: Ticket) -> str:
    return Ticket.objects.get(pk=ticket.pk).status


def _events(ticket: Ticket, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(ticket=ticket, action=action))


def test_the_helpdesk_moves_a_ticket_to_awaiting_customer_and_a_customer_reply_moves_it_back(
    world, log
):
    ticket = log()
    actions.change_status(
        actor=world.operator,
        ticket=ticket,
        status="awaiting_customer",
        reason="Asked for logs",
        at=TUESDAY_10AM + MINUTE,
    )
    assert _status(ticket) == "awaiting_customer"

    actions.add_public_reply(
        actor=world.acme_user, ticket=ticket, body="Logs attached", at=TUESDAY_10AM + 5 * MINUTE
    )

    assert _status(ticket) == "in_progress"
    [event] = _events(ticket, "ticket.status_changed")
    assert (event.before, event.after, event.reason) == (
        {"status": "new"},
        {"status": "awaiting_customer"},
        "Asked for logs",
    )


def test_change_status_refuses_statuses_with_their_own_action_and_changes_nothing(world, log):
    ticket = log()

    with pytest.raises(ActionValidationError) as raised:
        actions.change_status(actor=world.operator, ticket=ticket, status="resolved")

    assert raised.value.errors == {
        "status": "change_status moves to in_progress or awaiting_customer only"
    }
    assert _status(ticket) == "new"
    assert _events(ticket, "ticket.status_changed") == []


def test_a_customer_cannot_change_the_status(world, log):
    ticket = log()

    with pytest.raises(ActionPermissionDenied):
        actions.change_status(actor=world.acme_user, ticket=ticket, status="in_progress")

    assert _status(ticket) == "new"


def test_an_operator_cannot_mark_investigating_or_resolve(world, log):
    ticket = log()

    with pytest.raises(ActionPermissionDenied):
        actions.mark_investigating(actor=world.operator, ticket=ticket)
    with pytest.raises(ActionPermissionDenied):
        actions.resolve(actor=world.operator, ticket=ticket, resolution="Fixed")

    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.status, fresh.responded_at, fresh.resolved_at) == ("new", None, None)


def test_marking_investigating_twice_is_refused(world, log):
    ticket = log()
    actions.mark_investigating(actor=world.engineer, ticket=ticket, at=TUESDAY_10AM + MINUTE)

    with pytest.raises(ActionValidationError) as raised:
        actions.mark_investigating(actor=world.engineer, ticket=ticket)

    assert raised.value.errors == {"status": "the ticket is already in progress"}
    assert len(_events(ticket, "ticket.investigating")) == 1


def test_resolve_close_and_reopen(world, log):
    ticket = log()
    actions.resolve(
        actor=world.engineer,
        ticket=ticket,
        resolution="Restarted the service",
        at=TUESDAY_10AM + 30 * MINUTE,
    )
    resolved = Ticket.objects.get(pk=ticket.pk)
    assert (resolved.status, resolved.resolution) == ("resolved", "Restarted the service")
    assert resolved.resolved_at == TUESDAY_10AM + 30 * MINUTE

    actions.close(actor=world.acme_user, ticket=ticket, at=TUESDAY_10AM + 40 * MINUTE)
    closed = Ticket.objects.get(pk=ticket.pk)
    assert (closed.status, closed.closed_at) == ("closed", TUESDAY_10AM + 40 * MINUTE)

    actions.reopen(
        actor=world.acme_user,
        ticket=ticket,
        reason="It happened again",
        at=TUESDAY_10AM + 50 * MINUTE,
    )
    reopened = Ticket.objects.get(pk=ticket.pk)
    assert (reopened.status, reopened.reopen_count) == ("in_progress", 1)
    assert (reopened.resolved_at, reopened.closed_at) == (None, None)
    [event] = _events(ticket, "ticket.reopened")
    assert event.reason == "It happened again"
    assert event.before["status"] == "closed"


def test_resolving_needs_a_resolution_and_an_open_ticket(world, log):
    ticket = log()
    with pytest.raises(ActionValidationError) as empty:
        actions.resolve(actor=world.engineer, ticket=ticket, resolution="")
    actions.resolve(actor=world.engineer, ticket=ticket, resolution="Done")

    with pytest.raises(ActionValidationError) as again:
        actions.resolve(actor=world.engineer, ticket=ticket, resolution="Done again")

    assert empty.value.errors == {"resolution": "describe the resolution"}
    assert again.value.errors == {"status": "the ticket is resolved"}
    assert Ticket.objects.get(pk=ticket.pk).resolution == "Done"
    assert len(_events(ticket, "ticket.resolved")) == 1


def test_a_customer_cannot_close_an_unresolved_ticket(world, log):
    ticket = log()

    with pytest.raises(ActionValidationError) as raised:
        actions.close(actor=world.acme_user, ticket=ticket)

    assert raised.value.errors == {"status": "only a resolved ticket can be closed"}
    assert _status(ticket) == "new"


def test_the_helpdesk_closes_an_unresolved_ticket_only_with_a_reason(world, log):
    ticket = log()
    with pytest.raises(ActionValidationError) as raised:
        actions.close(actor=world.operator, ticket=ticket)
    assert raised.value.errors == {"reason": "give the reason for closing an unresolved ticket"}
    assert _status(ticket) == "new"

    actions.close(actor=world.operator, ticket=ticket, reason="Duplicate of CS-100002")

    assert _status(ticket) == "closed"


def test_reopening_an_open_ticket_or_without_a_reason_is_refused(world, log):
    ticket = log()

    with pytest.raises(ActionValidationError) as raised:
        actions.reopen(actor=world.engineer, ticket=ticket, reason="")

    assert raised.value.errors == {
        "reason": "say why the ticket is reopened",
        "status": "only a resolved or closed ticket can be reopened",
    }
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.status, fresh.reopen_count) == ("new", 0)


def test_a_closed_ticket_takes_no_reply(world, log):
    ticket = log()
    actions.close(actor=world.operator, ticket=ticket, reason="Logged in error")

    with pytest.raises(ActionValidationError) as raised:
        actions.add_public_reply(actor=world.acme_user, ticket=ticket, body="Hello?")

    assert raised.value.errors == {"status": "the ticket is closed; reopen it to reply"}
    assert Message.objects.filter(ticket=ticket).count() == 0


def test_a_customer_cannot_write_internal_notes_or_log_calls(world, log):
    ticket = log()

    with pytest.raises(ActionPermissionDenied):
        actions.add_internal_note(actor=world.acme_user, ticket=ticket, body="psst")
    with pytest.raises(ActionPermissionDenied):
        actions.log_phone_call(
            actor=world.acme_user,
            ticket=ticket,
            direction="outbound",
            duration_seconds=1,
            summary="x",
        )

    assert Message.objects.filter(ticket=ticket).count() == 0


def test_a_customer_cannot_reply_on_another_companys_ticket(world, log):
    ticket = log()

    with pytest.raises(ActionPermissionDenied):
        actions.add_public_reply(actor=world.bluebell_user, ticket=ticket, body="Hi")

    assert Message.objects.filter(ticket=ticket).count() == 0


def test_an_invalid_phone_call_lists_every_problem(world, log):
    ticket = log()

    with pytest.raises(ActionValidationError) as raised:
        actions.log_phone_call(
            actor=world.engineer,
            ticket=ticket,
            direction="sideways",
            duration_seconds=-5,
            summary="",
        )

    assert raised.value.errors == {
        "direction": "say whether the call was inbound or outbound",
        "duration_seconds": "give the call duration in whole seconds (0 or more)",
        "summary": "summarise the call",
    }
    assert Message.objects.filter(ticket=ticket).count() == 0


def test_an_event_before_the_ticket_was_logged_is_refused(world, log):
    ticket = log()

    with pytest.raises(ActionValidationError) as raised:
        actions.add_internal_note(
            actor=world.engineer, ticket=ticket, body="x", at=TUESDAY_10AM - MINUTE
        )

    assert raised.value.errors == {"at": "an event cannot happen before the ticket was logged"}
    assert Message.objects.filter(ticket=ticket).count() == 0


def test_internal_note_attachments_are_internal(world, log):
    ticket = log()

    note = actions.add_internal_note(
        actor=world.engineer,
        ticket=ticket,
        body="Server log",
        attachments=[SimpleUploadedFile("server.log", b"stack trace")],
        at=TUESDAY_10AM + MINUTE,
    )

    attachment = Attachment.objects.get(message=note)
    assert attachment.internal is True
    assert attachment.ticket == ticket


def test_classifying_the_scope_records_chargeable_and_settles_the_review(world, log):
    ticket = log(company=world.corvid, contact=world.corvid_contact)

    actions.classify_scope(
        actor=world.engineer,
        ticket=ticket,
        scope="environment",
        chargeable=True,
        reason="Their proxy change broke the web socket",
        at=TUESDAY_10AM + MINUTE,
    )

    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.scope, fresh.chargeable, fresh.needs_review) == ("environment", True, False)
    [event] = _events(ticket, "ticket.classified")
    assert event.before == {"scope": "not_covered", "chargeable": None, "needs_review": True}


def test_an_operator_cannot_classify_the_scope(world, log):
    ticket = log()

    with pytest.raises(ActionPermissionDenied):
        actions.classify_scope(
            actor=world.operator, ticket=ticket, scope="hardware", chargeable=True, reason="r"
        )

    assert Ticket.objects.get(pk=ticket.pk).scope == ""


# ---------------------------------------------------------------------------------- split


def test_splitting_moves_the_chosen_messages_to_a_new_linked_ticket(world, log):
    ticket = log(priority="major")
    keep = actions.add_public_reply(
        actor=world.acme_user, ticket=ticket, body="Scripts fail", at=TUESDAY_10AM + MINUTE
    )
    move = actions.add_public_reply(
        actor=world.acme_user,
        ticket=ticket,
        body="Also: reports are slow",
        attachments=[SimpleUploadedFile("slow.png", b"png")],
        at=TUESDAY_10AM + 2 * MINUTE,
    )

    new = actions.split_ticket(
        actor=world.operator,
        ticket=ticket,
        overview="Reports are slow",
        reason="Separate issue; report each issue separately",
        messages=[move],
        at=TUESDAY_10AM + 10 * MINUTE,
    )

    assert new.reference == "CS-100002"
    assert new.split_from == ticket
    assert new.company == ticket.company
    assert new.priority == "major"
    assert new.logged_at == TUESDAY_10AM + 10 * MINUTE
    assert new.response_due == TUESDAY_10AM + 70 * MINUTE
    assert list(Message.objects.filter(ticket=new)) == [move]
    assert list(Message.objects.filter(ticket=ticket)) == [keep]
    assert Attachment.objects.get(message=move).ticket == new
    [split_event] = _events(ticket, "ticket.split")
    assert split_event.after == {"new_ticket": "CS-100002", "moved_messages": [move.pk]}
    [logged] = _events(new, "ticket.logged")
    assert logged.after["split_from"] == ticket.reference


def test_splitting_with_a_message_from_another_ticket_is_refused(world, log):
    ticket = log()
    other = log()
    foreign = actions.add_internal_note(
        actor=world.engineer, ticket=other, body="x", at=TUESDAY_10AM
    )

    with pytest.raises(ActionValidationError) as raised:
        actions.split_ticket(
            actor=world.operator, ticket=ticket, overview="", reason="", messages=[foreign]
        )

    assert raised.value.errors == {
        "overview": "give an overview for the new ticket",
        "reason": "say why the ticket is split",
        "messages": "every message to move must belong to this ticket",
    }
    assert Ticket.objects.count() == 2
    assert Message.objects.get(pk=foreign.pk).ticket == other


def test_a_customer_cannot_split_a_ticket(world, log):
    ticket = log()

    with pytest.raises(ActionPermissionDenied):
        actions.split_ticket(actor=world.acme_user, ticket=ticket, overview="x", reason="y")

    assert Ticket.objects.count() == 1

"""A ticket's details (module, version and what an email lacked) are given after intake."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

import pytest

from helpdesk_world import TUESDAY_10AM, london
from sladesk.audit.models import AuditEvent
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.mail.ingest import ingest
from sladesk.mail.models import MissingInformation
from sladesk.tickets.actions import close, complete_ticket_details, set_coverage
from sladesk.tickets.models import Ticket

AT = TUESDAY_10AM
LATER = AT + dt.timedelta(minutes=30)


def _emailed(sender: str = "bob@bluebell.example", body: str = "Blank screens.") -> Ticket:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "helpdesk@example.test"
    msg["Subject"] = "Agents cannot open scripts"
    msg["Date"] = "Tue, 10 Mar 2026 09:40:00 +0000"
    msg["Message-ID"] = f"<{sender}.1@mail.example>"
    msg.set_content(body)
    outcome = ingest(msg.as_bytes(), source="test", at=AT)
    assert outcome.outcome == "ticket"
    return outcome.ticket


def _outstanding(ticket: Ticket) -> list[str]:
    return [f["field"] for f in MissingInformation.objects.get(ticket=ticket).outstanding]


def test_the_customer_gives_everything_the_email_lacked_and_the_flag_clears(world):
    ticket = _emailed()
    assert _outstanding(ticket) == [
        "module",
        "version",
        "affected",
        "problem_since",
        "error_details",
        "business_impact",
    ]

    complete_ticket_details(
        actor=world.bluebell_user,
        ticket=ticket,
        module=world.desktop,
        version="5.1",
        affected="entire_centre",
        problem_since=london(2026, 3, 10, 8, 0),
        error_details="Error 17: script engine stopped",
        business_impact="No calls answered",
        at=LATER,
    )

    ticket.refresh_from_db()
    assert (ticket.module, ticket.version, ticket.affected) == (
        world.desktop,
        "5.1",
        "entire_centre",
    )
    assert ticket.problem_since == london(2026, 3, 10, 8, 0)
    assert (ticket.error_details, ticket.business_impact) == (
        "Error 17: script engine stopped",
        "No calls answered",
    )
    missing = MissingInformation.objects.get(ticket=ticket)
    assert (missing.outstanding, missing.completed_at) == ([], LATER)
    event = AuditEvent.objects.get(action="ticket.details_completed")
    assert (event.actor, event.ticket, event.at) == (world.bluebell_user, ticket, LATER)
    assert event.before["missing"] == [
        "module",
        "version",
        "affected",
        "problem_since",
        "error_details",
        "business_impact",
    ]
    assert event.after["missing"] == []
    assert event.after["version"] == "5.1"
    assert event.after["given"] == sorted(
        [
            "module",
            "version",
            "affected",
            "problem_since",
            "error_details",
            "business_impact",
        ]
    )


def test_confirming_an_assumed_value_counts_as_giving_it(world):
    ticket = _emailed()  # Bluebell's only contracted module, Agent Desktop, was assumed

    complete_ticket_details(actor=world.operator, ticket=ticket, module=world.desktop, at=LATER)

    assert _outstanding(ticket) == [
        "version",
        "affected",
        "problem_since",
        "error_details",
        "business_impact",
    ]
    event = AuditEvent.objects.get(action="ticket.details_completed")
    assert event.before == {"missing": ticket_missing_before()}
    assert event.after == {
        "missing": ["version", "affected", "problem_since", "error_details", "business_impact"],
        "given": ["module"],
    }
    assert MissingInformation.objects.get(ticket=ticket).completed_at is None


def ticket_missing_before() -> list[str]:
    return ["module", "version", "affected", "problem_since", "error_details", "business_impact"]


def test_a_module_outside_the_contract_takes_the_ticket_off_its_response_target(world):
    ticket = _emailed()
    assert (ticket.coverage, ticket.contract) == ("standard", world.bluebell_contract)
    assert ticket.response_due is not None

    complete_ticket_details(
        actor=world.bluebell_user, ticket=ticket, module=world.reports, version="7", at=LATER
    )

    ticket.refresh_from_db()
    assert (ticket.module, ticket.version) == (world.reports, "7")
    assert (ticket.contract, ticket.coverage, ticket.response_due) == (None, "", None)
    assert (ticket.needs_review, ticket.possibly_chargeable, ticket.scope) == (
        True,
        True,
        "not_covered",
    )
    assert ticket.sla_next_check_at is None
    event = AuditEvent.objects.get(action="ticket.details_completed")
    assert event.before["coverage"] == "standard"
    assert event.after["coverage"] == ""


def test_a_coverage_a_manager_set_by_hand_survives_a_module_correction(world):
    ticket = _emailed()
    set_coverage(
        actor=world.manager, ticket=ticket, coverage="24x7", reason="agreed cover", at=LATER
    )

    complete_ticket_details(
        actor=world.engineer,
        ticket=ticket,
        module=world.reports,
        version="7",
        at=LATER + dt.timedelta(minutes=1),
    )

    ticket.refresh_from_db()
    assert (ticket.module, ticket.coverage) == (world.reports, "24x7")
    assert ticket.response_due is not None


def test_bad_details_are_all_refused_at_once_and_nothing_changes(world):
    ticket = _emailed()
    before = Ticket.objects.filter(pk=ticket.pk).values().get()

    with pytest.raises(ActionValidationError) as refused:
        complete_ticket_details(
            actor=world.bluebell_user,
            ticket=ticket,
            version="9.9",
            affected="everyone",
            problem_since=dt.datetime(2026, 3, 10, 8, 0),
            error_details="  ",
            contact_phone="call me",
            at=LATER,
        )

    assert refused.value.errors == {
        "version": "CallScripter / Agent Desktop has no version '9.9' (known: 5.1, 5.2)",
        "affected": "say who is affected: One person, Several PCs, Entire contact centre",
        "problem_since": "give the time with its time zone",
        "error_details": "give the error details (it cannot be emptied)",
        "contact_phone": "'call me' is not a phone number",
    }
    assert Ticket.objects.filter(pk=ticket.pk).values().get() == before
    assert _outstanding(ticket) == ticket_missing_before()
    assert not AuditEvent.objects.filter(action="ticket.details_completed").exists()


def test_giving_nothing_or_only_what_is_already_there_is_refused(world, log):
    ticket = log()  # logged by phone with everything: nothing is missing

    with pytest.raises(ActionValidationError) as nothing:
        complete_ticket_details(actor=world.operator, ticket=ticket, at=LATER)
    with pytest.raises(ActionValidationError) as same:
        complete_ticket_details(actor=world.operator, ticket=ticket, version="5.2", at=LATER)

    assert list(nothing.value.errors) == ["details"]
    assert same.value.errors == {"details": "these details are already on the ticket"}
    assert not AuditEvent.objects.filter(action="ticket.details_completed").exists()


def test_a_ticket_logged_whole_can_still_have_its_version_corrected(world, log):
    ticket = log()

    complete_ticket_details(actor=world.acme_user, ticket=ticket, version="5.1", at=LATER)

    ticket.refresh_from_db()
    assert ticket.version == "5.1"
    event = AuditEvent.objects.get(action="ticket.details_completed")
    assert (event.before, event.after) == (
        {"version": "5.2"},
        {"version": "5.1", "given": ["version"]},
    )


def test_another_companys_contact_cannot_touch_the_ticket(world):
    ticket = _emailed()

    with pytest.raises(ActionPermissionDenied):
        complete_ticket_details(actor=world.acme_user, ticket=ticket, version="5.1", at=LATER)

    ticket.refresh_from_db()
    assert ticket.version == "5.2"
    assert _outstanding(ticket) == ticket_missing_before()


def test_a_closed_ticket_keeps_its_details(world):
    ticket = _emailed()
    close(actor=world.operator, ticket=ticket, reason="logged in error", at=LATER)

    with pytest.raises(ActionValidationError) as refused:
        complete_ticket_details(
            actor=world.bluebell_user,
            ticket=ticket,
            version="5.1",
            at=LATER + dt.timedelta(minutes=1),
        )

    assert refused.value.errors == {
        "status": "the ticket is closed; reopen it to change its details"
    }
    ticket.refresh_from_db()
    assert ticket.version == "5.2"


def test_a_module_correction_after_the_response_keeps_its_met_result(world):
    from sladesk.tickets.actions import add_public_reply

    ticket = _emailed()
    add_public_reply(actor=world.engineer, ticket=ticket, body="Looking", at=LATER)
    ticket.refresh_from_db()
    assert (ticket.response_met, ticket.responded_at) == (True, LATER)
    due_at_response = ticket.response_due_at_response

    complete_ticket_details(
        actor=world.engineer,
        ticket=ticket,
        module=world.reports,
        version="7",
        at=LATER + dt.timedelta(minutes=5),
    )

    ticket.refresh_from_db()
    assert (ticket.response_due, ticket.coverage) == (None, "")
    assert (ticket.response_met, ticket.responded_at, ticket.response_due_at_response) == (
        True,
        LATER,
        due_at_response,
    )


def test_an_engineers_scope_classification_survives_a_module_correction(world):
    from sladesk.tickets.actions import classify_scope

    ticket = _emailed()
    classify_scope(
        actor=world.engineer,
        ticket=ticket,
        scope="environment",
        chargeable=True,
        reason="their network changed",
        at=LATER,
    )

    complete_ticket_details(
        actor=world.bluebell_user,
        ticket=ticket,
        module=world.reports,
        version="7",
        at=LATER + dt.timedelta(minutes=1),
    )

    ticket.refresh_from_db()
    # The contract is decided again (none covers Reports for Bluebell)...
    assert (ticket.contract, ticket.coverage) == (None, "")
    # ...but the engineer's decision stands.
    assert (ticket.scope, ticket.chargeable, ticket.needs_review) == ("environment", True, False)

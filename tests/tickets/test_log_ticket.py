"""Logging a ticket: the Logging Queries list, references, entitlement and due times."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from helpdesk_world import TUESDAY_10AM, london, valid_ticket_fields
from sladesk.audit.models import AuditEvent
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.tickets.actions import log_ticket
from sladesk.tickets.models import Attachment, Ticket, TicketCounter

UTC = dt.UTC


def test_a_complete_ticket_is_saved_with_a_reference_and_its_due_time(world, log):
    ticket = log(priority="critical")

    assert ticket.reference == "CS-100001"
    assert ticket.company == world.acme
    assert ticket.contact == world.acme_contact
    assert ticket.contact_name == "Ann Acme"
    assert ticket.contact_phone == "+44 1473 000001"
    assert ticket.module == world.desktop
    assert ticket.version == "5.2"
    assert ticket.affected == "entire_centre"
    assert ticket.channel == "phone"
    assert ticket.logged_at == TUESDAY_10AM
    assert ticket.logged_by == world.operator
    assert ticket.contract == world.acme_contract
    assert ticket.coverage == "24x7"
    assert ticket.policy is not None
    assert ticket.policy.is_default is True
    assert ticket.status == "new"
    assert ticket.priority == "critical"
    # Critical, in hours: 15 minutes.
    assert ticket.response_due == dt.datetime(2026, 3, 10, 10, 15, tzinfo=UTC)
    assert ticket.responded_at is None
    assert ticket.needs_review is False
    assert ticket.possibly_chargeable is False


def test_references_are_consecutive_and_use_the_configured_prefix(world, log, settings):
    settings.SLADESK_TICKET_PREFIX = "HD"
    first = log()
    second = log()

    assert (first.reference, second.reference) == ("HD-100001", "HD-100002")
    assert TicketCounter.objects.get(name="ticket").value == 100002


def test_logging_writes_an_audit_event_with_the_entitlement(world, log):
    ticket = log()

    event = AuditEvent.objects.get(ticket=ticket)
    assert event.action == "ticket.logged"
    assert event.actor == world.operator
    assert event.at == TUESDAY_10AM
    assert event.before == {}
    assert event.after["reference"] == "CS-100001"
    assert event.after["coverage"] == "24x7"
    assert event.after["contract_id"] == world.acme_contract.pk
    assert event.after["response_due"] == "2026-03-10T12:00:00+00:00"


def test_a_ticket_missing_every_required_field_lists_every_problem_and_saves_nothing(world):
    with pytest.raises(ActionValidationError) as raised:
        log_ticket(
            actor=world.operator,
            company=None,
            contact=None,
            module=None,
            version="",
            overview="  ",
            affected="",
            problem_since=None,
            error_details="",
            business_impact="",
            at=TUESDAY_10AM,
        )

    assert set(raised.value.errors) == {
        "company",
        "contact",
        "contact_name",
        "contact_phone",
        "overview",
        "affected",
        "problem_since",
        "error_details",
        "module",
        "version",
        "business_impact",
    }
    assert raised.value.errors["overview"] == "give an overview of the problem"
    assert raised.value.message_dict["business_impact"] == ["describe the business impact"]
    assert Ticket.objects.count() == 0
    assert AuditEvent.objects.filter(action="ticket.logged").count() == 0
    assert TicketCounter.objects.get(name="ticket").value == 100000


def test_invalid_values_are_refused_field_by_field(world):
    fields = valid_ticket_fields(
        world,
        contact=world.bluebell_contact,
        contact_phone="call me",
        affected="everyone",
        problem_since=london(2026, 3, 11, 9, 0),
        version="9.9",
        channel="pigeon",
        proposed_priority="urgent",
    )

    with pytest.raises(ActionValidationError) as raised:
        log_ticket(**fields)

    assert raised.value.errors == {
        "contact": "Bob Bluebell is not a contact of Acme Contact Centres",
        "contact_phone": "'call me' is not a phone number",
        "affected": "say who is affected: One person, Several PCs, Entire contact centre",
        "problem_since": "the problem cannot start after the ticket is logged",
        "version": "CallScripter / Agent Desktop has no version '9.9' (known: 5.1, 5.2)",
        "channel": "unknown channel",
        "proposed_priority": "unknown priority 'urgent'",
    }
    assert Ticket.objects.count() == 0


def test_a_customer_logs_for_its_own_company_on_the_web_with_a_proposed_priority(world, log):
    ticket = log(
        actor=world.acme_user,
        company=None,
        contact=None,
        channel=None,
        proposed_priority="critical",
    )

    assert ticket.company == world.acme
    assert ticket.contact == world.acme_contact
    assert ticket.channel == "web"
    assert ticket.proposed_priority == "critical"
    # The helpdesk has not set a priority: Normal until it does.
    assert ticket.priority == "normal"
    assert ticket.response_due == dt.datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_a_customer_cannot_set_the_priority_or_use_the_phone_channel(world, log):
    with pytest.raises(ActionValidationError) as raised:
        log(actor=world.acme_user, priority="critical", channel="out_of_hours")

    assert raised.value.errors == {
        "priority": "the priority is set by the helpdesk; use proposed priority",
        "channel": "customers log tickets on the web, by email or through the API",
    }
    assert Ticket.objects.count() == 0


def test_a_customer_cannot_log_a_ticket_for_another_company(world, log):
    with pytest.raises(ActionPermissionDenied):
        log(actor=world.bluebell_user, company=world.acme, contact=world.acme_contact)

    assert Ticket.objects.count() == 0


def test_attachments_are_stored_privately_with_their_original_name(world, log):
    screenshot = SimpleUploadedFile("screen.png", b"\x89PNG fake", content_type="image/png")

    ticket = log(attachments=[screenshot])

    attachment = Attachment.objects.get(ticket=ticket)
    assert attachment.original_name == "screen.png"
    assert attachment.content_type == "image/png"
    assert attachment.size == 9
    assert attachment.internal is False
    assert "screen.png" not in attachment.file.name
    assert attachment.file.read() == b"\x89PNG fake"
    with pytest.raises(ValueError, match="no public URL"):
        _ = attachment.file.url


def test_an_empty_attachment_is_refused_and_nothing_is_saved(world, log):
    with pytest.raises(ActionValidationError) as raised:
        log(attachments=[SimpleUploadedFile("empty.log", b"")])

    assert raised.value.errors == {"attachments": "empty.log is empty"}
    assert Ticket.objects.count() == 0
    assert Attachment.objects.count() == 0


# ---------------------------------------------------------------------------- entitlement


def test_a_company_without_a_signed_contract_gets_no_target_and_is_flagged(world, log):
    ticket = log(company=world.corvid, contact=world.corvid_contact, priority="critical")

    assert ticket.pk is not None
    assert ticket.contract is None
    assert ticket.coverage == ""
    assert ticket.response_due is None
    assert ticket.needs_review is True
    assert ticket.possibly_chargeable is True
    assert ticket.scope == "not_covered"
    event = AuditEvent.objects.get(ticket=ticket)
    assert event.reason == "no signed, in-date contract covers this module"


def test_a_module_the_contract_does_not_cover_gets_no_target(world, log):
    ticket = log(company=world.bluebell, contact=world.bluebell_contact, module=world.reports)

    assert ticket.contract is None
    assert ticket.response_due is None
    assert ticket.needs_review is True


def test_a_contract_out_of_date_gives_no_target(world, log):
    ticket = log(at=london(2027, 1, 5, 10, 0), problem_since=london(2027, 1, 5, 9, 0))

    assert ticket.contract is None
    assert ticket.response_due is None
    assert ticket.possibly_chargeable is True


def test_the_contract_date_is_the_london_date_of_logging(world, log):
    # 31 Dec 2026 23:30 in London is still inside the contract (GMT: same instant in UTC).
    ticket = log(at=london(2026, 12, 31, 23, 30), problem_since=london(2026, 12, 31, 23, 0))

    assert ticket.contract == world.acme_contract


# ------------------------------------------------------------------------------ due times


def test_critical_on_standard_cover_late_friday_is_due_monday_morning(world, log):
    ticket = log(
        company=world.bluebell,
        contact=world.bluebell_contact,
        priority="critical",
        at=london(2026, 3, 13, 16, 50),
        problem_since=london(2026, 3, 13, 16, 0),
    )

    assert ticket.coverage == "standard"
    assert ticket.response_due == london(2026, 3, 16, 9, 5)


def test_critical_on_24x7_cover_late_friday_is_due_fifteen_minutes_later(world, log):
    ticket = log(
        priority="critical", at=london(2026, 3, 13, 16, 50), problem_since=london(2026, 3, 13, 16)
    )

    assert ticket.response_due == london(2026, 3, 13, 17, 5)


def test_critical_on_24x7_cover_out_of_hours_is_due_in_thirty_minutes(world, log):
    ticket = log(
        priority="critical", at=london(2026, 3, 14, 3, 0), problem_since=london(2026, 3, 14, 2)
    )

    assert ticket.response_due == london(2026, 3, 14, 3, 30)


def test_normal_logged_the_thursday_before_easter_is_due_on_tuesday(world, log):
    ticket = log(
        company=world.bluebell,
        contact=world.bluebell_contact,
        priority="normal",
        at=london(2026, 4, 2, 16, 30),
        problem_since=london(2026, 4, 2, 16, 0),
    )

    assert ticket.response_due == london(2026, 4, 7, 10, 30)


def test_an_enhancement_has_no_response_target(world, log):
    ticket = log(priority="enhancement")

    assert ticket.response_due is None
    assert ticket.needs_review is False

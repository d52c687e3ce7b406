"""A complaint's way: logged, acknowledged, investigating, decided (final), closed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from helpdesk_world import World, london
from sladesk.audit.models import AuditEvent
from sladesk.complaints.actions import (
    acknowledge_complaint,
    annotate_complaint,
    close_complaint,
    decide_complaint,
    log_complaint,
    start_investigation,
)
from sladesk.complaints.models import Complaint, ComplaintFinalError, ComplaintNote
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.tickets.actions import add_internal_note

UTC = dt.UTC
THURSDAY = london(2026, 3, 12, 14, 0)


def _log(world: World, ticket: Any, **overrides: Any) -> Complaint:
    fields: dict[str, Any] = {
        "actor": world.acme_user,
        "about": "ticket",
        "ticket": ticket,
        "summary": "The fix did not last a day",
        "at": THURSDAY,
    }
    fields.update(overrides)
    return log_complaint(**fields)


def _to_investigating(world: World, complaint: Complaint) -> Complaint:
    acknowledge_complaint(actor=world.operator, complaint=complaint, at=london(2026, 3, 13, 9, 0))
    return start_investigation(
        actor=world.manager, complaint=complaint, at=london(2026, 3, 13, 10, 0)
    )


def test_a_customer_logs_a_complaint_about_its_ticket_and_gets_a_reference_targets_and_owner(
    world: World, ticket: Any
) -> None:
    complaint = _log(world, ticket)
    assert complaint.reference == "CMP-1001"
    assert complaint.stage == "logged"
    assert complaint.company == world.acme
    assert complaint.contact == world.acme_contact
    assert complaint.channel == "portal"
    assert complaint.cause == "resolution"
    assert complaint.owner == world.manager
    assert complaint.acknowledge_due == dt.datetime(2026, 3, 13, 17, 0, tzinfo=UTC)
    assert complaint.decision_due == dt.datetime(2026, 3, 26, 17, 0, tzinfo=UTC)
    event = AuditEvent.objects.get(action="complaint.logged")
    assert event.actor == world.acme_user
    assert event.ticket is None  # complaint events never make anyone "involved" in the ticket
    assert event.after["reference"] == "CMP-1001"


def test_references_are_consecutive(world: World, ticket: Any) -> None:
    first = _log(world, ticket)
    second = log_complaint(
        actor=world.acme_user, about="service", summary="Phones unanswered", at=THURSDAY
    )
    assert (first.reference, second.reference) == ("CMP-1001", "CMP-1002")


def test_staff_log_a_phoned_complaint_on_behalf_of_a_customer_contact(
    world: World, ticket: Any
) -> None:
    complaint = log_complaint(
        actor=world.operator,
        about="service",
        summary="Called to complain that out-of-hours calls go unanswered",
        on_behalf_of=world.bluebell_contact,
        at=THURSDAY,
    )
    assert complaint.company == world.bluebell
    assert complaint.contact == world.bluebell_contact
    assert complaint.channel == "phone"
    assert complaint.logged_by == world.operator


def test_staff_must_name_the_complainant_of_a_service_complaint_nothing_is_saved(
    world: World,
) -> None:
    with pytest.raises(ActionValidationError) as exc:
        log_complaint(actor=world.operator, about="service", summary="", at=THURSDAY)
    assert exc.value.errors == {
        "on_behalf_of": "name the customer contact who is complaining",
        "summary": "say what the complaint is",
    }
    assert Complaint.objects.count() == 0


def test_a_customer_cannot_complain_about_another_companys_ticket_which_is_not_found(
    world: World, ticket: Any
) -> None:
    with pytest.raises(ActionValidationError) as exc:
        _log(world, ticket, actor=world.bluebell_user)
    assert exc.value.errors == {"ticket": "no such ticket"}
    assert Complaint.objects.count() == 0


def test_a_customer_cannot_complain_on_behalf_of_someone_else(world: World, ticket: Any) -> None:
    with pytest.raises(ActionPermissionDenied):
        _log(world, ticket, on_behalf_of=world.bluebell_contact)
    assert Complaint.objects.count() == 0


def test_the_whole_way_upheld_with_credit_and_reopened_ticket(
    world: World, resolved_ticket: Any
) -> None:
    complaint = _log(world, resolved_ticket)
    complaint = acknowledge_complaint(
        actor=world.operator,
        complaint=complaint,
        message="We have your complaint; Max Manager will look into it.",
        at=london(2026, 3, 13, 9, 0),
    )
    assert (complaint.stage, complaint.acknowledge_met) == ("acknowledged", True)
    complaint = start_investigation(
        actor=world.manager, complaint=complaint, at=london(2026, 3, 13, 10, 0)
    )
    assert complaint.stage == "investigating"
    complaint = decide_complaint(
        actor=world.manager,
        complaint=complaint,
        outcome="upheld",
        reason="The restart only hid the fault; the root cause was not investigated.",
        credit_amount=Decimal("150.00"),
        credit_currency="gbp",
        reopen_ticket=True,
        at=london(2026, 3, 20, 15, 0),
    )
    assert complaint.stage == "decided"
    assert complaint.decided_by == world.manager
    assert complaint.decision_met is True
    assert (complaint.credit_amount, complaint.credit_currency) == (Decimal("150.00"), "GBP")
    assert complaint.ticket_reopened is True
    resolved_ticket.refresh_from_db()
    assert (resolved_ticket.status, resolved_ticket.reopen_count) == ("in_progress", 1)
    # The evidence was frozen before the remedy: it shows the ticket as it was complained of.
    assert complaint.evidence["ticket"]["status"] == "resolved"
    assert complaint.evidence["sla"]["state"] == "met"
    explanation = complaint.evidence["sla"]["explanation"]
    assert explanation.startswith("Normal ticket, 24x7 cover, logged Tue 10 Mar 2026 10:00:00 GMT")
    assert explanation.endswith("Due: Tue 10 Mar 2026 12:00:00 GMT (2026-03-10T12:00:00Z).")
    complaint = close_complaint(
        actor=world.manager, complaint=complaint, at=london(2026, 3, 20, 16, 0)
    )
    assert complaint.stage == "closed"
    assert list(
        AuditEvent.objects.filter(action__startswith="complaint.").values_list("action", flat=True)
    ) == [
        "complaint.logged",
        "complaint.acknowledged",
        "complaint.investigating",
        "complaint.decided",
        "complaint.closed",
    ]
    assert ComplaintNote.objects.get().visible_to_customer is True


def test_a_late_acknowledgement_and_decision_are_recorded_as_breached(
    world: World, ticket: Any
) -> None:
    complaint = _log(world, ticket)
    complaint = acknowledge_complaint(
        actor=world.operator, complaint=complaint, at=london(2026, 3, 16, 9, 0)
    )
    assert complaint.acknowledge_met is False
    start_investigation(actor=world.manager, complaint=complaint, at=london(2026, 3, 16, 10, 0))
    complaint = decide_complaint(
        actor=world.manager,
        complaint=complaint,
        outcome="not_upheld",
        reason="The ticket was answered within its target.",
        at=london(2026, 3, 27, 9, 0),
    )
    assert complaint.decision_met is False


def test_the_evidence_is_assembled_from_the_ticket_records(world: World, ticket: Any) -> None:
    add_internal_note(
        actor=world.engineer, ticket=ticket, body="Customer changed the proxy", at=THURSDAY
    )
    complaint = _to_investigating(world, _log(world, ticket, at=london(2026, 3, 12, 15, 0)))
    complaint = decide_complaint(
        actor=world.manager,
        complaint=complaint,
        outcome="not_upheld",
        reason="Environment change on the customer's side.",
        at=london(2026, 3, 16, 9, 0),
    )
    timeline = complaint.evidence["timeline"]
    assert [(e["kind"], e["label"], e["internal"]) for e in timeline] == [
        ("event", "ticket.logged", True),
        ("internal", "Internal note", True),
        ("event", "message.internal_note", True),
    ]
    assert complaint.evidence["sla"]["due"] == "2026-03-10T12:00:00+00:00"
    assert complaint.evidence["sla"]["state"] == "overdue"
    assert complaint.evidence["complaint"]["acknowledge_state"] == "met"


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ("investigate", {"stage": "acknowledge the complaint first"}),
        ("decide", {"stage": "investigate the complaint before deciding it"}),
        ("close", {"stage": "only a decided complaint can be closed"}),
    ],
)
def test_stages_cannot_be_skipped_and_nothing_changes(
    world: World, ticket: Any, step: str, expected: dict[str, str]
) -> None:
    complaint = _log(world, ticket)
    at = london(2026, 3, 13, 9, 0)
    steps = {
        "investigate": lambda: start_investigation(actor=world.manager, complaint=complaint, at=at),
        "decide": lambda: decide_complaint(
            actor=world.manager, complaint=complaint, outcome="upheld", reason="x", at=at
        ),
        "close": lambda: close_complaint(actor=world.manager, complaint=complaint, at=at),
    }
    with pytest.raises(ActionValidationError) as exc:
        steps[step]()
    assert exc.value.errors == expected
    complaint.refresh_from_db()
    assert (complaint.stage, complaint.outcome, complaint.evidence) == ("logged", "", {})
    assert AuditEvent.objects.filter(action__startswith="complaint.").count() == 1


def test_a_complaint_that_is_not_upheld_has_no_remedy(world: World, resolved_ticket: Any) -> None:
    complaint = _to_investigating(world, _log(world, resolved_ticket))
    with pytest.raises(ActionValidationError) as exc:
        decide_complaint(
            actor=world.manager,
            complaint=complaint,
            outcome="not_upheld",
            reason="No fault found",
            credit_amount="10.00",
            credit_currency="GBP",
            reopen_ticket=True,
            at=london(2026, 3, 16, 9, 0),
        )
    assert exc.value.errors == {"remedy": "a complaint that is not upheld has no remedy"}
    complaint.refresh_from_db()
    assert (complaint.stage, complaint.credit_amount) == ("investigating", None)
    resolved_ticket.refresh_from_db()
    assert resolved_ticket.status == "resolved"


def test_a_credit_needs_a_known_currency_and_a_positive_amount(world: World, ticket: Any) -> None:
    complaint = _to_investigating(world, _log(world, ticket))
    with pytest.raises(ActionValidationError) as exc:
        decide_complaint(
            actor=world.manager,
            complaint=complaint,
            outcome="partly_upheld",
            reason="Slow to call back",
            credit_amount="-5",
            credit_currency="GBP",
            at=london(2026, 3, 16, 9, 0),
        )
    assert exc.value.errors == {"credit_amount": "a credit is a positive amount"}
    with pytest.raises(ActionValidationError) as exc:
        decide_complaint(
            actor=world.manager,
            complaint=complaint,
            outcome="partly_upheld",
            reason="Slow to call back",
            credit_amount="5",
            credit_currency="XYZ",
            at=london(2026, 3, 16, 9, 0),
        )
    assert exc.value.errors == {
        "credit_currency": "give the credit's currency (ISO code, e.g. GBP)"
    }
    complaint.refresh_from_db()
    assert complaint.stage == "investigating"


def test_a_decided_complaint_is_final_only_notes_can_be_added(world: World, ticket: Any) -> None:
    complaint = _to_investigating(world, _log(world, ticket))
    complaint = decide_complaint(
        actor=world.manager,
        complaint=complaint,
        outcome="not_upheld",
        reason="Answered within target.",
        at=london(2026, 3, 16, 9, 0),
    )
    with pytest.raises(ActionValidationError) as exc:
        decide_complaint(
            actor=world.manager,
            complaint=complaint,
            outcome="upheld",
            reason="Changed my mind",
            at=london(2026, 3, 16, 10, 0),
        )
    assert exc.value.errors == {"stage": "the complaint is decided: the decision is final"}
    # Not even code that bypasses the actions can change the decision.
    complaint.outcome = "upheld"
    with pytest.raises(ComplaintFinalError):
        complaint.save()
    with pytest.raises(ComplaintFinalError):
        Complaint.objects.filter(pk=complaint.pk).update(decision_reason="edited")
    with pytest.raises(ComplaintFinalError):
        Complaint.objects.filter(pk=complaint.pk).update(stage="investigating")
    with pytest.raises(ComplaintFinalError):
        complaint.delete()
    complaint.refresh_from_db()
    assert (complaint.outcome, complaint.decision_reason) == (
        "not_upheld",
        "Answered within target.",
    )

    annotate_complaint(
        actor=world.acme_user,
        complaint=complaint,
        body="We accept the decision.",
        at=london(2026, 3, 16, 11, 0),
    )
    annotate_complaint(
        actor=world.manager,
        complaint=complaint,
        body="Customer accepted by phone too.",
        at=london(2026, 3, 16, 12, 0),
    )
    assert list(ComplaintNote.objects.values_list("body", "visible_to_customer")) == [
        ("We accept the decision.", True),
        ("Customer accepted by phone too.", False),
    ]

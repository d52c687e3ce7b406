"""Who may own and decide a complaint: a manager not involved in what it is about."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk_world import World, london
from sladesk.audit.models import AuditEvent
from sladesk.complaints.actions import (
    acknowledge_complaint,
    assign_owner,
    decide_complaint,
    log_complaint,
    start_investigation,
)
from sladesk.complaints.models import Complaint
from sladesk.complaints.selectors import complaint_for, complaints_visible_to
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.tickets.actions import add_internal_note, add_public_reply, log_phone_call

THURSDAY = london(2026, 3, 12, 14, 0)


def _log(world: World, ticket: Any) -> Complaint:
    return log_complaint(
        actor=world.acme_user, about="ticket", ticket=ticket, summary="Too slow", at=THURSDAY
    )


def test_a_manager_who_replied_on_the_ticket_is_not_chosen_as_owner(
    world: World, ticket: Any, second_manager: Any
) -> None:
    add_public_reply(actor=world.manager, ticket=ticket, body="Looking now", at=THURSDAY)
    complaint = _log(world, ticket)
    assert complaint.owner == second_manager


def test_with_every_manager_involved_the_complaint_waits_for_an_owner(
    world: World, ticket: Any
) -> None:
    log_phone_call(
        actor=world.manager,
        ticket=ticket,
        direction="outbound",
        duration_seconds=120,
        summary="Called back",
        at=THURSDAY,
    )
    complaint = _log(world, ticket)
    assert complaint.owner is None
    assert AuditEvent.objects.get(action="complaint.logged").reason == (
        "no uninvolved manager: assign an owner"
    )


def test_an_involved_manager_cannot_be_assigned_as_owner_and_nothing_changes(
    world: World, ticket: Any, second_manager: Any
) -> None:
    add_internal_note(actor=world.manager, ticket=ticket, body="Known issue", at=THURSDAY)
    complaint = _log(world, ticket)
    with pytest.raises(ActionValidationError) as exc:
        assign_owner(
            actor=world.admin,
            complaint=complaint,
            owner=world.manager,
            reason="Max is free",
            at=THURSDAY,
        )
    assert exc.value.errors == {"owner": "Max Manager was involved in what the complaint is about"}
    complaint.refresh_from_db()
    assert complaint.owner == second_manager
    assert not AuditEvent.objects.filter(action="complaint.owner_assigned").exists()


def test_the_owner_must_be_a_manager_not_an_engineer(world: World, ticket: Any) -> None:
    complaint = _log(world, ticket)
    with pytest.raises(ActionValidationError) as exc:
        assign_owner(
            actor=world.manager, complaint=complaint, owner=world.oncall, reason="x", at=THURSDAY
        )
    assert exc.value.errors == {"owner": "the owner must be a manager"}
    complaint.refresh_from_db()
    assert complaint.owner == world.manager


def test_the_involved_agent_cannot_investigate_or_decide(world: World, ticket: Any) -> None:
    add_public_reply(actor=world.engineer, ticket=ticket, body="Restarted it", at=THURSDAY)
    complaint = _log(world, ticket)
    acknowledge_complaint(actor=world.engineer, complaint=complaint, at=THURSDAY)
    with pytest.raises(ActionPermissionDenied):
        start_investigation(actor=world.engineer, complaint=complaint, at=THURSDAY)
    start_investigation(actor=world.manager, complaint=complaint, at=THURSDAY)
    with pytest.raises(ActionPermissionDenied):
        decide_complaint(
            actor=world.engineer,
            complaint=complaint,
            outcome="not_upheld",
            reason="I did nothing wrong",
            at=THURSDAY,
        )
    complaint.refresh_from_db()
    assert (complaint.stage, complaint.outcome, complaint.decided_by) == (
        "investigating",
        "",
        None,
    )


def test_an_owner_who_becomes_involved_can_no_longer_decide(
    world: World, ticket: Any, second_manager: Any
) -> None:
    complaint = _log(world, ticket)
    assert complaint.owner == world.manager
    acknowledge_complaint(actor=world.operator, complaint=complaint, at=THURSDAY)
    start_investigation(actor=world.manager, complaint=complaint, at=THURSDAY)
    add_public_reply(
        actor=world.manager, ticket=ticket, body="Sorry about this", at=london(2026, 3, 12, 15, 0)
    )
    with pytest.raises(ActionPermissionDenied) as exc:
        decide_complaint(
            actor=world.manager,
            complaint=complaint,
            outcome="upheld",
            reason="We were slow",
            at=london(2026, 3, 12, 16, 0),
        )
    assert str(exc.value) == (
        "Max Manager is now involved in what the complaint is about: assign another owner"
    )
    complaint.refresh_from_db()
    assert (complaint.stage, complaint.outcome) == ("investigating", "")
    assign_owner(
        actor=world.admin,
        complaint=complaint,
        owner=second_manager,
        reason="Max replied on the ticket",
        at=london(2026, 3, 12, 16, 30),
    )
    decided = decide_complaint(
        actor=second_manager,
        complaint=complaint,
        outcome="upheld",
        reason="We were slow",
        at=london(2026, 3, 12, 17, 0),
    )
    assert decided.decided_by == second_manager


def test_another_manager_who_is_not_the_owner_cannot_decide(
    world: World, ticket: Any, second_manager: Any
) -> None:
    complaint = _log(world, ticket)
    acknowledge_complaint(actor=world.operator, complaint=complaint, at=THURSDAY)
    start_investigation(actor=world.manager, complaint=complaint, at=THURSDAY)
    with pytest.raises(ActionPermissionDenied):
        decide_complaint(
            actor=second_manager, complaint=complaint, outcome="upheld", reason="x", at=THURSDAY
        )
    complaint.refresh_from_db()
    assert complaint.stage == "investigating"


def test_customers_see_only_their_own_companys_complaints(world: World, ticket: Any) -> None:
    complaint = _log(world, ticket)
    assert list(complaints_visible_to(world.acme_user)) == [complaint]
    assert list(complaints_visible_to(world.bluebell_user)) == []
    with pytest.raises(Complaint.DoesNotExist):
        complaint_for(world.bluebell_user, complaint.reference)
    with pytest.raises(ActionPermissionDenied) as exc:
        acknowledge_complaint(actor=world.bluebell_user, complaint=complaint, at=THURSDAY)
    assert str(exc.value) == "a customer contact may not handle_complaint"
    complaint.refresh_from_db()
    assert complaint.stage == "logged"


def test_the_manager_the_ticket_is_assigned_to_is_involved(
    world: World, ticket: Any, second_manager: Any
) -> None:
    from sladesk.queue.actions import assign

    assign(actor=world.admin, ticket=ticket, agent=second_manager, at=THURSDAY)
    complaint = _log(world, ticket)
    assert complaint.owner == world.manager
    with pytest.raises(ActionValidationError) as exc:
        assign_owner(
            actor=world.admin, complaint=complaint, owner=second_manager, reason="x", at=THURSDAY
        )
    assert exc.value.errors == {"owner": "Mia Manager was involved in what the complaint is about"}
    complaint.refresh_from_db()
    assert complaint.owner == world.manager

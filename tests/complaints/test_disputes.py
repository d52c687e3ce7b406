"""A disputed charge is held until the complaints decision, which releases or waives it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from helpdesk_world import World, london
from sladesk.billing.actions import dispute_charge
from sladesk.complaints.actions import (
    acknowledge_complaint,
    decide_complaint,
    log_complaint,
    start_investigation,
)
from sladesk.complaints.models import Complaint
from sladesk.core.errors import ActionValidationError

APRIL_2 = london(2026, 4, 2, 10, 0)  # Thursday


def _dispute(world: World, charge: Any) -> Complaint:
    dispute_charge(
        actor=world.acme_user,
        charge=charge,
        reason="The fault was in your product, not our network",
        at=APRIL_2,
    )
    complaint = Complaint.objects.get(charge=charge)
    acknowledge_complaint(actor=world.operator, complaint=complaint, at=london(2026, 4, 2, 11, 0))
    return start_investigation(
        actor=world.manager, complaint=complaint, at=london(2026, 4, 2, 12, 0)
    )


def test_disputing_a_charge_holds_it_and_logs_a_charge_complaint(world: World, charge: Any) -> None:
    dispute_charge(
        actor=world.acme_user,
        charge=charge,
        reason="The fault was in your product, not our network",
        at=APRIL_2,
    )
    charge.refresh_from_db()
    assert charge.held is True
    complaint = Complaint.objects.get()
    assert (complaint.about, complaint.charge, complaint.ticket) == (
        "charge",
        charge,
        charge.ticket,
    )
    assert complaint.cause == "charge"
    assert complaint.contact == world.acme_contact
    # Thursday 2 April 2026: Good Friday 3 April and Easter Monday 6 April do not count.
    assert complaint.acknowledge_due == london(2026, 4, 7, 17, 0)
    assert complaint.decision_due == london(2026, 4, 20, 17, 0)


def test_a_charge_already_under_dispute_cannot_be_disputed_twice(world: World, charge: Any) -> None:
    _dispute(world, charge)
    with pytest.raises(ActionValidationError) as exc:
        log_complaint(
            actor=world.acme_user,
            about="charge",
            charge=charge,
            summary="Again",
            at=london(2026, 4, 7, 9, 0),
        )
    assert exc.value.errors == {"charge": "this charge is already disputed in CMP-1001"}
    assert Complaint.objects.count() == 1


def test_not_upheld_releases_the_held_charge(world: World, charge: Any) -> None:
    complaint = _dispute(world, charge)
    decide_complaint(
        actor=world.manager,
        complaint=complaint,
        outcome="not_upheld",
        reason="The logs show a proxy change on the customer's network.",
        at=london(2026, 4, 8, 10, 0),
    )
    charge.refresh_from_db()
    assert (charge.held, charge.decision) == (False, "released")
    assert charge.decision_reason == "Complaint CMP-1001 not upheld: charge stands"
    complaint.refresh_from_db()
    # The frozen evidence shows the charge as it was when decided: held, in question.
    assert [(c["id"], c["in_question"], c["held"]) for c in complaint.evidence["charges"]] == [
        (charge.pk, True, True)
    ]


def test_upheld_with_the_charge_waived_waives_it(world: World, charge: Any) -> None:
    complaint = _dispute(world, charge)
    decided = decide_complaint(
        actor=world.manager,
        complaint=complaint,
        outcome="upheld",
        reason="The fault was ours.",
        waive_charge=True,
        at=london(2026, 4, 8, 10, 0),
    )
    charge.refresh_from_db()
    assert (charge.held, charge.decision) == (False, "waived")
    assert decided.charge_waived is True


def test_partly_upheld_with_a_credit_keeps_the_charge_and_records_the_credit(
    world: World, charge: Any
) -> None:
    complaint = _dispute(world, charge)
    decided = decide_complaint(
        actor=world.manager,
        complaint=complaint,
        outcome="partly_upheld",
        reason="Chargeable, but we took too long to say so.",
        credit_amount="50.00",
        credit_currency="GBP",
        at=london(2026, 4, 8, 10, 0),
    )
    charge.refresh_from_db()
    assert (charge.held, charge.decision) == (False, "released")
    assert (decided.credit_amount, decided.credit_currency) == (Decimal("50.00"), "GBP")


def test_a_refused_decision_leaves_the_charge_held(world: World, charge: Any) -> None:
    complaint = _dispute(world, charge)
    with pytest.raises(ActionValidationError) as exc:
        decide_complaint(
            actor=world.manager,
            complaint=complaint,
            outcome="not_upheld",
            reason="Chargeable",
            waive_charge=True,
            at=london(2026, 4, 8, 10, 0),
        )
    assert exc.value.errors == {"remedy": "a complaint that is not upheld has no remedy"}
    charge.refresh_from_db()
    assert (charge.held, charge.decision) == (True, "")
    complaint.refresh_from_db()
    assert complaint.stage == "investigating"


def test_a_customer_sees_only_issued_charges_and_no_time_entries_in_the_evidence(
    world: World, charge: Any
) -> None:
    from sladesk.billing.models import Charge, TimeEntry
    from sladesk.complaints.selectors import evidence_for

    TimeEntry.objects.create(
        ticket=charge.ticket,
        staff=world.engineer,
        started_at=london(2026, 3, 10, 10, 0),
        duration_seconds=3600,
        in_hours_seconds=3600,
        out_of_hours_seconds=0,
        description="Checked the customer's proxy settings",
        recorded_by=world.engineer,
        recorded_at=london(2026, 3, 10, 11, 0),
    )
    draft_line = Charge.objects.create(
        statement=None,
        company=world.acme,
        ticket=charge.ticket,
        description="Not yet on an issued statement",
        currency="GBP",
        in_hours_rate=Decimal("150.00"),
        billed_in_seconds=3600,
        in_hours_amount=Decimal("150.00"),
        amount=Decimal("150.00"),
        created_at=london(2026, 4, 1, 9, 0),
    )
    complaint = _dispute(world, charge)

    staff_view = evidence_for(world.manager, complaint, now=london(2026, 4, 2, 13, 0))
    customer_view = evidence_for(world.acme_user, complaint, now=london(2026, 4, 2, 13, 0))

    assert len(staff_view["time_entries"]) == 1
    assert {c["id"] for c in staff_view["charges"]} == {charge.pk, draft_line.pk}
    assert customer_view["time_entries"] == []
    assert [c["id"] for c in customer_view["charges"]] == [charge.pk]

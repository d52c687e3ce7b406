"""Charges and disputes through the API: the billing selectors and `dispute_charge`, with the
statement page's rules (a customer sees and disputes only lines of issued statements)."""

from __future__ import annotations

import pytest
from api_client import charge_on, problem

pytestmark = pytest.mark.django_db


def test_a_customer_disputes_a_charge_and_it_is_held_until_the_complaints_decision(
    world, log, api_as
):
    from sladesk.audit.models import AuditEvent
    from sladesk.complaints.models import Complaint

    charge = charge_on(world, log())

    response = api_as(world.acme_user).post(
        f"/charges/{charge.pk}/disputes", {"reason": "The fault was in your product"}
    )

    assert response.status_code == 201
    body = response.json()
    charge.refresh_from_db()
    assert (charge.held, charge.hold_reason) == (True, "The fault was in your product")
    complaint = Complaint.objects.get()
    assert (complaint.about, complaint.charge, complaint.contact) == (
        "charge",
        charge,
        world.acme_contact,
    )
    assert (body["charge"]["id"], body["charge"]["held"], body["charge"]["amount"]) == (
        charge.pk,
        True,
        "300.00",
    )
    assert (body["complaint"]["reference"], body["complaint"]["charge_id"]) == (
        complaint.reference,
        charge.pk,
    )
    assert AuditEvent.objects.filter(action="billing.charge_disputed").count() == 1


def test_a_dispute_needs_a_reason_and_nothing_changes_without_one(world, log, api_as):
    from sladesk.complaints.models import Complaint

    charge = charge_on(world, log())
    api = api_as(world.acme_user)

    missing = api.post(f"/charges/{charge.pk}/disputes", {})
    blank = api.post(f"/charges/{charge.pk}/disputes", {"reason": "  "})
    bad_id = api.post("/charges/x/disputes", {"reason": "Too much"})

    assert missing.status_code == blank.status_code == bad_id.status_code == 422
    assert [e["pointer"] for e in problem(missing)["errors"]] == ["/reason"]
    assert problem(blank)["errors"] == [
        {"pointer": "/reason", "detail": "say why the charge is disputed"}
    ]
    assert [(e["parameter"], e["in"]) for e in problem(bad_id)["errors"]] == [("charge_id", "path")]
    charge.refresh_from_db()
    assert charge.held is False
    assert Complaint.objects.count() == 0


def test_a_charge_on_a_draft_statement_or_of_another_company_is_not_found(world, log, api_as):
    from sladesk.complaints.models import Complaint

    draft = charge_on(world, log(), issued=False)
    theirs = charge_on(world, log(company=world.bluebell, contact=world.bluebell_contact))
    api = api_as(world.acme_user)

    responses = [
        api.post(f"/charges/{draft.pk}/disputes", {"reason": "Too much"}),
        api.post(f"/charges/{theirs.pk}/disputes", {"reason": "Too much"}),
        api.post("/charges/999999/disputes", {"reason": "Too much"}),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert {problem(r)["detail"] for r in responses} == {"no such object"}
    draft.refresh_from_db()
    theirs.refresh_from_db()
    assert (draft.held, theirs.held) == (False, False)
    assert Complaint.objects.count() == 0


def test_a_charge_already_disputed_is_refused_and_stays_with_its_one_complaint(world, log, api_as):
    from sladesk.complaints.models import Complaint

    charge = charge_on(world, log())
    api = api_as(world.acme_user)
    api.post(f"/charges/{charge.pk}/disputes", {"reason": "Too much"})

    again = api.post(f"/charges/{charge.pk}/disputes", {"reason": "Still too much"})

    assert again.status_code == 422
    assert problem(again)["errors"] == [
        {
            "pointer": "/charge",
            "detail": "this charge is already disputed and held until the decision",
        }
    ]
    charge.refresh_from_db()
    assert charge.hold_reason == "Too much"
    assert Complaint.objects.count() == 1


def test_staff_dispute_on_behalf_of_the_tickets_contact(world, log, api_as):
    from sladesk.complaints.models import Complaint

    charge = charge_on(world, log(), issued=False)

    response = api_as(world.manager).post(
        f"/charges/{charge.pk}/disputes", {"reason": "Customer rang: wrong rate"}
    )

    assert response.status_code == 201
    complaint = Complaint.objects.get()
    assert (complaint.contact, complaint.channel, complaint.logged_by) == (
        world.acme_contact,
        "phone",
        world.manager,
    )


def test_a_customer_lists_only_its_issued_charges_with_the_held_flag(world, log, api_as):
    from sladesk.billing.actions import dispute_charge

    ticket = log()
    issued = charge_on(world, ticket)
    charge_on(world, ticket, issued=False)
    charge_on(world, log(company=world.bluebell, contact=world.bluebell_contact))
    dispute_charge(actor=world.acme_user, charge=issued, reason="Too much")
    api = api_as(world.acme_user)

    body = api.get("/charges").json()
    not_held = api.get("/charges", held="false").json()

    assert [(c["id"], c["held"], c["statement"]) for c in body["items"]] == [
        (issued.pk, True, issued.statement.number)
    ]
    assert body["next_cursor"] is None
    assert not_held["items"] == []


def test_staff_list_every_charge_and_follow_the_cursor(world, log, api_as):
    first = charge_on(world, log())
    second = charge_on(world, log(), issued=False)
    third = charge_on(world, log(company=world.bluebell, contact=world.bluebell_contact))
    api = api_as(world.engineer)

    page_one = api.get("/charges", limit=2).json()
    page_two = api.get("/charges", limit=2, cursor=page_one["next_cursor"]).json()
    by_ticket = api.get("/charges", ticket=second.ticket.reference).json()

    assert [c["id"] for c in page_one["items"]] == [third.pk, second.pk]
    assert [c["id"] for c in page_two["items"]] == [first.pk]
    assert [c["id"] for c in by_ticket["items"]] == [second.pk]
    assert api.get("/charges", limit=0).status_code == 422

"""Complaints through the API: the complaints actions and selectors, as on the pages."""

from __future__ import annotations

from typing import Any

import pytest
from api_client import charge_on, problem

from helpdesk_world import World, london

pytestmark = pytest.mark.django_db

TUESDAY_11AM = london(2026, 3, 10, 11, 0)


def _complaint(world: World, **overrides: Any) -> Any:
    from sladesk.complaints.actions import log_complaint

    fields: dict[str, Any] = {
        "actor": world.acme_user,
        "about": "service",
        "summary": "Nobody called back",
        "at": TUESDAY_11AM,
    }
    fields.update(overrides)
    return log_complaint(**fields)


def test_a_customer_logs_a_complaint_about_its_ticket_through_the_api(world, log, api_as):
    from sladesk.audit.models import AuditEvent
    from sladesk.complaints.models import Complaint

    ticket = log()

    response = api_as(world.acme_user).post(
        "/complaints",
        {"about": "ticket", "ticket": ticket.reference, "summary": "Fixed, then broke again"},
    )

    assert response.status_code == 201
    body = response.json()
    complaint = Complaint.objects.get()
    assert body["reference"] == complaint.reference == "CMP-1001"
    assert (complaint.contact, complaint.ticket, complaint.channel, complaint.logged_by) == (
        world.acme_contact,
        ticket,
        "api",
        world.acme_user,
    )
    assert (body["about"], body["ticket"], body["cause"], body["stage"]) == (
        "ticket",
        ticket.reference,
        "resolution",
        "logged",
    )
    # Logged Wednesday 11 March 10:00: the logging day never counts.
    assert (body["acknowledge_due"], body["decision_due"]) == (
        "2026-03-12T17:00:00Z",
        "2026-03-25T17:00:00Z",
    )
    assert (body["acknowledge_met"], body["acknowledge_state"], body["decision"]) == (
        None,
        "pending",
        None,
    )
    assert body["owner"] == "Max Manager"
    assert body["evidence"]["ticket"]["reference"] == ticket.reference
    assert AuditEvent.objects.filter(action="complaint.logged").count() == 1


def test_the_helpdesk_logs_a_phoned_complaint_on_behalf_of_a_customer_contact(world, api_as):
    from sladesk.complaints.models import Complaint

    response = api_as(world.operator).post(
        "/complaints",
        {
            "about": "service",
            "summary": "Rude on the phone",
            "cause": "conduct",
            "contact_id": world.bluebell_contact.pk,
        },
    )

    assert response.status_code == 201
    complaint = Complaint.objects.get()
    assert (complaint.company, complaint.contact, complaint.channel, complaint.cause) == (
        world.bluebell,
        world.bluebell_contact,
        "phone",
        "conduct",
    )
    assert response.json()["company"] == "bluebell"


def test_schema_validation_lists_every_missing_or_wrong_field(world, api_as):
    from sladesk.complaints.models import Complaint

    response = api_as(world.acme_user).post(
        "/complaints", {"about": "everything", "cause": "bad luck", "charge_id": "x"}
    )

    assert response.status_code == 422
    body = problem(response)
    assert body["type"] == "https://sladesk.dev/problems/validation"
    assert {e["pointer"] for e in body["errors"]} == {"/about", "/summary", "/cause", "/charge_id"}
    assert Complaint.objects.count() == 0


def test_the_actions_validation_lists_every_problem_at_once_and_saves_nothing(world, log, api_as):
    from sladesk.audit.models import AuditEvent
    from sladesk.complaints.models import Complaint, ComplaintCounter

    theirs = log(company=world.bluebell, contact=world.bluebell_contact)

    response = api_as(world.acme_user).post(
        "/complaints",
        {"about": "ticket", "ticket": theirs.reference, "summary": " ", "contact_id": 999},
    )

    assert response.status_code == 422
    errors = {e["pointer"]: e["detail"] for e in problem(response)["errors"]}
    assert errors == {
        "/ticket": "no such ticket",
        "/summary": "say what the complaint is",
        "/on_behalf_of": "no contact 999",
    }
    assert Complaint.objects.count() == 0
    assert not ComplaintCounter.objects.exists()
    assert not AuditEvent.objects.filter(action="complaint.logged").exists()


def test_a_charge_the_customer_may_not_see_is_not_found(world, log, api_as):
    from sladesk.complaints.models import Complaint

    draft = charge_on(world, log(), issued=False)

    response = api_as(world.acme_user).post(
        "/complaints", {"about": "charge", "charge_id": draft.pk, "summary": "Too much"}
    )

    assert response.status_code == 422
    assert {e["pointer"]: e["detail"] for e in problem(response)["errors"]} == {
        "/charge": "no such charge"
    }
    assert Complaint.objects.count() == 0


def test_a_customer_cannot_complain_for_another_contact_and_nothing_is_saved(world, api_as):
    from sladesk.complaints.models import Complaint
    from sladesk.customers.models import Contact

    colleague = Contact.objects.create(company=world.acme, name="Carl Acme", phone="01473 1")

    response = api_as(world.acme_user).post(
        "/complaints", {"about": "service", "summary": "Slow", "contact_id": colleague.pk}
    )

    assert response.status_code == 403
    assert problem(response)["detail"] == "a customer contact complains only for itself"
    assert Complaint.objects.count() == 0


def test_a_customer_lists_only_its_own_companys_complaints(world, api_as):
    mine = _complaint(world)
    _complaint(world, actor=world.bluebell_user)

    body = api_as(world.acme_user).get("/complaints").json()

    assert [c["reference"] for c in body["items"]] == [mine.reference]
    assert body["next_cursor"] is None


def test_staff_filter_the_list_and_follow_the_cursor(world, api_as):
    from sladesk.complaints.actions import acknowledge_complaint

    first = _complaint(world, at=london(2026, 3, 10, 9, 0))
    second = _complaint(world, actor=world.bluebell_user, at=london(2026, 3, 10, 10, 0))
    third = _complaint(world, at=london(2026, 3, 10, 11, 0))
    acknowledge_complaint(actor=world.operator, complaint=second, at=london(2026, 3, 10, 12, 0))
    api = api_as(world.manager)

    page_one = api.get("/complaints", limit=2).json()
    page_two = api.get("/complaints", limit=2, cursor=page_one["next_cursor"]).json()
    acknowledged = api.get("/complaints", stage="acknowledged").json()
    acme = api.get("/complaints", company="acme").json()

    assert [c["reference"] for c in page_one["items"]] == [third.reference, second.reference]
    assert [c["reference"] for c in page_two["items"]] == [first.reference]
    assert page_two["next_cursor"] is None
    assert [c["reference"] for c in acknowledged["items"]] == [second.reference]
    assert acknowledged["items"][0]["acknowledge_met"] is True
    assert [c["reference"] for c in acme["items"]] == [third.reference, first.reference]


def test_the_list_refuses_an_unknown_stage_and_a_forged_cursor(world, api_as):
    api = api_as(world.manager)

    stage = api.get("/complaints", stage="lost")
    cursor = api.get("/complaints", cursor="not-a-cursor")

    assert stage.status_code == cursor.status_code == 422
    assert [(e["parameter"], e["in"]) for e in problem(stage)["errors"]] == [("stage", "query")]
    assert problem(cursor)["errors"] == [
        {"parameter": "cursor", "in": "query", "detail": "unknown cursor"}
    ]


def test_another_companys_complaint_is_not_found(world, api_as):
    theirs = _complaint(world, actor=world.bluebell_user)
    api = api_as(world.acme_user)

    hidden = api.get(f"/complaints/{theirs.reference}")
    missing = api.get("/complaints/CMP-999999")

    assert hidden.status_code == missing.status_code == 404
    assert {k: v for k, v in problem(hidden).items() if k != "instance"} == {
        k: v for k, v in problem(missing).items() if k != "instance"
    }


def test_a_customer_never_sees_internal_notes_or_the_tickets_internal_timeline(world, log, api_as):
    from sladesk.complaints.actions import annotate_complaint
    from sladesk.tickets.actions import add_internal_note, add_public_reply

    ticket = log()
    add_internal_note(
        actor=world.engineer, ticket=ticket, body="Customer broke it", at=TUESDAY_11AM
    )
    add_public_reply(actor=world.engineer, ticket=ticket, body="Looking", at=TUESDAY_11AM)
    complaint = _complaint(world, about="ticket", ticket=ticket, at=london(2026, 3, 10, 12, 0))
    at = london(2026, 3, 10, 13, 0)
    annotate_complaint(actor=world.manager, complaint=complaint, body="Internal view", at=at)
    annotate_complaint(
        actor=world.manager, complaint=complaint, body="We are on it", visible_to_customer=True
    )

    customer = api_as(world.acme_user).get(f"/complaints/{complaint.reference}").json()
    staff = api_as(world.manager).get(f"/complaints/{complaint.reference}").json()

    assert [n["body"] for n in customer["notes"]] == ["We are on it"]
    assert [n["body"] for n in staff["notes"]] == ["Internal view", "We are on it"]
    assert [e["text"] for e in customer["evidence"]["timeline"]] == ["Looking"]
    staff_texts = [e["text"] for e in staff["evidence"]["timeline"] if e["kind"] != "event"]
    assert staff_texts == ["Customer broke it", "Looking"]
    assert "Customer broke it" not in str(customer)


def test_a_decided_complaint_shows_the_decision_the_remedy_and_the_met_flags(world, api_as):
    from sladesk.complaints.actions import (
        acknowledge_complaint,
        decide_complaint,
        start_investigation,
    )

    complaint = _complaint(world)
    acknowledge_complaint(actor=world.operator, complaint=complaint, at=london(2026, 3, 10, 11, 30))
    start_investigation(actor=world.manager, complaint=complaint, at=london(2026, 3, 10, 12, 0))
    decide_complaint(
        actor=world.manager,
        complaint=complaint,
        outcome="partly_upheld",
        reason="We should have called back.",
        credit_amount="50.00",
        credit_currency="GBP",
        at=london(2026, 3, 10, 14, 0),
    )

    body = api_as(world.acme_user).get(f"/complaints/{complaint.reference}").json()

    assert (body["stage"], body["acknowledge_met"], body["decision_met"]) == (
        "decided",
        True,
        True,
    )
    assert (body["acknowledge_state"], body["decision_state"]) == ("met", "met")
    assert body["decision"] == {
        "outcome": "partly_upheld",
        "reason": "We should have called back.",
        "decided_at": "2026-03-10T14:00:00Z",
        "decided_by": "Max Manager",
        "remedy": {
            "credit_amount": "50.00",
            "credit_currency": "GBP",
            "charge_waived": False,
            "ticket_reopened": False,
        },
    }
    # The evidence is the record frozen at the decision, as the complaints app stored it.
    assert body["evidence"]["assembled_at"] == "2026-03-10T14:00:00+00:00"
    assert "Decide within 10 business days" in body["targets_explanation"]

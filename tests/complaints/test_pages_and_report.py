"""The complaint pages (scoped, CSRF-protected) and the managers' report."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import timezone

from helpdesk_world import World, london
from sladesk.complaints.actions import (
    acknowledge_complaint,
    decide_complaint,
    log_complaint,
    start_investigation,
)
from sladesk.complaints.models import Complaint
from sladesk.complaints.selectors import complaint_report
from sladesk.tickets.actions import add_internal_note

THURSDAY = london(2026, 3, 12, 14, 0)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _decided(world: World, ticket: Any) -> Complaint:
    complaint = log_complaint(
        actor=world.acme_user, about="ticket", ticket=ticket, summary="Too slow", at=THURSDAY
    )
    acknowledge_complaint(actor=world.operator, complaint=complaint, at=THURSDAY)
    start_investigation(actor=world.manager, complaint=complaint, at=THURSDAY)
    return decide_complaint(
        actor=world.manager,
        complaint=complaint,
        outcome="partly_upheld",
        reason="The call back was late.",
        at=london(2026, 3, 13, 9, 0),
    )


def test_a_customer_logs_a_complaint_from_the_portal(world: World, ticket: Any) -> None:
    response = _client(world.acme_user).post(
        "/complaints/new/",
        {"about": "ticket", "ticket": ticket.reference, "summary": "Nobody called back"},
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/complaints/{complaint.reference}/"
    assert (complaint.channel, complaint.ticket, complaint.contact) == (
        "portal",
        ticket,
        world.acme_contact,
    )


def test_the_portal_form_refuses_another_companys_ticket_as_not_found(
    world: World, ticket: Any
) -> None:
    response = _client(world.bluebell_user).post(
        "/complaints/new/",
        {"about": "ticket", "ticket": ticket.reference, "summary": "Not mine"},
    )
    assert response.status_code == 200
    assert b"ticket: no such ticket" in response.content
    assert Complaint.objects.count() == 0


def test_posting_without_a_csrf_token_is_refused(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.acme_user)
    response = client.post("/complaints/new/", {"about": "service", "summary": "Slow"})
    assert response.status_code == 403
    assert Complaint.objects.count() == 0


def test_the_customer_sees_its_decision_but_not_internal_evidence(
    world: World, ticket: Any
) -> None:
    add_internal_note(actor=world.engineer, ticket=ticket, body="SECRET-NOTE", at=THURSDAY)
    complaint = _decided(world, ticket)
    mine = _client(world.acme_user).get("/complaints/")
    assert complaint.reference.encode() in mine.content
    assert b"Partly upheld" in mine.content
    page = _client(world.acme_user).get(f"/complaints/{complaint.reference}/")
    assert page.status_code == 200
    assert b"The call back was late." in page.content
    assert b"SECRET-NOTE" not in page.content
    staff_page = _client(world.manager).get(f"/complaints/{complaint.reference}/")
    assert b"SECRET-NOTE" in staff_page.content
    assert _client(world.bluebell_user).get(f"/complaints/{complaint.reference}/").status_code == (
        404
    )


def test_staff_move_a_complaint_through_its_stages_from_the_page(world: World, ticket: Any) -> None:
    complaint = log_complaint(
        actor=world.acme_user, about="ticket", ticket=ticket, summary="Too slow", at=THURSDAY
    )
    url = f"/complaints/{complaint.reference}/"
    _client(world.operator).post(url + "acknowledge/", {"message": "Received"})
    manager = _client(world.manager)
    manager.post(url + "investigate/")
    manager.post(url + "decide/", {"outcome": "upheld", "reason": "We were slow", "cause": ""})
    manager.post(url + "close/")
    complaint.refresh_from_db()
    assert (complaint.stage, complaint.outcome, complaint.decision_reason) == (
        "closed",
        "upheld",
        "We were slow",
    )


def test_only_managers_and_administrators_see_the_report(world: World) -> None:
    assert _client(world.manager).get("/complaints/report/").status_code == 200
    assert _client(world.admin).get("/complaints/report/").status_code == 200
    assert _client(world.engineer).get("/complaints/report/").status_code == 403
    assert _client(world.acme_user).get("/complaints/report/").status_code == 403


def test_the_report_counts_open_complaints_ages_and_outcomes_by_customer_and_cause(
    world: World, ticket: Any
) -> None:
    _decided(world, ticket)
    log_complaint(
        actor=world.operator,
        about="service",
        summary="Phones unanswered",
        on_behalf_of=world.bluebell_contact,
        cause="communication",
        at=london(2026, 3, 12, 9, 0),  # Thursday
    )
    report = complaint_report(world.manager, now=london(2026, 3, 17, 12, 0))  # Tuesday
    assert report.total == 2
    assert [(r.complaint.company.name, r.age_business_days) for r in report.open_rows] == [
        ("Bluebell Insurance", 2)  # Friday 13 and Monday 16 have closed
    ]
    assert [(r.acknowledge_state, r.decision_state) for r in report.open_rows] == [
        ("overdue", "pending")
    ]
    assert report.customer_rows == [
        ("Acme Contact Centres", [0, 0, 1, 0], 1),
        ("Bluebell Insurance", [1, 0, 0, 0], 1),
    ]
    assert report.cause_rows == [
        ("Communication", [1, 0, 0, 0], 1),
        ("Resolution of the problem", [0, 0, 1, 0], 1),
    ]
    assert (report.acknowledge_met, report.acknowledge_breached) == (1, 1)
    assert (report.decision_met, report.decision_breached) == (1, 0)
    assert complaint_report(world.engineer, now=timezone.now()).total == 0

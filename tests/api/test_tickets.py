"""Tickets through the API: the same actions, permissions and audit as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from api_client import NOW, problem, ticket_body

from helpdesk_world import TUESDAY_10AM, london

pytestmark = pytest.mark.django_db


def test_a_customer_logs_a_ticket_for_its_own_company_through_the_api(world, api_as):
    from sladesk.audit.models import AuditEvent
    from sladesk.tickets.models import Ticket

    response = api_as(world.acme_user).post("/tickets", ticket_body(world))

    assert response.status_code == 201
    body = response.json()
    ticket = Ticket.objects.get(reference=body["reference"])
    assert (ticket.company, ticket.contact, ticket.channel) == (
        world.acme,
        world.acme_contact,
        "api",
    )
    assert ticket.logged_by == world.acme_user
    assert body["priority"] == "normal"
    assert body["response_due"] == "2026-03-11T12:00:00Z"
    assert body["needs_review"] is None  # internal flags are not shown to customers
    assert AuditEvent.objects.filter(action="ticket.logged", ticket=ticket).count() == 1


def test_staff_log_a_ticket_with_a_priority_and_see_the_internal_flags(world, api_as):
    response = api_as(world.operator).post(
        "/tickets",
        ticket_body(world, company="acme", contact_id=world.acme_contact.pk, priority="critical"),
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["priority"], body["coverage"], body["needs_review"]) == ("critical", "24x7", False)
    assert body["response_due"] == "2026-03-11T10:15:00Z"


def test_a_customer_naming_another_company_is_refused_and_nothing_is_saved(world, api_as):
    from sladesk.tickets.models import Ticket

    response = api_as(world.acme_user).post("/tickets", ticket_body(world, company="bluebell"))

    assert response.status_code == 422
    assert {"pointer": "/company", "detail": "no company 'bluebell'"} in problem(response)["errors"]
    assert Ticket.objects.count() == 0


def test_a_customer_cannot_set_the_priority_and_fields_it_may_not_set_are_ignored(world, api_as):
    from sladesk.tickets.models import Ticket

    refused = api_as(world.acme_user).post("/tickets", ticket_body(world, priority="critical"))
    assert refused.status_code == 422
    assert [e["pointer"] for e in problem(refused)["errors"]] == ["/priority"]
    assert Ticket.objects.count() == 0

    ignored = api_as(world.acme_user).post(
        "/tickets",
        ticket_body(
            world,
            assignee=world.engineer.email,
            needs_review=True,
            chargeable=True,
            status="closed",
        ),
    )
    assert ignored.status_code == 201
    ticket = Ticket.objects.get()
    assert (ticket.assignee, ticket.needs_review, ticket.chargeable, ticket.status) == (
        None,
        False,
        None,
        "new",
    )


def test_schema_validation_lists_every_missing_or_wrong_field(world, api_as):
    response = api_as(world.acme_user).post(
        "/tickets", {"module_id": "x", "affected": "everyone", "problem_since": "yesterday"}
    )

    body = problem(response)
    assert response.status_code == 422
    assert body["type"] == "https://sladesk.dev/problems/validation"
    assert {e["pointer"] for e in body["errors"]} == {
        "/module_id",
        "/version",
        "/overview",
        "/affected",
        "/problem_since",
        "/error_details",
        "/business_impact",
    }


def test_the_actions_validation_lists_every_problem_at_once(world, api_as):
    response = api_as(world.acme_user).post(
        "/tickets",
        ticket_body(world, overview=" ", contact_phone="call me", version="9.9", module_id=999),
    )

    assert response.status_code == 422
    errors = {e["pointer"]: e["detail"] for e in problem(response)["errors"]}
    assert errors == {
        "/overview": "give an overview of the problem",
        "/contact_phone": "'call me' is not a phone number",
        "/module": "no module 999",
    }


def test_a_customer_lists_only_its_own_companys_tickets(world, log, api_as):
    mine = log()
    log(company=world.bluebell, contact=world.bluebell_contact)

    body = api_as(world.acme_user).get("/tickets").json()

    assert [t["reference"] for t in body["items"]] == [mine.reference]
    assert body["next_cursor"] is None


def test_staff_filter_the_list_by_status_priority_company_breached_and_time(world, log, api_as):
    from sladesk.tickets import actions

    critical = log(priority="critical", at=london(2026, 3, 10, 9, 0))
    normal = log(at=london(2026, 3, 10, 11, 0))
    bluebell = log(
        company=world.bluebell, contact=world.bluebell_contact, at=london(2026, 3, 11, 9, 30)
    )
    actions.add_public_reply(
        actor=world.engineer, ticket=normal, body="Looking", at=london(2026, 3, 10, 11, 5)
    )
    api = api_as(world.engineer)

    def refs(**params: Any) -> list[str]:
        response = api.get("/tickets", **params)
        assert response.status_code == 200, response.content
        return [t["reference"] for t in response.json()["items"]]

    assert refs(priority="critical") == [critical.reference]
    assert refs(status="responded") == [normal.reference]
    assert refs(company="bluebell") == [bluebell.reference]
    # The critical ticket was due at 09:15 on the 10th and never answered.
    assert refs(breached="true") == [critical.reference]
    assert refs(breached="false") == [bluebell.reference, normal.reference]
    assert refs(logged_from="2026-03-10T10:00:00Z", logged_to="2026-03-11T09:30:00Z") == [
        normal.reference
    ]


def test_the_assignee_filter_is_for_the_helpdesk(world, log, api_as):
    from sladesk.queue.actions import assign

    ticket = log()
    log()
    assign(actor=world.manager, ticket=ticket, agent=world.engineer, at=TUESDAY_10AM)

    staff = api_as(world.manager).get("/tickets", assignee=world.engineer.email).json()
    mine = api_as(world.engineer).get("/tickets", assignee="me").json()
    refused = api_as(world.acme_user).get("/tickets", assignee="none")

    assert [t["reference"] for t in staff["items"]] == [ticket.reference]
    assert [t["assignee"] for t in mine["items"]] == [world.engineer.email]
    assert refused.status_code == 422
    assert problem(refused)["errors"] == [
        {"pointer": "/assignee", "detail": "filtering by assignee is for the helpdesk"}
    ]


def test_cursor_pagination_walks_every_ticket_once_newest_first(world, log, api_as):
    logged = [log(at=TUESDAY_10AM + dt.timedelta(minutes=i)) for i in range(5)]
    # Two tickets at the same instant are ordered by id, so none is skipped.
    logged.append(log(at=TUESDAY_10AM + dt.timedelta(minutes=4)))
    api = api_as(world.operator)

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        body = api.get("/tickets", **params).json()
        seen += [t["reference"] for t in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break

    expected = sorted(logged, key=lambda t: (t.logged_at, t.pk), reverse=True)
    assert seen == [t.reference for t in expected]


def test_a_cursor_that_was_not_given_out_is_a_validation_problem(world, api_as):
    response = api_as(world.operator).get("/tickets", cursor="not-a-cursor")

    assert response.status_code == 422
    assert problem(response)["errors"] == [
        {"parameter": "cursor", "in": "query", "detail": "unknown cursor"}
    ]


def test_another_companys_ticket_is_not_found_exactly_like_a_missing_one(world, log, api_as):
    theirs = log(company=world.bluebell, contact=world.bluebell_contact)
    api = api_as(world.acme_user)

    hidden = api.get(f"/tickets/{theirs.reference}")
    missing = api.get("/tickets/CS-999999")

    assert hidden.status_code == missing.status_code == 404
    assert {k: v for k, v in problem(hidden).items() if k != "instance"} == {
        k: v for k, v in problem(missing).items() if k != "instance"
    }
    for path in ("replies", "priority-proposals", "status"):
        write = api.post(f"/tickets/{theirs.reference}/{path}", {"body": "x"})
        assert write.status_code in (404, 422)
    assert api.post(f"/tickets/{theirs.reference}/replies", {"body": "hi"}).status_code == 404
    assert theirs.messages.count() == 0


def test_customers_never_see_internal_notes_or_calls(world, log, api_as):
    from sladesk.tickets import actions

    ticket = log()
    actions.add_internal_note(actor=world.engineer, ticket=ticket, body="secret", at=TUESDAY_10AM)
    actions.log_phone_call(
        actor=world.engineer,
        ticket=ticket,
        direction="inbound",
        duration_seconds=60,
        summary="called",
        at=TUESDAY_10AM,
    )
    actions.add_public_reply(actor=world.engineer, ticket=ticket, body="hello", at=TUESDAY_10AM)

    customer = api_as(world.acme_user).get(f"/tickets/{ticket.reference}").json()
    staff = api_as(world.engineer).get(f"/tickets/{ticket.reference}").json()

    assert [m["kind"] for m in customer["messages"]] == ["public"]
    assert [m["kind"] for m in staff["messages"]] == ["internal", "call", "public"]
    assert (customer["assignee"], customer["scope"]) == (None, None)


def test_the_first_helpdesk_reply_through_the_api_is_the_response(world, log, api_as):
    from sladesk.audit.models import AuditEvent

    ticket = log()

    response = api_as(world.engineer).post(
        f"/tickets/{ticket.reference}/replies", {"body": "On it"}
    )

    assert response.status_code == 201
    ticket.refresh_from_db()
    assert (ticket.responded_at, ticket.first_response_kind, ticket.status) == (
        NOW,
        "public_reply",
        "responded",
    )
    assert AuditEvent.objects.filter(ticket=ticket, action="message.public_reply").count() == 1


def test_a_customer_reply_is_not_a_response(world, log, api_as):
    ticket = log()

    response = api_as(world.acme_user).post(f"/tickets/{ticket.reference}/replies", {"body": "?"})

    assert response.status_code == 201
    ticket.refresh_from_db()
    assert ticket.responded_at is None


@pytest.mark.parametrize("role", ["operator", "engineer", "oncall", "manager", "admin"])
def test_every_helpdesk_role_may_add_an_internal_note(world, log, api_as, role):
    ticket = log()

    response = api_as(getattr(world, role)).post(
        f"/tickets/{ticket.reference}/notes", {"body": "checked logs"}
    )

    assert response.status_code == 201
    assert response.json()["kind"] == "internal"


def test_a_customer_may_not_add_notes_or_log_calls(world, log, api_as):
    ticket = log()
    api = api_as(world.acme_user)

    note = api.post(f"/tickets/{ticket.reference}/notes", {"body": "x"})
    call = api.post(
        f"/tickets/{ticket.reference}/calls",
        {"direction": "outbound", "duration_seconds": 5, "summary": "x"},
    )

    assert note.status_code == call.status_code == 403
    assert problem(note)["detail"] == "a customer contact may not internal_note"
    assert ticket.messages.count() == 0


def test_an_outbound_call_logged_through_the_api_is_the_response(world, log, api_as):
    ticket = log()

    response = api_as(world.operator).post(
        f"/tickets/{ticket.reference}/calls",
        {"direction": "outbound", "duration_seconds": 300, "summary": "Talked to Ann"},
    )

    assert response.status_code == 201
    assert response.json()["call_duration_seconds"] == 300
    ticket.refresh_from_db()
    assert ticket.first_response_kind == "outbound_call"


def test_staff_set_the_priority_with_a_reason_and_the_due_time_is_recomputed(world, log, api_as):
    ticket = log()
    api = api_as(world.manager)

    missing = api.post(
        f"/tickets/{ticket.reference}/priority",
        {"priority": "critical", "reason": " ", "agreed_by": ""},
    )
    assert missing.status_code == 422
    assert {e["pointer"] for e in problem(missing)["errors"]} == {"/reason", "/agreed_by"}

    response = api.post(
        f"/tickets/{ticket.reference}/priority",
        {"priority": "critical", "reason": "whole centre down", "agreed_by": "Ann Acme"},
    )

    assert response.status_code == 200
    assert response.json()["response_due"] == "2026-03-10T10:15:00Z"


def test_a_customer_may_only_propose_a_priority(world, log, api_as):
    ticket = log()
    customer = api_as(world.acme_user)

    refused = customer.post(
        f"/tickets/{ticket.reference}/priority",
        {"priority": "critical", "reason": "urgent", "agreed_by": "me"},
    )
    proposed = customer.post(
        f"/tickets/{ticket.reference}/priority-proposals",
        {"priority": "critical", "reason": "urgent"},
    )
    staff_proposal = api_as(world.operator).post(
        f"/tickets/{ticket.reference}/priority-proposals",
        {"priority": "critical", "reason": "urgent"},
    )

    assert refused.status_code == 403
    assert proposed.status_code == 200
    assert (proposed.json()["priority"], proposed.json()["proposed_priority"]) == (
        "normal",
        "critical",
    )
    assert staff_proposal.status_code == 403


def test_status_changes_go_through_the_status_actions(world, log, api_as):
    ticket = log()
    engineer = api_as(world.engineer)
    path = f"/tickets/{ticket.reference}/status"

    assert engineer.post(path, {"status": "investigating"}).json()["status"] == "in_progress"
    assert engineer.post(path, {"status": "awaiting_customer"}).json()["status"] == (
        "awaiting_customer"
    )
    unresolved = engineer.post(path, {"status": "resolved"})
    assert unresolved.status_code == 422
    assert problem(unresolved)["errors"] == [
        {"pointer": "/resolution", "detail": "describe the resolution"}
    ]
    assert (
        engineer.post(path, {"status": "resolved", "resolution": "restarted"}).json()["status"]
        == "resolved"
    )
    customer = api_as(world.acme_user)
    assert customer.post(path, {"status": "closed"}).json()["status"] == "closed"
    assert (
        customer.post(path, {"status": "reopened", "reason": "back again"}).json()["status"]
        == "in_progress"
    )
    assert customer.post(path, {"status": "investigating"}).status_code == 403


def test_attachments_upload_with_a_reply_and_download_through_the_api(world, log, api_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = log()
    customer = api_as(world.acme_user)

    uploaded = customer.upload(
        f"/tickets/{ticket.reference}/attachments",
        {"body": "screenshot", "files": [SimpleUploadedFile("screen.png", b"PNGDATA")]},
    )

    assert uploaded.status_code == 201
    detail = customer.get(f"/tickets/{ticket.reference}").json()
    [attachment] = detail["attachments"]
    assert (attachment["name"], attachment["size"], attachment["internal"]) == (
        "screen.png",
        7,
        False,
    )
    download = customer.get(f"/tickets/{ticket.reference}/attachments/{attachment['id']}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"PNGDATA"


def test_an_internal_attachment_is_not_found_for_the_customer(world, log, api_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = log()
    staff = api_as(world.engineer)
    refused = api_as(world.acme_user).upload(
        f"/tickets/{ticket.reference}/attachments",
        {"body": "x", "internal": "true", "files": [SimpleUploadedFile("a.txt", b"a")]},
    )
    assert refused.status_code == 403

    staff.upload(
        f"/tickets/{ticket.reference}/attachments",
        {"body": "log file", "internal": "true", "files": [SimpleUploadedFile("log.txt", b"x")]},
    )
    [attachment] = staff.get(f"/tickets/{ticket.reference}").json()["attachments"]

    assert attachment["internal"] is True
    customer = api_as(world.acme_user)
    assert customer.get(f"/tickets/{ticket.reference}").json()["attachments"] == []
    assert (
        customer.get(f"/tickets/{ticket.reference}/attachments/{attachment['id']}").status_code
        == 404
    )


def test_the_sla_view_explains_the_due_time_and_its_history_to_the_helpdesk(world, log, api_as):
    from sladesk.tickets import actions, selectors

    ticket = log()
    actions.set_priority(
        actor=world.manager,
        ticket=ticket,
        priority="major",
        reason="affects all agents",
        agreed_by="Ann Acme",
        at=TUESDAY_10AM + dt.timedelta(minutes=5),
    )

    staff = api_as(world.engineer).get(f"/tickets/{ticket.reference}/sla").json()
    customer = api_as(world.acme_user).get(f"/tickets/{ticket.reference}/sla").json()

    assert staff["response_due"] == "2026-03-10T11:00:00Z"
    ticket.refresh_from_db()
    assert staff["explanation"] == selectors.due_explanation(world.engineer, ticket)
    assert "Rule: 1 hour of open time" in staff["explanation"]
    assert [h["action"] for h in staff["history"]] == ["ticket.logged", "ticket.priority_set"]
    assert staff["history"][1]["agreed_by"] == "Ann Acme"
    assert customer["response_due"] == "2026-03-10T11:00:00Z"
    # Customers get the engine's explanation (as in the portal), not the audit trail.
    assert customer["explanation"] == selectors.sla_explanation(world.acme_user, ticket).text()
    assert customer["history"] == []

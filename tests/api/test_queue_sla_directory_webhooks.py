"""The queue, batch due times, the directory and webhook subscriptions through the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from api_client import problem, ticket_body

from helpdesk_world import TUESDAY_10AM, london
from queue_mix import log_mixed_queue
from sladesk.queue.selectors import queue_for

pytestmark = pytest.mark.django_db


# -------------------------------------------------------------------------------- queue


def test_the_queue_lists_unassigned_tickets_most_urgent_first(world, log, api_as):
    # "Now" is Wednesday 10:00: the Normal ticket is due at 11:30 today, the Critical one
    # was due yesterday at 09:45.
    normal = log(at=london(2026, 3, 11, 9, 30))
    critical = log(priority="critical", at=london(2026, 3, 10, 9, 30))

    body = api_as(world.operator).get("/queue").json()

    assert [(t["reference"], t["breached"]) for t in body["items"]] == [
        (critical.reference, True),
        (normal.reference, False),
    ]
    assert (body["total"], body["next_offset"]) == (2, None)


def test_the_queue_pages_follow_the_queue_order_exactly(world, api_as):
    log_mixed_queue(world)
    expected = [t.reference for t in queue_for(world.operator, now=london(2026, 3, 11, 10, 0))]
    api = api_as(world.operator)

    pages, offset = [], 0
    while offset is not None:
        body = api.get("/queue", limit=4, offset=offset).json()
        pages.append(([t["reference"] for t in body["items"]], body["total"], body["next_offset"]))
        offset = body["next_offset"]

    assert len(expected) == 14
    assert [refs for refs, _, _ in pages] == [expected[i : i + 4] for i in (0, 4, 8, 12)]
    assert [(total, next_offset) for _, total, next_offset in pages] == [
        (14, 4),
        (14, 8),
        (14, 12),
        (14, None),
    ]


def test_an_offset_past_the_end_gives_an_empty_page_with_the_total(world, api_as):
    log_mixed_queue(world)

    body = api_as(world.operator).get("/queue", offset=14).json()

    assert body == {"items": [], "total": 14, "next_offset": None}


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 1_000_001}, "offset"),
        ({"offset": "first"}, "offset"),
    ],
)
def test_a_bad_limit_or_offset_is_refused_naming_the_parameter(world, api_as, params, parameter):
    response = api_as(world.operator).get("/queue", **params)

    assert response.status_code == 422
    assert [(e["parameter"], e["in"]) for e in problem(response)["errors"]] == [
        (parameter, "query")
    ]


def test_customers_have_no_queue(world, api_as):
    api = api_as(world.acme_user)

    assert api.get("/queue").status_code == 403
    assert api.post("/queue/take-next").status_code == 403


def test_take_next_needs_availability_then_gives_the_most_urgent_ticket(world, log, api_as):
    log(at=london(2026, 3, 10, 9, 0))
    critical = log(priority="critical", at=london(2026, 3, 10, 9, 30))
    api = api_as(world.engineer)

    away = api.post("/queue/take-next")
    assert away.status_code == 422
    assert problem(away)["errors"] == [
        {"pointer": "/availability", "detail": "set yourself available first"}
    ]

    assert api.post("/queue/availability", {"available": True}).json()["available"] is True
    taken = api.post("/queue/take-next").json()["ticket"]

    assert (taken["reference"], taken["assignee"]) == (critical.reference, world.engineer.email)
    critical.refresh_from_db()
    assert critical.assignee == world.engineer


def test_take_next_on_an_empty_queue_gives_null(world, api_as):
    api = api_as(world.engineer)
    api.post("/queue/availability", {"available": True})

    assert api.post("/queue/take-next").json() == {"ticket": None}


# ---------------------------------------------------------------------------------- SLA


def test_batch_due_times_equal_the_engines_per_ticket_answers(world, api_as):
    from sladesk.contracts.sla_adapter import compute_response_due, default_policy_row

    rows = [
        {"priority": "critical", "coverage": "standard", "logged_at": "2026-03-13T16:50:00Z"},
        {"priority": "critical", "coverage": "24x7", "logged_at": "2026-03-13T16:50:00Z"},
        {"priority": "minor", "coverage": "standard", "logged_at": "2026-12-24T16:00:00Z"},
        {"priority": "normal", "coverage": None, "logged_at": "2026-03-10T10:00:00Z"},
        {"priority": "enhancement", "coverage": "24x7", "logged_at": "2026-03-10T10:00:00Z"},
    ]

    response = api_as(world.acme_user).post("/sla/due", {"rows": rows})

    assert response.status_code == 200
    body = response.json()
    policy = default_policy_row()
    expected = []
    for row in rows:
        due = compute_response_due(
            policy_row=policy,
            priority=row["priority"],
            coverage=row["coverage"],
            logged_at=dt.datetime.fromisoformat(row["logged_at"]),
        )
        expected.append(due.isoformat().replace("+00:00", "Z") if due else None)
    assert body == {"policy": "default", "due": expected}
    assert body["due"][:2] == ["2026-03-16T09:05:00Z", "2026-03-13T17:05:00Z"]


def test_more_than_ten_thousand_rows_are_refused_naming_the_limit(world, api_as):
    row = {"priority": "normal", "coverage": "standard", "logged_at": "2026-03-10T10:00:00Z"}

    response = api_as(world.engineer).post("/sla/due", {"rows": [row] * 10_001})

    assert response.status_code == 422
    body = problem(response)
    assert body["type"] == "https://sladesk.dev/problems/batch-too-large"
    assert body["detail"] == "at most 10000 rows per call; this one has 10001"


def test_invalid_rows_are_named_by_index_and_field(world, api_as):
    good = {"priority": "normal", "coverage": "standard", "logged_at": "2026-03-10T10:00:00Z"}
    rows = [
        good,
        {**good, "priority": "urgent"},
        good,
        {**good, "logged_at": "2026-03-10T10:00:00"},
        {**good, "logged_at": "2300-01-01T00:00:00Z"},
        {**good, "logged_at": "2150-01-01T00:00:00Z"},
    ]

    response = api_as(world.engineer).post("/sla/due", {"rows": rows})

    assert response.status_code == 422
    assert [e["pointer"] for e in problem(response)["errors"]] == [
        "/rows/1/priority",
        "/rows/3/logged_at",
        "/rows/4/logged_at",
    ]
    far = api_as(world.engineer).post("/sla/due", {"rows": [good, rows[5]]})
    assert problem(far)["errors"] == [
        {"pointer": "/rows/1/logged_at", "detail": "give a year from 1990 to 2100"}
    ]


def test_a_customer_may_use_only_the_default_or_its_own_contracts_policy(world, api_as):
    from sladesk.contracts.models import SlaPolicy
    from sladesk.contracts.sla_adapter import default_policy_row

    default = default_policy_row()
    special = SlaPolicy.objects.create(name="bluebell special", data=default.data)
    world.bluebell_contract.policy = special
    world.bluebell_contract.save()
    row = {"priority": "normal", "coverage": "standard", "logged_at": "2026-03-10T10:00:00Z"}

    acme = api_as(world.acme_user)
    bluebell = api_as(world.bluebell_user)

    assert [p["name"] for p in acme.get("/sla/policies").json()] == ["default"]
    refused = acme.post("/sla/due", {"policy_id": special.pk, "rows": [row]})
    assert problem(refused)["errors"] == [
        {"pointer": "/policy_id", "detail": f"no policy {special.pk}"}
    ]
    allowed = bluebell.post("/sla/due", {"policy_id": special.pk, "rows": [row]})
    assert allowed.json()["policy"] == "bluebell special"


def test_modules_are_listed_with_their_versions(world, api_as):
    body = api_as(world.acme_user).get("/modules").json()

    assert {(m["name"], tuple(m["versions"])) for m in body} == {
        ("Agent Desktop", ("5.1", "5.2")),
        ("Reports", ()),
    }


# ---------------------------------------------------------------------------- directory

DIRECTORY = (
    "/companies",
    "/companies/acme",
    "/contacts",
    "/contracts",
    "/contracts/SC-ACME-1",
    "/users",
)


@pytest.mark.parametrize("role", ["operator", "engineer", "oncall", "manager", "acme_user"])
def test_only_administrators_read_the_directory(world, api_as, role):
    api = api_as(getattr(world, role))

    for path in DIRECTORY:
        assert api.get(path).status_code == 403, path


def test_administrators_read_companies_contacts_contracts_and_users(world, api_as):
    api = api_as(world.admin)

    assert [c["slug"] for c in api.get("/companies").json()] == ["acme", "bluebell", "corvid"]
    assert api.get("/companies/acme").json()["name"] == "Acme Contact Centres"
    assert api.get("/companies/nope").status_code == 404
    assert [c["name"] for c in api.get("/contacts", company="bluebell").json()] == ["Bob Bluebell"]
    contract = api.get("/contracts/SC-ACME-1").json()
    assert (contract["coverage"], contract["modules"]) == (
        "24x7",
        sorted([world.desktop.pk, world.reports.pk]),
    )
    assert len(api.get("/users").json()) == 8


def test_administrators_create_users_through_the_accounts_action(world, api_as):
    from sladesk.accounts.models import User
    from sladesk.audit.models import AuditEvent

    api = api_as(world.admin)
    body = {
        "email": "dan@acme.example",
        "role": "customer",
        "password": "a long enough passphrase 42",
        "company": "acme",
        "full_name": "Dan Acme",
    }

    created = api.post("/users", body)
    duplicate = api.post("/users", body)
    refused = api_as(world.manager).post("/users", {**body, "email": "eve@acme.example"})

    assert created.status_code == 201
    assert created.json()["company"] == "acme"
    assert User.objects.get(email="dan@acme.example").contact.company == world.acme
    assert AuditEvent.objects.filter(action="user.created").count() == 1
    assert problem(duplicate)["errors"] == [
        {"pointer": "/email", "detail": "a user with email dan@acme.example already exists"}
    ]
    assert refused.status_code == 403
    assert not User.objects.filter(email="eve@acme.example").exists()


# ----------------------------------------------------------------------------- webhooks


def _subscribe(api: Any, **overrides: Any) -> Any:
    body = {
        "name": "crm",
        "url": "https://93.184.216.34/hooks/sladesk",
        "event_types": ["ticket.sla_breached"],
    }
    body.update(overrides)
    return api.post("/webhooks", body)


def test_an_administrator_subscribes_an_endpoint_and_gets_the_secret_once(world, api_as):
    api = api_as(world.admin)

    created = _subscribe(api)

    assert created.status_code == 201
    body = created.json()
    assert len(body["secret"]) >= 16
    listed = api.get("/webhooks").json()
    assert [(e["name"], e["event_types"], e["active"]) for e in listed] == [
        ("crm", ["ticket.sla_breached"], True)
    ]
    assert "secret" not in api.get(f"/webhooks/{body['id']}").json()


def test_private_and_loopback_targets_are_refused_unless_allowed(world, api_as):
    from sladesk.webhooks.models import Endpoint

    api = api_as(world.admin)

    refused = _subscribe(api, url="http://127.0.0.1:8080/hook")
    assert refused.status_code == 422
    assert "private or loopback" in problem(refused)["errors"][0]["detail"]
    assert Endpoint.objects.count() == 0

    allowed = _subscribe(api, url="http://127.0.0.1:8080/hook", allow_private_network=True)
    assert allowed.status_code == 201


def test_unknown_event_types_are_refused(world, api_as):
    response = _subscribe(api_as(world.admin), event_types=["ticket.exploded"])

    assert response.status_code == 422
    assert problem(response)["errors"][0]["pointer"] == "/event_types"


@pytest.mark.parametrize("role", ["operator", "manager", "acme_user"])
def test_only_administrators_manage_webhooks(world, api_as, role):
    from sladesk.webhooks.models import Endpoint

    api = api_as(getattr(world, role))

    assert _subscribe(api).status_code == 403
    assert api.get("/webhooks").status_code == 403
    assert Endpoint.objects.count() == 0


def test_unsubscribing_keeps_the_endpoint_inactive_and_its_delivery_log(world, api_as):
    from sladesk.webhooks.models import Delivery, DeliveryAttempt, Endpoint, Event

    api = api_as(world.admin)
    endpoint_id = _subscribe(api).json()["id"]
    event = Event.objects.create(type="ticket.sla_breached", payload={}, created_at=TUESDAY_10AM)
    delivery = Delivery.objects.create(
        endpoint_id=endpoint_id, event=event, next_attempt_at=TUESDAY_10AM, attempts=1
    )
    DeliveryAttempt.objects.create(
        delivery=delivery, number=1, at=TUESDAY_10AM, status_code=503, duration_ms=12
    )

    log = api.get(f"/webhooks/{endpoint_id}/deliveries").json()
    removed = api.delete(f"/webhooks/{endpoint_id}")

    assert [(d["event_type"], [a["status_code"] for a in d["log"]]) for d in log] == [
        ("ticket.sla_breached", [503])
    ]
    assert removed.json()["active"] is False
    assert Endpoint.objects.get(pk=endpoint_id).deliveries.count() == 1
    assert api.delete(f"/webhooks/{endpoint_id}").status_code == 422


def test_subscribers_get_an_event_per_ticket_event_whatever_the_channel(world, log, api_as):
    from sladesk.tickets import actions
    from sladesk.webhooks.models import Delivery

    admin = api_as(world.admin)
    _subscribe(
        admin,
        event_types=[
            "ticket.logged",
            "ticket.priority_changed",
            "ticket.responded",
            "ticket.resolved",
        ],
    )
    reference = api_as(world.acme_user).post("/tickets", ticket_body(world)).json()["reference"]
    staff = api_as(world.engineer)
    staff.post(
        f"/tickets/{reference}/priority",
        {"priority": "major", "reason": "all agents", "agreed_by": "Ann Acme"},
    )
    staff.post(f"/tickets/{reference}/replies", {"body": "On it"})
    ticket = log()  # through the action directly, as the pages do
    actions.resolve(actor=world.engineer, ticket=ticket, resolution="fixed", at=TUESDAY_10AM)

    sent = [
        (d.event.type, d.event.payload["reference"])
        for d in Delivery.objects.select_related("event").order_by("id")
    ]
    assert sent == [
        ("ticket.logged", reference),
        ("ticket.priority_changed", reference),
        ("ticket.responded", reference),
        ("ticket.logged", ticket.reference),
        ("ticket.resolved", ticket.reference),
    ]
    changed = Delivery.objects.get(event__type="ticket.priority_changed").event.payload
    assert (changed["priority"], changed["previous_priority"]) == ("major", "normal")

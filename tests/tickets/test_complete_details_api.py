"""POST (or PATCH) /api/v1/tickets/{reference}/details: the same action as the pages."""

from __future__ import annotations

import datetime as dt
import json
from email.message import EmailMessage
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from helpdesk_world import TUESDAY_10AM
from sladesk.audit.models import AuditEvent
from sladesk.mail.ingest import ingest
from sladesk.tickets.models import Ticket

NOW = TUESDAY_10AM + dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _api(settings: Any, monkeypatch: Any) -> None:
    settings.SLADESK_API_RATE_LIMIT = 0
    cache.clear()
    monkeypatch.setattr("sladesk.core.clock.timezone.now", lambda: NOW.astimezone(dt.UTC))


def _call(user: Any, method: str, path: str, body: dict[str, Any]) -> Any:
    from sladesk.api.actions import create_token

    _token, raw = create_token(actor=None, user=user, name="tests", scopes=("read", "write"))
    send = getattr(Client(), method)
    return send(
        "/api/v1" + path,
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )


def _emailed() -> Ticket:
    msg = EmailMessage()
    msg["From"] = "bob@bluebell.example"
    msg["To"] = "helpdesk@example.test"
    msg["Subject"] = "Agents cannot open scripts"
    msg["Date"] = "Tue, 10 Mar 2026 09:40:00 +0000"
    msg["Message-ID"] = "<bob.1@bluebell.example>"
    msg.set_content("Blank screens.")
    return ingest(msg.as_bytes(), source="test", at=TUESDAY_10AM).ticket


def test_a_customer_gives_missing_details_through_the_api(world):
    ticket = _emailed()

    answer = _call(
        world.bluebell_user,
        "post",
        f"/tickets/{ticket.reference}/details",
        {"module_id": world.desktop.pk, "version": "5.1", "affected": "several_pcs"},
    )

    assert answer.status_code == 200
    body = answer.json()
    assert (body["version"], body["affected"]) == ("5.1", "several_pcs")
    assert body["missing"] == ["problem_since", "error_details", "business_impact"]
    event = AuditEvent.objects.get(action="ticket.details_completed")
    assert (event.actor, event.at) == (world.bluebell_user, NOW)


def test_patch_does_the_same_and_an_unknown_module_is_named_with_the_other_problems(world):
    ticket = _emailed()

    answer = _call(
        world.operator,
        "patch",
        f"/tickets/{ticket.reference}/details",
        {"module_id": 999999, "contact_phone": "call me"},
    )

    assert answer.status_code == 422
    assert answer["Content-Type"] == "application/problem+json"
    assert sorted(answer.json()["errors"], key=lambda e: e["pointer"]) == [
        {"pointer": "/contact_phone", "detail": "'call me' is not a phone number"},
        {"pointer": "/module", "detail": "no module 999999"},
    ]
    ticket.refresh_from_db()
    assert ticket.contact_phone == "01473 000002"
    assert not AuditEvent.objects.filter(action="ticket.details_completed").exists()


def test_another_companys_ticket_is_not_found_through_the_api(world):
    ticket = _emailed()

    answer = _call(
        world.acme_user, "post", f"/tickets/{ticket.reference}/details", {"version": "5.1"}
    )

    assert answer.status_code == 404
    ticket.refresh_from_db()
    assert ticket.version == "5.2"

"""Helpers for the API tests: a client that sends a bearer token, and request bodies."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.test import Client

from helpdesk_world import World, london

# API calls happen "now": pinned to a Wednesday in standard hours, while the world's
# contracts are in force, so results do not depend on the day the suite runs.
NOW = london(2026, 3, 11, 10, 0)


class Api:
    """Calls /api/v1 as one user, with a bearer token."""

    def __init__(self, raw_token: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {raw_token}"}
        self.token = raw_token

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get("/api/v1" + path, params, headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(
            "/api/v1" + path,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=self.headers,
        )

    def delete(self, path: str) -> Any:
        return self.client.delete("/api/v1" + path, headers=self.headers)

    def upload(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post("/api/v1" + path, data, headers=self.headers)


def ticket_body(world: World, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "module_id": world.desktop.pk,
        "version": "5.2",
        "overview": "Agents cannot open scripts",
        "description": "Every agent gets a blank screen.",
        "affected": "entire_centre",
        "problem_since": "2026-03-10T08:30:00+00:00",
        "error_details": "Error 500: Script engine unavailable",
        "business_impact": "No calls can be handled",
    }
    body.update(overrides)
    return body


def problem(response: Any) -> dict[str, Any]:
    assert response["Content-Type"] == "application/problem+json"
    return dict(response.json())


def charge_on(world: World, ticket: Any, *, issued: bool = True) -> Any:
    """A GBP 300.00 line for the ticket's company: on the issued February statement, or on
    the March draft."""
    from decimal import Decimal

    from sladesk.billing.models import Charge, Statement

    status = Statement.Status.ISSUED if issued else Statement.Status.DRAFT
    statement = Statement.objects.create(
        company=ticket.company,
        month=dt.date(2026, 2, 1) if issued else dt.date(2026, 3, 1),
        currency="GBP",
        status=status,
        number=f"ST-{ticket.company.slug.upper()}-2026-{'02' if issued else '03'}",
        generated_at=london(2026, 3, 11, 9, 0),
        issued_at=london(2026, 3, 11, 9, 0) if issued else None,
        issued_by=world.admin if issued else None,
        issued_total=Decimal("300.00") if issued else None,
        issued_held_total=Decimal("0.00") if issued else None,
    )
    return Charge.objects.create(
        statement=statement,
        company=ticket.company,
        ticket=ticket,
        description="Environment fault: two hours minimum",
        currency="GBP",
        in_hours_rate=Decimal("150.00"),
        billed_in_seconds=7200,
        in_hours_amount=Decimal("300.00"),
        amount=Decimal("300.00"),
        counted_in_issued_total=True if issued else None,
        created_at=london(2026, 3, 11, 9, 0),
    )

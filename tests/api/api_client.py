"""Helpers for the API tests: a client that sends a bearer token, and request bodies."""

from __future__ import annotations

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

"""The OpenAPI document, the interactive docs, and Schemathesis against the live document:
no 5xx, and every response conforms to the schema (status code, content type, headers,
body), for a helpdesk token and a customer token."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Examples per operation and caller: 30 operations x 2 callers x 5 is about 30 s of CPU on
# a 2-core machine, and derandomize makes CI runs repeatable.
EXAMPLES = 5


def test_the_document_is_openapi_3_1_and_lists_every_resource(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"] == "3.1.0"
    assert {
        "/api/v1/tickets",
        "/api/v1/tickets/{reference}",
        "/api/v1/tickets/{reference}/replies",
        "/api/v1/tickets/{reference}/notes",
        "/api/v1/tickets/{reference}/calls",
        "/api/v1/tickets/{reference}/priority",
        "/api/v1/tickets/{reference}/priority-proposals",
        "/api/v1/tickets/{reference}/status",
        "/api/v1/tickets/{reference}/attachments",
        "/api/v1/tickets/{reference}/sla",
        "/api/v1/queue",
        "/api/v1/queue/take-next",
        "/api/v1/sla/due",
        "/api/v1/companies",
        "/api/v1/contacts",
        "/api/v1/contracts",
        "/api/v1/users",
        "/api/v1/webhooks",
        "/api/v1/tokens",
        "/api/v1/complaints",
        "/api/v1/complaints/{reference}",
        "/api/v1/charges",
        "/api/v1/charges/{charge_id}/disputes",
    } <= set(document["paths"])
    error = document["paths"]["/api/v1/tickets"]["post"]["responses"]["422"]
    assert list(error["content"]) == ["application/problem+json"]


def test_the_interactive_docs_are_served(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def _no_dns(host: str, *args: Any, **kwargs: Any) -> Any:
    """Generated webhook URLs name random hosts: tests resolve only IP literals, offline."""
    import ipaddress
    import socket

    try:
        address = ipaddress.ip_address(host)
    except ValueError as exc:
        raise socket.gaierror(f"no DNS in tests: {host}") from exc
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (str(address), 0))]


@pytest.fixture
def fuzz_world(world: Any, log: Any, api_as: Any, monkeypatch: Any) -> dict[str, Any]:
    monkeypatch.setattr("sladesk.webhooks.safety.socket.getaddrinfo", _no_dns)
    from api_client import charge_on

    from sladesk.complaints.actions import log_complaint

    ticket = log()
    complaint = log_complaint(
        actor=world.acme_user, about="ticket", ticket=ticket, summary="Fixed, then broke again"
    )
    return {
        "reference": ticket.reference,
        "complaint": complaint.reference,
        "charge_id": charge_on(world, ticket).pk,
        "callers": {
            "helpdesk": api_as(world.admin).headers,
            "customer": api_as(world.acme_user).headers,
        },
    }


def test_schemathesis_finds_no_server_error_and_no_schema_violation(fuzz_world):
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    # Requests run in this thread, inside the test's transaction (as Django's test client
    # does): the per-request connection clean-up would close it.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
        failures: list[str] = []
        operations = 0
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1
            params: dict[str, Any] = {}
            if "{reference}" in operation.path:
                # A real object to read, so that the answers checked are not only 404s.
                kind = "complaint" if "/complaints/" in operation.path else "reference"
                params["reference"] = fuzz_world[kind]
            if "{charge_id}" in operation.path:
                params["charge_id"] = fuzz_world["charge_id"]
            for caller, headers in fuzz_world["callers"].items():
                failures += _fuzz(operation, params, caller, headers)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)

    assert operations >= 30
    assert failures == []


def _fuzz(
    operation: Any, params: dict[str, Any], caller: str, headers: dict[str, str]
) -> list[str]:
    failures: list[str] = []
    strategy = operation.as_strategy(path_parameters=params or None)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except Exception as exc:
            failures.append(
                f"{caller} {operation.method.upper()} {operation.path} "
                f"{json.dumps(case.body, default=str)[:200] if case.body is not None else ''}"
                f" {case.query or ''}: {str(exc)[:600]}"
            )

    run()
    return failures

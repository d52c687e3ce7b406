"""The ticket the load tests log, shared by bench/load/locustfile.py and
bench/load/floor_locustfile.py so the floor service is sent exactly what sladesk is."""

from __future__ import annotations

from typing import Any


def ticket_body(module_id: int) -> dict[str, Any]:
    return {
        "module_id": module_id,
        "version": "5.2",
        "overview": "Agent Desktop freezes when a call is transferred",
        "description": "Logged by the load test.",
        "affected": "several_pcs",
        "problem_since": "2026-11-19T08:30:00Z",
        "error_details": "No error message is shown.",
        "business_impact": "Transfers fail for one team.",
        "proposed_priority": "major",
    }

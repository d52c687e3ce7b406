"""Locust users for bench/stack_floor.py: the same JSON body as logging a ticket in
bench/load/locustfile.py, posted back to back to the floor service's two endpoints."""

from __future__ import annotations

from locust import FastHttpUser, constant, task

BODY = {
    "module_id": 1,
    "version": "5.2",
    "overview": "Agent Desktop freezes when a call is transferred",
    "description": "Logged by the load test.",
    "affected": "several_pcs",
    "problem_since": "2026-11-19T08:30:00Z",
    "error_details": "No error message is shown.",
    "business_impact": "Transfers fail for one team.",
    "proposed_priority": "major",
}


class OneInsertUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def post(self) -> None:
        self.client.post("/one", json=BODY, name="POST /one (one INSERT)")


class SeventeenStatementsUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def post(self) -> None:
        self.client.post("/many", json=BODY, name="POST /many (17 statements, plain SQL)")

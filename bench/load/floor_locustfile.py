"""Locust users for bench/stack_floor.py: the same JSON body as logging a ticket in
bench/load/locustfile.py, posted back to back to the floor service's two endpoints."""

from __future__ import annotations

from locust import FastHttpUser, constant, task
from ticket_body import ticket_body  # bench/load/, on locust's path

BODY = ticket_body(1)


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

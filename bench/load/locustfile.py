"""The sladesk load test (issue 12), driven by bench/load_bench.py.

Each user class is one scenario; the runner starts locust once per phase with the classes
of that phase. `SLADESK_BENCH_CONFIG` names a JSON file the runner writes: API tokens, a
password for the page users, module ids and ticket references to work on.

    uv run --group bench locust -f bench/load/locustfile.py --headless ... LogTicketUser
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
from pathlib import Path
from typing import Any

from locust import FastHttpUser, HttpUser, constant, constant_throughput, task
from ticket_body import ticket_body  # bench/load/, on locust's path

CONFIG: dict[str, Any] = json.loads(Path(os.environ["SLADESK_BENCH_CONFIG"]).read_text())
# Requests per second per user (SLADESK_BENCH_PACE, set by the runner for a paced phase);
# 0: back to back, no wait (the saturation phases).
PACE = float(os.environ.get("SLADESK_BENCH_PACE", "0") or 0)
WAIT = constant_throughput(PACE) if PACE > 0 else constant(0)
_lock = threading.Lock()
_counters: dict[str, itertools.count[int]] = {}


def _next(name: str) -> int:
    with _lock:
        return next(_counters.setdefault(name, itertools.count()))


class _TokenUser(FastHttpUser):
    """An API client. FastHttpUser (geventhttpclient) costs a fraction of the CPU of the
    requests-based HttpUser, and the load generator shares the server's two cores."""

    abstract = True
    wait_time = WAIT
    token_pool = ""

    def on_start(self) -> None:
        tokens = CONFIG[self.token_pool]
        self.token = tokens[_next(self.token_pool) % len(tokens)]
        self.auth_headers = {"Authorization": f"Bearer {self.token}"}
        self.rng = random.Random(_next("seed"))


class LogTicketUser(_TokenUser):
    """A customer's system logging tickets through the API, back to back."""

    token_pool = "customer_tokens"

    @task
    def log_ticket(self) -> None:
        self.client.post(
            "/api/v1/tickets",
            json=ticket_body(self.rng.choice(CONFIG["modules"])),
            headers=self.auth_headers,
            name="POST /api/v1/tickets (log a ticket)",
        )


class TakeNextUser(_TokenUser):
    """An available agent pressing Take next again and again (32 of them at once)."""

    token_pool = "agent_tokens"

    @task
    def take_next(self) -> None:
        self.client.post(
            "/api/v1/queue/take-next",
            headers=self.auth_headers,
            name="POST /api/v1/queue/take-next",
        )


class ApiReader(_TokenUser):
    """The helpdesk's tools reading and working through the API: the list with filters,
    the queue, the SLA explanation and replies."""

    token_pool = "reader_tokens"

    @task(3)
    def list_tickets(self) -> None:
        self.client.get(
            "/api/v1/tickets?limit=50", headers=self.auth_headers, name="GET /api/v1/tickets"
        )

    @task(3)
    def list_filtered(self) -> None:
        status = self.rng.choice(["new", "in_progress", "awaiting_customer", "resolved"])
        self.client.get(
            f"/api/v1/tickets?status={status}&limit=50",
            headers=self.auth_headers,
            name="GET /api/v1/tickets?status=",
        )
        company = self.rng.choice(CONFIG["companies"])
        self.client.get(
            f"/api/v1/tickets?company={company}&limit=50",
            headers=self.auth_headers,
            name="GET /api/v1/tickets?company=",
        )
        priority = self.rng.choice(["critical", "major", "normal", "minor"])
        self.client.get(
            f"/api/v1/tickets?priority={priority}&breached=true&limit=50",
            headers=self.auth_headers,
            name="GET /api/v1/tickets?priority=&breached=true",
        )

    @task(2)
    def queue(self) -> None:
        self.client.get("/api/v1/queue", headers=self.auth_headers, name="GET /api/v1/queue")

    @task(2)
    def sla(self) -> None:
        reference = self.rng.choice(CONFIG["references"])
        self.client.get(
            f"/api/v1/tickets/{reference}/sla",
            headers=self.auth_headers,
            name="GET /api/v1/tickets/{ref}/sla",
        )

    @task(1)
    def ticket(self) -> None:
        reference = self.rng.choice(CONFIG["references"])
        self.client.get(
            f"/api/v1/tickets/{reference}",
            headers=self.auth_headers,
            name="GET /api/v1/tickets/{ref}",
        )

    @task(2)
    def reply(self) -> None:
        reference = self.rng.choice(CONFIG["open_references"])
        self.client.post(
            f"/api/v1/tickets/{reference}/replies",
            json={"body": "We are looking at this now (load test)."},
            headers=self.auth_headers,
            name="POST /api/v1/tickets/{ref}/replies",
        )


def _sign_in(user: HttpUser, email: str) -> None:
    user.client.get("/login/", name="GET /login/")
    token = user.client.cookies.get("csrftoken", "")
    response = user.client.post(
        "/login/",
        data={"username": email, "password": CONFIG["password"], "csrfmiddlewaretoken": token},
        headers={"Referer": f"{user.host}/login/"},
        name="POST /login/",
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise RuntimeError(f"could not sign in as {email}: HTTP {response.status_code}")


class PageUser(HttpUser):
    """An agent in the browser: the queue pages and ticket pages."""

    wait_time = WAIT

    def on_start(self) -> None:
        self.rng = random.Random(_next("seed"))
        _sign_in(self, CONFIG["page_users"][_next("page_users") % len(CONFIG["page_users"])])

    @task(2)
    def queue_page(self) -> None:
        self.client.get("/queue/", name="GET /queue/ (queue page)")

    @task(2)
    def console_queue(self) -> None:
        self.client.get("/console/", name="GET /console/ (console queue)")

    @task(3)
    def ticket_page(self) -> None:
        reference = self.rng.choice(CONFIG["references"])
        self.client.get(f"/tickets/{reference}/", name="GET /tickets/{ref}/ (ticket page)")

    @task(3)
    def console_ticket(self) -> None:
        reference = self.rng.choice(CONFIG["references"])
        self.client.get(
            f"/console/tickets/{reference}/", name="GET /console/tickets/{ref}/ (console ticket)"
        )


class ReportsUser(HttpUser):
    """A manager opening the reports page (the runner uses it only when /reports/ exists)."""

    wait_time = WAIT

    def on_start(self) -> None:
        _sign_in(self, CONFIG["manager"])

    @task
    def reports(self) -> None:
        self.client.get("/reports/", name="GET /reports/")

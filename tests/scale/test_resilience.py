"""Two web processes and two workers on one PostgreSQL; the database restarts mid-load.

The test runs its own throwaway PostgreSQL cluster (initdb into a temporary folder, a free
port), never the shared server. It starts two `sladesk serve` processes and two
`sladesk worker` processes against it and an SMTP sink (aiosmtpd), drives API ticket
logging (as a customer's system) and public replies (as an operator, each emailing the
customer), and restarts PostgreSQL with `pg_ctl restart -m immediate` (a crash: no clean
shutdown) in the middle. Then it proves that every acknowledged (2xx) ticket and reply is
in the database, that every email was delivered exactly once per Message-ID and recipient,
and that no notification was queued or sent twice.
"""

from __future__ import annotations

import collections
import email
import email.policy
import glob
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
pytestmark = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="restarting a database server under load needs PostgreSQL; runs in the PostgreSQL "
    "run (DATABASE_URL set), on a throwaway cluster of its own",
)

LOAD_SECONDS = 20
RESTART_AFTER = 7
CLIENTS = 4

SETUP = """
import json, datetime as dt
import django; django.setup()
from sladesk.accounts.models import User
from sladesk.api.actions import create_token
from sladesk.contracts.models import Contract
from sladesk.customers.models import Company, Contact, Module, Product
product = Product.objects.create(name="CallScripter")
module = Module.objects.create(product=product, name="Agent Desktop")
company = Company.objects.create(name="Acme Contact Centres", slug="acme")
contract = Contract.objects.create(company=company, reference="SC-1", coverage="24x7",
    signed_on=dt.date(2020, 1, 1), valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2099, 1, 1))
contract.modules.set([module])
customer = User.objects.create_user("ann@acme.example", None, role="customer", company=company)
Contact.objects.create(company=company, name="Ann Acme", phone="01473 000000",
    email="ann@acme.example", user=customer)
operator = User.objects.create_user("olly@helpdesk.example", None, role="operator")
print(json.dumps({
    "module": module.pk,
    "customer": create_token(actor=None, user=customer, name="resilience")[1],
    "operator": create_token(actor=None, user=operator, name="resilience")[1],
}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """A throwaway PostgreSQL cluster, run as the `postgres` OS user when we are root."""

    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        initdb = found[-1] if found else shutil.which("initdb")
        if initdb is None:
            pytest.fail("initdb not found: install the PostgreSQL server package")
        self.bin = Path(initdb).parent
        self.root = Path(tempfile.mkdtemp(prefix="sladesk-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.pg_ctl(
            "start",
            "-o",
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c max_connections=60 -c fsync=on",
        )

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, f"{tool} failed: {result.stdout}{result.stderr}"

    def pg_ctl(self, action: str, *args: str) -> None:
        self._run("pg_ctl", action, "-D", str(self.data), "-l", str(self.root / "log"), "-w", *args)

    def restart(self) -> None:
        self.pg_ctl("restart", "-m", "immediate")

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self.pg_ctl("stop", "-m", "immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


class Sink:
    """An SMTP server that keeps (Message-ID, recipient) of every message it accepts."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.received: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.port = _free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.received.append((str(parsed["Message-ID"]), recipient))
        return "250 OK queued"


def _env(url: str, sink: Sink, var: Path) -> dict[str, str]:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith("SLADESK_") and k != "DATABASE_URL"
    }
    return {
        **base,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "sladesk.settings",
        "SLADESK_ENV_FILE": "/nonexistent/.env",
        "SLADESK_VAR_DIR": str(var),
        "SLADESK_DEBUG": "false",
        "SLADESK_SECRET_KEY": "resilience-test-" + "r" * 40,
        "SLADESK_SECURE_COOKIES": "false",
        "SLADESK_API_RATE_LIMIT": "0",
        "SLADESK_DB_CONN_MAX_AGE": "60",
        "SLADESK_EMAIL_HOST": "127.0.0.1",
        "SLADESK_EMAIL_PORT": str(sink.port),
        "SLADESK_EMAIL_USE_TLS": "false",
        "SLADESK_EMAIL_FROM": "helpdesk@helpdesk.example",
        # Longer than the restart takes: a worker that sent a message while the database was
        # down records it once the database is back, well within its lease.
        "SLADESK_MAIL_LEASE_SECONDS": "30",
        "SLADESK_MAIL_RETRY_SECONDS": "1",
        "SLADESK_MONITOR_INTERVAL": "2",
        "SLADESK_LOG_LEVEL": "WARNING",
    }


def _request(port: int, method: str, path: str, token: str, body: Any = None) -> Any:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            if 200 <= response.status < 300:
                return json.loads(response.read())
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None
    return None


def _wait_ready(ports: list[int], processes: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + 60
    waiting = set(ports)
    while waiting and time.monotonic() < deadline:
        for port in list(waiting):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                    if r.status == 200:
                        waiting.discard(port)
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
        assert all(p.poll() is None for p in processes), "a process exited at start-up"
        time.sleep(0.3)
    assert not waiting, f"web processes on {sorted(waiting)} never became ready"


def test_a_database_restart_under_load_loses_no_acknowledged_ticket_reply_or_email(tmp_path):
    import psycopg

    cluster = Cluster()
    sink = Sink()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE sladesk")
        url = cluster.url("sladesk")
        env = _env(url, sink, tmp_path / "var")
        cli = [sys.executable, "-m", "sladesk.cli"]
        migrated = subprocess.run(
            [*cli, "migrate", "--verbosity", "0"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert migrated.returncode == 0, migrated.stderr
        made = subprocess.run(
            [sys.executable, "-c", SETUP],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert made.returncode == 0, made.stderr
        world = json.loads(made.stdout)

        ports = [_free_port(), _free_port()]
        logs = tmp_path / "logs"
        logs.mkdir()
        for i, port in enumerate(ports):
            processes.append(
                subprocess.Popen(
                    [
                        *cli,
                        "serve",
                        "--no-migrate",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        "1",
                        "--threads",
                        "4",
                    ],
                    env=env,
                    stdout=(logs / f"web{i}.log").open("wb"),
                    stderr=subprocess.STDOUT,
                )
            )
        for i in range(2):
            processes.append(
                subprocess.Popen(
                    [*cli, "worker", "--worker-id", f"worker{i}"],
                    env=env,
                    stdout=(logs / f"worker{i}.log").open("wb"),
                    stderr=subprocess.STDOUT,
                )
            )
        _wait_ready(ports, processes)

        tickets: list[tuple[float, str]] = []
        replies: list[tuple[float, int, str]] = []
        lock = threading.Lock()
        stop = threading.Event()
        started = time.monotonic()

        def client(n: int) -> None:
            rng = random.Random(n)
            while not stop.is_set():
                created = _request(
                    ports[n % 2],
                    "POST",
                    "/tickets",
                    world["customer"],
                    {
                        "module_id": world["module"],
                        "version": "5.2",
                        "overview": f"Transfers fail ({n})",
                        "affected": "several_pcs",
                        "problem_since": "2026-01-05T08:30:00Z",
                        "error_details": "No error message is shown.",
                        "business_impact": "One team cannot transfer calls.",
                    },
                )
                if created is not None:
                    with lock:
                        tickets.append((time.monotonic() - started, created["reference"]))
                with lock:
                    known = [ref for _, ref in tickets]
                if known:
                    reference = rng.choice(known)
                    reply = _request(
                        ports[(n + 1) % 2],
                        "POST",
                        f"/tickets/{reference}/replies",
                        world["operator"],
                        {"body": f"Looking at it now ({n})."},
                    )
                    if reply is not None:
                        with lock:
                            replies.append((time.monotonic() - started, reply["id"], reference))

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        time.sleep(RESTART_AFTER)
        restart_at = time.monotonic() - started
        cluster.restart()
        restarted_at = time.monotonic() - started
        time.sleep(max(0.0, LOAD_SECONDS - (time.monotonic() - started)))
        stop.set()
        for t in threads:
            t.join(timeout=60)

        # Every email queued gets sent: wait for the outbox to empty (the workers retry).
        deadline = time.monotonic() + 60
        with psycopg.connect(url, autocommit=True) as conn:
            while time.monotonic() < deadline:
                left = conn.execute(
                    "SELECT count(*) FROM mail_outboundemail WHERE state <> 'sent'"
                ).fetchone()[0]
                if left == 0:
                    break
                time.sleep(0.5)
            time.sleep(1)  # the last SMTP session closes
            db_refs = {r for (r,) in conn.execute("SELECT reference FROM tickets_ticket")}
            db_messages = {i for (i,) in conn.execute("SELECT id FROM tickets_message")}
            outbox = conn.execute(
                "SELECT message_id, recipient, kind, key, state, ticket_id, attempts, "
                "ambiguous_attempts, last_error FROM mail_outboundemail"
            ).fetchall()
            helpdesk_replies = conn.execute(
                "SELECT count(*) FROM tickets_message m JOIN accounts_user u "
                "ON u.id = m.author_id WHERE m.kind = 'public' AND u.role = 'operator'"
            ).fetchone()[0]
            ticket_count = len(db_refs)

        died = [
            f"{log.name}:\n" + log.read_text()[-1500:]
            for process, log in zip(processes, sorted(logs.iterdir()), strict=True)
            if process.poll() is not None
        ]
        assert died == [], "processes died"
        acknowledged_refs = {ref for _, ref in tickets}
        acknowledged_replies = {i for _, i, _ in replies}
        # The load ran on both sides of the restart.
        assert any(at < restart_at for at, _ in tickets)
        assert any(at > restarted_at for at, _ in tickets)
        assert any(at > restarted_at for at, _, _ in replies)

        assert acknowledged_refs - db_refs == set()
        assert acknowledged_replies - db_messages == set()

        assert [row for row in outbox if row[4] != "sent"] == []
        # One notification per event and recipient, queued once and sent once.
        assert len({(row[3], row[1]) for row in outbox}) == len(outbox)
        logged = collections.Counter(row[5] for row in outbox if row[2] == "ticket_logged")
        assert len(logged) == ticket_count
        assert set(logged.values()) == {1}
        assert sum(1 for row in outbox if row[2] == "public_reply") == helpdesk_replies
        with sink.lock:
            delivered = collections.Counter(sink.received)
        twice = [pair for pair, n in delivered.items() if n > 1]
        assert twice == [], [row for row in outbox if (row[0], row[1]) in twice]
        assert set(delivered) == {(row[0], row[1]) for row in outbox}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        sink.controller.stop()
        cluster.stop()

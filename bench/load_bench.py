"""The scale load test (issue 12): `sladesk serve` on the 1M-ticket database, driven by locust.

Needs the database bench/datagen.py makes. Adds its own users and API tokens to it (32
agents, 8 customer systems, readers, page users and a manager), starts `sladesk serve`
(gunicorn) on it with production settings, waits for /readyz, then runs locust headless
once per phase:

1. log tickets through the API, 8 concurrent clients (target: 270 requests/s, p95 < 50 ms,
   no errors);
2. read and work: queue and ticket pages, the API list with filters, the API queue, the SLA
   explanation, replies; once back to back (saturation), once paced at 1.5 tasks a second
   per user (target for the pages and lists: p95 < 100 ms);
3. take next with 32 concurrent agents;
4. the reports page, when /reports/ exists.

It reports requests/s, p50/p95/p99 and errors per endpoint, and the memory (RSS) of each
web worker, and writes its section between the `scale-bench` markers of docs/benchmarks.md
(unless --no-write).

    uv run --group bench python bench/load_bench.py
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
LOCUSTFILE = ROOT / "bench" / "load" / "locustfile.py"
START_MARK = "<!-- scale-bench:start -->"
END_MARK = "<!-- scale-bench:end -->"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sladesk_scale"
PASSWORD = "load-test-password-not-secret"
COMMAND = "uv run --group bench python bench/load_bench.py"


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sladesk.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def prepare(url: str) -> dict[str, Any]:
    """Bench users and tokens in the scale database; the references to work on."""
    from django.core.management import call_command

    from sladesk.accounts.models import User
    from sladesk.api.actions import create_token
    from sladesk.customers.models import Company, Module
    from sladesk.queue.actions import set_availability
    from sladesk.tickets.models import Ticket

    call_command("migrate", verbosity=0)
    if Ticket.objects.count() < 1000:
        raise SystemExit(
            "load_bench: the database has almost no tickets; run bench/datagen.py first"
        )

    def staff(email: str, role: str) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, PASSWORD, role=role)
        return user

    agents = [staff(f"load-agent{i:02d}@helpdesk.example", "operator") for i in range(32)]
    readers = [staff(f"load-reader{i:02d}@helpdesk.example", "engineer") for i in range(8)]
    pages = [staff(f"load-page{i:02d}@helpdesk.example", "operator") for i in range(8)]
    manager = staff("load-manager@helpdesk.example", "manager")
    for agent in agents:
        set_availability(actor=agent, available=True)
    # Customers' systems: the portal logins of companies that hold a contract.
    companies = list(Company.objects.filter(contracts__isnull=False).order_by("pk").distinct()[:8])
    customers = [User.objects.get(company=c, role="customer") for c in companies]

    def tokens(users: list[User]) -> list[str]:
        return [create_token(actor=None, user=u, name="load test")[1] for u in users]

    recent = Ticket.objects.order_by("-logged_at", "-id")
    return {
        "customer_tokens": tokens(customers),
        "agent_tokens": tokens(agents),
        "reader_tokens": tokens(readers),
        "page_users": [u.email for u in pages],
        "manager": manager.email,
        "password": PASSWORD,
        "modules": list(Module.objects.values_list("pk", flat=True)),
        "companies": list(Company.objects.order_by("pk").values_list("slug", flat=True)[:200]),
        # Tickets from the whole five years (every 997th) and the open ones of the last weeks.
        "references": list(
            Ticket.objects.filter(id__in=range(1, 1_000_001, 997)).values_list(
                "reference", flat=True
            )
        ),
        "open_references": list(
            recent.filter(status__in=["responded", "in_progress", "awaiting_customer"]).values_list(
                "reference", flat=True
            )[:2000]
        ),
    }


def server_env(url: str, conn_max_age: int) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SLADESK_")}
    return {
        **base,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "sladesk.settings",
        "SLADESK_ENV_FILE": "/nonexistent/.env",
        "SLADESK_DEBUG": "false",
        "SLADESK_SECRET_KEY": "load-test-only-" + "x" * 50,
        # No TLS proxy in front of the bench: plain HTTP cookies, and no rate limit (one
        # customer system here sends far more than the default 600 requests a minute).
        "SLADESK_SECURE_COOKIES": "false",
        "SLADESK_API_RATE_LIMIT": "0",
        "SLADESK_DB_CONN_MAX_AGE": str(conn_max_age),
        "SLADESK_LOG_LEVEL": "WARNING",
        **{k: v for k, v in os.environ.items() if k == "SLADESK_DB_PREPARED_STATEMENTS"},
    }


def start_server(args: argparse.Namespace, log: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "sladesk.cli",
        "serve",
        "--no-migrate",
        "--bind",
        f"127.0.0.1:{args.port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
    ]
    server = subprocess.Popen(
        command,
        env=server_env(args.database_url, args.conn_max_age),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/readyz", timeout=5) as r:
                if r.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if server.poll() is not None:
            break
        time.sleep(0.5)
    server.kill()
    raise SystemExit(f"load_bench: the server did not become ready; see {log}")


def worker_rss(server: subprocess.Popen[bytes]) -> list[float]:
    """Resident memory (MB) of each gunicorn worker (the children of `sladesk serve`)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(server.pid):
            found.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(found)


def _cpu_seconds(pid: str) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_use(server: subprocess.Popen[bytes], database: str) -> dict[tuple[str, str], float]:
    """CPU seconds used so far by each web worker and each of this database's PostgreSQL
    backends, by (kind, pid)."""
    found: dict[tuple[str, str], float] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            status = (proc / "status").read_text()
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if f"PPid:\t{server.pid}\n" in status:
                found[("web", proc.name)] = _cpu_seconds(proc.name)
            elif cmdline.startswith("postgres: ") and f" {database} " in cmdline:
                found[("db", proc.name)] = _cpu_seconds(proc.name)
        except (OSError, IndexError, ValueError):
            continue
    return found


def cpu_per_request(
    before: dict[tuple[str, str], float], after: dict[tuple[str, str], float], requests: int
) -> dict[str, float | None]:
    """Milliseconds of CPU per request in the web workers and the database backends. A
    process that exited during the phase (a closed connection) is not counted."""
    if not requests:
        return {"web": None, "db": None}
    used = {"web": 0.0, "db": 0.0}
    for key, seconds in after.items():
        used[key[0]] += seconds - before.get(key, 0.0)
    return {kind: value * 1000 / requests for kind, value in used.items()}


def run_phase(
    args: argparse.Namespace,
    config_path: Path,
    out: Path,
    name: str,
    classes: list[str],
    users: int,
    seconds: int,
    pace: float = 0.0,
) -> list[dict[str, Any]]:
    prefix = out / name
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        f"http://127.0.0.1:{args.port}",
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{seconds}s",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        *classes,
    ]
    env = {**os.environ, "SLADESK_BENCH_CONFIG": str(config_path), "SLADESK_BENCH_PACE": str(pace)}
    print(f"phase {name}: {users} users, {seconds} s ({' '.join(classes)})", file=sys.stderr)
    subprocess.run(command, env=env, check=False, cwd=ROOT, stdout=subprocess.DEVNULL)
    rows = []
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] in {"Aggregated"} or row["Name"].endswith("/login/"):
                continue
            rows.append(
                {
                    "phase": name,
                    "name": row["Name"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "rps": float(row["Requests/s"]),
                    "p50": float(row["50%"] or 0),
                    "p95": float(row["95%"] or 0),
                    "p99": float(row["99%"] or 0),
                }
            )
    return rows


def idle_penalty(port: int) -> dict[str, float]:
    """Median milliseconds of `GET /healthz` (no database) back to back, and after half a
    second idle. On a virtual machine a request that arrives at an idle CPU is slower; the
    paced phase's requests all do."""

    def once() -> float:
        started = time.perf_counter()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            answer.read()
        return (time.perf_counter() - started) * 1000

    busy = [once() for _ in range(30)]
    rested = []
    for _ in range(12):
        time.sleep(0.5)
        rested.append(once())
    return {"busy": statistics.median(busy), "rested": statistics.median(rested)}


def machine(url: str) -> dict[str, str]:
    import psycopg

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split(":")[1].strip()
    with psycopg.connect(url) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        tickets = conn.execute("SELECT count(*) FROM tickets_ticket").fetchone()[0]  # type: ignore[index]
        messages = conn.execute("SELECT count(*) FROM tickets_message").fetchone()[0]  # type: ignore[index]
    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": mem,
        "postgres": version,
        "python": platform.python_version(),
        "os": platform.platform(),
        "tickets": f"{tickets:,}",
        "messages": f"{messages:,}",
    }


def targets(rows: list[dict[str, Any]]) -> list[tuple[str, bool, str]]:
    def by(name_part: str) -> list[dict[str, Any]]:
        return [r for r in rows if name_part in r["name"]]

    results = []
    log = by("log a ticket")
    if log:
        r = log[0]
        ok = r["rps"] >= 270 and r["p95"] < 50 and r["failures"] == 0
        results.append(
            (
                "log a ticket (API, 8 clients): >= 270 req/s, p95 < 50 ms, no errors",
                ok,
                f"{r['rps']:.0f} req/s, p95 {r['p95']:.0f} ms, {r['failures']} errors",
            )
        )
    paced = [r for r in rows if r["phase"] == "read-paced"]
    reads = paced or [r for r in rows if r["phase"] == "read"]
    phase = "read-paced" if paced else "read"
    for label, parts in [
        ("queue pages p95 < 100 ms", ["(queue page)", "(console queue)", "/api/v1/queue"]),
        ("ticket pages p95 < 100 ms", ["(ticket page)", "(console ticket)"]),
        ("API list p95 < 100 ms", ["GET /api/v1/tickets", "GET /api/v1/tickets?"]),
    ]:
        found = [r for r in reads for p in parts if r["name"].startswith(p) or p in r["name"]]
        found = [r for r in found if "{ref}" not in r["name"] or "page" in label]
        if found:
            worst = max(found, key=lambda r: r["p95"])
            ok = all(r["p95"] < 100 and r["failures"] == 0 for r in found)
            results.append(
                (f"{label} ({phase})", ok, f"worst: {worst['name']} p95 {worst['p95']:.0f} ms")
            )
    return results


def write_section(
    args: argparse.Namespace,
    facts: dict[str, str],
    rows: list[dict[str, Any]],
    rss: dict[str, list[float]],
    cpu: dict[str, dict[str, float | None]],
    loads: dict[str, str],
    elapsed: float,
) -> str:
    lines = [
        START_MARK,
        "## Scale: 1,000,000 tickets under load (PostgreSQL, gunicorn, locust)",
        "",
        f"Command: `{COMMAND}` (after `uv run python bench/datagen.py --tickets 1000000`; "
        f"{elapsed:.0f} s for this run). Server: `sladesk serve --workers {args.workers} "
        f"--threads {args.threads}`, `SLADESK_DB_CONN_MAX_AGE={args.conn_max_age}`, "
        "production settings over plain HTTP (no proxy, no API rate limit), locust on the "
        "same machine. Each phase runs its users back to back with no wait, except `read-paced`: 8 "
        "users each starting 1.5 tasks a second (a task is one to three requests), for "
        f"{args.paced_seconds} s (the others {args.seconds} s).",
        "",
        "| machine | |",
        "|---|---|",
        f"| CPU | {facts['cpu']} (shared with other work: see the load averages) |",
        f"| memory | {facts['memory']} |",
        f"| PostgreSQL | {facts['postgres']} (same machine, default settings) |",
        f"| Python | {facts['python']} |",
        f"| OS | {facts['os']} |",
        f"| data | {facts['tickets']} tickets, {facts['messages']} messages |",
        *([f"| idle CPU | {facts['idle']} |"] if "idle" in facts else []),
        "",
        "| phase | endpoint | requests | errors | req/s | p50 | p95 | p99 | load average "
        "before the phase |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for phase in rss:
        if not any(r["phase"] == phase for r in rows):
            lines.append(
                f"| {phase} | no request completed within the {args.seconds} s of the phase "
                f"| 0 | - | 0 | - | - | - | {loads.get(phase, '')} |"
            )
    for r in rows:
        lines.append(
            f"| {r['phase']} | `{r['name']}` | {r['requests']:,} | {r['failures']} | "
            f"{r['rps']:.1f} | {r['p50']:.0f} ms | {r['p95']:.0f} ms | {r['p99']:.0f} ms | "
            f"{loads.get(r['phase'], '')} |"
        )
    lines += [
        "",
        "Memory (RSS) per web worker at the end of each phase, and CPU time per request "
        "(all requests of the phase) in the web workers, in this database's PostgreSQL "
        "backends and in locust:",
        "",
    ]
    lines += [
        "| phase | workers' RSS | web CPU per request | PostgreSQL CPU per request "
        "| locust CPU per request |"
    ]
    lines += ["|---|---|---|---|---|"]
    for phase, values in rss.items():
        use = cpu.get(phase, {})
        web, db, gen = (use.get(k) for k in ("web", "db", "locust"))
        lines.append(
            f"| {phase} | {', '.join(f'{v:.0f} MB' for v in values)} | "
            + " | ".join("-" if v is None else f"{v:.1f} ms" for v in (web, db, gen))
            + " |"
        )
    lines += ["", "| target | held in this run | figure |", "|---|---|---|"]
    for label, ok, figure in targets(rows):
        lines.append(f"| {label} | {'yes' if ok else '**NO**'} | {figure} |")
    lines += [
        "",
        f"Load average (1, 5, 15 min) at the end: {loads.get('end', '')}.",
        END_MARK,
    ]
    section = "\n".join(lines) + "\n"
    if args.write:
        replace_section(DOC, START_MARK, END_MARK, section)
    return section


def replace_section(doc: Path, start: str, end: str, section: str) -> None:
    """Put `section` (which begins with `start` and ends with `end`) in place of the one
    between those markers in `doc`, or at its end."""
    text = doc.read_text() if doc.exists() else "# Benchmarks\n"
    section = section.rstrip("\n")
    if start in text and end in text:
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    doc.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--conn-max-age", type=int, default=60)
    parser.add_argument("--seconds", type=int, default=30, help="length of each phase")
    parser.add_argument(
        "--paced-seconds",
        type=int,
        default=90,
        help="length of the paced phase (longer: its p95 rests on more requests)",
    )
    parser.add_argument("--phases", default="log,read,read-paced,take-next,reports")
    parser.add_argument("--no-write", dest="write", action="store_false")
    parser.add_argument("--json", type=Path, help="also save the raw figures here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    setup_django(args.database_url)
    config = prepare(args.database_url)
    out = Path(tempfile.mkdtemp(prefix="sladesk-load-"))
    config_path = out / "config.json"
    config_path.write_text(json.dumps(config))
    server = start_server(args, out / "server.log")
    rows: list[dict[str, Any]] = []
    rss: dict[str, list[float]] = {}
    cpu: dict[str, dict[str, float | None]] = {}
    loads: dict[str, str] = {}
    idle: dict[str, float] = {}
    database = urlsplit(args.database_url).path.lstrip("/")
    # (user classes, users, requests per second per user; 0: back to back). "read" saturates
    # the server (latency = users / throughput); "read-paced" is 8 people working at a
    # steady 1.5 tasks a second each, the load the page and list targets are read at.
    phases: dict[str, tuple[list[str], int, float]] = {
        "log": (["LogTicketUser"], 8, 0.0),
        "read": (["PageUser", "ApiReader"], 8, 0.0),
        "read-paced": (["PageUser", "ApiReader"], 8, 1.5),
        "take-next": (["TakeNextUser"], 32, 0.0),
        "reports": (["ReportsUser"], 2, 0.0),
    }
    try:
        # Warm up every worker and thread (imports, connections, caches); not recorded.
        run_phase(args, config_path, out, "warmup", ["PageUser", "ApiReader"], 8, 8)
        idle = idle_penalty(args.port)
        for name in args.phases.split(","):
            if name == "reports":
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{args.port}/reports/", timeout=10)
                except urllib.error.HTTPError as exc:
                    if exc.code == 404:
                        print("no /reports/ page: reports phase skipped", file=sys.stderr)
                        continue
                except urllib.error.URLError:
                    continue
            classes, users, pace = phases[name]
            loads[name] = " ".join(f"{x:.2f}" for x in os.getloadavg())
            seconds = args.paced_seconds if name == "read-paced" else args.seconds
            before = cpu_use(server, database)
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            phase_rows = run_phase(args, config_path, out, name, classes, users, seconds, pace)
            after = cpu_use(server, database)
            done = resource.getrusage(resource.RUSAGE_CHILDREN)
            requests = sum(r["requests"] for r in phase_rows)
            cpu[name] = cpu_per_request(before, after, requests)
            # locust is this script's only child that exits during the phase.
            spent = (done.ru_utime + done.ru_stime) - (children.ru_utime + children.ru_stime)
            cpu[name]["locust"] = spent * 1000 / requests if requests else None
            rows += phase_rows
            rss[name] = worker_rss(server)
    finally:
        loads["end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    facts = machine(args.database_url)
    if idle:
        facts["idle"] = (
            f"`GET /healthz` (no database) median {idle['busy']:.1f} ms back to back, "
            f"{idle['rested']:.1f} ms after half a second idle"
        )
    section = write_section(args, facts, rows, rss, cpu, loads, time.perf_counter() - started)
    if args.json:
        args.json.write_text(
            json.dumps({"rows": rows, "rss": rss, "cpu": cpu, "loads": loads}, indent=1)
        )
    print(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

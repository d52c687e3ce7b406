"""The floor of the stack: how fast can Django + django-ninja + gunicorn + PostgreSQL answer a
write on this machine at all? (issue 12)

Serves bench/load/floorapp.py, a minimal Django service with no middleware, no models and
no business rules, with the same gunicorn settings as the scale load test, and drives it
with 8 locust clients back to back (bench/load/floor_locustfile.py) for each endpoint:

- `POST /one`: one INSERT in a transaction;
- `POST /many`: the 17 statements logging a ticket in sladesk runs, as plain SQL.

Run it right after `bench/load_bench.py --phases log`, with the same --workers/--threads,
to read sladesk's own figure against the floor measured on the same machine in the same
minutes. Writes its section between the `stack-floor` markers of docs/benchmarks.md.

    uv run --group bench python bench/stack_floor.py
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
START_MARK = "<!-- stack-floor:start -->"
END_MARK = "<!-- stack-floor:end -->"
COMMAND = "uv run --group bench python bench/stack_floor.py"
DATABASE = "sladesk_floor"
SMALL_TABLES = [
    "floor_token",
    "floor_module",
    "floor_contact",
    "floor_version",
    "floor_contract",
    "floor_policy",
    "floor_calendar",
    "floor_template",
    "floor_endpoint",
]

sys.path.insert(0, str(ROOT / "bench"))
from load_bench import cpu_use, replace_section  # noqa: E402


def prepare_database() -> None:
    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        c.execute(f"CREATE DATABASE {DATABASE}")
    with psycopg.connect(f"postgres://postgres@127.0.0.1:5432/{DATABASE}") as c:
        for table in SMALL_TABLES:
            c.execute(
                f"CREATE TABLE {table} (id bigint PRIMARY KEY, user_id bigint, scopes text,"
                " digest text, name text, phone text, version text, module_id bigint,"
                " coverage text, data jsonb, subject text, url text)"
            )
            c.execute(
                f"INSERT INTO {table} (id, user_id, scopes, digest, name, module_id, data)"
                " VALUES (1, 1, 'read write', '1', 'x', 1, '{}')"
            )
        c.execute("CREATE INDEX ON floor_token (digest)")
        c.execute("CREATE INDEX ON floor_version (module_id)")
        c.execute(
            "CREATE TABLE floor_calendar_date (id bigint PRIMARY KEY, calendar_id bigint, day date)"
        )
        c.execute("INSERT INTO floor_calendar_date VALUES (1, 1, '2026-12-25')")
        c.execute("CREATE TABLE floor_counter (id bigint PRIMARY KEY, value bigint)")
        c.execute("INSERT INTO floor_counter VALUES (1, 100000)")
        c.execute(
            "CREATE TABLE floor_ticket (id bigserial PRIMARY KEY, payload jsonb,"
            " created_at timestamptz)"
        )
        for table in ("floor_audit", "floor_outbox", "floor_event"):
            c.execute(
                f"CREATE TABLE {table} (id bigserial PRIMARY KEY, ticket_id bigint"
                " REFERENCES floor_ticket, payload jsonb, created_at timestamptz)"
            )


def start(args: argparse.Namespace, log: Path) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--chdir",
            str(ROOT / "bench" / "load"),
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--worker-class",
            "gthread",
            "floorapp:application",
        ],
        env={**os.environ, "FLOOR_DB": DATABASE},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{args.port}/one",
                data=b'{"module_id":1,"version":"1","overview":"o","affected":"a",'
                b'"problem_since":"p","error_details":"e","business_impact":"b"}',
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=5) as answer:
                if answer.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    server.kill()
    raise SystemExit(f"stack_floor: the floor service did not start; see {log}")


def run(args: argparse.Namespace, out: Path, user_class: str) -> dict[str, Any]:
    prefix = out / user_class
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(ROOT / "bench" / "load" / "floor_locustfile.py"),
            "--headless",
            "--host",
            f"http://127.0.0.1:{args.port}",
            "-u",
            "8",
            "-r",
            "8",
            "-t",
            f"{args.seconds}s",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            user_class,
        ],
        check=False,
        stdout=subprocess.DEVNULL,
    )
    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(f"{prefix}_stats.csv", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["Name"] != "Aggregated")
    requests = int(row["Request Count"])
    spent = (done.ru_utime + done.ru_stime) - (children.ru_utime + children.ru_stime)
    return {
        "name": row["Name"],
        "requests": requests,
        "failures": int(row["Failure Count"]),
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"] or 0),
        "p95": float(row["95%"] or 0),
        "locust": spent * 1000 / requests if requests else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--no-write", dest="write", action="store_false")
    args = parser.parse_args()

    prepare_database()
    out = Path(tempfile.mkdtemp(prefix="sladesk-floor-"))
    server = start(args, out / "server.log")
    rows = []
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    try:
        for user_class in ("OneInsertUser", "SeventeenStatementsUser"):
            before = cpu_use(server, DATABASE)
            row = run(args, out, user_class)
            after = cpu_use(server, DATABASE)
            for kind in ("web", "db"):
                used = sum(v - before.get(k, 0.0) for k, v in after.items() if k[0] == kind)
                row[kind] = used * 1000 / row["requests"] if row["requests"] else None
            rows.append(row)
    finally:
        server.terminate()
        server.wait(timeout=30)
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        version = c.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        c.execute(f"DROP DATABASE IF EXISTS {DATABASE}")

    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f} ms"

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    lines = [
        START_MARK,
        "## The floor of the stack: Django + django-ninja + gunicorn + PostgreSQL",
        "",
        f"Command: `{COMMAND}` (`--workers {args.workers} --threads {args.threads}`, "
        f"{args.seconds} s per endpoint, 8 locust clients back to back, FastHttpUser). "
        "`bench/load/floorapp.py` is a Django service with no middleware, no models and no "
        "business rules; its two endpoints take the same JSON body as logging a ticket.",
        "",
        f"Machine: {cpu}, {os.cpu_count()} cores; PostgreSQL {version} on the same machine "
        f"(default settings); Python {platform.python_version()}. Load average before / "
        f"after: {load_before} / {load_after}.",
        "",
        "| endpoint | requests | errors | req/s | p50 | p95 | web CPU per request "
        "| PostgreSQL CPU per request | locust CPU per request |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| `{r['name']}` | {r['requests']:,} | {r['failures']} | {r['rps']:.1f} | "
            f"{r['p50']:.0f} ms | {r['p95']:.0f} ms | {ms(r['web'])} | {ms(r['db'])} | "
            f"{ms(r['locust'])} |"
        )
    lines.append(END_MARK)
    section = "\n".join(lines)
    if args.write:
        replace_section(DOC, START_MARK, END_MARK, section)
    print(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

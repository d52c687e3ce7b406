"""What-if replay benchmark: 1,000,000 tickets read from PostgreSQL and replayed.

    uv run python bench/whatif_bench.py

It creates its own database `sladesk_whatif_bench` (dropped first if left over) on the
server of BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/...), migrates it,
inserts 1,000,000 tickets logged over the last six months (server-side, generate_series),
then times the replay exactly as `sladesk sla what-if` runs it: read the six months of
tickets from the database into arrays (one binary COPY), and compute every due time
twice with the batch SLA path (the rules in force, and a candidate that moves Major's
out-of-hours target to two hours and adds a closure day). Reading is part of the
measured time. Three runs; the median is reported. The database is dropped at the end
(`--keep` keeps it).

Writes its section between the `whatif-bench` markers of docs/benchmarks.md
(`--no-write` prints it instead).
"""

from __future__ import annotations

import os

# Before NumPy is imported: one BLAS thread (the replay's arithmetic needs none).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import datetime as dt
import platform
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
START_MARK = "<!-- whatif-bench:start -->"
END_MARK = "<!-- whatif-bench:end -->"
COMMAND = "uv run python bench/whatif_bench.py"
DB_NAME = "sladesk_whatif_bench"
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
TICKETS = 1_000_000
COMPANIES = 40
MONTHS = 6
RUNS = 3
NOW = dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.UTC)


def _url(name: str) -> str:
    return urlunsplit(urlsplit(SERVER)._replace(path=f"/{name}"))


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def setup_django() -> None:
    os.environ["DATABASE_URL"] = _url(DB_NAME)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sladesk.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load() -> float:
    """Companies, one contact each, two policies, and the tickets; returns seconds."""
    from django.db import connection

    from sladesk.accounts.models import User
    from sladesk.contracts.models import SlaPolicy
    from sladesk.contracts.sla_adapter import default_policy_row
    from sladesk.customers.models import Company, Contact, Module, Product
    from sladesk.tickets.models import Ticket

    started = time.perf_counter()
    default = default_policy_row()
    strict_data = {**default.data, "out_of_hours_priorities": ["critical"]}
    strict = SlaPolicy.objects.create(name="critical-only", data=strict_data)
    module = Module.objects.create(product=Product.objects.create(name="P"), name="M")
    operator = User.objects.create_user("operator@bench.example", None, role="operator")
    companies = [
        Company.objects.create(name=f"Customer {i:02d}", slug=f"c{i:02d}") for i in range(COMPANIES)
    ]
    contacts = [
        Contact.objects.create(company=c, name="C", phone="01473 000000") for c in companies
    ]
    first_company = companies[0].pk
    first_contact = contacts[0].pk
    # Values for the columns the replay does not read, from the model (so a column added
    # by another feature does not break the benchmark).
    known = {
        "reference": "'B-' || g",
        "company_id": f"{first_company} + (g % {COMPANIES})",
        "contact_id": f"{first_contact} + (g % {COMPANIES})",
        "module_id": str(module.pk),
        "logged_by_id": str(operator.pk),
        # Every eighth company is under the stricter policy; one ticket in twenty has no
        # contract; even companies have 24x7 cover.
        "policy_id": f"CASE WHEN g % {COMPANIES} % 8 = 7 THEN {strict.pk} ELSE {default.pk} END",
        "coverage": f"CASE WHEN g % 20 = 0 THEN '' WHEN g % {COMPANIES} % 2 = 0 "
        "THEN '24x7' ELSE 'standard' END",
        "priority": "CASE WHEN r1 < 0.05 THEN 'critical' WHEN r1 < 0.20 THEN 'major' "
        "WHEN r1 < 0.70 THEN 'normal' WHEN r1 < 0.95 THEN 'minor' ELSE 'enhancement' END",
        "logged_at": "t",
        "problem_since": "t",
        "updated_at": "t",
        "responded_at": "CASE WHEN r2 < 0.95 THEN t + (r2 * 300) * interval '1 minute' END",
        "status": "'closed'",
        "affected": "'one_person'",
        "channel": "'phone'",
        "version": "'5.2'",
    }
    columns, values = [], []
    for field in Ticket._meta.concrete_fields:
        if field.primary_key:
            continue
        name = field.column
        if name in known:
            value = known[name]
        elif field.null:
            continue
        elif field.has_default():
            default_value = field.get_default()
            if isinstance(default_value, bool):
                value = "TRUE" if default_value else "FALSE"
            elif isinstance(default_value, int):
                value = str(default_value)
            else:
                value = "'" + str(default_value).replace("'", "''") + "'"
        else:
            value = "''"
        columns.append(name)
        values.append(value)
    span = MONTHS * 30.4375 * 86400
    sql = (
        f"INSERT INTO tickets_ticket ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM ("
        f"  SELECT g, random() AS r1, random() AS r2, "
        f"    timestamptz '{NOW.isoformat()}' - (random() * {span}) * interval '1 second' AS t "
        f"  FROM generate_series(1, {TICKETS}) AS g) AS s"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(sql)
        cursor.execute("ANALYZE tickets_ticket")
    return time.perf_counter() - started


def measure() -> dict[str, object]:
    from sladesk.contracts.sla_adapter import default_policy_row
    from sladesk.customers.models import Company
    from sladesk.planning.models import PolicyDraft
    from sladesk.planning.replay import count_tickets, load_tickets, replay_window, rules_for
    from sladesk.planning.whatif import replay_arrays

    default = default_policy_row()
    data = {**default.data, "rules": {**default.data["rules"]}}
    data["rules"]["major"] = {
        **data["rules"]["major"],
        "out_of_hours": {"kind": "wall_clock_minutes", "minutes": 120},
    }
    draft = PolicyDraft(
        name="bench", policy=default, data=data, closed_dates={"2026-10-14": "Bench closure"}
    )
    since, until = replay_window(MONTHS, NOW)
    totals, counts, reads, replays = [], [], [], []
    result = None
    for _ in range(RUNS):
        # The same steps as `sladesk sla what-if`: count (for the progress bar), read,
        # replay under both rules, name the customers.
        t0 = time.perf_counter()
        count_tickets(since=since, until=until)
        t1 = time.perf_counter()
        tickets = load_tickets(since=since, until=until)
        t2 = time.perf_counter()
        current, candidate = rules_for(draft)
        result = replay_arrays(tickets, current=current, candidate=candidate, now=NOW)
        result.company_names = dict(
            Company.objects.filter(pk__in=list(result.current.by_company)).values_list("pk", "name")
        )
        result.to_dict()
        t3 = time.perf_counter()
        counts.append(t1 - t0)
        reads.append(t2 - t1)
        replays.append(t3 - t2)
        totals.append(t3 - t0)
    assert result is not None
    return {
        "tickets": result.tickets,
        "changed": result.changed_tickets,
        "total": totals,
        "count": counts,
        "read": reads,
        "replay": replays,
        "rows": result.priority_rows(),
        "companies": len(result.company_changes()),
    }


def machine() -> dict[str, str]:
    from django.db import connection

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    import numpy

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        row = cursor.fetchone()
    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": memory,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "postgres": str(row[0]) if row else "unknown",
        "os": platform.platform(),
    }


def section(facts: dict[str, str], load_s: float, m: dict[str, object], loads: list[str]) -> str:
    total = m["total"]
    read = m["read"]
    count = m["count"]
    assert isinstance(count, list)
    replay = m["replay"]
    assert isinstance(total, list)
    assert isinstance(read, list)
    assert isinstance(replay, list)
    lines = [
        START_MARK,
        "## What-if replay (PostgreSQL, 1,000,000 tickets)",
        "",
        f"Command: `{COMMAND}` (its own database `{DB_NAME}`, created and dropped by the script).",
        "",
        f"{m['tickets']:,} tickets logged over {MONTHS} months, {COMPANIES} customers, two "
        "policies, standard and 24x7 cover, 5 % without a contract. The candidate moves "
        "Major's out-of-hours target to 120 minutes and closes one day. Each run reads the "
        "tickets from PostgreSQL into arrays (one binary COPY), then computes every due "
        "time under the current and the candidate rules with `response_due_many`, and counts "
        f"the outcomes per priority and customer. {RUNS} runs.",
        "",
        "| Step | Median | Best |",
        "|---|---|---|",
        f"| Count the tickets (for the progress bar) | {statistics.median(count):.2f} s "
        f"| {min(count):.2f} s |",
        f"| Read {m['tickets']:,} tickets from PostgreSQL | {statistics.median(read):.2f} s "
        f"| {min(read):.2f} s |",
        f"| Replay (both rules, counts, customer names) | {statistics.median(replay):.2f} s "
        f"| {min(replay):.2f} s |",
        f"| **Total (what `sladesk sla what-if` does)** | **{statistics.median(total):.2f} s** "
        f"| {min(total):.2f} s |",
        "",
        f"Outcomes changed by the candidate: {m['changed']:,} tickets; customers whose figures "
        f"change: {m['companies']}. Loading the {TICKETS:,} rows (not measured above): "
        f"{load_s:.1f} s.",
        "",
        f"Machine: {facts['cpu']}, {facts['memory']} RAM; {facts['os']}; Python "
        f"{facts['python']}, NumPy {facts['numpy']}, PostgreSQL {facts['postgres']} on the "
        "same machine.",
        f"Load average (1, 5, 15 min) before the runs: {loads[0]}; after: {loads[1]}. The "
        "machine was shared with other work while this ran, so these are not quiet-machine "
        "figures.",
        END_MARK,
    ]
    return "\n".join(lines) + "\n"


def write(text: str) -> None:
    doc = DOC.read_text()
    if START_MARK in doc and END_MARK in doc:
        head, rest = doc.split(START_MARK, 1)
        _, tail = rest.split(END_MARK, 1)
        doc = head + text.rstrip("\n") + tail
    else:
        doc = doc.rstrip("\n") + "\n\n" + text
    DOC.write_text(doc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--no-write", action="store_true", help="print, do not edit the docs")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    _admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{DB_NAME}"')
    try:
        setup_django()
        load_s = load()
        print(f"loaded {TICKETS:,} tickets in {load_s:.1f} s", flush=True)
        before = " ".join(f"{x:.2f}" for x in os.getloadavg())
        m = measure()
        after = " ".join(f"{x:.2f}" for x in os.getloadavg())
        text = section(machine(), load_s, m, [before, after])
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    print(text)
    if not args.no_write:
        write(text)


if __name__ == "__main__":
    main()

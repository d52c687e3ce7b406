"""Generate a realistic sladesk database at scale on PostgreSQL (issue 12).

Creates (drops first) the database named in --database-url, migrates it, and loads:
customer companies with contacts and one portal login each, helpdesk staff, products,
modules and versions, one contract per company (some 24x7, some standard, a few
companies with none), and --tickets tickets logged over five years with a realistic mix
of status, priority, channel and coverage. Response due times come from the SLA engine's
batch path (`response_due_many`) with the database's own default policy, so they are the
times sladesk itself would compute; the open tickets still waiting for their response get
their monitor schedule from the same adapter call `log_ticket` uses (`sla_schedule`).

Tickets are loaded with COPY. Their conversations (public replies, customer replies,
internal notes, phone calls), audit events and attachment metadata rows are then derived
from the tickets inside PostgreSQL (INSERT ... SELECT), which is the fastest way to build
millions of rows that agree with their ticket. Attachment rows are metadata only: no file
is written to storage.

The same --seed gives the same data. Progress goes to stderr.

    uv run python bench/datagen.py --tickets 1000000 \\
        --database-url postgres://postgres@127.0.0.1:5432/sladesk_scale
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sladesk_scale"
# The data ends here (not at "now") so two runs with the same seed give the same rows.
END = dt.datetime(2026, 11, 20, 0, 0, tzinfo=dt.UTC)
YEARS = 5
FIRST_REFERENCE_NUMBER = 100001
CHUNK = 50_000

PRODUCTS = {
    "CallScripter": ["Agent Desktop", "Script Designer", "Admin Console", "Telephony Gateway"],
    "CallScripter Reports": ["Report Builder", "Scheduled Reports", "Dashboards", "Data Export"],
    "CallScripter Integrations": ["CRM Connector", "Payments", "Web Chat", "Email Channel"],
}
VERSIONS = ["5.0", "5.1", "5.2"]
PRIORITIES = np.array(["critical", "major", "normal", "minor", "enhancement"])
PRIORITY_SHARE = [0.02, 0.08, 0.55, 0.30, 0.05]
CHANNELS = np.array(["phone", "web", "email", "api", "out_of_hours"])
CHANNEL_SHARE = [0.35, 0.30, 0.25, 0.07, 0.03]
STAFF_CHANNELS = {"phone", "out_of_hours"}
AFFECTED = np.array(["one_person", "several_pcs", "entire_centre"])
AFFECTED_SHARE = [0.6, 0.3, 0.1]
SUBJECTS = [
    "Script",
    "Report",
    "Agent login",
    "Call transfer",
    "Dashboard",
    "Export",
    "Payment page",
    "Web chat",
    "CRM lookup",
    "Outbound campaign",
    "Email template",
    "Wallboard",
]
SYMPTOMS = [
    "fails to load",
    "times out",
    "shows the wrong totals",
    "is very slow since the upgrade",
    "crashes on save",
    "does not refresh",
    "gives error 500",
    "loses the caller's details",
    "cannot be opened by supervisors",
    "prints blank pages",
]
ERRORS = [
    "Object reference not set to an instance of an object.",
    "The operation has timed out.",
    "HTTP 500 Internal Server Error",
    "No error message is shown.",
    "Login failed for user 'cs_app'.",
    "Report execution failed: deadlock victim.",
]
IMPACTS = [
    "Agents fall back to paper notes.",
    "Supervisors cannot see queue figures.",
    "One agent affected; others carry on.",
    "Outbound campaign paused.",
    "Month-end reporting delayed.",
]
FIRST_NAMES = ["Alex", "Sam", "Jo", "Chris", "Pat", "Robin", "Kim", "Lee", "Mel", "Nic"]
LAST_NAMES = ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Khan", "Patel", "Wood"]


def say(message: str, started: float) -> None:
    print(f"[{time.perf_counter() - started:7.1f}s] {message}", file=sys.stderr, flush=True)


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or '"' in name:
        raise SystemExit(f"datagen: {url!r} does not name a database")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sladesk.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def people(rng: random.Random, companies: int, contacts_per_company: int, staff: int) -> dict:  # type: ignore[type-arg]
    """Products, companies, contacts, portal users, staff and contracts (ORM bulk inserts)."""
    from sladesk.accounts.models import User
    from sladesk.contracts.models import Contract
    from sladesk.customers.models import Company, Contact, Module, ModuleVersion, Product

    modules: list[Module] = []
    for product_name, module_names in PRODUCTS.items():
        product = Product.objects.create(name=product_name)
        for module_name in module_names:
            modules.append(Module.objects.create(product=product, name=module_name))
    ModuleVersion.objects.bulk_create(
        ModuleVersion(module=m, version=v) for m in modules for v in VERSIONS
    )
    company_rows = Company.objects.bulk_create(
        Company(
            name=f"Customer {i:05d} Ltd",
            slug=f"customer-{i:05d}",
            phone=f"01{rng.randrange(100, 999)} {rng.randrange(100000, 999999)}",
        )
        for i in range(companies)
    )
    # One portal login per company (its first contact); passwords are unusable ("!").
    portal_users = User.objects.bulk_create(
        User(
            email=f"contact1@{c.slug}.example",
            full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            role="customer",
            company=c,
            password="!",
        )
        for c in company_rows
    )
    contacts = Contact.objects.bulk_create(
        Contact(
            company=c,
            name=(
                portal_users[ci].full_name
                if k == 0
                else f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            ),
            phone=f"07{rng.randrange(100, 999)} {rng.randrange(100000, 999999)}",
            email=f"contact{k + 1}@{c.slug}.example",
            user=portal_users[ci] if k == 0 else None,
        )
        for ci, c in enumerate(company_rows)
        for k in range(contacts_per_company)
    )
    roles = ["operator"] * 8 + ["engineer"] * 3 + ["oncall"]
    staff_users = User.objects.bulk_create(
        User(
            email=f"agent{i:04d}@helpdesk.example",
            full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            role=("manager" if i < 4 else roles[i % len(roles)]),
            password="!",
        )
        for i in range(staff)
    )
    # 20% of companies have 24x7 cover, 75% standard hours, 5% no contract at all.
    coverage_of: list[str] = []
    contracts = []
    for i, company in enumerate(company_rows):
        roll = rng.random()
        coverage = "24x7" if roll < 0.20 else ("standard" if roll < 0.95 else "")
        coverage_of.append(coverage)
        if coverage:
            contracts.append(
                Contract(
                    company=company,
                    reference=f"SC-{i:05d}",
                    signed_on=dt.date(2020, 12, 1),
                    valid_from=dt.date(2021, 1, 1),
                    valid_to=dt.date(2027, 12, 31),
                    coverage=coverage,
                )
            )
    contracts = Contract.objects.bulk_create(contracts)
    through = Contract.modules.through
    through.objects.bulk_create(
        through(contract_id=c.pk, module_id=m.pk) for c in contracts for m in modules
    )
    contract_of = {c.company_id: c.pk for c in contracts}
    return {
        "modules": [m.pk for m in modules],
        "companies": [c.pk for c in company_rows],
        "coverage": coverage_of,
        "contract": [contract_of.get(c.pk) for c in company_rows],
        "portal_user": [u.pk for u in portal_users],
        "contacts": [(c.pk, c.name, c.phone) for c in contacts],
        "staff": [u.pk for u in staff_users if u.role != "manager"],
    }


def _iso(values: np.ndarray) -> np.ndarray:  # type: ignore[type-arg]
    """datetime64[us] UTC as COPY text; NaT becomes NULL."""
    text = np.char.add(np.datetime_as_string(values, unit="us"), "Z")
    return np.where(np.isnat(values), "\\N", text)


def _col(values: Any) -> np.ndarray:  # type: ignore[type-arg]
    return np.asarray(values).astype(str)


def _nullable_ids(values: np.ndarray) -> np.ndarray:  # type: ignore[type-arg]
    return np.where(values < 0, "\\N", values.astype(str))


def tickets(n: int, seed: int, world: dict, started: float) -> dict[str, Any]:  # type: ignore[type-arg]
    """Every ticket column as an array, logged in order (ids and references follow time)."""
    from sladesk.contracts.sla_adapter import default_policy_row, policy_from_row
    from sladesk.sla import response_due_many

    rng = np.random.default_rng(seed)
    us = np.int64(1_000_000)
    span_days = 365 * YEARS + 1
    start = END - dt.timedelta(days=span_days)
    start_us = np.int64(int(start.timestamp())) * us
    day = rng.integers(0, span_days, n)
    # Weekends are quiet: most weekend tickets move to the Friday before.
    weekday = (day + start.weekday()) % 7
    weekend = weekday >= 5
    move = weekend & (rng.random(n) < 0.9)
    day = np.where(move, day - (weekday - 4), day)
    day = np.clip(day, 0, span_days - 1)
    # 85% during the working day (07:30-17:30 UTC covers the London day in both seasons).
    in_day = rng.random(n) < 0.85
    second = np.where(in_day, rng.integers(27_000, 63_000, n), rng.integers(0, 86_400, n)).astype(
        np.int64
    )
    logged_us = np.sort(start_us + day.astype(np.int64) * 86_400 * us + second * us)
    logged_us += rng.integers(0, 1_000_000, n)  # sub-second spread; order kept by sort below
    logged_us.sort()

    company_idx = rng.integers(0, len(world["companies"]), n)
    companies = np.asarray(world["companies"])[company_idx]
    coverage = np.asarray(world["coverage"], dtype=object)[company_idx]
    contract = np.asarray([c if c else -1 for c in world["contract"]])[company_idx]
    priority = rng.choice(PRIORITIES, n, p=PRIORITY_SHARE)
    channel = rng.choice(CHANNELS, n, p=CHANNEL_SHARE)

    policy_row = default_policy_row()
    policy = policy_from_row(policy_row)
    coverages = [c if c else None for c in coverage]
    due = response_due_many(policy, priority, coverages, logged_us.view("datetime64[us]"))
    due_us = due.view(np.int64)
    has_due = ~np.isnat(due)
    say(f"due times for {n:,} tickets from the engine's batch path", started)

    end_us = np.int64(int(END.timestamp())) * us
    age_days = (end_us - logged_us) / (86_400 * us)
    roll = rng.random(n)
    status = np.empty(n, dtype=object)
    old = age_days > 60
    mid = (age_days > 14) & ~old
    new = age_days <= 14
    status[old] = np.where(roll[old] < 0.96, "closed", "resolved")
    status[mid] = np.select(
        [roll[mid] < 0.60, roll[mid] < 0.85, roll[mid] < 0.92],
        ["closed", "resolved", "in_progress"],
        "awaiting_customer",
    )
    status[new] = np.select(
        [roll[new] < 0.20, roll[new] < 0.45, roll[new] < 0.65, roll[new] < 0.80, roll[new] < 0.95],
        ["new", "responded", "in_progress", "awaiting_customer", "resolved"],
        "closed",
    )
    responded = status != "new"

    # 85% of responses meet the target; the rest come up to a few hours late.
    target_us = np.where(has_due, due_us - logged_us, 4 * 3600 * us)
    late = rng.random(n) < 0.15
    delay = np.where(
        late,
        target_us + (rng.exponential(2 * 3600, n) * 1e6).astype(np.int64) + us,
        (target_us * rng.uniform(0.05, 0.95, n)).astype(np.int64),
    )
    responded_us = np.where(responded, logged_us + np.maximum(delay, us), -1)
    responded_us = np.where(responded, np.minimum(responded_us, end_us - us), -1)
    met = np.where(responded & has_due, responded_us <= due_us, False)
    staff = np.asarray(world["staff"])
    responder = np.where(responded, staff[rng.integers(0, len(staff), n)], -1)
    assignee = np.where(
        responded | (rng.random(n) < 0.5), staff[rng.integers(0, len(staff), n)], -1
    )
    assigned_us = np.where(
        assignee >= 0, np.where(responded, responded_us - us, logged_us + 60 * us), -1
    )
    resolved = np.isin(status, ["resolved", "closed"])
    resolved_us = np.where(
        resolved,
        np.minimum(
            responded_us + (rng.exponential(3 * 86_400, n) * 1e6).astype(np.int64), end_us - us
        ),
        -1,
    )
    closed_us = np.where(status == "closed", np.minimum(resolved_us + 2 * 86_400 * us, end_us), -1)
    updated_us = np.maximum.reduce([logged_us, responded_us, resolved_us, closed_us])

    contact_rows = world["contacts"]
    per_company = len(contact_rows) // len(world["companies"])
    contact_idx = company_idx * per_company + rng.integers(0, per_company, n)
    portal = np.asarray(world["portal_user"])[company_idx]
    by_staff = np.isin(channel, list(STAFF_CHANNELS))
    logged_by = np.where(by_staff, staff[rng.integers(0, len(staff), n)], portal)
    # A customer who reports through the portal has logged in as the company's first contact.
    contact_idx = np.where(by_staff, contact_idx, company_idx * per_company)

    def when(values: np.ndarray) -> np.ndarray:  # type: ignore[type-arg]
        return np.where(values < 0, np.iinfo(np.int64).min, values).view("datetime64[us]")

    return {
        "n": n,
        "logged_us": logged_us,
        "company": companies,
        "company_idx": company_idx,
        "contact_idx": contact_idx,
        "coverage": coverage,
        "contract": contract,
        "policy": policy_row.pk,
        "priority": priority,
        "channel": channel,
        "status": status,
        "due": due,
        "responded": when(responded_us),
        "met": np.where(responded & has_due, np.where(met, "t", "f"), "\\N"),
        "responder": responder,
        "assignee": assignee,
        "assigned": when(assigned_us),
        "resolved": when(resolved_us),
        "closed": when(closed_us),
        "updated": when(updated_us),
        "logged_by": logged_by,
        "affected": rng.choice(AFFECTED, n, p=AFFECTED_SHARE),
        "subject": rng.integers(0, len(SUBJECTS), n),
        "symptom": rng.integers(0, len(SYMPTOMS), n),
        "error": rng.integers(0, len(ERRORS), n),
        "impact": rng.integers(0, len(IMPACTS), n),
        "module": np.asarray(world["modules"])[rng.integers(0, len(world["modules"]), n)],
        "version": rng.choice(np.asarray(VERSIONS), n),
        "since_s": rng.integers(600, 3 * 86_400, n),
    }


def sla_schedule_for_waiting(t: dict[str, Any], started: float) -> tuple[np.ndarray, ...]:  # type: ignore[type-arg]
    """Clock start, warning and next check for tickets still waiting for their response,
    from the same adapter call `log_ticket` makes (a few thousand rows: per ticket)."""
    from django.conf import settings

    from sladesk.contracts.models import SlaPolicy
    from sladesk.contracts.sla_adapter import sla_schedule

    n = t["n"]
    nat = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    starts, warns, checks = nat.copy(), nat.copy(), nat.copy()
    waiting = np.flatnonzero((t["status"] == "new") & ~np.isnat(t["due"]))
    row = SlaPolicy.objects.get(pk=t["policy"])
    for i in waiting:
        logged = dt.datetime.fromtimestamp(int(t["logged_us"][i]) / 1e6, tz=dt.UTC)
        start, warn = sla_schedule(
            policy_row=row,
            priority=str(t["priority"][i]),
            coverage=str(t["coverage"][i]) or None,
            logged_at=logged,
            share=settings.SLADESK_SLA_WARNING_SHARE,
        )
        if start is not None:
            starts[i] = np.datetime64(start.replace(tzinfo=None), "us")
        if warn is not None:
            warns[i] = np.datetime64(warn.replace(tzinfo=None), "us")
        # As `_plan_sla`: the monitor looks next at the warning instant, else the due time.
        checks[i] = min(warns[i], t["due"][i]) if warn is not None else t["due"][i]
    say(f"monitor schedule for {len(waiting):,} tickets waiting for their response", started)
    return starts, warns, checks


TICKET_COLUMNS = [
    "id",
    "reference",
    "company_id",
    "contact_id",
    "contact_name",
    "contact_phone",
    "module_id",
    "version",
    "overview",
    "description",
    "affected",
    "problem_since",
    "error_details",
    "business_impact",
    "channel",
    "logged_at",
    "logged_by_id",
    "contract_id",
    "coverage",
    "policy_id",
    "needs_review",
    "possibly_chargeable",
    "proposed_priority",
    "priority",
    "status",
    "response_due",
    "responded_at",
    "response_met",
    "response_due_at_response",
    "first_response_kind",
    "first_response_by_id",
    "scope",
    "resolution",
    "resolved_at",
    "closed_at",
    "reopen_count",
    "updated_at",
    "assignee_id",
    "assigned_at",
    "sla_clock_starts_at",
    "sla_warn_at",
    "sla_next_check_at",
]


def copy_tickets(t: dict[str, Any], started: float) -> None:
    from django.db import connection

    n = t["n"]
    starts, warns, checks = sla_schedule_for_waiting(t, started)
    contacts = t["contacts"]
    contact_ids = np.asarray([c[0] for c in contacts])[t["contact_idx"]]
    names = np.asarray([c[1] for c in contacts])[t["contact_idx"]]
    phones = np.asarray([c[2] for c in contacts])[t["contact_idx"]]
    logged = t["logged_us"].view("datetime64[us]")
    no_contract = t["contract"] < 0
    responded = ~np.isnat(t["responded"])
    resolved = ~np.isnat(t["resolved"])
    overview = np.char.add(
        np.char.add(np.asarray(SUBJECTS)[t["subject"]], " "), np.asarray(SYMPTOMS)[t["symptom"]]
    )
    ids = np.arange(1, n + 1)
    columns = [
        _col(ids),
        np.char.add("CS-", (ids + FIRST_REFERENCE_NUMBER - 1).astype(str)),
        _col(t["company"]),
        _col(contact_ids),
        names,
        phones,
        _col(t["module"]),
        t["version"],
        overview,
        np.full(n, "Reported by the customer; steps to reproduce in the first reply."),
        t["affected"],
        _iso(logged - t["since_s"].astype("timedelta64[s]")),
        np.asarray(ERRORS)[t["error"]],
        np.asarray(IMPACTS)[t["impact"]],
        t["channel"],
        _iso(logged),
        _col(t["logged_by"]),
        _nullable_ids(t["contract"]),
        _col(t["coverage"]),
        np.full(n, str(t["policy"])),
        np.where(no_contract, "t", "f"),
        np.where(no_contract, "t", "f"),
        np.full(n, ""),
        t["priority"],
        _col(t["status"]),
        _iso(t["due"]),
        _iso(t["responded"]),
        t["met"],
        np.where(responded, _iso(t["due"]), "\\N"),
        np.where(responded, "public_reply", ""),
        _nullable_ids(t["responder"]),
        np.where(no_contract, "not_covered", ""),
        np.where(resolved, "Fixed; the customer confirmed.", ""),
        _iso(t["resolved"]),
        _iso(t["closed"]),
        np.full(n, "0"),
        _iso(t["updated"]),
        _nullable_ids(t["assignee"]),
        _iso(t["assigned"]),
        _iso(starts),
        _iso(warns),
        _iso(checks),
    ]
    say("ticket columns built", started)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        sql = f"COPY tickets_ticket ({', '.join(TICKET_COLUMNS)}) FROM STDIN"
        with raw.copy(sql) as copy:
            for lo in range(0, n, CHUNK):
                hi = min(lo + CHUNK, n)
                rows = zip(*(c[lo:hi].tolist() for c in columns), strict=True)
                copy.write("".join("\t".join(r) + "\n" for r in rows).encode())
                say(f"COPY tickets {hi:,}/{n:,}", started)
        cursor.execute("SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), %s)", [n])
        cursor.execute(
            "INSERT INTO tickets_ticketcounter (name, value) VALUES ('ticket', %s) "
            "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
            [FIRST_REFERENCE_NUMBER - 1 + n],
        )


# The conversation, audit trail and attachments follow from each ticket's own columns; the
# id-based tests (id % k) spread them deterministically.
DERIVED_SQL = [
    (
        "messages: the helpdesk's first response",
        """INSERT INTO tickets_message (ticket_id, kind, author_id, at, body, call_direction)
        SELECT id, 'public', first_response_by_id, responded_at,
               'Thanks for reporting this; we are looking into it now.', ''
        FROM tickets_ticket WHERE responded_at IS NOT NULL""",
    ),
    (
        "messages: customer replies",
        """INSERT INTO tickets_message (ticket_id, kind, author_id, at, body, call_direction)
        SELECT t.id, 'public', u.id, t.responded_at + interval '47 minutes',
               'It happened again this morning; screenshot attached.', ''
        FROM tickets_ticket t JOIN accounts_user u ON u.company_id = t.company_id
        WHERE t.responded_at IS NOT NULL AND t.id % 3 <> 0""",
    ),
    (
        "messages: internal notes",
        """INSERT INTO tickets_message (ticket_id, kind, author_id, at, body, call_direction)
        SELECT id, 'internal', coalesce(assignee_id, first_response_by_id),
               responded_at + interval '20 minutes',
               'Reproduced on 5.2; checking the application log.', ''
        FROM tickets_ticket WHERE responded_at IS NOT NULL AND id % 4 = 0""",
    ),
    (
        "messages: phone calls",
        """INSERT INTO tickets_message
            (ticket_id, kind, author_id, at, body, call_direction, call_duration_seconds)
        SELECT id, 'call', logged_by_id, logged_at, 'Customer called to report the fault.',
               'inbound', 120 + id % 900
        FROM tickets_ticket WHERE channel IN ('phone', 'out_of_hours')""",
    ),
    (
        "messages: resolutions",
        """INSERT INTO tickets_message (ticket_id, kind, author_id, at, body, call_direction)
        SELECT id, 'public', coalesce(assignee_id, first_response_by_id), resolved_at,
               'Fixed; please confirm on your side.', ''
        FROM tickets_ticket WHERE resolved_at IS NOT NULL""",
    ),
    (
        "audit: ticket.logged",
        """INSERT INTO audit_auditevent
            (at, actor_id, action, ticket_id, subject_type, subject_id, reason, agreed_by,
             before, after)
        SELECT logged_at, logged_by_id, 'ticket.logged', id, 'tickets.ticket', id::text,
               CASE WHEN contract_id IS NULL
                    THEN 'no signed, in-date contract covers this module' ELSE '' END, '',
               '{}'::jsonb,
               jsonb_build_object('reference', reference, 'company_id', company_id,
                   'contact_id', contact_id, 'module_id', module_id, 'version', version,
                   'channel', channel, 'contract_id', contract_id, 'coverage', coverage,
                   'policy_id', policy_id, 'priority', priority, 'proposed_priority', '',
                   'response_due', response_due, 'needs_review', needs_review,
                   'possibly_chargeable', possibly_chargeable)
        FROM tickets_ticket""",
    ),
    (
        "audit: ticket.first_response",
        """INSERT INTO audit_auditevent
            (at, actor_id, action, ticket_id, subject_type, subject_id, reason, agreed_by,
             before, after)
        SELECT responded_at, first_response_by_id, 'ticket.first_response', id,
               'tickets.ticket', id::text, '', '', '{}'::jsonb,
               jsonb_build_object('responded_at', responded_at, 'response_met', response_met,
                   'kind', first_response_kind)
        FROM tickets_ticket WHERE responded_at IS NOT NULL""",
    ),
    (
        "audit: ticket.resolved",
        """INSERT INTO audit_auditevent
            (at, actor_id, action, ticket_id, subject_type, subject_id, reason, agreed_by,
             before, after)
        SELECT resolved_at, coalesce(assignee_id, first_response_by_id), 'ticket.resolved', id,
               'tickets.ticket', id::text, '', '', '{}'::jsonb,
               jsonb_build_object('status', 'resolved')
        FROM tickets_ticket WHERE resolved_at IS NOT NULL""",
    ),
    (
        "audit: ticket.closed",
        """INSERT INTO audit_auditevent
            (at, actor_id, action, ticket_id, subject_type, subject_id, reason, agreed_by,
             before, after)
        SELECT closed_at, coalesce(assignee_id, first_response_by_id), 'ticket.closed', id,
               'tickets.ticket', id::text, '', '', jsonb_build_object('status', 'resolved'),
               jsonb_build_object('status', 'closed')
        FROM tickets_ticket WHERE closed_at IS NOT NULL""",
    ),
    (
        "attachments (metadata rows)",
        """INSERT INTO tickets_attachment
            (ticket_id, message_id, file, original_name, content_type, size, internal,
             uploaded_by_id, uploaded_at)
        SELECT id, NULL, 'attachments/' || id || '/' || md5(id::text),
               'screenshot-' || id || '.png', 'image/png', 20000 + (id * 7919) % 900000,
               false, logged_by_id, logged_at
        FROM tickets_ticket WHERE id % 8 = 0""",
    ),
]


def derived(started: float) -> dict[str, int]:
    from django.db import connection

    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for label, sql in DERIVED_SQL:
            cursor.execute(sql)
            counts[label] = cursor.rowcount
            say(f"{label}: {cursor.rowcount:,} rows", started)
    return counts


def check_sample(started: float, sample: int = 500) -> None:
    """Compare a sample of loaded due times with the per-ticket path `log_ticket` uses."""
    from sladesk.contracts.sla_adapter import compute_response_due
    from sladesk.tickets.models import Ticket

    rows = Ticket.objects.select_related("policy", "contact").order_by("?")[:sample]
    wrong = [
        t.reference
        for t in rows
        if t.response_due
        != compute_response_due(
            policy_row=t.policy, priority=t.priority, coverage=t.coverage, logged_at=t.logged_at
        )
        or (t.contact.company_id != t.company_id)
    ]
    if wrong:
        raise SystemExit(f"datagen: due time or contact wrong for {', '.join(wrong[:10])}")
    say(f"{len(rows)} random tickets agree with the per-ticket due time", started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--companies", type=int, default=2_000)
    parser.add_argument("--contacts-per-company", type=int, default=10)
    parser.add_argument("--staff", type=int, default=300)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args(argv)
    if args.tickets < 1 or args.companies < 1 or args.staff < 8 or args.contacts_per_company < 1:
        parser.error(
            "--tickets, --companies and --contacts-per-company must be at least 1, "
            "--staff at least 8"
        )
    started = time.perf_counter()
    recreate_database(args.database_url)
    say(f"database {urlsplit(args.database_url).path.lstrip('/')} created", started)
    setup_django(args.database_url)
    say("migrated", started)
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    rng = random.Random(args.seed)
    with transaction.atomic():
        world = people(rng, args.companies, args.contacts_per_company, args.staff)
    say(
        f"{args.companies:,} companies, {len(world['contacts']):,} contacts, "
        f"{args.staff} staff, {sum(1 for c in world['contract'] if c):,} contracts",
        started,
    )
    t = tickets(args.tickets, args.seed, world, started)
    t["contacts"] = world["contacts"]
    with transaction.atomic():
        copy_tickets(t, started)
    with transaction.atomic():
        counts = derived(started)
    with connection.cursor() as cursor:
        # The tickets table is read through its indexes by every page: vacuum it so its
        # visibility map is set, as autovacuum would have long since done in production.
        # The other tables only need their statistics.
        cursor.execute("VACUUM ANALYZE tickets_ticket")
        cursor.execute("ANALYZE")
    say("VACUUM ANALYZE tickets_ticket, ANALYZE the rest: done", started)
    check_sample(started)
    values, counts_ = np.unique(t["status"].astype(str), return_counts=True)
    statuses = ", ".join(f"{v} {c:,}" for v, c in zip(values, counts_, strict=True))
    say(f"status mix: {statuses}", started)
    say(
        f"done: {args.tickets:,} tickets, "
        f"{sum(v for k, v in counts.items() if k.startswith('messages')):,} messages, "
        f"{sum(v for k, v in counts.items() if k.startswith('audit')):,} audit events, "
        f"{counts['attachments (metadata rows)']:,} attachments in "
        f"{time.perf_counter() - started:.0f} s",
        started,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

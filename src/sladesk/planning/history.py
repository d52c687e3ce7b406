"""Deterministic ticket history for the demo: several months of answered tickets, so the
staffing forecast and the what-if replay have something real to work on.

Written in bulk (not through the ticket actions: thousands of tickets through the actions
would make `sladesk demo` slow to start). What the actions would decide is still decided
the same way: the contract in force and its coverage and policy (`contract_in_force`), the
reference from the same counter, and the due time from the SLA engine. The tickets carry
no conversation and no audit trail: they are the record of past, answered tickets.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F

from sladesk.accounts.models import User
from sladesk.contracts.entitlement import contract_in_force
from sladesk.contracts.sla_adapter import default_policy_row, policy_from_row
from sladesk.customers.models import Company, Contact, Module
from sladesk.sla import Policy, response_due
from sladesk.tickets.actions import FIRST_REFERENCE_NUMBER, REFERENCE_COUNTER
from sladesk.tickets.models import Ticket, TicketCounter

LONDON = ZoneInfo("Europe/London")
# Expected tickets per hour on a working day, 08:00 to 17:59 (a morning peak, a lunch dip).
WORKDAY = {8: 0.8, 9: 2.5, 10: 4.0, 11: 3.5, 12: 2.5, 13: 3.0, 14: 3.5, 15: 3.0, 16: 2.0, 17: 0.8}
EVENING = 0.15  # 18:00-22:59 and 07:00 on working days
NIGHT = 0.05
WEEKEND = 0.08
WAIT_MINUTES = {"critical": 3.0, "major": 6.0}  # mean wait before an agent takes it
PRIORITIES = (("critical", 4), ("major", 12), ("normal", 50), ("minor", 28), ("enhancement", 6))
OVERVIEWS = (
    "Agents see a blank script page",
    "Call outcome not saved",
    "Daily calls report fails to run",
    "CTI screen pop missing caller ID",
    "Slow page loads for agents",
)


def hourly_rate(local: dt.datetime, week: int) -> float:
    """Expected arrivals in the hour starting at `local` (London), in history week `week`.

    A slow swell over the weeks (plus or minus 10 %) keeps the weeks from being copies.
    """
    swell = 1 + 0.1 * math.sin(week / 2.5)
    if local.weekday() >= 5:
        return WEEKEND * swell
    if local.hour in WORKDAY:
        return WORKDAY[local.hour] * swell
    if 18 <= local.hour <= 22 or local.hour == 7:
        return EVENING * swell
    return NIGHT * swell


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def write_ticket_history(*, now: dt.datetime, weeks: int, seed: int) -> int:
    """Answered tickets logged over the `weeks` weeks before `now`; returns how many.

    Uses the companies (with their contacts and covered modules) and the helpdesk members
    already in the database.
    """
    rng = random.Random(seed)
    companies = list(Company.objects.order_by("pk"))
    engineers = list(User.objects.filter(role__in=("engineer", "oncall")).order_by("pk"))
    logger = User.objects.filter(role="operator").order_by("pk").first()
    if not companies or not engineers or logger is None:
        return 0
    contacts = {c.pk: list(Contact.objects.filter(company=c).order_by("pk")) for c in companies}
    modules = {
        c.pk: list(Module.objects.filter(contracts__company=c).distinct().order_by("pk"))
        or list(Module.objects.order_by("pk")[:1])
        for c in companies
    }
    weights = [3 + (i % 3) for i in range(len(companies))]
    default_row = default_policy_row()
    policies: dict[int, Policy] = {}
    entitlement: dict[tuple[int, int, dt.date], tuple[Any, str, Any]] = {}

    start = (now - dt.timedelta(weeks=weeks)).replace(minute=0, second=0, microsecond=0)
    plans: list[dict[str, Any]] = []
    t = start
    while t < now:
        local = t.astimezone(LONDON)
        week = int((t - start).total_seconds() // (7 * 86400))
        for _ in range(_poisson(rng, hourly_rate(local, week))):
            logged = t + dt.timedelta(seconds=rng.randrange(3600))
            if logged >= now:
                continue
            company = rng.choices(companies, weights=weights)[0]
            if not contacts[company.pk]:
                continue
            module = rng.choice(modules[company.pk])
            key = (company.pk, module.pk, logged.astimezone(LONDON).date())
            if key not in entitlement:
                contract = contract_in_force(company_id=company.pk, module_id=module.pk, at=logged)
                if contract is None:
                    entitlement[key] = (None, "", default_row)
                else:
                    entitlement[key] = (
                        contract,
                        contract.coverage,
                        contract.policy or default_row,
                    )
            contract, coverage, policy_row = entitlement[key]
            priority = rng.choices([p for p, _ in PRIORITIES], [w for _, w in PRIORITIES])[0]
            plans.append(
                {
                    "logged": logged,
                    "company": company,
                    "contact": rng.choice(contacts[company.pk]),
                    "module": module,
                    "contract": contract,
                    "coverage": coverage,
                    "policy_row": policy_row,
                    "priority": priority,
                    "overview": rng.choice(OVERVIEWS),
                }
            )
        t += dt.timedelta(hours=1)
    if not plans:
        return 0
    plans.sort(key=lambda p: p["logged"])

    TicketCounter.objects.get_or_create(
        name=REFERENCE_COUNTER, defaults={"value": FIRST_REFERENCE_NUMBER - 1}
    )
    TicketCounter.objects.filter(name=REFERENCE_COUNTER).update(value=F("value") + len(plans))
    last = TicketCounter.objects.get(name=REFERENCE_COUNTER).value
    first = last - len(plans) + 1

    rows = []
    for index, plan in enumerate(plans):
        row = plan["policy_row"]
        policy = policies.get(row.pk) or policies.setdefault(row.pk, policy_from_row(row))
        logged = plan["logged"]
        due = response_due(policy, plan["priority"], plan["coverage"] or None, logged)
        pages = plan["coverage"] == "24x7" and plan["priority"] in policy.out_of_hours_priorities
        # The queue serves the earliest due time first: urgent tickets wait less.
        wait = WAIT_MINUTES.get(plan["priority"], 15.0)
        if policy.hours.is_open(logged) or pages:
            assigned = logged + dt.timedelta(minutes=rng.expovariate(1 / wait))
        else:
            assigned = policy.hours.next_opening(logged) + dt.timedelta(
                minutes=rng.expovariate(1 / (wait + 20))
            )
        responded = assigned + dt.timedelta(minutes=2 + rng.expovariate(1 / 8))
        if responded >= now:
            continue
        resolved_at = responded + dt.timedelta(hours=rng.uniform(1, 72))
        closed_at = resolved_at + dt.timedelta(hours=rng.uniform(2, 48))
        resolved: dt.datetime | None = resolved_at
        closed: dt.datetime | None = closed_at
        status = "closed"
        if closed is not None and closed >= now:
            status, closed = "resolved", None
        if resolved is not None and resolved >= now:
            status, resolved = "in_progress", None
        engineer = rng.choice(engineers)
        contact = plan["contact"]
        rows.append(
            Ticket(
                reference=f"{settings.SLADESK_TICKET_PREFIX}-{first + index}",
                company=plan["company"],
                contact=contact,
                contact_name=contact.name,
                contact_phone=contact.phone,
                module=plan["module"],
                version="5.2",
                overview=plan["overview"],
                description="From the demo history.",
                affected="one_person",
                problem_since=logged - dt.timedelta(minutes=30),
                error_details="See the overview.",
                business_impact="Agents use a workaround",
                channel="out_of_hours" if not policy.hours.is_open(logged) else "phone",
                logged_at=logged,
                logged_by=logger,
                contract=plan["contract"],
                coverage=plan["coverage"],
                policy=row,
                needs_review=plan["contract"] is None,
                possibly_chargeable=plan["contract"] is None,
                priority=plan["priority"],
                status=status,
                response_due=due,
                responded_at=responded,
                response_met=None if due is None else responded <= due,
                response_due_at_response=due,
                first_response_kind="public_reply",
                first_response_by=engineer,
                assignee=engineer,
                assigned_at=assigned,
                resolution="Fixed." if resolved else "",
                resolved_at=resolved,
                closed_at=closed,
                updated_at=closed or resolved or responded,
            )
        )
    Ticket.objects.bulk_create(rows, batch_size=500)
    return len(rows)

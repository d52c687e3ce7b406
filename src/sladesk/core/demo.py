"""The demo dataset: three customers with different contracts, staff in every role, and a
few hundred tickets over the last eight months, made through the actions (so every due
time, response and audit event is real). Deterministic for a given seed and `now`.

The eight months always include at least one clock change and several bank holidays; the
loader also logs tickets on the bank holidays and clock-change weekends it finds there.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from sladesk.accounts.actions import create_user
from sladesk.accounts.models import User
from sladesk.contracts.models import Contract, SlaPolicy
from sladesk.contracts.sla_adapter import ensure_reference_data, policy_data_for_storage
from sladesk.customers.models import Company, Contact, Module, ModuleVersion, Product
from sladesk.knowledge.demo import load_demo_knowledge
from sladesk.sla import DEFAULT_POLICY, STANDARD, Policy
from sladesk.tickets import actions
from sladesk.tickets.models import Message, Ticket

LONDON = ZoneInfo("Europe/London")
DEMO_PASSWORD = "sladesk-demo"
DEMO_MARKER_EMAIL = "admin@sladesk.demo"
DEFAULT_TICKETS = 300
DEFAULT_SEED = 20260101
SPAN_DAYS = 240
HISTORY_WEEKS = 16  # bulk ticket history for the staffing forecast (sladesk.planning)

STAFF = [
    ("operator@sladesk.demo", "operator", "Olivia Operator"),
    ("engineer@sladesk.demo", "engineer", "Ethan Engineer"),
    ("engineer2@sladesk.demo", "engineer", "Priya Patel"),
    ("oncall@sladesk.demo", "oncall", "Owen Oncall"),
    ("manager@sladesk.demo", "manager", "Maya Manager"),
    (DEMO_MARKER_EMAIL, "admin", "Adam Admin"),
]

PRIORITY_WEIGHTS = [
    ("critical", 5),
    ("major", 15),
    ("normal", 50),
    ("minor", 25),
    ("enhancement", 5),
]

PROBLEMS = [
    ("Agents see a blank script page", "Script engine returned HTTP 500"),
    ("Call outcome not saved", "SaveOutcome failed: timeout after 30s"),
    ("Daily calls report fails to run", "Report 'Daily Calls' error: query timeout"),
    ("CTI screen pop missing caller ID", "No error shown"),
    ("Script designer crashes on publish", "Unhandled exception in Publish()"),
    ("Slow page loads for agents", "No error shown; pages take 20s"),
    ("Login loop for supervisors", "Redirect loop detected"),
    ("Wrong time shown on callbacks", "Callback scheduled 1 hour late"),
    ("Request: export scripts to PDF", "n/a (feature request)"),
    ("Drop-down list empty in script", "Data source 'Products' returned 0 rows"),
]
IMPACTS = [
    "No calls can be handled",
    "Supervisors cannot monitor queues",
    "Agents use a paper workaround",
    "Minor inconvenience, workaround in place",
    "Month-end reporting delayed",
]


@dataclass
class DemoSummary:
    created: bool
    tickets: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def demo_logins() -> list[tuple[str, str, str]]:
    users = User.objects.filter(email__endswith=".demo").order_by("role", "email")
    return [
        (u.email, DEMO_PASSWORD, u.role_label + (f", {u.company}" if u.company else ""))
        for u in users
    ]


def demo_loaded() -> bool:
    return User.objects.filter(email=DEMO_MARKER_EMAIL).exists()


def load_demo(
    *,
    seed: int = DEFAULT_SEED,
    now: dt.datetime | None = None,
    tickets: int = DEFAULT_TICKETS,
    history_weeks: int | None = None,
) -> DemoSummary:
    """Load the demo dataset unless it is already there.

    `history_weeks` adds that many weeks of answered tickets in bulk for the staffing
    forecast and the what-if replay (`sladesk.planning.history`). By default they come with
    a demo of the present (`now` not given: `sladesk demo`); a demo pinned to another
    instant keeps only the few hundred tickets unless asked.
    """
    if demo_loaded():
        return DemoSummary(created=False, tickets=Ticket.objects.count(), logins=demo_logins())
    if history_weeks is None:
        history_weeks = HISTORY_WEEKS if now is None else 0
    now = (now or timezone.now()).astimezone(dt.UTC).replace(second=0, microsecond=0)
    with transaction.atomic():
        builder = _Builder(random.Random(seed), now)
        builder.reference_data()
        builder.people()
        builder.tickets(tickets)
        builder.planning(history_weeks, seed)
        load_demo_knowledge(at=now)
    return DemoSummary(created=True, tickets=Ticket.objects.count(), logins=demo_logins())


class _Builder:
    def __init__(self, rng: random.Random, now: dt.datetime) -> None:
        self.rng = rng
        self.now = now
        self.start = now - dt.timedelta(days=SPAN_DAYS)
        self.staff: dict[str, list[User]] = {}
        self.customers: dict[int, User] = {}
        self.contacts: dict[int, list[Contact]] = {}
        self.modules: list[Module] = []
        self.companies: list[Company] = []
        self.covered: dict[int, list[Module]] = {}

    # ------------------------------------------------------------------ reference data

    def reference_data(self) -> None:
        ensure_reference_data()
        product = Product.objects.create(name="CallScripter")
        versions = {
            "Agent Desktop": ["5.0", "5.1", "5.2"],
            "Script Designer": ["5.1", "5.2"],
            "Reports": ["5.2"],
            "CTI Connector": ["3.4"],
        }
        for name, numbers in versions.items():
            module = Module.objects.create(product=product, name=name)
            for number in numbers:
                ModuleVersion.objects.create(module=module, version=number)
            self.modules.append(module)
        desktop, designer, reports, cti = self.modules

        # The seed's out-of-hours wording: only Critical gets out-of-hours action.
        data = policy_data_for_storage(DEFAULT_POLICY)
        data["name"] = "critical-only-out-of-hours"
        data["description"] = "Only Critical faults are acted on out of hours."
        data["out_of_hours_priorities"] = ["critical"]
        Policy.from_dict(data)  # validate before storing
        strict = SlaPolicy.objects.create(name=data["name"], data=data)

        today = self.now.astimezone(LONDON).date()
        year = dt.timedelta(days=365)
        specs: list[dict[str, Any]] = [
            {
                "name": "Northwind Contact Centres",
                "slug": "northwind",
                "coverage": "24x7",
                "modules": [desktop, designer, reports, cti],
                "valid_from": today - year,
                "valid_to": today + year,
                "policy": None,
                "people": [("Nora North", "0113 496 0001"), ("Neil Webb", "0113 496 0002")],
            },
            {
                "name": "Bluebell Insurance",
                "slug": "bluebell",
                "coverage": "standard",
                "modules": [desktop, reports],
                "valid_from": today - year,
                "valid_to": today + year,
                "policy": None,
                "people": [("Beth Bell", "01473 960001"), ("Bill Blue", "01473 960002")],
            },
            {
                # 24x7 under the stricter policy, expired two months ago: recent tickets
                # get no target and are flagged for review.
                "name": "Harbour Telecom",
                "slug": "harbour",
                "coverage": "24x7",
                "modules": [desktop, cti],
                "valid_from": today - 2 * year,
                "valid_to": today - dt.timedelta(days=60),
                "policy": strict,
                "people": [("Hana Harbour", "+44 20 7946 0001"), ("Hugo Pier", "+44 20 7946 0002")],
            },
        ]
        for spec in specs:
            company = Company.objects.create(name=spec["name"], slug=spec["slug"])
            contract = Contract.objects.create(
                company=company,
                reference=f"SC-{spec['slug'].upper()}-{spec['valid_from']:%Y}",
                signed_on=spec["valid_from"] - dt.timedelta(days=14),
                valid_from=spec["valid_from"],
                valid_to=spec["valid_to"],
                coverage=spec["coverage"],
                policy=spec["policy"],
                price_list_reference="PL-2025",
                sow_reference=f"SOW-{spec['slug'].upper()}-001",
            )
            contract.modules.set(spec["modules"])
            self.companies.append(company)
            self.covered[company.pk] = list(spec["modules"])
            self.contacts[company.pk] = []
            for index, (name, phone) in enumerate(spec["people"]):
                if index == 0:
                    user = create_user(
                        actor=None,
                        email=f"{spec['slug']}@customer.demo",
                        role="customer",
                        company=company,
                        password=DEMO_PASSWORD,
                        full_name=name,
                        phone=phone,
                        validate_password_strength=False,
                        at=self.start,
                    )
                    self.customers[company.pk] = user
                    self.contacts[company.pk].append(Contact.objects.get(user=user))
                else:
                    self.contacts[company.pk].append(
                        Contact.objects.create(company=company, name=name, phone=phone)
                    )

    def people(self) -> None:
        for email, role, name in STAFF:
            user = create_user(
                actor=None,
                email=email,
                role=role,
                password=DEMO_PASSWORD,
                full_name=name,
                validate_password_strength=False,
                at=self.start,
            )
            self.staff.setdefault(role, []).append(user)

    # ------------------------------------------------------------------------ planning

    def planning(self, history_weeks: int, seed: int) -> None:
        """Working hours at the desk, the on-call rota for the next two weeks (with one
        uncovered Saturday afternoon, so the forecast has an hour at risk to show), and
        optionally weeks of ticket history."""
        from sladesk.oncall.actions import add_shift
        from sladesk.planning.history import write_ticket_history
        from sladesk.planning.models import WorkingHours

        operator = self.staff["operator"][0]
        ethan, priya = self.staff["engineer"]
        patterns = [
            (operator, range(5), dt.time(8, 30), dt.time(17, 0)),
            (ethan, range(5), dt.time(9, 0), dt.time(17, 30)),
            (priya, range(4), dt.time(9, 0), dt.time(17, 0)),  # Fridays off
        ]
        WorkingHours.objects.bulk_create(
            WorkingHours(agent=agent, weekday=day, starts=starts, ends=ends)
            for agent, days, starts, ends in patterns
            for day in days
        )
        oncall = self.staff["oncall"][0]
        manager = self.staff["manager"][0]
        today = self.now.astimezone(LONDON).date()
        for offset in range(15):
            day = today + dt.timedelta(days=offset)
            if day.weekday() >= 5:
                continue  # weekends are part of Friday's shift
            start = dt.datetime.combine(day, dt.time(17, 0))
            if day.weekday() == 4:
                saturday = day + dt.timedelta(days=1)
                stretches = [
                    (start, dt.datetime.combine(saturday, dt.time(12, 0))),
                    (
                        dt.datetime.combine(saturday, dt.time(20, 0)),
                        dt.datetime.combine(day + dt.timedelta(days=3), dt.time(9, 0)),
                    ),
                ]
            else:
                stretches = [(start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(9)))]
            for starts, ends in stretches:
                add_shift(actor=manager, engineer=oncall, starts=starts, ends=ends, at=self.now)
        if history_weeks > 0:
            write_ticket_history(now=self.now, weeks=history_weeks, seed=seed)

    # ------------------------------------------------------------------------- tickets

    def _pick(self, role: str) -> User:
        return self.rng.choice(self.staff[role])

    def _engineer(self) -> User:
        return self.rng.choice(self.staff["engineer"] + self.staff["oncall"])

    def _special_instants(self) -> list[dt.datetime]:
        """Bank holidays and clock-change weekends inside the demo window."""
        instants = []
        first, last = self.start.astimezone(LONDON).date(), self.now.astimezone(LONDON).date()
        for year in range(first.year, last.year + 1):
            for closure in STANDARD.closures(year):
                day = closure.date
                if first < day < last and day.weekday() < 5:
                    for hh in (10, 15):
                        instants.append(
                            dt.datetime(day.year, day.month, day.day, hh, tzinfo=LONDON)
                        )
            for month in (3, 10):
                last_sunday = max(
                    dt.date(year, month, d)
                    for d in range(25, 32)
                    if dt.date(year, month, d).weekday() == 6
                )
                if first < last_sunday < last:
                    for hh, mm in ((0, 45), (3, 10)):
                        instants.append(
                            dt.datetime.combine(last_sunday, dt.time(hh, mm), tzinfo=LONDON)
                        )
                    friday = last_sunday - dt.timedelta(days=2)
                    instants.append(dt.datetime.combine(friday, dt.time(16, 40), tzinfo=LONDON))
        return [i.astimezone(dt.UTC) for i in instants]

    def _random_instant(self) -> dt.datetime:
        span = (self.now - self.start).total_seconds()
        while True:
            t = self.start + dt.timedelta(seconds=self.rng.uniform(0, span))
            local = t.astimezone(LONDON)
            in_hours = local.weekday() < 5 and 8 <= local.hour < 18
            # Most tickets arrive in the working day; keep about a quarter outside it.
            if in_hours or self.rng.random() < 0.25:
                return t.replace(second=0, microsecond=0)

    def tickets(self, count: int) -> None:
        specials = self._special_instants()
        instants = specials + [self._random_instant() for _ in range(max(0, count - len(specials)))]
        instants.sort()
        for index, logged_at in enumerate(instants):
            self._one_ticket(index, logged_at)

    def _one_ticket(self, index: int, logged_at: dt.datetime) -> None:
        rng = self.rng
        company = self.companies[index % len(self.companies)]
        covered = self.covered[company.pk]
        # One ticket in twelve is about a module the contract does not cover.
        module = rng.choice(self.modules if rng.random() < 0.08 else covered)
        version = rng.choice(list(module.versions.values_list("version", flat=True)))
        contact = rng.choice(self.contacts[company.pk])
        overview, error = rng.choice(PROBLEMS)
        priority = rng.choices(
            [p for p, _ in PRIORITY_WEIGHTS], weights=[w for _, w in PRIORITY_WEIGHTS]
        )[0]
        if "Request:" in overview:
            priority = "enhancement"
        local = logged_at.astimezone(LONDON)
        out_of_hours = not STANDARD.is_open(logged_at)
        by_customer = contact.user_id is not None and rng.random() < 0.5
        fields: dict[str, Any] = {
            "company": company,
            "contact": contact,
            "module": module,
            "version": version,
            "overview": overview,
            "description": f"Reported {local:%A %d %B %Y at %H:%M %Z}.",
            "affected": rng.choice(["one_person", "several_pcs", "entire_centre"]),
            "problem_since": logged_at - dt.timedelta(minutes=rng.randint(5, 600)),
            "error_details": error,
            "business_impact": rng.choice(IMPACTS),
            "at": logged_at,
        }
        if by_customer:
            ticket = actions.log_ticket(
                actor=contact.user,  # type: ignore[arg-type]
                channel=rng.choice(["web", "email"]),
                proposed_priority=priority if rng.random() < 0.6 else None,
                **fields,
            )
            if priority != ticket.priority:
                set_at = logged_at + dt.timedelta(minutes=rng.randint(1, 4))
                if set_at < self.now:
                    ticket = actions.set_priority(
                        actor=self._pick("operator"),
                        ticket=ticket,
                        priority=priority,
                        reason="Triage of the customer's description",
                        agreed_by=f"{contact.name} by phone",
                        at=set_at,
                    )
        else:
            channel = "out_of_hours" if out_of_hours else rng.choice(["phone", "phone", "email"])
            ticket = actions.log_ticket(
                actor=self._pick("operator"), channel=channel, priority=priority, **fields
            )
        self._respond(ticket)
        self._lifecycle(ticket)

    def _respond(self, ticket: Ticket) -> None:
        rng = self.rng
        start = ticket.updated_at
        if ticket.response_due is not None:
            window = ticket.response_due - ticket.logged_at
            if rng.random() < 0.12:
                at = ticket.response_due + dt.timedelta(minutes=rng.randint(3, 240))
            else:
                at = ticket.logged_at + window * rng.uniform(0.1, 0.95)
        else:
            at = ticket.logged_at + dt.timedelta(minutes=rng.randint(20, 60 * 30))
        at = max(at, start + dt.timedelta(minutes=1)).replace(microsecond=0)
        if at >= self.now:
            return  # not answered yet: pending, or overdue on the list
        responder = self._engineer()
        if ticket.priority in ("critical", "major"):
            if rng.random() < 0.6:
                actions.log_phone_call(
                    actor=responder,
                    ticket=ticket,
                    direction="outbound",
                    duration_seconds=rng.randint(60, 1500),
                    summary=f"Called {ticket.contact_name}; gathered details, agreed next steps.",
                    at=at,
                )
            else:
                actions.add_public_reply(
                    actor=responder,
                    ticket=ticket,
                    body="We are on it and will call you with an update.",
                    at=at,
                )
        elif ticket.priority in ("normal", "minor") and rng.random() < 0.5:
            actions.mark_investigating(actor=responder, ticket=ticket, at=at)
        else:
            actions.add_public_reply(
                actor=responder,
                ticket=ticket,
                body="Thank you, we are investigating and will update you shortly.",
                at=at,
            )

    def _lifecycle(self, ticket: Ticket) -> None:
        rng = self.rng
        ticket.refresh_from_db()
        if ticket.responded_at is None:
            return
        at = ticket.responded_at
        engineer = self._engineer()

        def later(lo: int, hi: int) -> dt.datetime | None:
            nonlocal at
            candidate = at + dt.timedelta(minutes=rng.randint(lo, hi))
            if candidate >= self.now:
                return None
            at = candidate
            return at

        if (when := later(5, 240)) is not None:
            actions.add_internal_note(
                actor=engineer,
                ticket=ticket,
                body="Checked the application logs; see the error at the reported time.",
                at=when,
            )
        if ticket.needs_review and rng.random() < 0.5 and (when := later(10, 600)) is not None:
            chargeable = rng.random() < 0.7
            actions.classify_scope(
                actor=engineer,
                ticket=ticket,
                scope="environment" if chargeable else "product_fault",
                chargeable=chargeable,
                reason="Reviewed entitlement: no contract covered the module at logging",
                at=when,
            )
        roll = rng.random()
        if roll < 0.15:
            if (when := later(30, 300)) is not None:
                actions.change_status(
                    actor=engineer,
                    ticket=ticket,
                    status="awaiting_customer",
                    reason="Asked for logs",
                    at=when,
                )
            return
        if roll < 0.3:
            return  # still being worked on
        if ticket.status != "in_progress" and (when := later(10, 600)) is not None:
            actions.mark_investigating(actor=engineer, ticket=ticket, at=when)
        if (when := later(60, 60 * 24 * 5)) is None:
            return
        actions.resolve(
            actor=engineer,
            ticket=ticket,
            resolution="Configuration corrected and verified with the customer.",
            at=when,
        )
        if rng.random() < 0.75 and (when := later(60, 60 * 24 * 3)) is not None:
            closer = self.customers[ticket.company_id] if rng.random() < 0.5 else engineer
            actions.close(actor=closer, ticket=ticket, at=when)
            if rng.random() < 0.05 and (when := later(60, 60 * 24 * 10)) is not None:
                actions.reopen(
                    actor=self.customers[ticket.company_id],
                    ticket=ticket,
                    reason="The problem came back",
                    at=when,
                )
        ticket.refresh_from_db()
        if rng.random() < 0.06 and ticket.status != "closed" and (when := later(5, 60)):
            messages = list(Message.objects.filter(ticket=ticket, kind="internal")[:1])
            actions.split_ticket(
                actor=self._pick("operator"),
                ticket=ticket,
                overview=f"Follow-up from {ticket.reference}",
                reason="A second issue was reported on the same ticket",
                messages=messages,
                at=when,
            )

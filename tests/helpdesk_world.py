"""The test helpdesk world: companies, contracts, people in every role, valid ticket data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def london(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> dt.datetime:
    """An aware instant given as London wall-clock time."""
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=LONDON)


@dataclass
class World:
    acme: Any  # 24x7 contract covering Agent Desktop and Reports
    bluebell: Any  # standard contract covering Agent Desktop only
    corvid: Any  # a contract that was never signed
    desktop: Any
    reports: Any
    acme_contract: Any
    bluebell_contract: Any
    operator: Any
    engineer: Any
    oncall: Any
    manager: Any
    admin: Any
    acme_user: Any
    bluebell_user: Any
    corvid_user: Any
    acme_contact: Any
    bluebell_contact: Any
    corvid_contact: Any

    @property
    def staff(self) -> list[Any]:
        return [self.operator, self.engineer, self.oncall, self.manager, self.admin]


def _user(email: str, role: str, company: Any = None, name: str = "") -> Any:
    from sladesk.accounts.models import User

    return User.objects.create_user(
        email, "correct horse battery staple", role=role, company=company, full_name=name
    )


def build_world() -> World:
    from sladesk.contracts.models import Contract
    from sladesk.contracts.sla_adapter import ensure_reference_data
    from sladesk.customers.models import Company, Contact, Module, ModuleVersion, Product

    ensure_reference_data()
    product = Product.objects.create(name="CallScripter")
    desktop = Module.objects.create(product=product, name="Agent Desktop")
    reports = Module.objects.create(product=product, name="Reports")
    for version in ("5.1", "5.2"):
        ModuleVersion.objects.create(module=desktop, version=version)
    acme = Company.objects.create(name="Acme Contact Centres", slug="acme")
    bluebell = Company.objects.create(name="Bluebell Insurance", slug="bluebell")
    corvid = Company.objects.create(name="Corvid Telecom", slug="corvid")
    acme_contract = Contract.objects.create(
        company=acme,
        reference="SC-ACME-1",
        signed_on=dt.date(2025, 12, 1),
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2026, 12, 31),
        coverage="24x7",
    )
    acme_contract.modules.set([desktop, reports])
    bluebell_contract = Contract.objects.create(
        company=bluebell,
        reference="SC-BLUE-1",
        signed_on=dt.date(2025, 12, 1),
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2026, 12, 31),
        coverage="standard",
    )
    bluebell_contract.modules.set([desktop])
    unsigned = Contract.objects.create(
        company=corvid,
        reference="SC-CORVID-DRAFT",
        signed_on=None,
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2026, 12, 31),
        coverage="24x7",
    )
    unsigned.modules.set([desktop, reports])

    acme_user = _user("ann@acme.example", "customer", acme, "Ann Acme")
    bluebell_user = _user("bob@bluebell.example", "customer", bluebell, "Bob Bluebell")
    corvid_user = _user("cat@corvid.example", "customer", corvid, "Cat Corvid")
    acme_contact = Contact.objects.create(
        company=acme, name="Ann Acme", phone="+44 1473 000001", user=acme_user
    )
    bluebell_contact = Contact.objects.create(
        company=bluebell, name="Bob Bluebell", phone="01473 000002", user=bluebell_user
    )
    corvid_contact = Contact.objects.create(
        company=corvid, name="Cat Corvid", phone="01473 000003", user=corvid_user
    )
    return World(
        acme=acme,
        bluebell=bluebell,
        corvid=corvid,
        desktop=desktop,
        reports=reports,
        acme_contract=acme_contract,
        bluebell_contract=bluebell_contract,
        operator=_user("olive@helpdesk.example", "operator", name="Olive Operator"),
        engineer=_user("ed@helpdesk.example", "engineer", name="Ed Engineer"),
        oncall=_user("nina@helpdesk.example", "oncall", name="Nina Oncall"),
        manager=_user("max@helpdesk.example", "manager", name="Max Manager"),
        admin=_user("ada@helpdesk.example", "admin", name="Ada Admin"),
        acme_user=acme_user,
        bluebell_user=bluebell_user,
        corvid_user=corvid_user,
        acme_contact=acme_contact,
        bluebell_contact=bluebell_contact,
        corvid_contact=corvid_contact,
    )


# A Tuesday in March 2026, in standard hours (GMT).
TUESDAY_10AM = london(2026, 3, 10, 10, 0)


def valid_ticket_fields(w: World, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "actor": w.operator,
        "company": w.acme,
        "contact": w.acme_contact,
        "module": w.desktop,
        "version": "5.2",
        "overview": "Agents cannot open scripts",
        "description": "Since the morning every agent gets a blank screen.",
        "affected": "entire_centre",
        "problem_since": london(2026, 3, 10, 8, 30),
        "error_details": "Error 500: Script engine unavailable",
        "business_impact": "No calls can be handled",
        "channel": "phone",
        "at": TUESDAY_10AM,
    }
    fields.update(overrides)
    return fields

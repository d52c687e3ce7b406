"""Fixtures for the complaints tests: a ticket, a second manager, a disputable charge."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from helpdesk_world import World, london

# Wednesday 11 March 2026, 09:30 GMT: the day after the world's ticket was logged.
WEDNESDAY_0930 = london(2026, 3, 11, 9, 30)


@pytest.fixture
def ticket(world: World, log: Any) -> Any:
    """An Acme ticket logged by the operator on Tuesday 10 March 2026 at 10:00."""
    return log()


@pytest.fixture
def second_manager(world: World) -> Any:
    from sladesk.accounts.models import User

    return User.objects.create_user(
        "mia@helpdesk.example",
        "correct horse battery staple",
        role="manager",
        full_name="Mia Manager",
    )


@pytest.fixture
def resolved_ticket(world: World, ticket: Any) -> Any:
    from sladesk.tickets.actions import add_public_reply, resolve

    add_public_reply(
        actor=world.engineer,
        ticket=ticket,
        body="Restarted the script engine.",
        at=london(2026, 3, 10, 10, 20),
    )
    return resolve(
        actor=world.engineer,
        ticket=ticket,
        resolution="Script engine restarted",
        at=london(2026, 3, 10, 11, 0),
    )


@pytest.fixture
def charge(world: World, ticket: Any) -> Any:
    """A charge of GBP 300.00 on the ticket, on an issued March statement."""
    from sladesk.billing.models import Charge, Statement

    statement = Statement.objects.create(
        company=world.acme,
        month=dt.date(2026, 3, 1),
        currency="GBP",
        status=Statement.Status.ISSUED,
        number="ST-ACME-2026-03",
        generated_at=london(2026, 4, 1, 9, 0),
        issued_at=london(2026, 4, 1, 9, 0),
        issued_by=world.admin,
        issued_total=Decimal("300.00"),
        issued_held_total=Decimal("0.00"),
    )
    return Charge.objects.create(
        statement=statement,
        company=world.acme,
        ticket=ticket,
        description="Environment fault: two hours minimum",
        currency="GBP",
        in_hours_rate=Decimal("150.00"),
        billed_in_seconds=7200,
        in_hours_amount=Decimal("300.00"),
        amount=Decimal("300.00"),
        counted_in_issued_total=True,
        created_at=london(2026, 4, 1, 9, 0),
    )

"""Billing fixtures: the standard price list and tickets to record time on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from helpdesk_world import london

# March 2026 is GMT until Sunday 29 March; Tuesday 10 March is a working day.
LOGGED = london(2026, 3, 10, 9, 0)
APRIL_2 = london(2026, 4, 2, 12, 0)  # after March has ended


@pytest.fixture
def price_list(world: Any) -> Any:
    from sladesk.billing.models import PriceList

    return PriceList.objects.create(
        name="standard",
        valid_from=dt.date(2026, 1, 1),
        currency="GBP",
        in_hours_rate=Decimal("90.00"),
        out_of_hours_rate=Decimal("135.00"),
        minimum_billable_hours=Decimal(2),
    )


@pytest.fixture
def ticket(log: Any) -> Any:
    return log(at=LOGGED, problem_since=london(2026, 3, 10, 8, 0))


@pytest.fixture
def chargeable(world: Any, ticket: Any) -> Any:
    """The ticket decided as a script not built by us, with a SOW agreed at logging."""
    from sladesk.billing import actions

    actions.decide_scope(
        actor=world.engineer,
        ticket=ticket,
        category="script_not_ours",
        reason="The failing script was written by the customer's own team.",
        at=LOGGED + dt.timedelta(minutes=5),
    )
    actions.record_sow(
        actor=world.manager,
        ticket=ticket,
        reference="SOW-ACME-7",
        agreed_at=LOGGED + dt.timedelta(minutes=10),
        at=LOGGED + dt.timedelta(minutes=10),
    )
    return ticket


def work(world: Any, ticket: Any, start: dt.datetime, minutes: int, **kw: Any) -> Any:
    from sladesk.billing import actions

    return actions.record_time(
        actor=kw.pop("actor", world.engineer),
        ticket=ticket,
        started_at=start,
        duration=dt.timedelta(minutes=minutes),
        description=kw.pop("description", "Traced the script fault"),
        at=kw.pop("at", start + dt.timedelta(minutes=minutes)),
        **kw,
    )

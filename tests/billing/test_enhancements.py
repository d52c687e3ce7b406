"""An enhancement: specification -> quote and SOW -> accepted -> delivery date agreed ->
delivered, tracked against the agreed date; its work is chargeable by default."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from billing.conftest import APRIL_2, LOGGED, work
from helpdesk_world import london
from sladesk.billing import actions
from sladesk.billing.actions import delivery_state
from sladesk.billing.models import SowReference
from sladesk.core.errors import ActionValidationError


@pytest.fixture
def enhancement_ticket(log):
    return log(
        at=LOGGED,
        problem_since=london(2026, 3, 10, 8, 0),
        overview="Add a postcode lookup to the sales script",
        priority="enhancement",
    )


def test_an_enhancement_goes_from_specification_to_delivery(world, enhancement_ticket):
    t = LOGGED + dt.timedelta(hours=1)
    enhancement = actions.open_enhancement(actor=world.operator, ticket=enhancement_ticket, at=t)
    assert enhancement.stage == "specification"
    with pytest.raises(ActionValidationError) as exc:
        actions.agree_enhancement_delivery(
            actor=world.manager,
            enhancement=enhancement,
            delivery_date=dt.date(2026, 4, 30),
            agreed_by="Ann Acme",
            at=t,
        )
    assert exc.value.errors == {
        "stage": "a delivery date is agreed once the specification is defined and accepted"
    }
    enhancement = actions.quote_enhancement(
        actor=world.engineer,
        enhancement=enhancement,
        specification="Lookup via the customer's PAF service",
        quote_amount=Decimal("1200"),
        currency="GBP",
        sow_reference="SOW-ENH-1",
        at=t,
    )
    assert (enhancement.stage, enhancement.quote_amount) == ("quoted", Decimal("1200.00"))
    enhancement = actions.accept_enhancement(actor=world.acme_user, enhancement=enhancement, at=t)
    assert (enhancement.stage, enhancement.accepted_by) == ("accepted", "Ann Acme")
    assert SowReference.objects.get(ticket=enhancement_ticket).reference == "SOW-ENH-1"
    enhancement = actions.agree_enhancement_delivery(
        actor=world.manager,
        enhancement=enhancement,
        delivery_date=dt.date(2026, 3, 20),
        agreed_by="Ann Acme",
        at=t,
    )
    enhancement_ticket.refresh_from_db()
    assert enhancement_ticket.agreed_delivery_date == dt.date(2026, 3, 20)
    assert delivery_state(enhancement, london(2026, 3, 20, 23, 0)) == "pending"
    assert delivery_state(enhancement, london(2026, 3, 21, 0, 0)) == "overdue"
    delivered = actions.deliver_enhancement(
        actor=world.engineer, enhancement=enhancement, at=london(2026, 3, 20, 16, 0)
    )
    assert (delivered.stage, delivery_state(delivered, APRIL_2)) == ("delivered", "met")


def test_an_enhancement_is_chargeable_by_default_and_flagged_without_an_agreed_date(
    world, price_list, enhancement_ticket
):
    actions.open_enhancement(actor=world.engineer, ticket=enhancement_ticket, at=LOGGED)
    enhancement_ticket.refresh_from_db()
    assert (enhancement_ticket.scope, enhancement_ticket.chargeable) == ("enhancement", True)
    work(world, enhancement_ticket, london(2026, 3, 10, 10, 0), 60)
    statement = actions.generate_statement(
        actor=world.manager, company=world.acme, month=dt.date(2026, 3, 1), at=APRIL_2
    )
    line = statement.charges.get()
    assert (line.flag_no_sow, line.flag_no_delivery_date) == (True, True)
    assert line.rule_applied == (
        "minimum 2 h applied; in-hours rate for 2 h; "
        "no SOW reference agreed when the work started; "
        "enhancement charged without an agreed delivery date"
    )


def test_only_an_enhancement_ticket_is_tracked_as_one(world, ticket):
    with pytest.raises(ActionValidationError) as exc:
        actions.open_enhancement(actor=world.engineer, ticket=ticket, at=LOGGED)
    assert exc.value.errors == {
        "ticket": "only a ticket with the Enhancement priority is an enhancement"
    }

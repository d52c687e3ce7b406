"""The helpdesk's scope decision: a seed category with the reason, shown to the customer,
changed only by a new decision with a reason, every change audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from billing.conftest import LOGGED
from sladesk.audit.models import AuditEvent
from sladesk.billing import actions, selectors
from sladesk.billing.models import ScopeCategory, ScopeDecision
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError

LATER = LOGGED + dt.timedelta(hours=1)


def test_every_not_included_item_of_the_seed_is_a_category():
    assert ScopeCategory.values == [
        "included",
        "script_not_ours",
        "script_changed",
        "environment",
        "hardware",
        "third_party_integration",
        "third_party_communication",
        "easyscripter",
        "migration",
        "tuition",
        "data_archiving",
        "bespoke",
        "enhancement",
    ]


def test_deciding_records_the_category_and_reason_and_keeps_the_ticket_in_step(world, ticket):
    decision = actions.decide_scope(
        actor=world.engineer,
        ticket=ticket,
        category="hardware",
        reason="The agent's headset is faulty.",
        at=LATER,
    )
    ticket.refresh_from_db()
    assert (decision.category, decision.chargeable, decision.reason) == (
        "hardware",
        True,
        "The agent's headset is faulty.",
    )
    assert (ticket.scope, ticket.chargeable, ticket.needs_review) == ("hardware", True, False)
    event = AuditEvent.objects.get(action="billing.scope_decided")
    assert (event.ticket, event.before, event.reason) == (
        ticket,
        {},
        "The agent's headset is faulty.",
    )
    assert event.after == {
        "category": "hardware",
        "chargeable": True,
        "customer_failed_to_identify": False,
    }


def test_a_decision_is_changed_only_with_a_reason_and_the_change_is_audited(world, ticket):
    first = actions.decide_scope(
        actor=world.engineer, ticket=ticket, category="included", reason="Product bug", at=LATER
    )
    with pytest.raises(ActionValidationError) as exc:
        actions.decide_scope(
            actor=world.engineer, ticket=ticket, category="environment", reason="", at=LATER
        )
    assert exc.value.errors == {"reason": "give the facts the decision is based on"}
    with pytest.raises(ActionValidationError) as exc:
        actions.decide_scope(
            actor=world.engineer, ticket=ticket, category="included", reason="again", at=LATER
        )
    assert exc.value.errors == {
        "category": "the scope is already: "
        "Included under support (fault in our product or supplied software)"
    }
    assert ScopeDecision.objects.count() == 1

    second = actions.decide_scope(
        actor=world.manager,
        ticket=ticket,
        category="environment",
        reason="The customer's proxy was changed on Monday.",
        customer_failed_to_identify=True,
        at=LATER + dt.timedelta(hours=1),
    )
    assert second.supersedes == first
    assert second.diagnosis_billable is True
    change = AuditEvent.objects.get(action="billing.scope_changed")
    assert change.before == {
        "category": "included",
        "chargeable": False,
        "customer_failed_to_identify": False,
    }
    assert change.after["category"] == "environment"
    assert change.reason == "The customer's proxy was changed on Monday."
    assert list(selectors.scope_decisions_visible_to(world.acme_user, ticket)) == [second, first]


def test_billable_diagnosis_can_only_be_decided_for_an_environmental_change(world, ticket):
    with pytest.raises(ActionValidationError) as exc:
        actions.decide_scope(
            actor=world.engineer,
            ticket=ticket,
            category="hardware",
            reason="x",
            customer_failed_to_identify=True,
            at=LATER,
        )
    assert exc.value.errors == {
        "customer_failed_to_identify": "only an environmental change can make the initial "
        "diagnosis billable"
    }
    assert ScopeDecision.objects.count() == 0


def test_customers_and_operators_cannot_decide_the_scope(world, ticket):
    for actor in (world.acme_user, world.operator):
        with pytest.raises(ActionPermissionDenied):
            actions.decide_scope(
                actor=actor, ticket=ticket, category="included", reason="x", at=LATER
            )
    assert ScopeDecision.objects.count() == 0


def test_the_customer_sees_the_decision_and_its_reason_on_the_billing_page(world, ticket, client):
    actions.decide_scope(
        actor=world.engineer,
        ticket=ticket,
        category="tuition",
        reason="The request is for script-building training.",
        at=LATER,
    )
    client.force_login(world.acme_user)
    page = client.get(reverse("billing:ticket", args=[ticket.reference]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Script and report-building tuition" in body
    assert "The request is for script-building training." in body
    assert "Record time" not in body  # time entries are for staff

    client.force_login(world.bluebell_user)
    assert client.get(reverse("billing:ticket", args=[ticket.reference])).status_code == 404

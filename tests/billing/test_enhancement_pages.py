"""The enhancement steps on the ticket billing page: each role gets the forms for the steps
it may take, the customer accepts its own quote, and the forms call the same actions."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from billing.conftest import APRIL_2, LOGGED
from helpdesk_world import london
from sladesk.audit.models import AuditEvent
from sladesk.billing import actions
from sladesk.billing.models import Enhancement, SowReference

STAFF_STEPS = ("Track as an enhancement", "Send the quote", "Agree the date", "Mark delivered")


@pytest.fixture(autouse=True)
def now_is_2_april(monkeypatch):
    # The pages act "now": pin it after the ticket was logged.
    monkeypatch.setattr("sladesk.core.clock.timezone.now", lambda: APRIL_2.astimezone(dt.UTC))


@pytest.fixture
def enhancement_ticket(log):
    return log(
        at=LOGGED,
        problem_since=london(2026, 3, 10, 8, 0),
        overview="Add a postcode lookup to the sales script",
        priority="enhancement",
    )


@pytest.fixture
def quoted(world, enhancement_ticket):
    enhancement = actions.open_enhancement(
        actor=world.engineer, ticket=enhancement_ticket, at=LOGGED
    )
    return actions.quote_enhancement(
        actor=world.engineer,
        enhancement=enhancement,
        specification="Lookup via the customer's PAF service",
        quote_amount=Decimal("1200"),
        currency="GBP",
        sow_reference="SOW-ENH-1",
        at=LOGGED,
    )


def _page(client, ticket):
    return client.get(reverse("billing:ticket", args=[ticket.reference])).content.decode()


def _post(client, ticket, **data):
    return client.post(reverse("billing:enhancement", args=[ticket.reference]), data)


def _stage(ticket):
    return Enhancement.objects.get(ticket=ticket).stage


def test_staff_take_an_enhancement_from_opening_to_delivery_on_the_page(
    world, enhancement_ticket, client
):
    client.force_login(world.engineer)
    assert "Track as an enhancement" in _page(client, enhancement_ticket)
    response = _post(client, enhancement_ticket, op="open", specification="Postcode lookup")
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("billing:ticket", args=[enhancement_ticket.reference]) + "#enhancement"
    )
    assert _stage(enhancement_ticket) == "specification"

    page = _page(client, enhancement_ticket)
    assert "Send the quote" in page
    assert "Accept this quote" not in page
    assert "Record the acceptance" not in page
    _post(
        client,
        enhancement_ticket,
        op="quote",
        specification="Lookup via the customer's PAF service",
        quote_amount="1200.50",
        currency="GBP",
        sow_reference="SOW-ENH-1",
    )
    enhancement = Enhancement.objects.get(ticket=enhancement_ticket)
    assert (enhancement.stage, enhancement.quote_amount, enhancement.sow_reference) == (
        "quoted",
        Decimal("1200.50"),
        "SOW-ENH-1",
    )

    client.force_login(world.manager)
    assert "Record the acceptance" in _page(client, enhancement_ticket)
    _post(client, enhancement_ticket, op="accept", accepted_by="Ann Acme, by phone")
    assert _stage(enhancement_ticket) == "accepted"
    _post(
        client,
        enhancement_ticket,
        op="delivery",
        delivery_date="2026-04-30",
        agreed_by="Ann Acme",
    )
    enhancement_ticket.refresh_from_db()
    assert (_stage(enhancement_ticket), enhancement_ticket.agreed_delivery_date) == (
        "date_agreed",
        dt.date(2026, 4, 30),
    )

    client.force_login(world.engineer)
    page = _page(client, enhancement_ticket)
    assert "Re-agree the delivery date" in page
    assert "Why the date changes" in page
    assert _post(client, enhancement_ticket, op="deliver").status_code == 302
    enhancement.refresh_from_db()
    assert (enhancement.stage, enhancement.delivered_at) == ("delivered", APRIL_2)
    assert not any(step in _page(client, enhancement_ticket) for step in STAFF_STEPS)
    assert list(
        AuditEvent.objects.filter(action__startswith="billing.enhancement_")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "billing.enhancement_specification",
        "billing.enhancement_quoted",
        "billing.enhancement_accepted",
        "billing.enhancement_date_agreed",
        "billing.enhancement_delivered",
    ]


def test_the_customer_accepts_a_waiting_quote_from_the_page(world, quoted, client):
    client.force_login(world.acme_user)
    page = _page(client, quoted.ticket)
    assert "Accept this quote" in page
    assert "GBP 1200.00" in page
    assert "Lookup via the customer&#x27;s PAF service" in page
    assert 'name="accepted_by"' not in page
    assert not any(step in page for step in STAFF_STEPS)

    assert _post(client, quoted.ticket, op="accept").status_code == 302

    quoted.refresh_from_db()
    assert (quoted.stage, quoted.accepted_by, quoted.accepted_at) == (
        "accepted",
        "Ann Acme",
        APRIL_2,
    )
    assert SowReference.objects.get(ticket=quoted.ticket).reference == "SOW-ENH-1"
    assert "Accept this quote" not in _page(client, quoted.ticket)


def test_the_portal_ticket_page_leads_the_customer_to_the_quote(world, quoted, client):
    client.force_login(world.acme_user)
    page = client.get(reverse("portal:ticket", args=[quoted.ticket.reference])).content.decode()
    assert reverse("billing:ticket", args=[quoted.ticket.reference]) in page


def test_the_customer_may_not_take_staff_steps_and_nothing_changes(world, quoted, client):
    client.force_login(world.acme_user)
    response = _post(
        client,
        quoted.ticket,
        op="quote",
        specification="Free of charge",
        quote_amount="0",
        currency="GBP",
        sow_reference="SOW-FREE",
    )
    assert response.status_code == 403
    assert "A customer contact may not manage_enhancement" in response.content.decode()
    quoted.refresh_from_db()
    assert (quoted.stage, quoted.quote_amount, quoted.sow_reference) == (
        "quoted",
        Decimal("1200.00"),
        "SOW-ENH-1",
    )


def test_another_companys_customer_gets_not_found_and_nothing_changes(world, quoted, client):
    client.force_login(world.bluebell_user)
    assert _post(client, quoted.ticket, op="accept").status_code == 404
    assert client.get(reverse("billing:ticket", args=[quoted.ticket.reference])).status_code == 404
    quoted.refresh_from_db()
    assert (quoted.stage, quoted.accepted_at) == ("quoted", None)
    assert SowReference.objects.count() == 0


def test_an_engineer_is_not_offered_acceptance_and_is_refused_it(world, quoted, client):
    client.force_login(world.engineer)
    page = _page(client, quoted.ticket)
    assert "Record the acceptance" not in page
    assert "Accept this quote" not in page
    response = _post(client, quoted.ticket, op="accept", accepted_by="Ann Acme")
    assert response.status_code == 403
    quoted.refresh_from_db()
    assert (quoted.stage, quoted.accepted_by) == ("quoted", "")
    assert SowReference.objects.count() == 0


def test_quote_errors_are_shown_next_to_their_fields_and_the_input_is_kept(world, quoted, client):
    client.force_login(world.engineer)
    response = _post(
        client,
        quoted.ticket,
        op="quote",
        specification="Lookup via the PAF service, with <b>caching</b>",
        quote_amount="twelve hundred",
        currency="GBP",
        sow_reference="  ",
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert re.search(
        r'<input id="enh-amount" name="quote_amount" inputmode="decimal" '
        r'value="twelve hundred" aria-invalid="true" aria-describedby="enh-amount-error">\s*'
        r'<p class="error" id="enh-amount-error">Give the quoted amount \(0 or more\)</p>',
        page,
    )
    assert re.search(
        r'aria-describedby="enh-sow-error">\s*'
        r'<p class="error" id="enh-sow-error">Give the SOW reference sent with the quote</p>',
        page,
    )
    assert "Lookup via the PAF service, with &lt;b&gt;caching&lt;/b&gt;</textarea>" in page
    quoted.refresh_from_db()
    assert (quoted.specification, quoted.quote_amount, quoted.sow_reference) == (
        "Lookup via the customer's PAF service",
        Decimal("1200.00"),
        "SOW-ENH-1",
    )


def test_a_step_out_of_order_is_refused_above_the_form_and_nothing_changes(world, quoted, client):
    client.force_login(world.manager)
    response = _post(
        client, quoted.ticket, op="delivery", delivery_date="2026-04-30", agreed_by="Ann"
    )
    # The delivery form is not offered before acceptance; a crafted post is refused.
    assert response.status_code == 422
    assert (
        "A delivery date is agreed once the specification is defined and accepted"
        in response.content.decode()
    )
    quoted.refresh_from_db()
    quoted.ticket.refresh_from_db()
    assert (quoted.stage, quoted.agreed_delivery_date) == ("quoted", None)
    assert quoted.ticket.agreed_delivery_date is None


def test_a_delivery_date_that_is_not_a_date_is_refused_with_the_input_kept(world, quoted, client):
    actions.accept_enhancement(actor=world.acme_user, enhancement=quoted, at=APRIL_2)
    client.force_login(world.manager)
    response = _post(client, quoted.ticket, op="delivery", delivery_date="next week", agreed_by="")
    assert response.status_code == 422
    page = response.content.decode()
    assert '<p class="error" id="enh-date-error">Give a date</p>' in page
    assert '<p class="error" id="enh-agreed-by-error">Say who agreed the delivery date</p>' in page
    assert 'value="next week"' in page
    quoted.refresh_from_db()
    assert (quoted.stage, quoted.agreed_delivery_date) == ("accepted", None)


def test_enhancement_forms_without_the_csrf_token_are_refused(world, quoted):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.acme_user)
    assert _post(client, quoted.ticket, op="accept").status_code == 403
    quoted.refresh_from_db()
    assert quoted.stage == "quoted"


def test_the_ticket_page_forms_are_labelled_and_use_no_inline_script_or_style(
    world, quoted, client
):
    client.force_login(world.manager)
    page = _page(client, quoted.ticket)
    assert "<script>" not in page
    assert "style=" not in page
    assert " onclick=" not in page
    assert page.count('name="csrfmiddlewaretoken"') == page.count('<form method="post"')
    for field_id in ("enh-spec", "enh-amount", "enh-currency", "enh-sow", "enh-accepted-by"):
        assert f'<label for="{field_id}">' in page
        assert f'id="{field_id}"' in page

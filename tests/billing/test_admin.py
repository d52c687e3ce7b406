"""Managers own pricing (Capability.MANAGE_BILLING): they edit price lists and contract
billing terms in the admin, audited; billing rows written by actions stay read-only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from sladesk.audit.models import AuditEvent
from sladesk.billing.models import PriceList


def test_a_manager_adds_a_price_list_in_the_admin_and_it_is_audited(client, world):
    client.force_login(world.manager)
    response = client.post(
        reverse("admin:billing_pricelist_add"),
        {
            "name": "standard",
            "valid_from": "2027-01-01",
            "currency": "GBP",
            "in_hours_rate": "95.00",
            "out_of_hours_rate": "140.00",
            "minimum_billable_hours": "2",
        },
    )
    assert response.status_code == 302
    row = PriceList.objects.get()
    assert (row.valid_from, row.in_hours_rate, row.out_of_hours_rate) == (
        dt.date(2027, 1, 1),
        Decimal("95.00"),
        Decimal("140.00"),
    )
    event = AuditEvent.objects.get(action="admin.added")
    assert event.actor == world.manager
    assert (event.subject_type, event.subject_id) == ("billing.pricelist", str(row.pk))


def test_a_manager_sees_statements_in_the_admin_but_cannot_change_them(client, world):
    client.force_login(world.manager)
    assert client.get(reverse("admin:billing_statement_changelist")).status_code == 200
    assert client.get(reverse("admin:billing_statement_add")).status_code == 403


def test_an_engineer_cannot_edit_price_lists_in_the_admin(client, world):
    client.force_login(world.engineer)
    response = client.post(
        reverse("admin:billing_pricelist_add"),
        {
            "name": "standard",
            "valid_from": "2027-01-01",
            "currency": "GBP",
            "in_hours_rate": "1.00",
            "out_of_hours_rate": "1.00",
            "minimum_billable_hours": "0",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert PriceList.objects.count() == 0

"""The billing pages: scoped to the viewer, CSRF-protected, calling the same actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from billing.conftest import APRIL_2, work
from helpdesk_world import london
from sladesk.billing import actions
from sladesk.billing.models import Statement, TimeEntry


@pytest.fixture
def issued(world, price_list, chargeable):
    work(world, chargeable, london(2026, 3, 10, 11, 0), 40)
    draft = actions.generate_statement(
        actor=world.manager, company=world.acme, month=dt.date(2026, 3, 1), at=APRIL_2
    )
    return actions.issue_statement(actor=world.manager, statement=draft, at=APRIL_2)


def test_staff_record_time_on_the_ticket_page(world, chargeable, client):
    client.force_login(world.engineer)
    url = reverse("billing:time", args=[chargeable.reference])
    response = client.post(
        url,
        {
            "started_at": "2026-03-10T16:30",
            "minutes": "90",
            "description": "Checked the script",
            "is_diagnosis": "on",
        },
    )
    assert response.status_code == 302
    entry = TimeEntry.objects.get()
    assert (entry.in_hours_seconds, entry.out_of_hours_seconds, entry.is_diagnosis) == (
        1800,
        3600,
        True,
    )
    page = client.get(reverse("billing:ticket", args=[chargeable.reference]))
    assert "Checked the script" in page.content.decode()


def test_forms_without_the_csrf_token_are_refused(world, chargeable):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.engineer)
    response = client.post(
        reverse("billing:time", args=[chargeable.reference]),
        {"started_at": "2026-03-10T10:00", "minutes": "30", "description": "x"},
    )
    assert response.status_code == 403
    assert TimeEntry.objects.count() == 0


def test_the_customer_sees_its_issued_statement_and_downloads_pdf_and_csv(world, issued, client):
    client.force_login(world.acme_user)
    listing = client.get(reverse("billing:statements")).content.decode()
    assert "ST-ACME-2026-03" in listing
    assert "Generate a draft" not in listing
    detail = client.get(reverse("billing:statement", args=[issued.pk])).content.decode()
    assert "minimum 2 h applied; in-hours rate for 2 h" in detail
    assert "GBP 180.00" in detail
    assert "Dispute this charge" in detail
    pdf = client.get(reverse("billing:statement_pdf", args=[issued.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert b"Total: GBP 180.00" in pdf.content
    csv_response = client.get(reverse("billing:statement_csv", args=[issued.pk]))
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert b"TOTAL" in csv_response.content


def test_other_customers_and_drafts_are_not_found(world, issued, price_list, client):
    draft = actions.generate_statement(
        actor=world.manager, company=world.acme, month=dt.date(2026, 4, 1), at=APRIL_2
    )
    client.force_login(world.bluebell_user)
    for name in ("billing:statement", "billing:statement_pdf", "billing:statement_csv"):
        assert client.get(reverse(name, args=[issued.pk])).status_code == 404
    client.force_login(world.acme_user)
    assert client.get(reverse("billing:statement", args=[draft.pk])).status_code == 404
    assert "ST-ACME-2026-04" not in client.get(reverse("billing:statements")).content.decode()


def test_the_customer_disputes_a_charge_from_the_statement_page(world, issued, client):
    line = issued.charges.get()
    client.force_login(world.bluebell_user)
    url = reverse("billing:dispute", args=[line.pk])
    assert client.post(url, {"reason": "not ours"}).status_code == 404
    client.force_login(world.acme_user)
    response = client.post(url, {"reason": "This was a product fault"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.held, line.hold_reason) == (True, "This was a product fault")
    page = client.get(reverse("billing:statement", args=[issued.pk])).content.decode()
    assert "disputed: held until the decision" in page


def test_a_manager_generates_and_issues_from_the_pages(
    world, price_list, chargeable, client, monkeypatch
):
    work(world, chargeable, london(2026, 3, 10, 11, 0), 40)
    # The pages act "now": pin now to 2 April 2026, after March has ended.
    monkeypatch.setattr("sladesk.core.clock.timezone.now", lambda: APRIL_2.astimezone(dt.UTC))
    client.force_login(world.engineer)
    assert (
        client.post(
            reverse("billing:generate"), {"company": world.acme.pk, "month": "2026-03"}
        ).status_code
        == 404
    )
    assert Statement.objects.count() == 0
    client.force_login(world.manager)
    response = client.post(
        reverse("billing:generate"), {"company": world.acme.pk, "month": "2026-03"}
    )
    statement = Statement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:statement", args=[statement.pk])
    client.post(reverse("billing:issue", args=[statement.pk]))
    statement.refresh_from_db()
    assert statement.status == "issued"

"""Who sees the reports: managers and administrators everything; a customer contact its own
company's compliance only; everyone else nothing. Refusals compute and store nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from helpdesk_world import london
from sladesk.reports import views
from sladesk.reports.models import ResponseFact
from sladesk.reports.selectors import compliance_report
from sladesk.tickets.actions import add_public_reply

NOW = london(2026, 4, 30, 12, 0)
APRIL = dt.date(2026, 4, 1)


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    monkeypatch.setattr(views, "_now", lambda: NOW)


@pytest.fixture
def two_companies(world, log):
    acme = log(at=london(2026, 4, 7, 10, 0))
    blue = log(
        company=world.bluebell,
        contact=world.bluebell_contact,
        at=london(2026, 4, 7, 11, 0),
        problem_since=london(2026, 4, 1),
    )
    add_public_reply(actor=world.engineer, ticket=acme, body="ok", at=london(2026, 4, 7, 10, 30))
    return {"acme": acme, "blue": blue}


ALL_PAGES = [
    ("reports:compliance", {"month": "2026-04"}),
    ("reports:tickets", {"month": "2026-04"}),
    ("reports:volumes", {"month": "2026-04"}),
    ("reports:ageing", {}),
    ("reports:ageing_tickets", {}),
    ("reports:chargeable", {"month": "2026-04"}),
    ("reports:chargeable_tickets", {"month": "2026-04"}),
]


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_administrators_open_every_report(client, world, two_companies, role):
    client.force_login(getattr(world, role))

    statuses = [client.get(reverse(name), query).status_code for name, query in ALL_PAGES]

    assert statuses == [200] * len(ALL_PAGES)


@pytest.mark.parametrize("role", ["operator", "engineer", "oncall"])
def test_other_helpdesk_roles_are_refused_and_nothing_is_computed(
    client, world, two_companies, role
):
    client.force_login(getattr(world, role))

    statuses = [client.get(reverse(name), query).status_code for name, query in ALL_PAGES]

    assert statuses == [403] * len(ALL_PAGES)
    assert ResponseFact.objects.count() == 0
    assert compliance_report(getattr(world, role), month=APRIL, now=NOW) is None


def test_signed_out_visitors_are_sent_to_sign_in(client, two_companies):
    response = client.get(reverse("reports:compliance"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert ResponseFact.objects.count() == 0


def test_a_customer_sees_only_its_own_companys_compliance(client, world, two_companies):
    data = compliance_report(world.bluebell_user, month=APRIL, now=NOW)

    total = data["total"]
    assert (total.logged, total.met, total.breached, total.pending) == (1, 0, 1, 0)
    assert data["by_customer"] == []
    assert data["by_agent"] == []
    assert [m.logged for m in data["by_month"]][-1] == 1


def test_a_customer_page_names_no_other_company_and_no_agent(client, world, two_companies):
    client.force_login(world.bluebell_user)

    page = client.get(reverse("reports:compliance"), {"month": "2026-04"}).content.decode()

    assert "Bluebell Insurance" in page
    assert "Acme" not in page
    assert "Ed Engineer" not in page
    assert page.count('<svg class="chart"') == 3  # priority, channel, month


def test_a_customer_asking_for_another_companys_tickets_gets_none(client, world, two_companies):
    client.force_login(world.bluebell_user)

    page = client.get(
        reverse("reports:tickets"), {"month": "2026-04", "company": world.acme.pk}
    ).content.decode()
    own = client.get(reverse("reports:tickets"), {"month": "2026-04"}).content.decode()

    assert two_companies["acme"].reference not in page
    assert "No tickets." in page
    assert "Acme" not in page
    assert f"customer #{world.acme.pk}" in page
    assert two_companies["acme"].reference not in own
    assert reverse("portal:ticket", args=[two_companies["blue"].reference]) in own


def test_a_customer_cannot_download_the_customer_or_agent_tables(client, world, two_companies):
    client.force_login(world.bluebell_user)

    refused = [
        client.get(reverse("reports:compliance"), {"month": "2026-04", "csv": t}).status_code
        for t in ("customer", "agent")
    ]
    allowed = client.get(reverse("reports:compliance"), {"month": "2026-04", "csv": "priority"})

    assert refused == [400, 400]
    assert allowed.status_code == 200
    assert b"Acme" not in allowed.content


@pytest.mark.parametrize(
    "name",
    [
        "reports:volumes",
        "reports:ageing",
        "reports:ageing_tickets",
        "reports:chargeable",
        "reports:chargeable_tickets",
    ],
)
def test_a_customer_sees_no_other_report(client, world, two_companies, name):
    client.force_login(world.acme_user)

    assert client.get(reverse(name), {"month": "2026-04"}).status_code == 403
    assert ResponseFact.objects.count() == 0


def test_a_customer_cannot_drill_into_volumes(client, world, two_companies):
    client.force_login(world.acme_user)

    response = client.get(reverse("reports:tickets"), {"month": "2026-04", "hour": "34"})

    assert response.status_code == 403


def test_a_deactivated_manager_is_refused(client, world, two_companies):
    world.manager.is_active = False
    world.manager.save()

    assert compliance_report(world.manager, month=APRIL, now=NOW) is None
    assert ResponseFact.objects.count() == 0


def test_a_bad_month_is_named(client, world, two_companies):
    client.force_login(world.manager)

    response = client.get(reverse("reports:compliance"), {"month": "2026-13"})

    assert response.status_code == 400
    assert "&#x27;2026-13&#x27; is not a month written as YYYY-MM." in response.content.decode()
    assert ResponseFact.objects.count() == 0


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("9999-12", "&#x27;9999-12&#x27; is not between 2000 and 2100."),
        ("1999-01", "&#x27;1999-01&#x27; is not between 2000 and 2100."),
        ("2026-4", "&#x27;2026-4&#x27; is not a month written as YYYY-MM."),
    ],
)
def test_months_out_of_range_are_refused(client, world, month, message):
    client.force_login(world.manager)

    response = client.get(reverse("reports:compliance"), {"month": month})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert ResponseFact.objects.count() == 0


def test_an_id_too_long_for_the_database_is_refused(client, world):
    client.force_login(world.manager)
    huge = "9" * 30

    drill = client.get(reverse("reports:tickets"), {"month": "2026-04", "company": huge})
    charged = client.get(
        reverse("reports:chargeable_tickets"), {"month": "2026-04", "company": huge}
    )

    assert (drill.status_code, charged.status_code) == (400, 400)
    assert f"&#x27;{huge}&#x27; is not a whole number." in drill.content.decode()

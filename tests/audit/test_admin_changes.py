"""Changes made in the Django admin are audited too, with before and after."""

from __future__ import annotations

from django.urls import reverse

from sladesk.audit.models import AuditEvent
from sladesk.contracts.models import Contract


def test_changing_a_contract_in_the_admin_records_before_and_after(client, world):
    client.force_login(world.manager)
    contract = world.bluebell_contract
    url = reverse("admin:contracts_contract_change", args=[contract.pk])

    response = client.post(
        url,
        {
            "company": world.bluebell.pk,
            "reference": "SC-BLUE-1",
            "signed_on": "2025-12-01",
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
            "coverage": "24x7",
            "modules": [world.desktop.pk, world.reports.pk],
            "policy": "",
            "price_list_reference": "PL-2026",
            "sow_reference": "",
            "notes": "",
        },
    )

    assert response.status_code == 302
    assert Contract.objects.get(pk=contract.pk).coverage == "24x7"
    event = AuditEvent.objects.get(action="admin.changed")
    assert event.actor == world.manager
    assert (event.subject_type, event.subject_id) == ("contracts.contract", str(contract.pk))
    assert event.before["coverage"] == "standard"
    assert event.after["coverage"] == "24x7"
    assert event.before["modules"] == [world.desktop.pk]
    assert event.after["modules"] == sorted([world.desktop.pk, world.reports.pk])
    assert event.after["price_list_reference"] == "PL-2026"


def test_a_user_change_in_the_admin_never_copies_the_password_hash(client, world):
    client.force_login(world.admin)
    url = reverse("admin:accounts_user_change", args=[world.engineer.pk])

    response = client.post(
        url,
        {
            "email": "ed@helpdesk.example",
            "full_name": "Ed Engineer",
            "phone": "",
            "role": "oncall",
            "company": "",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.changed")
    assert (event.before["role"], event.after["role"]) == ("engineer", "oncall")
    assert "password" not in event.before
    assert "password" not in event.after


def test_an_engineer_cannot_use_the_admin(client, world):
    client.force_login(world.engineer)

    response = client.get(reverse("admin:contracts_contract_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")

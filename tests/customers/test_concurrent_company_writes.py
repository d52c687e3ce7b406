"""Two administrators adding the same company at the same instant: one wins, the other gets
the field errors it would have got a moment later, never a database error."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from sladesk.accounts.models import User
from sladesk.audit.models import AuditEvent
from sladesk.core.errors import ActionValidationError
from sladesk.customers.actions import create_company
from sladesk.customers.models import Company


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs real concurrent transactions: run with DATABASE_URL=postgres://...",
)
@pytest.mark.django_db(transaction=True)
def test_the_same_company_added_twice_at_once_is_saved_once(monkeypatch, fast_settings):
    admins = [
        User.objects.create_user(f"admin{i}@helpdesk.example", None, role="admin") for i in (1, 2)
    ]
    # Both have passed the checks (no such company yet) before either inserts.
    barrier = threading.Barrier(2)
    insert = Company.objects.create

    def create_after_both_checked(**fields: Any) -> Company:
        barrier.wait(timeout=30)
        return insert(**fields)

    monkeypatch.setattr(Company.objects, "create", create_after_both_checked)
    outcomes: list[Any] = []

    def add(actor: User) -> None:
        try:
            outcomes.append(create_company(actor=actor, name="Delta Dental Group", slug="delta"))
        except BaseException as exc:  # reported to the main thread below
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add, args=(a,)) for a in admins]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    saved = [o for o in outcomes if isinstance(o, Company)]
    refused = [o for o in outcomes if isinstance(o, ActionValidationError)]
    assert (len(saved), len(refused)) == (1, 1), outcomes
    assert refused[0].errors == {
        "name": "a company named 'Delta Dental Group' already exists",
        "slug": "the slug 'delta' is taken by another company",
    }
    assert list(Company.objects.values_list("slug", flat=True)) == ["delta"]
    assert AuditEvent.objects.filter(action="company.created").count() == 1

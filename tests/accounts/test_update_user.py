"""Changing a user (role, company, name, deactivation): administrators only, a customer
belongs to a company and staff to none, the acting administrator always
remains one."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from helpdesk_world import TUESDAY_10AM
from sladesk.accounts.actions import update_user
from sladesk.accounts.models import User
from sladesk.audit.models import AuditEvent
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.customers.models import Contact

NOT_ADMINISTRATORS = ["operator", "engineer", "oncall", "manager", "acme_user"]


def test_an_administrator_promotes_an_operator_to_engineer(world):
    update_user(
        actor=world.admin,
        user=world.operator,
        role="engineer",
        full_name="Olive Engineer",
        reason="Passed the product course",
        at=TUESDAY_10AM,
    )

    world.operator.refresh_from_db()
    assert (world.operator.role, world.operator.full_name) == ("engineer", "Olive Engineer")
    event = AuditEvent.objects.get(action="user.updated")
    assert (event.actor, event.at, event.reason) == (
        world.admin,
        TUESDAY_10AM,
        "Passed the product course",
    )
    assert (event.before, event.after) == (
        {"role": "operator", "full_name": "Olive Operator"},
        {"role": "engineer", "full_name": "Olive Engineer"},
    )


def test_a_deactivated_user_can_no_longer_sign_in_or_use_a_token(world, client):
    from sladesk.api.actions import create_token

    _token, raw = create_token(actor=None, user=world.engineer, name="t", scopes=("read",))

    update_user(actor=world.admin, user=world.engineer, is_active=False, reason="Left")

    world.engineer.refresh_from_db()
    assert world.engineer.is_active is False
    assert client.login(email=world.engineer.email, password="correct horse battery staple") is (
        False
    )
    assert client.get(
        "/api/v1/tickets", headers={"Authorization": f"Bearer {raw}"}
    ).status_code == (401)
    event = AuditEvent.objects.get(action="user.deactivated")
    assert (event.before, event.after, event.reason) == (
        {"is_active": True},
        {"is_active": False},
        "Left",
    )


def test_a_deactivated_user_is_reactivated(world):
    update_user(actor=world.admin, user=world.engineer, is_active=False)
    update_user(actor=world.admin, user=world.engineer, is_active=True)

    world.engineer.refresh_from_db()
    assert world.engineer.is_active is True
    assert list(
        AuditEvent.objects.filter(subject_id=str(world.engineer.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["user.deactivated", "user.updated"]


def test_a_customer_without_a_company_and_staff_with_one_are_refused(world):
    with pytest.raises(ActionValidationError) as customer:
        update_user(actor=world.admin, user=world.acme_user, company=None)
    with pytest.raises(ActionValidationError) as staff:
        update_user(actor=world.admin, user=world.engineer, company=world.acme)
    with pytest.raises(ActionValidationError) as becomes_staff:
        update_user(actor=world.admin, user=world.acme_user, role="engineer")

    assert customer.value.errors == {"company": "a customer contact belongs to a company"}
    assert staff.value.errors == {"company": "helpdesk staff do not belong to a customer company"}
    assert becomes_staff.value.errors == {
        "company": "helpdesk staff do not belong to a customer company"
    }
    world.acme_user.refresh_from_db()
    world.engineer.refresh_from_db()
    assert (world.acme_user.role, world.acme_user.company) == ("customer", world.acme)
    assert (world.engineer.role, world.engineer.company) == ("engineer", None)
    assert not AuditEvent.objects.filter(action__startswith="user.").exists()


def test_every_bad_field_is_named_at_once(world):
    with pytest.raises(ActionValidationError) as raised:
        update_user(
            actor=world.admin,
            user=world.engineer,
            role="wizard",
            is_active="yes",
            full_name="x" * 201,
            phone="0" * 41,
        )

    assert raised.value.errors == {
        "role": "unknown role 'wizard' (one of: operator, engineer, oncall, manager, admin, "
        "customer)",
        "is_active": "true or false",
        "full_name": "a name of at most 200 characters",
        "phone": "a phone number of at most 40 characters",
    }
    world.engineer.refresh_from_db()
    assert (world.engineer.role, world.engineer.is_active, world.engineer.full_name) == (
        "engineer",
        True,
        "Ed Engineer",
    )


def test_a_customer_moved_to_another_company_gets_a_contact_there(world, log):
    ticket = log(company=world.acme, contact=world.acme_contact)

    update_user(actor=world.admin, user=world.acme_user, company=world.bluebell)

    world.acme_user.refresh_from_db()
    world.acme_contact.refresh_from_db()
    assert world.acme_user.company == world.bluebell
    assert world.acme_user.contact.company == world.bluebell
    assert world.acme_user.contact.name == "Ann Acme"
    # The old contact stays with Acme and its tickets, no longer linked to the login.
    assert (world.acme_contact.company, world.acme_contact.user) == (world.acme, None)
    ticket.refresh_from_db()
    assert ticket.contact == world.acme_contact
    assert Contact.objects.filter(user=world.acme_user).count() == 1


def test_staff_who_become_a_customer_name_a_company_and_get_a_contact(world):
    update_user(actor=world.admin, user=world.engineer, role="customer", company=world.corvid)

    world.engineer.refresh_from_db()
    assert (world.engineer.role, world.engineer.company) == ("customer", world.corvid)
    assert world.engineer.contact.company == world.corvid


def test_a_customer_who_becomes_staff_leaves_its_contact_behind(world):
    update_user(actor=world.admin, user=world.bluebell_user, role="operator", company=None)

    world.bluebell_user.refresh_from_db()
    world.bluebell_contact.refresh_from_db()
    assert (world.bluebell_user.role, world.bluebell_user.company) == ("operator", None)
    assert (world.bluebell_contact.company, world.bluebell_contact.user) == (world.bluebell, None)


def test_an_administrator_may_not_deactivate_or_demote_itself(world):
    with pytest.raises(ActionValidationError) as deactivate:
        update_user(actor=world.admin, user=world.admin, is_active=False)
    with pytest.raises(ActionValidationError) as demote:
        update_user(actor=world.admin, user=world.admin, role="manager")

    assert deactivate.value.errors == {
        "is_active": "an administrator may not deactivate or demote itself"
    }
    assert demote.value.errors == {"role": "an administrator may not deactivate or demote itself"}
    world.admin.refresh_from_db()
    assert (world.admin.role, world.admin.is_active) == ("admin", True)


def test_other_administrators_are_deactivated_or_demoted_and_the_actor_remains(world):
    second = User.objects.create_user("al@helpdesk.example", "x", role="admin")
    third = User.objects.create_user("bo@helpdesk.example", "x", role="admin")

    update_user(actor=world.admin, user=second, is_active=False)
    update_user(actor=world.admin, user=third, role="engineer")

    assert list(
        User.objects.filter(role="admin", is_active=True).values_list("email", flat=True)
    ) == [world.admin.email]


def test_an_update_that_changes_nothing_writes_no_audit_event(world):
    update_user(actor=world.admin, user=world.engineer, role="engineer", full_name="Ed Engineer")

    assert not AuditEvent.objects.filter(action__startswith="user.").exists()


@pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
def test_only_administrators_change_users(world, role):
    with pytest.raises(ActionPermissionDenied):
        update_user(actor=getattr(world, role), user=world.operator, role="admin")

    world.operator.refresh_from_db()
    assert world.operator.role == "operator"
    assert not AuditEvent.objects.filter(action__startswith="user.").exists()


def test_deactivating_a_user_needs_a_reason_and_an_active_user(world):
    from sladesk.accounts.actions import deactivate_user

    with pytest.raises(ActionValidationError) as no_reason:
        deactivate_user(actor=world.admin, user=world.engineer, reason="  ")
    world.engineer.refresh_from_db()
    assert world.engineer.is_active is True

    deactivate_user(actor=world.admin, user=world.engineer, reason="Left the company")
    with pytest.raises(ActionValidationError) as again:
        deactivate_user(actor=world.admin, user=world.engineer, reason="Twice")

    assert no_reason.value.errors == {"reason": "say why the user is deactivated"}
    assert again.value.errors == {"user": "the user is already deactivated"}
    event = AuditEvent.objects.get(action="user.deactivated")
    assert (event.reason, event.after) == ("Left the company", {"is_active": False})


@pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
def test_only_administrators_deactivate_users(world, role):
    from sladesk.accounts.actions import deactivate_user

    with pytest.raises(ActionPermissionDenied):
        deactivate_user(actor=getattr(world, role), user=world.operator, reason="x")

    world.operator.refresh_from_db()
    assert world.operator.is_active is True


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs real concurrent transactions: run with DATABASE_URL=postgres://...",
)
@pytest.mark.django_db(transaction=True)
def test_the_same_email_created_twice_at_once_is_saved_once(monkeypatch, fast_settings):
    from sladesk.accounts.actions import create_user

    admins = [
        User.objects.create_user(f"a{i}@helpdesk.example", None, role="admin") for i in (1, 2)
    ]
    # Both have passed the checks (no such email yet) before either inserts.
    barrier = threading.Barrier(2)
    insert = User.objects.create_user

    def create_after_both_checked(*args: Any, **fields: Any) -> User:
        barrier.wait(timeout=30)
        return insert(*args, **fields)

    monkeypatch.setattr(User.objects, "create_user", create_after_both_checked)
    outcomes: list[Any] = []

    def add(actor: User) -> None:
        try:
            outcomes.append(
                create_user(
                    actor=actor,
                    email="new@helpdesk.example",
                    role="engineer",
                    password="a long enough passphrase 42",
                )
            )
        except BaseException as exc:  # reported to the main thread below
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add, args=(a,)) for a in admins]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    refused = [o for o in outcomes if isinstance(o, ActionValidationError)]
    assert (len([o for o in outcomes if isinstance(o, User)]), len(refused)) == (1, 1), outcomes
    assert refused[0].errors == {"email": "a user with email new@helpdesk.example already exists"}
    assert User.objects.filter(email="new@helpdesk.example").count() == 1
    assert AuditEvent.objects.filter(action="user.created").count() == 1

"""Users: email login, Argon2 hashing, roles, and `sladesk user create`."""

from __future__ import annotations

import io

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.urls import reverse

from sladesk.accounts.actions import create_user
from sladesk.accounts.models import User
from sladesk.accounts.roles import Capability, Role
from sladesk.audit.models import AuditEvent
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.customers.models import Contact


def test_argon2_is_the_first_password_hasher():
    assert django_settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )


@pytest.mark.django_db
def test_a_user_created_with_the_configured_hashers_gets_an_argon2_hash(settings):
    settings.PASSWORD_HASHERS = django_settings.PASSWORD_HASHERS
    user = User.objects.create_user("argon@helpdesk.example", "a long pass phrase", role="engineer")

    assert user.password.startswith("argon2$")
    assert user.check_password("a long pass phrase") is True


def test_the_user_model_logs_in_with_the_email_address(world):
    user = authenticate(email="ed@helpdesk.example", password="correct horse battery staple")

    assert user == world.engineer
    assert User.USERNAME_FIELD == "email"


def test_the_login_page_signs_in_with_email_and_password(client, world):
    response = client.post(
        reverse("login"),
        {"username": "ann@acme.example", "password": "correct horse battery staple"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    assert client.get("/portal/").status_code == 200


def test_a_wrong_password_does_not_sign_in(client, world):
    response = client.post(
        reverse("login"), {"username": "ann@acme.example", "password": "wrong password"}
    )

    assert response.status_code == 200
    assert "did not match" in response.content.decode()
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("role", "capability", "allowed"),
    [
        (Role.CUSTOMER, Capability.INTERNAL_NOTE, False),
        (Role.CUSTOMER, Capability.SET_PRIORITY, False),
        (Role.CUSTOMER, Capability.PROPOSE_PRIORITY, True),
        (Role.OPERATOR, Capability.SET_PRIORITY, True),
        (Role.OPERATOR, Capability.RESOLVE, False),
        (Role.ENGINEER, Capability.RESOLVE, True),
        (Role.ONCALL, Capability.INVESTIGATE, True),
        (Role.ENGINEER, Capability.CHANGE_COVERAGE, False),
        (Role.MANAGER, Capability.CHANGE_COVERAGE, True),
        (Role.ADMIN, Capability.VIEW_ALL_COMPANIES, True),
        (Role.CUSTOMER, Capability.VIEW_ALL_COMPANIES, False),
    ],
)
def test_capabilities_follow_the_role(role, capability, allowed):
    assert User(role=role, is_active=True).can(capability) is allowed


def test_an_inactive_user_can_do_nothing():
    assert User(role=Role.ADMIN, is_active=False).can(Capability.LOG_TICKET) is False


def test_managers_and_administrators_use_the_admin_and_others_do_not(world):
    assert [u.is_staff for u in world.staff] == [False, False, False, True, True]
    assert world.acme_user.is_staff is False
    assert world.admin.is_superuser is True
    assert world.manager.has_perm("contracts.change_contract") is True
    assert world.manager.has_perm("accounts.change_user") is False
    assert world.engineer.has_perm("contracts.change_contract") is False


def test_a_customer_must_have_a_company_and_staff_must_not(world):
    with pytest.raises(ActionValidationError) as customer:
        create_user(actor=None, email="x@y.example", role="customer", password="p4ss-phrase-ok")
    with pytest.raises(ActionValidationError) as staff:
        create_user(
            actor=None,
            email="z@y.example",
            role="engineer",
            password="p4ss-phrase-ok",
            company=world.acme,
        )

    assert customer.value.errors == {"company": "a customer contact belongs to a company"}
    assert staff.value.errors == {"company": "helpdesk staff do not belong to a customer company"}
    assert not User.objects.filter(email__in=["x@y.example", "z@y.example"]).exists()


def test_creating_a_customer_also_makes_it_a_contact_and_audits_it(world):
    user = create_user(
        actor=world.admin,
        email="New.Person@Acme.example",
        role="customer",
        password="p4ss-phrase-ok",
        company=world.acme,
        full_name="New Person",
        phone="0113 496 0999",
    )

    assert user.email == "new.person@acme.example"
    contact = Contact.objects.get(user=user)
    assert (contact.company, contact.name, contact.phone) == (
        world.acme,
        "New Person",
        "0113 496 0999",
    )
    event = AuditEvent.objects.get(action="user.created", subject_id=str(user.pk))
    assert event.actor == world.admin
    assert event.after == {
        "email": "new.person@acme.example",
        "role": "customer",
        "company_id": world.acme.pk,
    }


def test_only_an_administrator_creates_users(world):
    with pytest.raises(ActionPermissionDenied):
        create_user(actor=world.manager, email="q@q.example", role="engineer", password="x")

    assert not User.objects.filter(email="q@q.example").exists()


def test_the_cli_creates_a_user_with_the_password_from_stdin(world):
    out = io.StringIO()

    call_command(
        "user",
        "create",
        "--email",
        "carl@bluebell.example",
        "--role",
        "customer",
        "--company",
        "bluebell",
        "--password-stdin",
        stdin=io.StringIO("a sturdy pass phrase\n"),
        stdout=out,
    )

    user = User.objects.get(email="carl@bluebell.example")
    assert out.getvalue() == "created carl@bluebell.example (Customer contact)\n"
    assert (user.role, user.company) == ("customer", world.bluebell)
    assert user.check_password("a sturdy pass phrase") is True


def test_the_cli_refuses_a_weak_password_and_an_unknown_company(world):
    with pytest.raises(CommandError, match="password: This password is too short"):
        call_command(
            "user",
            "create",
            "--email",
            "weak@helpdesk.example",
            "--role",
            "engineer",
            "--password-stdin",
            stdin=io.StringIO("abc\n"),
        )
    with pytest.raises(CommandError, match="no company 'nowhere'"):
        call_command(
            "user",
            "create",
            "--email",
            "lost@helpdesk.example",
            "--role",
            "customer",
            "--company",
            "nowhere",
            "--password-stdin",
            stdin=io.StringIO("a sturdy pass phrase\n"),
        )

    assert not User.objects.filter(
        email__in=["weak@helpdesk.example", "lost@helpdesk.example"]
    ).exists()

"""Companies and contacts are written by their actions: administrators only, every bad field
named at once, nothing half-saved, an audit event for each change."""

from __future__ import annotations

import pytest

from helpdesk_world import TUESDAY_10AM
from sladesk.audit.models import AuditEvent
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.customers.actions import (
    create_company,
    create_contact,
    deactivate_contact,
    update_company,
    update_contact,
)
from sladesk.customers.models import Company, Contact

NOT_ADMINISTRATORS = ["operator", "engineer", "oncall", "manager", "acme_user"]


# ---------------------------------------------------------------------------- companies


def test_an_administrator_adds_a_company_with_a_slug_made_from_its_name(world):
    company = create_company(
        actor=world.admin,
        name="  Delta Dental Group ",
        phone="+44 20 7946 0000",
        address="1 High Street\nIpswich",
        at=TUESDAY_10AM,
    )

    assert (company.name, company.slug, company.phone, company.address) == (
        "Delta Dental Group",
        "delta-dental-group",
        "+44 20 7946 0000",
        "1 High Street\nIpswich",
    )
    event = AuditEvent.objects.get(action="company.created")
    assert (event.actor, event.at, event.subject_id) == (world.admin, TUESDAY_10AM, str(company.pk))
    assert event.after == {
        "name": "Delta Dental Group",
        "slug": "delta-dental-group",
        "phone": "+44 20 7946 0000",
        "address": "1 High Street\nIpswich",
    }


def test_every_bad_company_field_is_named_at_once_and_nothing_is_saved(world):
    with pytest.raises(ActionValidationError) as raised:
        create_company(actor=world.admin, name="acme contact centres", slug="Acme!", phone="call")

    assert raised.value.errors == {
        "name": "a company named 'acme contact centres' already exists",
        "slug": "'Acme!' is not a slug (lower-case letters, digits and hyphens)",
        "phone": "'call' is not a phone number",
    }
    assert Company.objects.count() == 3
    assert not AuditEvent.objects.filter(action="company.created").exists()


def test_a_missing_name_and_a_taken_slug_are_refused(world):
    with pytest.raises(ActionValidationError) as raised:
        create_company(actor=world.admin, name="   ", slug="bluebell")

    assert raised.value.errors == {
        "name": "give the company's name",
        "slug": "the slug 'bluebell' is taken by another company",
    }
    assert Company.objects.count() == 3


@pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
def test_only_administrators_add_companies(world, role):
    with pytest.raises(ActionPermissionDenied):
        create_company(actor=getattr(world, role), name="Delta Dental Group")

    assert not Company.objects.filter(name="Delta Dental Group").exists()


def test_an_inactive_administrator_may_not_add_companies(world):
    world.admin.is_active = False
    world.admin.save()

    with pytest.raises(ActionPermissionDenied):
        create_company(actor=world.admin, name="Delta Dental Group")

    assert Company.objects.count() == 3


def test_updating_a_company_changes_only_the_given_fields_and_audits_the_difference(world):
    update_company(actor=world.admin, company=world.acme, phone="01473 111111", at=TUESDAY_10AM)

    world.acme.refresh_from_db()
    assert (world.acme.name, world.acme.slug, world.acme.phone) == (
        "Acme Contact Centres",
        "acme",
        "01473 111111",
    )
    event = AuditEvent.objects.get(action="company.updated")
    assert (event.before, event.after) == ({"phone": ""}, {"phone": "01473 111111"})


def test_an_update_that_changes_nothing_writes_no_audit_event(world):
    update_company(actor=world.admin, company=world.acme, name="Acme Contact Centres")

    assert not AuditEvent.objects.filter(action="company.updated").exists()


def test_a_company_may_not_take_another_companys_name_or_slug(world):
    with pytest.raises(ActionValidationError) as raised:
        update_company(
            actor=world.admin, company=world.acme, name="Bluebell Insurance", slug="bluebell"
        )

    assert raised.value.errors == {
        "name": "a company named 'Bluebell Insurance' already exists",
        "slug": "the slug 'bluebell' is taken by another company",
    }
    world.acme.refresh_from_db()
    assert (world.acme.name, world.acme.slug) == ("Acme Contact Centres", "acme")


def test_a_renamed_company_keeps_its_contacts_and_contracts(world):
    update_company(actor=world.admin, company=world.acme, name="Acme Group", slug="acme-group")

    company = Company.objects.get(slug="acme-group")
    assert list(company.contacts.values_list("name", flat=True)) == ["Ann Acme"]
    assert list(company.contracts.values_list("reference", flat=True)) == ["SC-ACME-1"]


@pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
def test_only_administrators_update_companies(world, role):
    with pytest.raises(ActionPermissionDenied):
        update_company(actor=getattr(world, role), company=world.acme, name="Taken Over")

    world.acme.refresh_from_db()
    assert world.acme.name == "Acme Contact Centres"


# ----------------------------------------------------------------------------- contacts


def test_an_administrator_adds_a_contact_who_may_log_tickets(world):
    contact = create_contact(
        actor=world.admin,
        company=world.bluebell,
        name=" Bea Bluebell ",
        phone="01473 222222",
        email="Bea@Bluebell.example",
        at=TUESDAY_10AM,
    )

    assert (contact.company, contact.name, contact.email, contact.may_log_tickets) == (
        world.bluebell,
        "Bea Bluebell",
        "bea@bluebell.example",
        True,
    )
    assert contact.user is None
    event = AuditEvent.objects.get(action="contact.created")
    assert event.after == {
        "company_id": world.bluebell.pk,
        "name": "Bea Bluebell",
        "phone": "01473 222222",
        "email": "bea@bluebell.example",
        "may_log_tickets": True,
        "user_id": None,
    }


def test_every_bad_contact_field_is_named_at_once_and_nothing_is_saved(world):
    with pytest.raises(ActionValidationError) as raised:
        create_contact(actor=world.admin, company=None, name="", phone="x", email="not-an-email")

    assert raised.value.errors == {
        "company": "a contact belongs to a company",
        "name": "give the contact's name",
        "phone": "'x' is not a phone number",
        "email": "'not-an-email' is not an email address",
    }
    assert Contact.objects.count() == 3


@pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
def test_only_administrators_add_contacts(world, role):
    with pytest.raises(ActionPermissionDenied):
        create_contact(actor=getattr(world, role), company=world.acme, name="Eve Acme")

    assert Contact.objects.count() == 3


def test_updating_a_contact_changes_only_the_given_fields(world):
    update_contact(
        actor=world.admin,
        contact=world.acme_contact,
        email="ann.acme@acme.example",
        may_log_tickets=False,
    )

    world.acme_contact.refresh_from_db()
    assert (
        world.acme_contact.name,
        world.acme_contact.phone,
        world.acme_contact.email,
        world.acme_contact.may_log_tickets,
    ) == ("Ann Acme", "+44 1473 000001", "ann.acme@acme.example", False)
    event = AuditEvent.objects.get(action="contact.updated")
    assert (event.before, event.after) == (
        {"email": "", "may_log_tickets": True},
        {"email": "ann.acme@acme.example", "may_log_tickets": False},
    )


def test_a_bad_contact_update_changes_nothing(world):
    with pytest.raises(ActionValidationError) as raised:
        update_contact(
            actor=world.admin,
            contact=world.acme_contact,
            name="Ann Newname",
            email="ann at acme",
            may_log_tickets="no",
        )

    assert raised.value.errors == {
        "email": "'ann at acme' is not an email address",
        "may_log_tickets": "true or false",
    }
    world.acme_contact.refresh_from_db()
    assert (world.acme_contact.name, world.acme_contact.email) == ("Ann Acme", "")
    assert not AuditEvent.objects.filter(action="contact.updated").exists()


@pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
def test_only_administrators_update_contacts(world, role):
    with pytest.raises(ActionPermissionDenied):
        update_contact(actor=getattr(world, role), contact=world.acme_contact, name="Mallory")

    world.acme_contact.refresh_from_db()
    assert world.acme_contact.name == "Ann Acme"


def test_deactivating_a_contact_stops_it_logging_tickets_and_signing_in(world, log):
    from sladesk.api.actions import create_token

    ticket = log(contact=world.acme_contact)
    create_token(actor=None, user=world.acme_user, name="crm", scopes=("read",))

    deactivate_contact(
        actor=world.admin, contact=world.acme_contact, reason="Left Acme", at=TUESDAY_10AM
    )

    world.acme_contact.refresh_from_db()
    world.acme_user.refresh_from_db()
    assert (world.acme_contact.may_log_tickets, world.acme_user.is_active) == (False, False)
    ticket.refresh_from_db()
    assert ticket.contact == world.acme_contact
    event = AuditEvent.objects.get(action="contact.deactivated")
    assert (event.reason, event.before, event.after) == (
        "Left Acme",
        {"may_log_tickets": True, "user_is_active": True},
        {"may_log_tickets": False, "user_is_active": False},
    )
    with pytest.raises(ActionValidationError) as raised:
        log(contact=world.acme_contact)
    assert raised.value.errors["contact"] == "Ann Acme is not allowed to log tickets"


def test_deactivating_needs_a_reason_and_an_active_contact(world):
    with pytest.raises(ActionValidationError) as no_reason:
        deactivate_contact(actor=world.admin, contact=world.acme_contact, reason=" ")
    world.acme_contact.refresh_from_db()
    assert world.acme_contact.may_log_tickets is True

    deactivate_contact(actor=world.admin, contact=world.acme_contact, reason="Left Acme")
    with pytest.raises(ActionValidationError) as again:
        deactivate_contact(actor=world.admin, contact=world.acme_contact, reason="Twice")

    assert no_reason.value.errors == {"reason": "say why the contact is deactivated"}
    assert again.value.errors == {"contact": "the contact is already deactivated"}
    assert AuditEvent.objects.filter(action="contact.deactivated").count() == 1


@pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
def test_only_administrators_deactivate_contacts(world, role):
    with pytest.raises(ActionPermissionDenied):
        deactivate_contact(actor=getattr(world, role), contact=world.acme_contact, reason="x")

    world.acme_contact.refresh_from_db()
    world.acme_user.refresh_from_db()
    assert (world.acme_contact.may_log_tickets, world.acme_user.is_active) == (True, True)

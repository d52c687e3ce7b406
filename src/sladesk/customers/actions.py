"""Write paths for the customer directory: companies and their contacts.

Each function takes keyword-only arguments, checks that the actor may administer the
directory (`Capability.ADMINISTER_DIRECTORY`), validates its whole input (one
`ActionValidationError` naming every bad field, nothing saved), writes the rows and an audit
event in one transaction.

Updates take only the fields to change: a field left at `UNCHANGED` keeps its value, so a
partial update (the API's PATCH) never overwrites what the caller did not send.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from sladesk.accounts.models import User
from sladesk.accounts.roles import Capability
from sladesk.audit.recorder import record
from sladesk.core.clock import instant
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.customers.models import Company, Contact


class _Unchanged:
    """The value of an update argument the caller did not give."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final[Any] = _Unchanged()

# Slugs appear in URLs and API filters (`?company=acme`): lower-case ASCII words.
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PHONE_RE = re.compile(r"^\+?[0-9 ()\-.]{6,}$")
NAME_MAX = 200
SLUG_MAX = 60
PHONE_MAX = 40
# The EmailField default; the validator alone accepts up to 320 characters.
EMAIL_MAX = 254


def require_directory_admin(actor: User | None) -> User:
    """The actor, if it may administer companies, contacts, contracts and users."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise ActionPermissionDenied("you must be signed in")
    if not actor.can(Capability.ADMINISTER_DIRECTORY):
        raise ActionPermissionDenied(
            f"a {actor.role_label.lower()} may not administer companies, contacts, "
            "contracts and users"
        )
    return actor


def _given(value: Any) -> bool:
    return value is not UNCHANGED


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _check_name(errors: dict[str, str], field: str, value: object, what: str) -> str:
    name = _text(value)
    if not name:
        errors[field] = f"give the {what}'s name"
    elif len(name) > NAME_MAX:
        errors[field] = f"at most {NAME_MAX} characters"
    return name


def _check_phone(errors: dict[str, str], field: str, value: object) -> str:
    phone = _text(value)
    if phone and (len(phone) > PHONE_MAX or not PHONE_RE.match(phone)):
        errors[field] = f"{phone!r} is not a phone number"
    return phone


def _check_email(errors: dict[str, str], field: str, value: object) -> str:
    email = _text(value).lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors[field] = f"{email!r} is not an email address"
        else:
            if len(email) > EMAIL_MAX:
                errors[field] = f"an email address has at most {EMAIL_MAX} characters"
    return email


def _raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise ActionValidationError(errors)


@contextmanager
def refused_if_taken(recheck: Callable[[], dict[str, str]]) -> Iterator[None]:
    """One transaction, in which a unique-constraint violation becomes field errors.

    The checks before saving cannot see a row another request is saving at the same time;
    the database's unique constraint does. Then `recheck` (run after the rollback, when the
    other row is visible) names the field, exactly as if the row had been there first.
    """
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        errors = recheck()
        if errors:
            raise ActionValidationError(errors) from None
        raise


# ---------------------------------------------------------------------------- companies


def _company_state(company: Company) -> dict[str, Any]:
    return {
        "name": company.name,
        "slug": company.slug,
        "phone": company.phone,
        "address": company.address,
    }


def _check_company(errors: dict[str, str], *, name: str, slug: str, exclude_pk: int | None) -> None:
    others = Company.objects.exclude(pk=exclude_pk) if exclude_pk else Company.objects.all()
    if "name" not in errors and others.filter(name__iexact=name).exists():
        errors["name"] = f"a company named {name!r} already exists"
    if not slug:
        errors["slug"] = "give a slug (lower-case letters, digits and hyphens)"
    elif len(slug) > SLUG_MAX:
        errors["slug"] = f"at most {SLUG_MAX} characters"
    elif not SLUG_RE.match(slug):
        errors["slug"] = f"{slug!r} is not a slug (lower-case letters, digits and hyphens)"
    elif others.filter(slug=slug).exists():
        errors["slug"] = f"the slug {slug!r} is taken by another company"


def create_company(
    *,
    actor: User | None,
    name: str,
    slug: str = "",
    phone: str = "",
    address: str = "",
    at: dt.datetime | None = None,
) -> Company:
    """Add a customer company. Without a slug, one is made from the name."""
    actor = require_directory_admin(actor)
    at = instant(at)
    errors: dict[str, str] = {}
    name = _check_name(errors, "name", name, "company")
    slug = _text(slug) or slugify(name)[:SLUG_MAX].strip("-")
    _check_company(errors, name=name, slug=slug, exclude_pk=None)
    phone = _check_phone(errors, "phone", phone)
    _raise_if(errors)

    def recheck() -> dict[str, str]:
        found: dict[str, str] = {}
        _check_company(found, name=name, slug=slug, exclude_pk=None)
        return found

    with refused_if_taken(recheck):
        company = Company.objects.create(name=name, slug=slug, phone=phone, address=_text(address))
        record(
            actor=actor,
            action="company.created",
            at=at,
            subject=company,
            after=_company_state(company),
        )
    return company


def update_company(
    *,
    actor: User | None,
    company: Company,
    name: Any = UNCHANGED,
    slug: Any = UNCHANGED,
    phone: Any = UNCHANGED,
    address: Any = UNCHANGED,
    at: dt.datetime | None = None,
) -> Company:
    """Change a company's name, slug, phone or address. Its contacts, contracts and tickets
    stay with it (they refer to the row, not the slug)."""
    actor = require_directory_admin(actor)
    at = instant(at)
    pk = company.pk

    def recheck() -> dict[str, str]:
        current = Company.objects.get(pk=pk)
        found: dict[str, str] = {}
        _check_company(
            found,
            name=_text(name) if _given(name) else current.name,
            slug=_text(slug) if _given(slug) else current.slug,
            exclude_pk=pk,
        )
        return found

    with refused_if_taken(recheck):
        company = Company.objects.select_for_update().get(pk=pk)
        before = _company_state(company)
        errors: dict[str, str] = {}
        new_name = _check_name(errors, "name", name, "company") if _given(name) else company.name
        new_slug = _text(slug) if _given(slug) else company.slug
        _check_company(errors, name=new_name, slug=new_slug, exclude_pk=company.pk)
        new_phone = _check_phone(errors, "phone", phone) if _given(phone) else company.phone
        _raise_if(errors)
        company.name, company.slug, company.phone = new_name, new_slug, new_phone
        if _given(address):
            company.address = _text(address)
        after = _company_state(company)
        if after != before:
            company.save()
            record(
                actor=actor,
                action="company.updated",
                at=at,
                subject=company,
                before={k: v for k, v in before.items() if after[k] != v},
                after={k: v for k, v in after.items() if before[k] != v},
            )
    return company


# ----------------------------------------------------------------------------- contacts


def _contact_state(contact: Contact) -> dict[str, Any]:
    return {
        "company_id": contact.company_id,
        "name": contact.name,
        "phone": contact.phone,
        "email": contact.email,
        "may_log_tickets": contact.may_log_tickets,
        "user_id": contact.user_id,
    }


def create_contact(
    *,
    actor: User | None,
    company: Company | None,
    name: str,
    phone: str = "",
    email: str = "",
    may_log_tickets: bool = True,
    at: dt.datetime | None = None,
) -> Contact:
    """Add a person at a customer company, who may log tickets by phone or email.

    A contact with a login is made with `accounts.actions.create_user` (role customer),
    which creates its contact too.
    """
    actor = require_directory_admin(actor)
    at = instant(at)
    errors: dict[str, str] = {}
    if company is None:
        errors["company"] = "a contact belongs to a company"
    name = _check_name(errors, "name", name, "contact")
    phone = _check_phone(errors, "phone", phone)
    email = _check_email(errors, "email", email)
    if not isinstance(may_log_tickets, bool):
        errors["may_log_tickets"] = "true or false"
    _raise_if(errors)
    assert company is not None
    with transaction.atomic():
        contact = Contact.objects.create(
            company=company,
            name=name,
            phone=phone,
            email=email,
            may_log_tickets=may_log_tickets,
        )
        record(
            actor=actor,
            action="contact.created",
            at=at,
            subject=contact,
            after=_contact_state(contact),
        )
    return contact


def update_contact(
    *,
    actor: User | None,
    contact: Contact,
    name: Any = UNCHANGED,
    phone: Any = UNCHANGED,
    email: Any = UNCHANGED,
    may_log_tickets: Any = UNCHANGED,
    at: dt.datetime | None = None,
) -> Contact:
    """Change a contact's name, phone, email or whether it may log tickets.

    The company is not changeable: the contact's tickets belong to its company. A person
    who moved company is a new contact there.
    """
    actor = require_directory_admin(actor)
    at = instant(at)
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        before = _contact_state(contact)
        errors: dict[str, str] = {}
        if _given(name):
            contact.name = _check_name(errors, "name", name, "contact")
        if _given(phone):
            contact.phone = _check_phone(errors, "phone", phone)
        if _given(email):
            contact.email = _check_email(errors, "email", email)
        if _given(may_log_tickets):
            if isinstance(may_log_tickets, bool):
                contact.may_log_tickets = may_log_tickets
            else:
                errors["may_log_tickets"] = "true or false"
        _raise_if(errors)
        after = _contact_state(contact)
        if after != before:
            contact.save()
            record(
                actor=actor,
                action="contact.updated",
                at=at,
                subject=contact,
                before={k: v for k, v in before.items() if after[k] != v},
                after={k: v for k, v in after.items() if before[k] != v},
            )
    return contact


def deactivate_contact(
    *,
    actor: User | None,
    contact: Contact,
    reason: str,
    at: dt.datetime | None = None,
) -> Contact:
    """The person no longer acts for the company (left, or no longer authorised).

    The contact may no longer log tickets, and its login, if any, is deactivated: its
    sessions and API tokens stop working at once. The contact row stays, with its tickets.
    """
    actor = require_directory_admin(actor)
    at = instant(at)
    reason = _text(reason)
    if not reason:
        raise ActionValidationError({"reason": "say why the contact is deactivated"})
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        login = (
            User.objects.select_for_update().get(pk=contact.user_id) if contact.user_id else None
        )
        if not contact.may_log_tickets and (login is None or not login.is_active):
            raise ActionValidationError({"contact": "the contact is already deactivated"})
        before = {
            "may_log_tickets": contact.may_log_tickets,
            "user_is_active": login.is_active if login else None,
        }
        contact.may_log_tickets = False
        contact.save(update_fields=["may_log_tickets"])
        if login is not None and login.is_active:
            login.is_active = False
            login.save(update_fields=["is_active"])
        record(
            actor=actor,
            action="contact.deactivated",
            at=at,
            subject=contact,
            before=before,
            after={"may_log_tickets": False, "user_is_active": False if login else None},
            reason=reason,
        )
    return contact

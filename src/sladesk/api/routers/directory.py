"""/api/v1 companies, contacts, contracts and users: administrators only.

Every other role gets 403 before any object is looked up, so nothing about the directory's
contents is revealed. Reads are here; every write calls the same audited action as any other
channel: `customers.actions` (companies, contacts), `contracts.actions` (contracts) and
`accounts.actions` (users). This module only turns slugs, references, ids and names into
rows; a name that matches nothing is reported with the action's own field errors, all at
once, and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, TypeVar

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema, Status

from sladesk.accounts.actions import create_user, deactivate_user, update_user
from sladesk.accounts.models import User
from sladesk.accounts.roles import Capability
from sladesk.api.routers.common import responses, user_of
from sladesk.api.schemas import (
    CompanyIn,
    CompanyOut,
    CompanyPatch,
    ContactIn,
    ContactOut,
    ContactPatch,
    ContractIn,
    ContractOut,
    ContractPatch,
    DeactivateIn,
    UserIn,
    UserOut,
    UserPatch,
)
from sladesk.contracts.actions import create_contract, update_contract
from sladesk.contracts.models import Contract, SlaPolicy
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.customers.actions import (
    create_company,
    create_contact,
    deactivate_contact,
    update_company,
    update_contact,
)
from sladesk.customers.models import Company, Contact, Module

T = TypeVar("T")

router = Router(tags=["directory"])


def _administrator(request: HttpRequest) -> User:
    user: User = user_of(request)
    if not user.can(Capability.ADMINISTER_DIRECTORY):
        raise ActionPermissionDenied(
            f"a {user.role_label.lower()} may not administer the directory"
        )
    return user


def _changes(
    payload: Schema, *, nullable: Collection[str] = ()
) -> tuple[dict[str, Any], dict[str, str]]:
    """The fields a PATCH body sent, and an error for each null that means nothing."""
    sent = payload.model_dump(exclude_unset=True)
    errors = {
        name: "give a value, or leave the field out to keep it"
        for name, value in sent.items()
        if value is None and name not in nullable
    }
    return {k: v for k, v in sent.items() if k not in errors}, errors


def _saved(lookup_errors: dict[str, str], write: Callable[[], T]) -> T:
    """Run the action; if a name in the body matched nothing, save nothing and report those
    problems together with the action's own."""
    try:
        with transaction.atomic():
            result = write()
            if lookup_errors:
                raise ActionValidationError(lookup_errors)
    except ActionValidationError as exc:
        raise ActionValidationError({**exc.errors, **lookup_errors}) from None
    return result


def _find_company(errors: dict[str, str], slug: str | None, field: str = "company") -> Any:
    if slug is None:
        return None
    found = Company.objects.filter(slug=slug).first()
    if found is None:
        errors[field] = f"no company {slug!r}"
    return found


def _find_modules(errors: dict[str, str], ids: list[int]) -> list[Module]:
    found = list(Module.objects.filter(pk__in=ids).order_by("pk"))
    missing = sorted(set(ids) - {m.pk for m in found})
    if missing:
        errors["modules"] = f"no module {', '.join(str(i) for i in missing)}"
    return found


def _find_policy(errors: dict[str, str], name: str | None) -> SlaPolicy | None:
    if name is None:
        return None
    found = SlaPolicy.objects.filter(name=name).first()
    if found is None:
        errors["policy"] = f"no SLA policy {name!r}"
    return found


# ---------------------------------------------------------------------------- companies


def _company_out(c: Company) -> dict[str, Any]:
    return {"id": c.pk, "name": c.name, "slug": c.slug, "phone": c.phone, "address": c.address}


@router.get("/companies", response=responses({200: list[CompanyOut]}), summary="Companies")
def companies(request: HttpRequest) -> list[dict[str, Any]]:
    _administrator(request)
    return [_company_out(c) for c in Company.objects.order_by("name")]


@router.post("/companies", response=responses({201: CompanyOut}), summary="Add a company")
def add_company(request: HttpRequest, payload: CompanyIn) -> Status[Any]:
    """Without a slug, one is made from the name."""
    actor = _administrator(request)
    company = create_company(
        actor=actor,
        name=payload.name,
        slug=payload.slug,
        phone=payload.phone,
        address=payload.address,
    )
    return Status(201, _company_out(company))


@router.get("/companies/{slug}", response=responses({200: CompanyOut}), summary="A company")
def company(request: HttpRequest, slug: str) -> dict[str, Any]:
    _administrator(request)
    return _company_out(Company.objects.get(slug=slug))


@router.patch(
    "/companies/{slug}", response=responses({200: CompanyOut}), summary="Change a company"
)
def change_company(request: HttpRequest, slug: str, payload: CompanyPatch) -> dict[str, Any]:
    """Only the fields sent change. A new slug changes the company's address in this API."""
    actor = _administrator(request)
    found = Company.objects.get(slug=slug)
    changes, errors = _changes(payload)
    updated = _saved(errors, lambda: update_company(actor=actor, company=found, **changes))
    return _company_out(updated)


# ----------------------------------------------------------------------------- contacts


def _contact_out(c: Contact) -> dict[str, Any]:
    return {
        "id": c.pk,
        "company": c.company.slug,
        "name": c.name,
        "phone": c.phone,
        "email": c.email,
        "user": c.user.email if c.user else None,
        "may_log_tickets": c.may_log_tickets,
    }


def _contact(contact_id: int) -> Contact:
    return Contact.objects.select_related("company", "user").get(pk=contact_id)


@router.get("/contacts", response=responses({200: list[ContactOut]}), summary="Contacts")
def contacts(request: HttpRequest, company: str | None = None) -> list[dict[str, Any]]:
    _administrator(request)
    rows = Contact.objects.select_related("company", "user").order_by("company__name", "name")
    if company:
        rows = rows.filter(company__slug=company)
    return [_contact_out(c) for c in rows]


@router.post("/contacts", response=responses({201: ContactOut}), summary="Add a contact")
def add_contact(request: HttpRequest, payload: ContactIn) -> Status[Any]:
    """A person who may log tickets by phone or email, without a login. A contact with a
    login is created with POST /users (role customer)."""
    actor = _administrator(request)
    errors: dict[str, str] = {}
    found = _find_company(errors, payload.company)
    contact = _saved(
        errors,
        lambda: create_contact(
            actor=actor,
            company=found,
            name=payload.name,
            phone=payload.phone,
            email=payload.email,
            may_log_tickets=payload.may_log_tickets,
        ),
    )
    return Status(201, _contact_out(_contact(contact.pk)))


@router.get("/contacts/{contact_id}", response=responses({200: ContactOut}), summary="A contact")
def contact(request: HttpRequest, contact_id: int) -> dict[str, Any]:
    _administrator(request)
    return _contact_out(_contact(contact_id))


@router.patch(
    "/contacts/{contact_id}", response=responses({200: ContactOut}), summary="Change a contact"
)
def change_contact(request: HttpRequest, contact_id: int, payload: ContactPatch) -> dict[str, Any]:
    """Only the fields sent change. The company does not: a person who moved company is a
    new contact there."""
    actor = _administrator(request)
    found = _contact(contact_id)
    changes, errors = _changes(payload)
    _saved(errors, lambda: update_contact(actor=actor, contact=found, **changes))
    return _contact_out(_contact(contact_id))


@router.post(
    "/contacts/{contact_id}/deactivate",
    response=responses({200: ContactOut}),
    summary="Deactivate a contact",
)
def deactivate_a_contact(
    request: HttpRequest, contact_id: int, payload: DeactivateIn
) -> dict[str, Any]:
    """The contact may no longer log tickets and its login, if any, is deactivated."""
    actor = _administrator(request)
    deactivate_contact(actor=actor, contact=_contact(contact_id), reason=payload.reason)
    return _contact_out(_contact(contact_id))


# ---------------------------------------------------------------------------- contracts


def _contract_out(c: Contract) -> dict[str, Any]:
    return {
        "id": c.pk,
        "reference": c.reference,
        "company": c.company.slug,
        "signed_on": c.signed_on,
        "valid_from": c.valid_from,
        "valid_to": c.valid_to,
        "coverage": c.coverage,
        "modules": sorted(m.pk for m in c.modules.all()),
        "policy": c.policy.name if c.policy else None,
        "price_list_reference": c.price_list_reference,
        "sow_reference": c.sow_reference,
        "notes": c.notes,
    }


def _contracts() -> Any:
    return Contract.objects.select_related("company", "policy").prefetch_related("modules")


@router.get("/contracts", response=responses({200: list[ContractOut]}), summary="Contracts")
def contracts(request: HttpRequest, company: str | None = None) -> list[dict[str, Any]]:
    _administrator(request)
    rows = _contracts()
    if company:
        rows = rows.filter(company__slug=company)
    return [_contract_out(c) for c in rows]


@router.post("/contracts", response=responses({201: ContractOut}), summary="Record a contract")
def add_contract(request: HttpRequest, payload: ContractIn) -> Status[Any]:
    """Unsigned (`signed_on` null) it entitles nobody yet. Two signed contracts of a company
    with the same coverage may not cover the same module on the same day."""
    actor = _administrator(request)
    errors: dict[str, str] = {}
    found = _find_company(errors, payload.company)
    modules = _find_modules(errors, payload.modules)
    policy = _find_policy(errors, payload.policy)
    created = _saved(
        errors,
        lambda: create_contract(
            actor=actor,
            company=found,
            reference=payload.reference,
            valid_from=payload.valid_from,
            valid_to=payload.valid_to,
            modules=modules,
            coverage=payload.coverage,
            signed_on=payload.signed_on,
            policy=policy,
            price_list_reference=payload.price_list_reference,
            sow_reference=payload.sow_reference,
            notes=payload.notes,
        ),
    )
    return Status(201, _contract_out(_contracts().get(pk=created.pk)))


@router.get("/contracts/{reference}", response=responses({200: ContractOut}), summary="A contract")
def contract(request: HttpRequest, reference: str) -> dict[str, Any]:
    _administrator(request)
    return _contract_out(_contracts().get(reference=reference))


@router.patch(
    "/contracts/{reference}", response=responses({200: ContractOut}), summary="Change a contract"
)
def change_contract(request: HttpRequest, reference: str, payload: ContractPatch) -> dict[str, Any]:
    """Only the fields sent change (`signed_on: null` unsigns, `policy: null` is the default
    policy). The company does not change. Tickets already logged keep the coverage and
    policy they were logged with."""
    actor = _administrator(request)
    found = _contracts().get(reference=reference)
    changes, errors = _changes(payload, nullable={"signed_on", "policy"})
    if "modules" in changes:
        changes["modules"] = _find_modules(errors, changes["modules"])
    if "policy" in changes:
        changes["policy"] = _find_policy(errors, changes["policy"])
    updated = _saved(errors, lambda: update_contract(actor=actor, contract=found, **changes))
    return _contract_out(_contracts().get(pk=updated.pk))


# -------------------------------------------------------------------------------- users


def _user_out(u: User) -> dict[str, Any]:
    return {
        "id": u.pk,
        "email": u.email,
        "full_name": u.full_name,
        "role": u.role,
        "company": u.company.slug if u.company else None,
        "is_active": u.is_active,
    }


def _user(user_id: int) -> User:
    return User.objects.select_related("company").get(pk=user_id)


@router.get("/users", response=responses({200: list[UserOut]}), summary="Users")
def users(request: HttpRequest) -> list[dict[str, Any]]:
    _administrator(request)
    return [_user_out(u) for u in User.objects.select_related("company").order_by("email")]


@router.post("/users", response=responses({201: UserOut}), summary="Create a user")
def add_user(request: HttpRequest, payload: UserIn) -> Status[Any]:
    """A customer contact also becomes a contact of its company (who may log tickets)."""
    actor = _administrator(request)
    errors: dict[str, str] = {}
    found = _find_company(errors, payload.company or None)
    user = _saved(
        errors,
        lambda: create_user(
            actor=actor,
            email=payload.email,
            role=payload.role,
            password=payload.password,
            company=found,
            full_name=payload.full_name,
            phone=payload.phone,
        ),
    )
    return Status(201, _user_out(user))


@router.get("/users/{user_id}", response=responses({200: UserOut}), summary="A user")
def user(request: HttpRequest, user_id: int) -> dict[str, Any]:
    _administrator(request)
    return _user_out(_user(user_id))


@router.patch("/users/{user_id}", response=responses({200: UserOut}), summary="Change a user")
def change_user(request: HttpRequest, user_id: int, payload: UserPatch) -> dict[str, Any]:
    """Only the fields sent change (`company: null`: no company). A customer contact has a
    company and helpdesk staff none, so a change of role usually sends both. An
    administrator cannot deactivate or demote itself."""
    actor = _administrator(request)
    found = _user(user_id)
    changes, errors = _changes(payload, nullable={"company"})
    if "company" in changes:
        changes["company"] = _find_company(errors, changes["company"])
    updated = _saved(errors, lambda: update_user(actor=actor, user=found, **changes))
    return _user_out(_user(updated.pk))


@router.post(
    "/users/{user_id}/deactivate",
    response=responses({200: UserOut}),
    summary="Deactivate a user",
)
def deactivate_a_user(request: HttpRequest, user_id: int, payload: DeactivateIn) -> dict[str, Any]:
    """The user can no longer sign in; its sessions and API tokens stop working at once.
    PATCH `{"is_active": true}` reactivates."""
    actor = _administrator(request)
    deactivate_user(actor=actor, user=_user(user_id), reason=payload.reason)
    return _user_out(_user(user_id))

"""/api/v1 companies, contacts, contracts and users: administrators only.

Reading is here for all four. Creating goes through the existing actions: users through
`accounts.actions.create_user`. Companies, contacts and contracts have no actions yet (the
audited Django admin writes them), so the API does not write them either.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from sladesk.accounts.actions import create_user
from sladesk.accounts.models import User
from sladesk.accounts.roles import Capability
from sladesk.api.routers.common import responses, user_of
from sladesk.api.schemas import CompanyOut, ContactOut, ContractOut, UserIn, UserOut
from sladesk.contracts.models import Contract
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.customers.models import Company, Contact

router = Router(tags=["directory"])


def _administrator(request: HttpRequest) -> User:
    user: User = user_of(request)
    if not user.can(Capability.ADMINISTER_DIRECTORY):
        raise ActionPermissionDenied(
            f"a {user.role_label.lower()} may not administer the directory"
        )
    return user


def _company_out(c: Company) -> dict[str, Any]:
    return {"id": c.pk, "name": c.name, "slug": c.slug, "phone": c.phone, "address": c.address}


def _user_out(u: User) -> dict[str, Any]:
    return {
        "id": u.pk,
        "email": u.email,
        "full_name": u.full_name,
        "role": u.role,
        "company": u.company.slug if u.company else None,
        "is_active": u.is_active,
    }


@router.get("/companies", response=responses({200: list[CompanyOut]}), summary="Companies")
def companies(request: HttpRequest) -> list[dict[str, Any]]:
    _administrator(request)
    return [_company_out(c) for c in Company.objects.order_by("name")]


@router.get("/companies/{slug}", response=responses({200: CompanyOut}), summary="A company")
def company(request: HttpRequest, slug: str) -> dict[str, Any]:
    _administrator(request)
    return _company_out(Company.objects.get(slug=slug))


@router.get("/contacts", response=responses({200: list[ContactOut]}), summary="Contacts")
def contacts(request: HttpRequest, company: str | None = None) -> list[dict[str, Any]]:
    _administrator(request)
    rows = Contact.objects.select_related("company", "user").order_by("company__name", "name")
    if company:
        rows = rows.filter(company__slug=company)
    return [
        {
            "id": c.pk,
            "company": c.company.slug,
            "name": c.name,
            "phone": c.phone,
            "email": c.email,
            "user": c.user.email if c.user else None,
            "may_log_tickets": c.may_log_tickets,
        }
        for c in rows
    ]


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


@router.get("/contracts/{reference}", response=responses({200: ContractOut}), summary="A contract")
def contract(request: HttpRequest, reference: str) -> dict[str, Any]:
    _administrator(request)
    return _contract_out(_contracts().get(reference=reference))


@router.get("/users", response=responses({200: list[UserOut]}), summary="Users")
def users(request: HttpRequest) -> list[dict[str, Any]]:
    _administrator(request)
    return [_user_out(u) for u in User.objects.select_related("company").order_by("email")]


@router.post("/users", response=responses({201: UserOut}), summary="Create a user")
def add_user(request: HttpRequest, payload: UserIn) -> Status[Any]:
    """A customer contact also becomes a contact of its company (who may log tickets)."""
    actor = _administrator(request)
    found = None
    if payload.company:
        found = Company.objects.filter(slug=payload.company).first()
        if found is None:
            raise ActionValidationError({"company": f"no company {payload.company!r}"})
    user = create_user(
        actor=actor,
        email=payload.email,
        role=payload.role,
        password=payload.password,
        company=found,
        full_name=payload.full_name,
        phone=payload.phone,
    )
    return Status(201, _user_out(user))

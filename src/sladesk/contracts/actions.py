"""Write paths for support contracts: recording a contract and changing it.

Same rules as every action: keyword-only arguments, the directory capability
(`Capability.ADMINISTER_DIRECTORY`), every bad field named at once with nothing saved, the
rows and an audit event in one transaction.

A ticket keeps the coverage and policy it was logged under (docs/architecture.md), so a
change here affects only tickets logged afterwards.

Overlaps: a company may hold several contracts at once (a standard contract and a 24x7
one; `entitlement.contract_in_force` prefers 24x7). What is refused is two contracts of the
same company with the **same coverage** covering the **same module** on the same day: then
which policy applies would depend on which one started last, which nobody intends. Only
signed contracts count: a draft (a renewal being negotiated) may overlap anything, and the
check runs when it is signed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from sladesk.accounts.models import User
from sladesk.audit.recorder import record
from sladesk.contracts.models import Contract, Coverage, SlaPolicy
from sladesk.core.clock import instant
from sladesk.core.errors import ActionValidationError
from sladesk.customers.actions import UNCHANGED, refused_if_taken, require_directory_admin
from sladesk.customers.models import Company, Module

REFERENCE_MAX = 50
TEXT_MAX = 100


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _given(value: Any) -> bool:
    return value is not UNCHANGED


def _reference_taken(reference: str, *, exclude_pk: int | None) -> dict[str, str]:
    others = (
        Contract.objects.all() if exclude_pk is None else Contract.objects.exclude(pk=exclude_pk)
    )
    if others.filter(reference__iexact=reference).exists():
        return {"reference": f"a contract with reference {reference!r} already exists"}
    return {}


def _state(contract: Contract, module_ids: Iterable[int]) -> dict[str, Any]:
    return {
        "company_id": contract.company_id,
        "reference": contract.reference,
        "signed_on": contract.signed_on.isoformat() if contract.signed_on else None,
        "valid_from": contract.valid_from.isoformat() if contract.valid_from else None,
        "valid_to": contract.valid_to.isoformat() if contract.valid_to else None,
        "coverage": contract.coverage,
        "module_ids": sorted(module_ids),
        "policy_id": contract.policy_id,
        "price_list_reference": contract.price_list_reference,
        "sow_reference": contract.sow_reference,
        "notes": contract.notes,
    }


def _validate(
    errors: dict[str, str],
    *,
    contract: Contract,
    modules: list[Module],
    at: dt.datetime,
) -> None:
    """Check a contract's whole new state (unsaved), adding a message per bad field."""
    reference = contract.reference
    if not reference:
        errors["reference"] = "give the contract's reference"
    elif len(reference) > REFERENCE_MAX:
        errors["reference"] = f"at most {REFERENCE_MAX} characters"
    elif Contract.objects.exclude(pk=contract.pk).filter(reference__iexact=reference).exists():
        errors["reference"] = f"a contract with reference {reference!r} already exists"
    if contract.company_id is None:
        errors["company"] = "a contract belongs to a company"
    if not isinstance(contract.valid_from, dt.date):
        errors["valid_from"] = "give the first day of validity"
    if not isinstance(contract.valid_to, dt.date):
        errors["valid_to"] = "give the last day of validity"
    elif isinstance(contract.valid_from, dt.date) and contract.valid_to < contract.valid_from:
        errors["valid_to"] = (
            f"the last day ({contract.valid_to.isoformat()}) is before the first "
            f"({contract.valid_from.isoformat()})"
        )
    # Dates that are dates are judged on the London calendar (docs/architecture.md).
    today = timezone.localtime(at).date()
    if contract.signed_on is not None and contract.signed_on > today:
        errors["signed_on"] = (
            f"{contract.signed_on.isoformat()} is in the future; record the signature once "
            "it is signed"
        )
    if contract.coverage not in Coverage.values:
        errors["coverage"] = (
            f"unknown coverage {contract.coverage!r} (one of: {', '.join(Coverage.values)})"
        )
    if not modules:
        errors["modules"] = "name at least one module the contract covers"
    for name in ("price_list_reference", "sow_reference"):
        if len(getattr(contract, name)) > TEXT_MAX:
            errors[name] = f"at most {TEXT_MAX} characters"
    if contract.signed_on is None or errors.keys() & {
        "company",
        "valid_from",
        "valid_to",
        "coverage",
        "modules",
    }:
        return
    clash = (
        Contract.objects.exclude(pk=contract.pk)
        .filter(
            signed_on__isnull=False,
            company_id=contract.company_id,
            coverage=contract.coverage,
            modules__in=modules,
            valid_from__lte=contract.valid_to,
            valid_to__gte=contract.valid_from,
        )
        .order_by("valid_from", "pk")
        .distinct()
        .first()
    )
    if clash is not None:
        shared = sorted(str(m) for m in clash.modules.filter(pk__in=[m.pk for m in modules]))
        errors["valid_from"] = (
            f"overlaps contract {clash.reference} ({clash.valid_from.isoformat()} to "
            f"{clash.valid_to.isoformat()}), which has the same coverage for "
            f"{', '.join(shared)}; end that one first or cover other modules"
        )


def create_contract(
    *,
    actor: User | None,
    company: Company | None,
    reference: str,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    modules: Iterable[Module],
    coverage: str = Coverage.STANDARD,
    signed_on: dt.date | None = None,
    policy: SlaPolicy | None = None,
    price_list_reference: str = "",
    sow_reference: str = "",
    notes: str = "",
    at: dt.datetime | None = None,
) -> Contract:
    """Record a support contract. Unsigned (`signed_on` None) it entitles nobody yet;
    `policy` None means the default SLA policy."""
    actor = require_directory_admin(actor)
    at = instant(at)
    module_list = list(modules)
    # Missing dates are reported by _validate, so the unsaved row may hold None for now.
    fields: dict[str, Any] = {
        "company": company,
        "reference": _text(reference),
        "signed_on": signed_on,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "coverage": coverage,
        "policy": policy,
        "price_list_reference": _text(price_list_reference),
        "sow_reference": _text(sow_reference),
        "notes": _text(notes),
    }
    contract = Contract(**fields)
    errors: dict[str, str] = {}
    with refused_if_taken(lambda: _reference_taken(contract.reference, exclude_pk=None)):
        _validate(errors, contract=contract, modules=module_list, at=at)
        if errors:
            raise ActionValidationError(errors)
        contract.save()
        contract.modules.set(module_list)
        record(
            actor=actor,
            action="contract.created",
            at=at,
            subject=contract,
            after=_state(contract, (m.pk for m in module_list)),
        )
    return contract


def update_contract(
    *,
    actor: User | None,
    contract: Contract,
    reference: Any = UNCHANGED,
    valid_from: Any = UNCHANGED,
    valid_to: Any = UNCHANGED,
    modules: Any = UNCHANGED,
    coverage: Any = UNCHANGED,
    signed_on: Any = UNCHANGED,
    policy: Any = UNCHANGED,
    price_list_reference: Any = UNCHANGED,
    sow_reference: Any = UNCHANGED,
    notes: Any = UNCHANGED,
    at: dt.datetime | None = None,
) -> Contract:
    """Change a contract (sign it, extend it, change its cover or modules...). The company
    is not changeable: tickets logged under the contract belong to that company.

    Tickets already logged keep the coverage and policy they were logged with.
    """
    actor = require_directory_admin(actor)
    at = instant(at)
    pk = contract.pk
    new_reference = _text(reference) if _given(reference) else None
    with refused_if_taken(
        lambda: _reference_taken(new_reference, exclude_pk=pk) if new_reference else {}
    ):
        contract = Contract.objects.select_for_update().get(pk=pk)
        old_modules = list(contract.modules.all())
        before = _state(contract, (m.pk for m in old_modules))
        if _given(reference):
            contract.reference = _text(reference)
        if _given(valid_from):
            contract.valid_from = valid_from
        if _given(valid_to):
            contract.valid_to = valid_to
        if _given(coverage):
            contract.coverage = coverage
        if _given(signed_on):
            contract.signed_on = signed_on
        if _given(policy):
            contract.policy = policy
        if _given(price_list_reference):
            contract.price_list_reference = _text(price_list_reference)
        if _given(sow_reference):
            contract.sow_reference = _text(sow_reference)
        if _given(notes):
            contract.notes = _text(notes)
        module_list = list(modules) if _given(modules) else old_modules
        errors: dict[str, str] = {}
        _validate(errors, contract=contract, modules=module_list, at=at)
        if errors:
            raise ActionValidationError(errors)
        after = _state(contract, (m.pk for m in module_list))
        if after != before:
            contract.save()
            if after["module_ids"] != before["module_ids"]:
                contract.modules.set(module_list)
            record(
                actor=actor,
                action="contract.updated",
                at=at,
                subject=contract,
                before={k: v for k, v in before.items() if after[k] != v},
                after={k: v for k, v in after.items() if before[k] != v},
            )
    return contract

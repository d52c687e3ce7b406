"""Contracts are recorded and changed by their actions: administrators only, dates and
overlaps checked, every bad field named at once, nothing half-saved, audited."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection, connections

from helpdesk_world import TUESDAY_10AM, london
from sladesk.audit.models import AuditEvent
from sladesk.contracts.actions import create_contract, update_contract
from sladesk.contracts.entitlement import contract_in_force
from sladesk.contracts.models import Contract, SlaPolicy
from sladesk.contracts.sla_adapter import default_policy_row
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError

NOT_ADMINISTRATORS = ["operator", "engineer", "oncall", "manager", "acme_user"]


def _fields(world, **overrides):
    fields = {
        "actor": world.admin,
        "company": world.corvid,
        "reference": "SC-CORVID-1",
        "signed_on": dt.date(2026, 3, 2),
        "valid_from": dt.date(2026, 4, 1),
        "valid_to": dt.date(2027, 3, 31),
        "coverage": "standard",
        "modules": [world.desktop],
        "at": TUESDAY_10AM,
    }
    fields.update(overrides)
    return fields


def test_an_administrator_records_a_contract_that_then_entitles_the_company(world):
    special = SlaPolicy.objects.create(name="special", data=default_policy_row().data)

    contract = create_contract(
        **_fields(world, policy=special, price_list_reference="PL-2026", sow_reference="SOW-7")
    )

    assert (contract.company, contract.coverage, contract.policy) == (
        world.corvid,
        "standard",
        special,
    )
    assert list(contract.modules.all()) == [world.desktop]
    assert contract_in_force(
        company_id=world.corvid.pk, module_id=world.desktop.pk, at=london(2026, 4, 1, 9, 0)
    ) == (contract)
    event = AuditEvent.objects.get(action="contract.created")
    assert (event.actor, event.subject_id) == (world.admin, str(contract.pk))
    assert event.after == {
        "company_id": world.corvid.pk,
        "reference": "SC-CORVID-1",
        "signed_on": "2026-03-02",
        "valid_from": "2026-04-01",
        "valid_to": "2027-03-31",
        "coverage": "standard",
        "module_ids": [world.desktop.pk],
        "policy_id": special.pk,
        "price_list_reference": "PL-2026",
        "sow_reference": "SOW-7",
        "notes": "",
    }


def test_every_bad_contract_field_is_named_at_once_and_nothing_is_saved(world):
    with pytest.raises(ActionValidationError) as raised:
        create_contract(
            **_fields(
                world,
                company=None,
                reference="sc-acme-1",
                signed_on=dt.date(2026, 3, 11),
                valid_from=dt.date(2026, 4, 1),
                valid_to=dt.date(2026, 3, 31),
                coverage="weekends",
                modules=[],
            )
        )

    assert raised.value.errors == {
        "reference": "a contract with reference 'sc-acme-1' already exists",
        "company": "a contract belongs to a company",
        "valid_to": "the last day (2026-03-31) is before the first (2026-04-01)",
        "signed_on": "2026-03-11 is in the future; record the signature once it is signed",
        "coverage": "unknown coverage 'weekends' (one of: standard, 24x7)",
        "modules": "name at least one module the contract covers",
    }
    assert Contract.objects.count() == 3
    assert not AuditEvent.objects.filter(action="contract.created").exists()


def test_missing_dates_and_reference_are_named(world):
    with pytest.raises(ActionValidationError) as raised:
        create_contract(**_fields(world, reference=" ", valid_from=None, valid_to=None))

    assert raised.value.errors == {
        "reference": "give the contract's reference",
        "valid_from": "give the first day of validity",
        "valid_to": "give the last day of validity",
    }
    assert Contract.objects.count() == 3


def test_a_contract_signed_today_on_the_london_date_is_accepted(world):
    # 00:30 London on 1 July is still 30 June in UTC: the London date decides.
    contract = create_contract(
        **_fields(world, signed_on=dt.date(2026, 7, 1), at=london(2026, 7, 1, 0, 30))
    )

    assert contract.signed_on == dt.date(2026, 7, 1)


def test_a_second_contract_with_the_same_coverage_for_the_same_module_and_days_is_refused(
    world,
):
    with pytest.raises(ActionValidationError) as raised:
        create_contract(
            **_fields(
                world,
                company=world.acme,
                reference="SC-ACME-2",
                coverage="24x7",
                valid_from=dt.date(2026, 12, 1),
                valid_to=dt.date(2027, 11, 30),
                modules=[world.reports],
            )
        )

    assert raised.value.errors == {
        "valid_from": "overlaps contract SC-ACME-1 (2026-01-01 to 2026-12-31), which has the "
        "same coverage for CallScripter / Reports; end that one first or cover other modules"
    }
    assert Contract.objects.count() == 3


def test_overlapping_contracts_of_another_coverage_or_company_or_period_are_accepted(world):
    # A standard contract beside Acme's 24x7 one; a renewal starting the day after; another
    # company's contract for the same module and days.
    beside = create_contract(
        **_fields(world, company=world.acme, reference="SC-ACME-STD", coverage="standard")
    )
    renewal = create_contract(
        **_fields(
            world,
            company=world.acme,
            reference="SC-ACME-2",
            coverage="24x7",
            valid_from=dt.date(2027, 1, 1),
            valid_to=dt.date(2027, 12, 31),
        )
    )
    other = create_contract(**_fields(world, company=world.corvid, coverage="24x7"))

    assert [c.reference for c in (beside, renewal, other)] == [
        "SC-ACME-STD",
        "SC-ACME-2",
        "SC-CORVID-1",
    ]
    assert Contract.objects.count() == 6


@pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
def test_only_administrators_record_contracts(world, role):
    with pytest.raises(ActionPermissionDenied):
        create_contract(**_fields(world, actor=getattr(world, role)))

    assert not Contract.objects.filter(reference="SC-CORVID-1").exists()


def test_signing_the_draft_contract_entitles_the_company_from_then_on(world):
    draft = Contract.objects.get(reference="SC-CORVID-DRAFT")
    on = london(2026, 3, 10, 12, 0)
    assert contract_in_force(company_id=world.corvid.pk, module_id=world.desktop.pk, at=on) is None

    update_contract(
        actor=world.admin, contract=draft, signed_on=dt.date(2026, 3, 9), at=TUESDAY_10AM
    )

    assert contract_in_force(company_id=world.corvid.pk, module_id=world.desktop.pk, at=on) == (
        draft
    )
    event = AuditEvent.objects.get(action="contract.updated")
    assert (event.before, event.after) == ({"signed_on": None}, {"signed_on": "2026-03-09"})


def test_signing_a_draft_that_clashes_with_a_signed_contract_is_refused(world):
    # The draft overlaps Corvid's signed 24x7 contract: allowed while unsigned.
    create_contract(**_fields(world, coverage="24x7"))
    draft = Contract.objects.get(reference="SC-CORVID-DRAFT")

    with pytest.raises(ActionValidationError) as raised:
        update_contract(actor=world.admin, contract=draft, signed_on=dt.date(2026, 3, 9))

    assert raised.value.errors == {
        "valid_from": "overlaps contract SC-CORVID-1 (2026-04-01 to 2027-03-31), which has the "
        "same coverage for CallScripter / Agent Desktop; end that one first or cover other "
        "modules"
    }
    draft.refresh_from_db()
    assert draft.signed_on is None


def test_changing_the_modules_and_policy_of_a_contract(world):
    special = SlaPolicy.objects.create(name="special", data=default_policy_row().data)

    update_contract(
        actor=world.admin,
        contract=world.bluebell_contract,
        modules=[world.desktop, world.reports],
        policy=special,
    )

    world.bluebell_contract.refresh_from_db()
    assert sorted(m.pk for m in world.bluebell_contract.modules.all()) == sorted(
        [world.desktop.pk, world.reports.pk]
    )
    assert world.bluebell_contract.policy == special
    event = AuditEvent.objects.get(action="contract.updated")
    assert event.after == {
        "module_ids": sorted([world.desktop.pk, world.reports.pk]),
        "policy_id": special.pk,
    }


def test_a_bad_contract_update_changes_nothing(world):
    with pytest.raises(ActionValidationError) as raised:
        update_contract(
            actor=world.admin,
            contract=world.acme_contract,
            sow_reference="SOW-NEW",
            valid_to=dt.date(2025, 12, 31),
            modules=[],
        )

    assert raised.value.errors == {
        "valid_to": "the last day (2025-12-31) is before the first (2026-01-01)",
        "modules": "name at least one module the contract covers",
    }
    world.acme_contract.refresh_from_db()
    assert (world.acme_contract.valid_to, world.acme_contract.sow_reference) == (
        dt.date(2026, 12, 31),
        "",
    )
    assert world.acme_contract.modules.count() == 2
    assert not AuditEvent.objects.filter(action="contract.updated").exists()


def test_extending_a_contract_into_a_clashing_one_is_refused(world):
    create_contract(
        **_fields(
            world,
            company=world.bluebell,
            reference="SC-BLUE-2",
            valid_from=dt.date(2027, 1, 1),
            valid_to=dt.date(2027, 12, 31),
        )
    )

    with pytest.raises(ActionValidationError) as raised:
        update_contract(
            actor=world.admin, contract=world.bluebell_contract, valid_to=dt.date(2027, 1, 31)
        )

    assert list(raised.value.errors) == ["valid_from"]
    assert raised.value.errors["valid_from"].startswith("overlaps contract SC-BLUE-2 (2027-01-01")
    world.bluebell_contract.refresh_from_db()
    assert world.bluebell_contract.valid_to == dt.date(2026, 12, 31)


def test_a_ticket_keeps_the_coverage_it_was_logged_with_when_the_contract_changes(world, log):
    ticket = log(company=world.bluebell, contact=world.bluebell_contact)

    update_contract(actor=world.admin, contract=world.bluebell_contract, coverage="24x7")

    ticket.refresh_from_db()
    assert (ticket.coverage, ticket.contract) == ("standard", world.bluebell_contract)


@pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
def test_only_administrators_change_contracts(world, role):
    with pytest.raises(ActionPermissionDenied):
        update_contract(
            actor=getattr(world, role), contract=world.acme_contract, coverage="standard"
        )

    world.acme_contract.refresh_from_db()
    assert world.acme_contract.coverage == "24x7"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs real concurrent transactions: run with DATABASE_URL=postgres://...",
)
@pytest.mark.django_db(transaction=True)
def test_the_same_reference_recorded_twice_at_once_is_saved_once(monkeypatch, fast_settings):
    from helpdesk_world import build_world
    from sladesk.contracts import actions

    world = build_world()
    # Both have passed the checks (no such reference yet) before either inserts.
    barrier = threading.Barrier(2)
    validate = actions._validate

    def validate_then_wait(errors: dict[str, str], **kwargs: Any) -> None:
        validate(errors, **kwargs)
        barrier.wait(timeout=30)

    monkeypatch.setattr(actions, "_validate", validate_then_wait)
    outcomes: list[Any] = []

    def record(company: Any) -> None:
        try:
            outcomes.append(create_contract(**_fields(world, company=company)))
        except BaseException as exc:  # reported to the main thread below
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record, args=(c,)) for c in (world.corvid, world.acme)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    saved = [o for o in outcomes if isinstance(o, Contract)]
    refused = [o for o in outcomes if isinstance(o, ActionValidationError)]
    assert (len(saved), len(refused)) == (1, 1), outcomes
    assert refused[0].errors == {
        "reference": "a contract with reference 'SC-CORVID-1' already exists"
    }
    assert Contract.objects.filter(reference="SC-CORVID-1").count() == 1
    assert AuditEvent.objects.filter(action="contract.created").count() == 1

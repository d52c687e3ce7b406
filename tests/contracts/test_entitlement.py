"""Which contract entitles a company to support for a module: signed and in date on the
London date, widest coverage first, then the most recently started, then the first made."""

from __future__ import annotations

import datetime as dt

from helpdesk_world import london
from sladesk.contracts.entitlement import contract_in_force
from sladesk.contracts.models import Contract


def _contract(world, reference, *, coverage, valid_from, signed=True, valid_to=None, modules=None):
    contract = Contract.objects.create(
        company=world.corvid,
        reference=reference,
        signed_on=dt.date(2025, 12, 1) if signed else None,
        valid_from=valid_from,
        valid_to=valid_to or dt.date(2026, 12, 31),
        coverage=coverage,
    )
    contract.modules.set(modules if modules is not None else [world.desktop])
    return contract


def _in_force(world, at):
    return contract_in_force(company_id=world.corvid.pk, module_id=world.desktop.pk, at=at)


def test_a_24x7_contract_wins_over_a_standard_one_that_started_later(world):
    always = _contract(world, "C-24", coverage="24x7", valid_from=dt.date(2026, 1, 1))
    _contract(world, "C-STD", coverage="standard", valid_from=dt.date(2026, 6, 1))

    assert _in_force(world, london(2026, 7, 1, 9, 0)) == always


def test_between_contracts_of_the_same_coverage_the_most_recently_started_wins(world):
    _contract(world, "C-OLD", coverage="standard", valid_from=dt.date(2026, 1, 1))
    newer = _contract(world, "C-NEW", coverage="standard", valid_from=dt.date(2026, 3, 1))

    assert _in_force(world, london(2026, 7, 1, 9, 0)) == newer


def test_between_contracts_started_the_same_day_the_first_recorded_wins(world):
    first = _contract(world, "C-A", coverage="standard", valid_from=dt.date(2026, 3, 1))
    _contract(world, "C-B", coverage="standard", valid_from=dt.date(2026, 3, 1))

    assert _in_force(world, london(2026, 7, 1, 9, 0)) == first


def test_unsigned_expired_future_and_other_module_contracts_entitle_nothing(world):
    # The world's own Corvid contract is unsigned; add one of each other kind.
    _contract(
        world,
        "C-EXP",
        coverage="24x7",
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2025, 12, 31),
    )
    _contract(world, "C-FUT", coverage="24x7", valid_from=dt.date(2026, 8, 1))
    _contract(
        world, "C-REP", coverage="24x7", valid_from=dt.date(2026, 1, 1), modules=[world.reports]
    )

    assert _in_force(world, london(2026, 7, 1, 9, 0)) is None


def test_the_london_date_decides_at_midnight_utc_in_summer(world):
    # 23:30 UTC on 31 July is 00:30 on 1 August in London: the August contract applies.
    august = _contract(world, "C-AUG", coverage="standard", valid_from=dt.date(2026, 8, 1))

    at = dt.datetime(2026, 7, 31, 23, 30, tzinfo=dt.UTC)
    assert _in_force(world, at) == august
    assert _in_force(world, at - dt.timedelta(hours=1)) is None

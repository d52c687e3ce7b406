"""The contract's billing rules as worked examples (price list: GBP 90/h in hours,
GBP 135/h out of hours, minimum 2 h)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sladesk.billing.money import format_money, price_of, round_money
from sladesk.billing.pricing import Rates, Work, price_work

RATES = Rates(
    currency="GBP",
    in_hours_rate=Decimal("90.00"),
    out_of_hours_rate=Decimal("135.00"),
    minimum_seconds=2 * 3600,
)
MIN = 60


def test_a_40_minute_chargeable_job_bills_2_hours():
    priced = price_work([Work(40 * MIN, 0, False)], RATES, diagnosis_billable=False)
    assert (priced.billed_in_seconds, priced.billed_out_seconds) == (7200, 0)
    assert priced.amount == Decimal("180.00")
    assert priced.rules == ["minimum 2 h applied", "in-hours rate for 2 h"]


def test_a_40_minute_job_wholly_out_of_hours_bills_2_hours_at_the_out_of_hours_rate():
    priced = price_work([Work(0, 40 * MIN, False)], RATES, diagnosis_billable=False)
    assert (priced.billed_in_seconds, priced.billed_out_seconds) == (0, 7200)
    assert priced.amount == Decimal("270.00")
    assert priced.rules == ["minimum 2 h applied", "out-of-hours rate for 2 h"]


def test_the_16_30_to_18_00_entry_bills_1_h_in_hours_and_1_h_out_of_hours():
    # 30 min in hours + 60 min out of hours = 1.5 h; the 0.5 h shortfall goes in hours.
    priced = price_work([Work(30 * MIN, 60 * MIN, False)], RATES, diagnosis_billable=False)
    assert (priced.billed_in_seconds, priced.billed_out_seconds) == (3600, 3600)
    assert (priced.in_hours_amount, priced.out_of_hours_amount) == (
        Decimal("90.00"),
        Decimal("135.00"),
    )
    assert priced.amount == Decimal("225.00")
    assert priced.rules == [
        "minimum 2 h applied",
        "in-hours rate for 1 h",
        "out-of-hours rate for 1 h",
    ]


def test_work_over_the_minimum_is_billed_as_worked():
    priced = price_work([Work(150 * MIN, 0, False)], RATES, diagnosis_billable=False)
    assert priced.billed_in_seconds == 9000
    assert priced.amount == Decimal("225.00")
    assert priced.rules == ["in-hours rate for 2.5 h"]


def test_initial_diagnosis_is_free_and_the_minimum_applies_to_the_rest():
    priced = price_work(
        [Work(45 * MIN, 0, True), Work(30 * MIN, 0, False)], RATES, diagnosis_billable=False
    )
    assert priced.diagnosis_free_seconds == 45 * MIN
    assert priced.billed_in_seconds == 7200
    assert priced.amount == Decimal("180.00")
    assert priced.rules == [
        "minimum 2 h applied",
        "in-hours rate for 2 h",
        "initial diagnosis 0.75 h not billable",
    ]


def test_diagnosis_only_costs_nothing_and_no_minimum_is_applied():
    priced = price_work([Work(45 * MIN, 0, True)], RATES, diagnosis_billable=False)
    assert priced.amount == Decimal("0.00")
    assert priced.billed_seconds == 0
    assert priced.rules == ["initial diagnosis 0.75 h not billable"]


def test_diagnosis_is_billable_when_the_cause_is_an_environmental_change_the_customer_missed():
    priced = price_work(
        [Work(150 * MIN, 0, True)], RATES, diagnosis_billable=True, already_billed_seconds=0
    )
    assert priced.diagnosis_free_seconds == 0
    assert priced.amount == Decimal("225.00")
    assert priced.rules == [
        "in-hours rate for 2.5 h",
        "initial diagnosis billable: environmental change the customer failed to identify",
    ]


def test_time_already_billed_for_the_same_piece_of_work_counts_towards_the_minimum():
    priced = price_work(
        [Work(30 * MIN, 0, False)], RATES, diagnosis_billable=False, already_billed_seconds=7200
    )
    assert priced.billed_in_seconds == 1800
    assert priced.amount == Decimal("45.00")
    assert priced.rules == ["in-hours rate for 0.5 h"]


def test_a_contract_agreed_minimum_of_one_hour_is_used_instead():
    rates = Rates("GBP", Decimal("90.00"), Decimal("135.00"), minimum_seconds=3600)
    priced = price_work([Work(40 * MIN, 0, False)], rates, diagnosis_billable=False)
    assert priced.amount == Decimal("90.00")
    assert priced.rules == ["minimum 1 h applied", "in-hours rate for 1 h"]


def test_amounts_are_priced_from_exact_seconds_and_rounded_half_up_to_pence():
    # 1 second at GBP 90/h is 0.025: half up gives 0.03 (banker's rounding would give 0.02).
    assert price_of(1, Decimal("90.00"), "GBP") == Decimal("0.03")
    # 7 minutes at GBP 135/h is 15.75 exactly.
    assert price_of(7 * MIN, Decimal("135.00"), "GBP") == Decimal("15.75")
    # 10 minutes at GBP 100/h is 16.666...: 16.67.
    assert price_of(10 * MIN, Decimal("100.00"), "GBP") == Decimal("16.67")


def test_a_currency_without_minor_units_rounds_to_whole_units():
    assert round_money(Decimal("1234.5"), "JPY") == Decimal("1235")
    assert format_money(Decimal("1234.5"), "GBP") == "GBP 1,234.50"


def test_an_unknown_currency_is_refused():
    with pytest.raises(ValueError, match="unknown currency 'XYZ'"):
        round_money(Decimal(1), "XYZ")

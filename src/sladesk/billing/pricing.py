"""How one statement line is priced: the contract's rules applied to a ticket's time.

Pure functions of their inputs (no database), so every rule can be shown with a worked
example in tests and in docs/billing.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sladesk.billing.money import hours, price_of


@dataclass(frozen=True)
class Work:
    """One time entry, as the pricing sees it."""

    in_hours_seconds: int
    out_of_hours_seconds: int
    is_diagnosis: bool


@dataclass(frozen=True)
class Rates:
    currency: str
    in_hours_rate: Decimal
    out_of_hours_rate: Decimal
    minimum_seconds: int


@dataclass(frozen=True)
class Priced:
    worked_in_seconds: int
    worked_out_seconds: int
    diagnosis_free_seconds: int
    billed_in_seconds: int
    billed_out_seconds: int
    in_hours_amount: Decimal
    out_of_hours_amount: Decimal
    rules: list[str] = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return self.in_hours_amount + self.out_of_hours_amount

    @property
    def billed_seconds(self) -> int:
        return self.billed_in_seconds + self.billed_out_seconds


def hours_label(seconds: int) -> str:
    """2 h, 0.5 h, 1.25 h: hours without trailing zeros."""
    text = f"{hours(seconds):f}".rstrip("0").rstrip(".")
    return f"{text} h"


def price_work(
    work: list[Work],
    rates: Rates,
    *,
    diagnosis_billable: bool,
    already_billed_seconds: int = 0,
) -> Priced:
    """Price a ticket's time for one statement.

    - Initial diagnosis is free unless `diagnosis_billable` (the environmental change the
      customer failed to take reasonable steps to identify).
    - The minimum (normally 2 h) is per piece of work: time already billed for the same
      ticket on earlier lines counts towards it. The shortfall is added to the in-hours
      time, or to the out-of-hours time when all the billable time was out of hours.
    - Each part is priced from exact seconds and rounded half up to the minor unit.
    """
    worked_in = worked_out = free = 0
    for item in work:
        if item.is_diagnosis and not diagnosis_billable:
            free += item.in_hours_seconds + item.out_of_hours_seconds
            continue
        worked_in += item.in_hours_seconds
        worked_out += item.out_of_hours_seconds
    billed_in, billed_out = worked_in, worked_out
    rules: list[str] = []
    billable = worked_in + worked_out
    shortfall = rates.minimum_seconds - already_billed_seconds - billable
    if billable > 0 and shortfall > 0:
        if worked_in == 0:
            billed_out += shortfall
        else:
            billed_in += shortfall
        rules.append(f"minimum {hours_label(rates.minimum_seconds)} applied")
    if billed_in:
        rules.append(f"in-hours rate for {hours_label(billed_in)}")
    if billed_out:
        rules.append(f"out-of-hours rate for {hours_label(billed_out)}")
    if free:
        rules.append(f"initial diagnosis {hours_label(free)} not billable")
    elif diagnosis_billable and any(item.is_diagnosis for item in work):
        rules.append(
            "initial diagnosis billable: environmental change the customer failed to identify"
        )
    return Priced(
        worked_in_seconds=worked_in,
        worked_out_seconds=worked_out,
        diagnosis_free_seconds=free,
        billed_in_seconds=billed_in,
        billed_out_seconds=billed_out,
        in_hours_amount=price_of(billed_in, rates.in_hours_rate, rates.currency),
        out_of_hours_amount=price_of(billed_out, rates.out_of_hours_rate, rates.currency),
        rules=rules,
    )

"""Money: Decimal amounts with their currency named, rounded one documented way.

Rule (docs/billing.md, ADR 0006): each amount that is printed on a statement line is
rounded half up (0.005 -> 0.01) to the currency's minor unit; totals are sums of the
rounded line amounts, so a statement always adds up as printed. Hours are never rounded
for pricing: the amount is computed from the exact seconds worked.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 minor units of the currencies a price list may use. A currency not listed here
# is refused rather than guessed.
MINOR_UNITS: dict[str, int] = {
    "GBP": 2,
    "EUR": 2,
    "USD": 2,
    "CHF": 2,
    "AUD": 2,
    "CAD": 2,
    "NZD": 2,
    "ZAR": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "JPY": 0,
}

SECONDS_PER_HOUR = Decimal(3600)


def quantum(currency: str) -> Decimal:
    try:
        places = MINOR_UNITS[currency]
    except KeyError as exc:
        raise ValueError(f"unknown currency {currency!r}") from exc
    return Decimal(1).scaleb(-places)


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's minor unit."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def price_of(seconds: int, hourly_rate: Decimal, currency: str) -> Decimal:
    """The rounded price of `seconds` of work at `hourly_rate`."""
    return round_money(Decimal(seconds) * hourly_rate / SECONDS_PER_HOUR, currency)


def hours(seconds: int) -> Decimal:
    """Seconds as hours with two decimals, for display only (never priced from)."""
    return (Decimal(seconds) / SECONDS_PER_HOUR).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def format_money(amount: Decimal, currency: str) -> str:
    return f"{currency} {round_money(amount, currency):,}"

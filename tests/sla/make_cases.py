"""Generate ``heldout_cases.jsonl``: ~400 held-out cases whose expectations come from the oracle.

Run from the repository root (deterministic: same output every time)::

    uv run python tests/sla/make_cases.py

Each line is ``{"priority", "coverage", "logged_at", "expected"}``; ``logged_at`` is ISO 8601
with an explicit offset (``Z``, London's own offset, or another zone's), ``expected`` is the
due instant in UTC written ``YYYY-MM-DDTHH:MM:SSZ``, or null when there is no target.
The instants concentrate on the tricky ones: around 09:00 / 17:00 / midnight London, on the
business days before and after every bank holiday, on the clock-change weekends (including
the repeated and the skipped hour), on weekends and through the Christmas weeks.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

sys.path.insert(0, str(Path(__file__).resolve().parent))
from oracle import COVERAGES, PRIORITIES, oracle_due

SEED = 20260402
COUNT = 400
OUT = Path(__file__).resolve().parent / "heldout_cases.jsonl"
UTC = dt.UTC
LONDON = ZoneInfo("Europe/London")
YEARS = range(2025, 2029)
OTHER_ZONES = [
    ZoneInfo("America/New_York"),
    ZoneInfo("Asia/Tokyo"),
    ZoneInfo("Asia/Kolkata"),
    ZoneInfo("America/Los_Angeles"),
    dt.timezone(dt.timedelta(hours=-5)),
    dt.timezone(dt.timedelta(hours=1)),
    dt.timezone(dt.timedelta(hours=5, minutes=45)),
]


def last_sunday(year: int, month: int) -> dt.date:
    day = dt.date(year, month, 31)
    return day - dt.timedelta(days=(day.weekday() - 6) % 7)


def tricky_days() -> list[dt.date]:
    days: set[dt.date] = set()
    bank_holidays = holidays.country_holidays("GB", subdiv="ENG", years=YEARS)
    for holiday in bank_holidays:
        for delta in range(-3, 4):
            days.add(holiday + dt.timedelta(days=delta))
    for year in YEARS:
        for month in (3, 10):
            sunday = last_sunday(year, month)
            for delta in range(-2, 2):
                days.add(sunday + dt.timedelta(days=delta))
        for day in range(20, 32):
            days.add(dt.date(year, 12, day))
    return sorted(d for d in days if d.year in YEARS)


EDGES = [
    (0, 0, 0), (0, 0, 1), (0, 45, 0), (0, 59, 59), (1, 0, 0), (1, 30, 0), (2, 0, 0),
    (8, 44, 59), (8, 59, 59), (9, 0, 0), (9, 0, 1), (12, 0, 0), (14, 59, 59), (15, 0, 0),
    (15, 0, 1), (16, 0, 0), (16, 30, 0), (16, 45, 0), (16, 50, 0), (16, 59, 59),
    (17, 0, 0), (17, 0, 1), (18, 0, 0), (23, 0, 0), (23, 30, 0), (23, 59, 59),
]  # fmt: skip


def pick_instant(rng: random.Random, days: list[dt.date]) -> dt.datetime:
    kind = rng.random()
    if kind < 0.8:
        day = rng.choice(days)
        hour, minute, second = rng.choice(EDGES)
        local = dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=LONDON)
        instant = local.replace(fold=rng.randint(0, 1)).astimezone(UTC)
        if rng.random() < 0.25:
            instant += dt.timedelta(seconds=rng.randint(-3600, 3600))
        return instant
    first = int(dt.datetime(2025, 1, 1, tzinfo=UTC).timestamp())
    last = int(dt.datetime(2028, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp())
    return dt.datetime.fromtimestamp(rng.randint(first, last), UTC)


def render(instant: dt.datetime, rng: random.Random) -> str:
    how = rng.random()
    if how < 0.4:
        return instant.strftime("%Y-%m-%dT%H:%M:%SZ")
    if how < 0.7:
        return instant.astimezone(LONDON).isoformat()
    return instant.astimezone(rng.choice(OTHER_ZONES)).isoformat()


def z(instant: dt.datetime | None) -> str | None:
    return None if instant is None else instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_cases() -> list[dict[str, str | None]]:
    rng = random.Random(SEED)
    days = tricky_days()
    cases = []
    # Mostly the priorities with a clock; Enhancement and no-contract are cheap to cover.
    weighted = [p for p in PRIORITIES for _ in range(1 if p == "enhancement" else 4)]
    for _ in range(COUNT):
        instant = pick_instant(rng, days)
        priority = rng.choice(weighted)
        coverage = rng.choices(COVERAGES, weights=[10, 10, 1])[0]
        logged_at = render(instant, rng)
        expected = oracle_due(priority, coverage, dt.datetime.fromisoformat(logged_at))
        cases.append(
            {
                "priority": priority,
                "coverage": coverage,
                "logged_at": logged_at,
                "expected": z(expected),
            }
        )
    return cases


def main() -> None:
    lines = [json.dumps(case) for case in make_cases()]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} cases to {OUT}")


if __name__ == "__main__":
    main()

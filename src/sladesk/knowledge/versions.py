"""Which versions an article applies to: a list and/or ranges, written as text.

    ""              every version
    "5.1, 5.2"      those versions (and their patch releases: 5.2 covers 5.2.3)
    "5.0-5.4"       from 5.0 to 5.4 inclusive, 5.4.x included
    "6.0+"          6.0 and everything after

Versions compare by their numbers (5.10 is after 5.9), never as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBERS = re.compile(r"\d+")
_VERSION = re.compile(r"^\d+(?:\.\d+)*$")


class VersionSpecError(ValueError):
    pass


def version_key(version: str) -> tuple[int, ...]:
    """5.2.0 and 5.2 are the same version; trailing zeros are dropped."""
    numbers = [int(n) for n in _NUMBERS.findall(version or "")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def _covers(prefix: tuple[int, ...], key: tuple[int, ...]) -> bool:
    return key[: len(prefix)] == prefix


@dataclass(frozen=True)
class VersionRange:
    low: tuple[int, ...]
    high: tuple[int, ...] | None  # None: open-ended ("6.0+")

    def contains(self, key: tuple[int, ...]) -> bool:
        if key < self.low and not _covers(self.low, key):
            return False
        return self.high is None or key <= self.high or _covers(self.high, key)


def _one(text: str) -> tuple[int, ...]:
    if not _VERSION.match(text):
        raise VersionSpecError(f'"{text}" is not a version number such as 5.2')
    return version_key(text)


def parse(spec: str) -> list[VersionRange]:
    """The ranges of a spec; an empty spec is an empty list (every version)."""
    ranges: list[VersionRange] = []
    for raw in (spec or "").split(","):
        item = raw.strip()
        if not item:
            continue
        if item.endswith("+"):
            ranges.append(VersionRange(_one(item[:-1].strip()), None))
        elif "-" in item:
            low_text, _, high_text = item.partition("-")
            low, high = _one(low_text.strip()), _one(high_text.strip())
            if high < low:
                raise VersionSpecError(f'"{item}" ends before it starts')
            ranges.append(VersionRange(low, high))
        else:
            key = _one(item)
            ranges.append(VersionRange(key, key))
    return ranges


def check(spec: str) -> str | None:
    """The problem with a spec, in words, or None if it is valid."""
    try:
        parse(spec)
    except VersionSpecError as exc:
        return str(exc)
    return None


def applies(spec: str, version: str) -> bool:
    """Whether an article with this spec applies to `version`. An unparseable version
    (free text a customer typed) matches only an article for every version."""
    ranges = parse(spec)
    if not ranges:
        return True
    key = version_key(version)
    if not key:
        return False
    return any(r.contains(key) for r in ranges)

"""The SLA explanation in plain words for customers (built from the engine's Explanation)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

COVERAGE_WORDS = {
    "standard": "standard cover (the helpdesk's support hours)",
    "24x7": "24x7 cover (out-of-hours support included)",
}


def _when(at: dt.datetime) -> str:
    local = timezone.localtime(at)
    return local.strftime("%A %d %B %Y at %H:%M %Z").replace(" 0", " ", 1)


def plain_words(expl: Any) -> list[str]:
    """Sentences a customer can read: when it was logged, the rule, when the clock started,
    which closed periods were not counted and why, and the due time."""
    if expl is None:
        return []
    coverage = expl.coverage.value if expl.coverage is not None else None
    hours = "inside" if expl.in_hours else "outside"
    lines = [
        f"Your ticket was logged on {_when(expl.logged_at)}, {hours} standard support hours.",
    ]
    if coverage is None:
        lines.append(
            "No signed, in-date support contract covered this module when it was logged, so "
            "there is no response target. The helpdesk will review it."
        )
        return lines
    lines.append(
        f"It is {expl.priority.value.capitalize()} priority and your contract gives "
        f"{COVERAGE_WORDS.get(coverage, coverage)}. The rule: {expl.rule}."
    )
    if expl.clock_starts is not None and expl.clock_starts != expl.logged_at:
        lines.append(
            "It was logged while the helpdesk was closed, so the clock started at the next "
            f"opening: {_when(expl.clock_starts)}."
        )
    for skip in expl.skips:
        lines.append(f"Not counted: {_when(skip.start)} to {_when(skip.end)} ({skip.reason}).")
    if expl.due is None:
        lines.append("There is no response target for this ticket.")
    else:
        lines.append(f"So a response is due by {_when(expl.due)}.")
    return lines

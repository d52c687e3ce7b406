"""The hook point for knowledge-base suggestions while a customer types a fault.

The knowledge base (its own issue) registers a suggester by naming it in the setting
`SLADESK_KB_SUGGESTERS`: a list of dotted paths to callables
`suggest(*, user, text, limit) -> Iterable[Suggestion]`. Until one is registered the portal
shows no suggestions, and says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Suggestion:
    title: str
    url: str
    summary: str = ""


Suggester = Callable[..., Iterable[Suggestion]]


def suggesters() -> list[Suggester]:
    return [import_string(path) for path in getattr(settings, "SLADESK_KB_SUGGESTERS", [])]


def suggest(*, user: Any, text: str, limit: int = 5) -> list[Suggestion]:
    """Articles matching what was typed, best first, at most `limit`."""
    text = " ".join((text or "").split())
    if len(text) < 4:
        return []
    found: list[Suggestion] = []
    for suggester in suggesters():
        for item in suggester(user=user, text=text, limit=limit):
            if item not in found:
                found.append(item)
            if len(found) >= limit:
                return found
    return found

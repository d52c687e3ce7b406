"""A knowledge-base suggester for the hook test (the real one comes with the KB issue)."""

from __future__ import annotations

from typing import Any

from sladesk.portal.knowledge import Suggestion


def suggest(*, user: Any, text: str, limit: int) -> list[Suggestion]:
    if "blank" in text.lower():
        return [Suggestion(title="Blank script page after an upgrade", url="/kb/blank-page/")]
    return []

"""Errors raised by the SLA engine."""

from __future__ import annotations

from datetime import datetime


class SLAInputError(ValueError):
    """A value given to the engine is not usable (naive datetime, unknown priority...)."""


def require_aware(value: datetime, name: str = "datetime") -> None:
    """Refuse naive datetimes: a due time is meaningless without knowing the zone."""
    if not isinstance(value, datetime):
        raise SLAInputError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise SLAInputError(
            f"{name} {value.isoformat()} has no time zone; give an aware datetime "
            "(for example 2026-12-24T16:00:00+00:00)"
        )

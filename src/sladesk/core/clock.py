"""The instant an action happens: now, or an explicit aware instant (demo data, tests)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def instant(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        raise ValueError(f"instant {at.isoformat()} has no time zone")
    return at.astimezone(dt.UTC)


def london(at: dt.datetime) -> dt.datetime:
    """Show an instant in the helpdesk's zone (Europe/London), keeping the zone."""
    return timezone.localtime(at)

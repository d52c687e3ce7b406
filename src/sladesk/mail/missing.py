"""What an emailed ticket still lacks, as the ticket's details are given after intake.

Called by `sladesk.tickets.actions.complete_ticket_details` inside its transaction (the
action checks the actor and writes the audit event); nothing else writes these rows after
the ingest path created them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sladesk.mail.models import MissingInformation

# Passed for `row` when the caller has not read the ticket's missing-information row.
UNREAD: Any = object()


def outstanding_fields(ticket: Any, row: Any = UNREAD) -> list[str]:
    """The fields the ticket still lacks; `row`: its missing-information row when the
    caller has already read it (None: it has none)."""
    if row is UNREAD:
        row = MissingInformation.objects.filter(ticket=ticket).first()
    return [] if row is None or row.complete else [f["field"] for f in row.outstanding]


def mark_supplied(*, ticket: Any, fields: Iterable[str], at: dt.datetime) -> dict[str, Any]:
    """Record that these fields were given. Returns the before/after of what is missing
    (empty for a ticket that never lacked anything)."""
    row = MissingInformation.objects.select_for_update().filter(ticket=ticket).first()
    if row is None or row.complete:
        return {}
    before = [f["field"] for f in row.outstanding]
    asked = {f["field"] for f in row.fields}
    row.supplied = sorted({*row.supplied, *(name for name in fields if name in asked)})
    after = [f["field"] for f in row.outstanding]
    if not after:
        row.completed_at = at
    row.save(update_fields=["supplied", "completed_at"])
    return {"before": before, "after": after}

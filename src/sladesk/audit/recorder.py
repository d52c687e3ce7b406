"""Write audit events. Called only from actions, inside their transaction; each event is
handed to `sladesk.core.notify.audit_event`, which queues the emails it causes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from sladesk.audit.models import AuditEvent


def record(
    *,
    actor: Any,
    action: str,
    at: dt.datetime,
    subject: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    agreed_by: str = "",
    ticket: Any = None,
) -> AuditEvent:
    from sladesk.tickets.models import Ticket

    if ticket is None and isinstance(subject, Ticket):
        ticket = subject
    event = AuditEvent.objects.create(
        at=at,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        ticket=ticket,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        reason=reason,
        agreed_by=agreed_by,
        before=before or {},
        after=after or {},
    )
    # The notifications the event causes, in the same transaction (ADR 0012).
    from sladesk.core.notify import audit_event

    audit_event(event)
    return event

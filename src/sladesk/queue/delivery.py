"""Send an SLA alert's email once: the alert row is locked (SKIP LOCKED) while sending and
marked in the same transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from sladesk.core import notify
from sladesk.core.clock import instant
from sladesk.queue.models import SlaAlert


def email_alert_now(alert_id: int, *, at: dt.datetime | None = None) -> str:
    from sladesk.queue.monitor import _alert_text

    now = instant(at)
    with transaction.atomic():
        alert = (
            SlaAlert.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("ticket__company", "ticket__assignee")
            .filter(pk=alert_id)
            .first()
        )
        if alert is None:
            return "locked or gone"
        if alert.emailed_at is not None:
            return "already emailed"
        subject, body = _alert_text(alert.ticket, alert.kind, alert.threshold)
        notify.email(
            to=alert.recipients,
            subject=subject,
            body=body,
            key=f"queue.alert:{alert.pk}",
            kind="sla_warning" if alert.kind == SlaAlert.Kind.WARNING else "sla_breach",
            ticket=alert.ticket,
        )
        alert.emailed_at = now
        alert.save(update_fields=["emailed_at"])
        return "emailed"

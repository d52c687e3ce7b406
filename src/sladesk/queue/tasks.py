"""Background tasks (django-tasks) for the SLA monitor's notifications."""

from __future__ import annotations

from django_tasks import task


@task()
def email_alert(alert_id: int) -> str:
    from django.db.models import Q

    from sladesk.mail.outbox import send_due
    from sladesk.queue.delivery import email_alert_now

    result = email_alert_now(alert_id)
    # Queued in the outbox by the call above (committed); sent now rather than at the
    # worker's next outbox pass, which retries it if this fails.
    send_due(only=Q(key=f"queue.alert:{alert_id}"))
    return result

"""Background tasks (django-tasks) for the SLA monitor's notifications."""

from __future__ import annotations

from django_tasks import task


@task()
def email_alert(alert_id: int) -> str:
    from sladesk.queue.delivery import email_alert_now

    return email_alert_now(alert_id)

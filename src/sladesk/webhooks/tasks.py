"""Background tasks (django-tasks) for webhooks."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_webhook(delivery_id: int) -> str:
    from sladesk.webhooks.delivery import attempt

    return attempt(delivery_id)

"""Background tasks (django-tasks) for on-call pages."""

from __future__ import annotations

from django_tasks import task


@task()
def email_page(page_id: int) -> str:
    from django.db.models import Q

    from sladesk.mail.outbox import send_due
    from sladesk.oncall.delivery import email_page_now

    result = email_page_now(page_id)
    # Queued in the outbox by the call above (committed); sent now rather than at the
    # worker's next outbox pass, which retries it if this fails.
    send_due(only=Q(key=f"oncall.page:{page_id}"))
    return result

"""Background tasks (django-tasks) for on-call pages."""

from __future__ import annotations

from django_tasks import task


@task()
def email_page(page_id: int) -> str:
    from sladesk.oncall.delivery import email_page_now

    return email_page_now(page_id)

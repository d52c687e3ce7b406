"""Send a page's email once: the page row is locked (SKIP LOCKED) while sending and marked
in the same transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from sladesk.core import notify
from sladesk.core.clock import instant
from sladesk.oncall.models import Page


def email_page_now(page_id: int, *, at: dt.datetime | None = None) -> str:
    from sladesk.oncall.actions import _page_text

    now = instant(at)
    with transaction.atomic():
        page = (
            Page.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("ticket__company", "recipient")
            .filter(pk=page_id)
            .first()
        )
        if page is None:
            return "locked or gone"
        if page.emailed_at is not None:
            return "already emailed"
        subject, body, _ = _page_text(page.ticket, page)
        notify.email(
            to=[page.recipient.email],
            subject=subject,
            body=body,
            key=f"oncall.page:{page.pk}",
            kind="oncall_page",
            ticket=page.ticket,
        )
        page.emailed_at = now
        page.save(update_fields=["emailed_at"])
        return "emailed"

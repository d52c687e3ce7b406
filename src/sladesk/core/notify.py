"""The one place sladesk sends notifications: a webhook event and an email.

Emails go through the outbox of `sladesk.mail` (docs/email.md): `email` inserts one row
per recipient in the caller's transaction, keyed by the event, so it is committed with the
decision to notify and never decided twice; the worker sends it with a fixed Message-ID.

`announce` writes the webhook event in the caller's transaction, so it is committed with
the decision to notify (exactly once).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def audit_event(event: Any) -> None:
    """Queue the emails a business event causes (`sladesk.mail.notifications`). Called by
    `sladesk.audit.recorder.record` for every event it writes, inside the action's
    transaction: the outbox rows commit or roll back with the event."""
    from sladesk.mail.notifications import notify_audit_event

    notify_audit_event(event)


def announce(*, event_type: str, payload: dict[str, Any]) -> None:
    from sladesk.webhooks.actions import publish

    publish(event_type=event_type, payload=payload)


def email(
    *,
    to: Iterable[str],
    subject: str,
    body: str,
    key: str = "",
    kind: str = "",
    ticket: Any = None,
) -> int:
    """Queue one email to every non-empty address; returns the number of recipients.

    `key` names the event (one email per event and recipient); `kind` picks the template
    and the recipients' preferences."""
    import hashlib

    from sladesk.mail.notifications import staff_emails

    recipients = sorted({address for address in to if address})
    if recipients:
        staff_emails(
            key=key or "notify:" + hashlib.sha256(f"{subject}\n{body}".encode()).hexdigest(),
            kind=kind or "sla_warning",
            to=recipients,
            subject=subject,
            body=body,
            ticket=ticket,
        )
    return len(recipients)

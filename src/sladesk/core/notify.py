"""The one place sladesk sends notifications: a webhook event and an email.

The full outbox (templates, preferences, the reference-number email) is a later issue; until
then every notification goes through these two functions, so that issue replaces them.

`announce` writes the webhook event in the caller's transaction, so it is committed with
the decision to notify (exactly once). `email` talks to the mail server and so cannot be
part of a database transaction: callers mark the email sent in the same transaction they
send it from, so a worker killed before that commit sends it again (at least once, never
lost).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail


def announce(*, event_type: str, payload: dict[str, Any]) -> None:
    from sladesk.webhooks.actions import publish

    publish(event_type=event_type, payload=payload)


def email(*, to: Iterable[str], subject: str, body: str) -> int:
    """Send one email to every non-empty address; returns the number of recipients."""
    recipients = sorted({address for address in to if address})
    if recipients:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(recipients)

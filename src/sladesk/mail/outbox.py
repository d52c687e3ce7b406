"""The outbox: notifications written in the transaction of their event, sent by the worker.

Guarantee (docs/email.md): each (event, recipient) has one row, so it is decided once. A
row is claimed (`sending`, with a lease) in its own short transaction, handed to the mail
server, then marked `sent`. A worker that dies between the two leaves the row `sending`;
when the lease runs out another worker sends it again with the same Message-ID and the same
bytes. Nothing can do better over SMTP: the server's "250 OK" and our commit cannot be one
atomic step. The repeat carries the Message-ID of the first, which mail systems and clients
use to drop the duplicate. Such attempts are counted in `ambiguous_attempts`.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q, QuerySet

from sladesk.core.clock import instant
from sladesk.mail.headers import AUTOMATIC_HEADERS, LOOP_HEADER, loop_signature, new_message_id
from sladesk.mail.models import OutboundEmail

logger = logging.getLogger(__name__)
MAX_BACKOFF = dt.timedelta(hours=6)


@dataclass(frozen=True)
class Email:
    recipient: str
    kind: str
    subject: str
    body_text: str
    body_html: str = ""
    user: Any = None
    ticket: Any = None
    in_reply_to: str = ""
    references: tuple[str, ...] = ()


def enqueue(
    *,
    key: str,
    emails: Iterable[Email],
    at: dt.datetime | None = None,
    new_key: bool = False,
) -> list[int]:
    """Insert one outbox row per recipient of the event `key`, in the caller's transaction.
    A recipient already queued for this event is skipped (the event is decided once).

    `new_key`: the caller has just created the event `key` names in this transaction, so
    no row can hold it and each insert runs without a savepoint (two round trips fewer)."""
    now = instant(at)
    created = []
    seen: set[str] = set()
    for email in emails:
        address = email.recipient.strip()[:254]
        if not address or address in seen:
            continue
        seen.add(address)
        row = OutboundEmail(
            key=key[:200],
            recipient=address,
            kind=email.kind,
            user=email.user,
            ticket=email.ticket,
            subject=" ".join(email.subject.split())[:300],
            body_text=email.body_text,
            body_html=email.body_html,
            message_id=new_message_id(),
            in_reply_to=email.in_reply_to,
            references=" ".join(email.references),
            next_attempt_at=now,
            created_at=now,
        )
        if new_key:
            row.save(force_insert=True)
        else:
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
            except IntegrityError:
                continue
        created.append(row.pk)
    return created


def _due(now: dt.datetime) -> QuerySet[OutboundEmail]:
    return OutboundEmail.objects.filter(
        Q(state=OutboundEmail.State.PENDING, next_attempt_at__lte=now)
        | Q(state=OutboundEmail.State.SENDING, lease_until__lte=now)
    )


def _claim(now: dt.datetime, worker: str, only: Q | None) -> OutboundEmail | None:
    with transaction.atomic():
        rows = _due(now).order_by("next_attempt_at", "pk")
        if only is not None:
            rows = rows.filter(only)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        row = rows.first()
        if row is None:
            return None
        if row.state == OutboundEmail.State.SENDING:
            # Its worker stopped while sending: the server may or may not have it.
            row.ambiguous_attempts += 1
            row.last_error = f"attempt {row.attempts} by {row.claimed_by} did not finish"
        row.state = OutboundEmail.State.SENDING
        row.attempts += 1
        row.lease_until = now + dt.timedelta(seconds=settings.SLADESK_MAIL_LEASE_SECONDS)
        row.claimed_by = worker[:100]
        row.save(
            update_fields=[
                "state",
                "attempts",
                "ambiguous_attempts",
                "lease_until",
                "claimed_by",
                "last_error",
            ]
        )
        return row


def build_message(row: OutboundEmail, connection: Any = None) -> EmailMultiAlternatives:
    headers = {
        "Message-ID": row.message_id,
        LOOP_HEADER: loop_signature(row.message_id),
        **AUTOMATIC_HEADERS,
    }
    if row.in_reply_to:
        headers["In-Reply-To"] = row.in_reply_to
    if row.references:
        headers["References"] = row.references
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.recipient],
        headers=headers,
        connection=connection,
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    return message


def _permanent(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def _ambiguous(exc: BaseException) -> bool:
    # The connection went away or timed out: the data may have been accepted.
    return isinstance(exc, smtplib.SMTPServerDisconnected | TimeoutError | ConnectionError)


@dataclass
class SendResult:
    sent: int = 0
    retrying: int = 0
    dead: int = 0


def _finish(row: OutboundEmail, worker: str, **changes: Any) -> None:
    OutboundEmail.objects.filter(
        pk=row.pk, state=OutboundEmail.State.SENDING, claimed_by=worker[:100], attempts=row.attempts
    ).update(lease_until=None, **changes)


def _record_sent(row: OutboundEmail, worker: str) -> None:
    """Mark the row sent, waiting out a database restart: the mail server has the message,
    and a row left `sending` would be sent again once its lease ran out. Gives up (the
    lease then decides, as for a worker that died) only when the lease is nearly over."""
    deadline = time.monotonic() + max(1.0, settings.SLADESK_MAIL_LEASE_SECONDS * 0.8)
    while True:
        try:
            _finish(row, worker, state=OutboundEmail.State.SENT, sent_at=instant(None))
            return
        except DatabaseError:
            if connection.in_atomic_block or time.monotonic() >= deadline:
                raise
            connection.close()
            time.sleep(0.5)


def send_due(
    *,
    at: dt.datetime | None = None,
    worker: str = "",
    limit: int = 200,
    only: Q | None = None,
) -> SendResult:
    """Send what is due, one claimed row at a time, over one SMTP connection."""
    now = instant(at)
    worker = worker or "sladesk"
    result = SendResult()
    smtp = get_connection(fail_silently=False)
    try:
        for _ in range(limit):
            row = _claim(now, worker, only)
            if row is None:
                break
            try:
                smtp.send_messages([build_message(row, smtp)])
            except Exception as exc:
                _failed(row, worker, exc, now, result)
                _close_quietly(smtp)
                smtp = get_connection(fail_silently=False)
                continue
            _record_sent(row, worker)
            result.sent += 1
    finally:
        _close_quietly(smtp)
    return result


def _failed(
    row: OutboundEmail, worker: str, exc: Exception, now: dt.datetime, result: SendResult
) -> None:
    error = f"attempt {row.attempts}: {type(exc).__name__}: {exc}"[:2000]
    ambiguous = row.ambiguous_attempts + (1 if _ambiguous(exc) else 0)
    if _permanent(exc) or row.attempts >= settings.SLADESK_MAIL_MAX_ATTEMPTS:
        _finish(
            row,
            worker,
            state=OutboundEmail.State.DEAD,
            last_error=error,
            ambiguous_attempts=ambiguous,
        )
        result.dead += 1
        logger.error("email %s to %s given up: %s", row.pk, row.recipient, error)
        return
    delay = dt.timedelta(seconds=settings.SLADESK_MAIL_RETRY_SECONDS * 2 ** (row.attempts - 1))
    _finish(
        row,
        worker,
        state=OutboundEmail.State.PENDING,
        next_attempt_at=now + min(delay, MAX_BACKOFF),
        last_error=error,
        ambiguous_attempts=ambiguous,
    )
    result.retrying += 1
    logger.warning("email %s to %s will be retried: %s", row.pk, row.recipient, error)


def _close_quietly(smtp: Any) -> None:
    try:
        smtp.close()
    except Exception:  # the connection is being replaced or the batch is over
        logger.debug("closing the SMTP connection failed", exc_info=True)


def retry_now(rows: QuerySet[OutboundEmail], *, at: dt.datetime | None = None) -> int:
    """An administrator sends given-up (or waiting) emails again, keeping their Message-ID."""
    return rows.exclude(state=OutboundEmail.State.SENT).update(
        state=OutboundEmail.State.PENDING,
        attempts=0,
        next_attempt_at=instant(at),
        lease_until=None,
    )

"""Send one webhook delivery: sign, POST, log the attempt, schedule the retry.

Run by the background worker (`sladesk.webhooks.tasks.deliver_webhook`). The delivery row
is locked with SKIP LOCKED for the attempt, so two workers never send the same attempt;
an attempt cut short by a killed worker leaves no log row and is retried.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from sladesk.core.clock import instant
from sladesk.webhooks.models import Delivery, DeliveryAttempt
from sladesk.webhooks.safety import target_problem
from sladesk.webhooks.signing import signature

MAX_BACKOFF = dt.timedelta(hours=6)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect could lead to a private address the target check never saw.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects())


@dataclass
class Outcome:
    status_code: int | None
    error: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def backoff(attempts: int) -> dt.timedelta:
    """Delay before the next attempt after `attempts` failed ones: doubling, capped."""
    first = dt.timedelta(seconds=settings.SLADESK_WEBHOOK_RETRY_SECONDS)
    return min(first * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def body_of(delivery: Delivery) -> bytes:
    event = delivery.event
    document = {
        "id": event.pk,
        "type": event.type,
        "created_at": event.created_at.isoformat(),
        "data": event.payload,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, sort_keys=True).encode("utf-8")


def post(delivery: Delivery, body: bytes, timestamp: int) -> Outcome:
    endpoint = delivery.endpoint
    problem = target_problem(endpoint.url, allow_private=endpoint.allow_private_network)
    if problem:
        return Outcome(None, problem)
    request = urllib.request.Request(
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "sladesk-webhooks/1",
            "X-Sladesk-Event": delivery.event.type,
            "X-Sladesk-Delivery": str(delivery.pk),
            "X-Sladesk-Timestamp": str(timestamp),
            "X-Sladesk-Signature": signature(endpoint.secret, timestamp, body),
        },
    )
    try:
        with _opener.open(request, timeout=settings.SLADESK_WEBHOOK_TIMEOUT_SECONDS) as response:
            return Outcome(response.status, "")
    except urllib.error.HTTPError as exc:
        return Outcome(exc.code, f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return Outcome(None, str(getattr(exc, "reason", exc)) or type(exc).__name__)


def attempt(delivery_id: int, *, at: dt.datetime | None = None) -> str:
    """Make the attempt that is due for this delivery, if any. Returns what happened."""
    from sladesk.webhooks.tasks import deliver_webhook

    now = instant(at)
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint", "event")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return "locked or gone"
        if delivery.status != Delivery.Status.PENDING:
            return f"already {delivery.status}"
        if delivery.next_attempt_at > now:
            return "not due yet"
        body = body_of(delivery)
        started = time.monotonic()
        outcome = post(delivery, body, int(now.timestamp()))
        number = delivery.attempts + 1
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=number,
            at=now,
            status_code=outcome.status_code,
            error=outcome.error[:2000],
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        delivery.attempts = number
        if outcome.ok:
            delivery.status = Delivery.Status.DELIVERED
            delivery.delivered_at = now
            delivery.last_error = ""
        elif number >= settings.SLADESK_WEBHOOK_MAX_ATTEMPTS or not delivery.endpoint.active:
            delivery.status = Delivery.Status.FAILED
            delivery.last_error = outcome.error
        else:
            delivery.next_attempt_at = now + backoff(number)
            delivery.last_error = outcome.error
            deliver_webhook.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
        delivery.save(
            update_fields=["status", "attempts", "next_attempt_at", "delivered_at", "last_error"]
        )
        return delivery.status


def requeue_overdue(*, at: dt.datetime | None = None, grace_seconds: int = 60) -> int:
    """Queue again the pending deliveries whose task was lost (a worker killed while it ran
    one, or a queue emptied by an operator). Attempts are idempotent, so a duplicate task
    only finds the delivery done or not yet due."""
    from sladesk.webhooks.tasks import deliver_webhook

    now = instant(at)
    overdue = list(
        Delivery.objects.filter(
            status=Delivery.Status.PENDING,
            next_attempt_at__lte=now - dt.timedelta(seconds=grace_seconds),
        ).values_list("pk", flat=True)[:500]
    )
    # Moving the instant forward means the same delivery is queued again at most once per
    # grace period, however often the monitor scans.
    Delivery.objects.filter(pk__in=overdue).update(next_attempt_at=now)
    for pk in overdue:
        deliver_webhook.enqueue(pk)
    return len(overdue)

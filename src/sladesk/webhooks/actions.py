"""Webhook business events: an administrator adds an endpoint; any capability publishes an
event (type + JSON payload), which becomes one delivery per interested endpoint."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from sladesk.accounts.models import User
from sladesk.accounts.roles import Capability
from sladesk.audit.recorder import record
from sladesk.core.clock import instant
from sladesk.core.errors import ActionValidationError
from sladesk.core.permissions import require as _require
from sladesk.webhooks.models import Delivery, Endpoint, Event
from sladesk.webhooks.safety import target_problem


def create_endpoint(
    *,
    actor: User,
    name: str,
    url: str,
    secret: str = "",
    event_types: Iterable[str] = (),
    allow_private_network: bool = False,
    at: dt.datetime | None = None,
) -> Endpoint:
    """Add a webhook endpoint. Without a secret, a random one is generated (shown once in
    the admin). Private and loopback targets are refused unless explicitly allowed."""
    at = instant(at)
    _require(actor, Capability.MANAGE_WEBHOOKS)
    errors: dict[str, str] = {}
    name = (name or "").strip()
    url = (url or "").strip()
    if not name:
        errors["name"] = "name the endpoint"
    elif Endpoint.objects.filter(name=name).exists():
        errors["name"] = f"an endpoint named {name!r} exists"
    problem = target_problem(url, allow_private=allow_private_network)
    if problem:
        errors["url"] = problem
    secret = (secret or "").strip() or secrets.token_urlsafe(32)
    if len(secret) < 16:
        errors["secret"] = "use a secret of at least 16 characters"
    types = sorted({t.strip() for t in event_types if t and t.strip()})
    if errors:
        raise ActionValidationError(errors)
    with transaction.atomic():
        endpoint = Endpoint.objects.create(
            name=name,
            url=url,
            secret=secret,
            event_types=types,
            allow_private_network=allow_private_network,
            created_at=at,
        )
        record(
            actor=actor,
            action="webhook.endpoint_created",
            at=at,
            subject=endpoint,
            after={
                "name": name,
                "url": url,
                "event_types": types,
                "allow_private_network": allow_private_network,
            },
        )
    return endpoint


def publish(*, event_type: str, payload: dict[str, Any], at: dt.datetime | None = None) -> Event:
    """Record an event and queue one delivery to every active endpoint that wants it.

    Runs inside the caller's transaction when there is one: the event, its deliveries and
    the tasks that send them are committed together, or not at all.
    """
    at = instant(at)
    from sladesk.webhooks.tasks import deliver_webhook

    # No savepoint of its own: inside the caller's transaction (the monitor's batch) it
    # commits or rolls back with the decision, and saves two round trips per event.
    with transaction.atomic(savepoint=False):
        event = Event.objects.create(type=event_type, payload=payload, created_at=at)
        for endpoint in Endpoint.objects.filter(active=True).order_by("pk"):
            if not endpoint.wants(event_type):
                continue
            delivery = Delivery.objects.create(endpoint=endpoint, event=event, next_attempt_at=at)
            deliver_webhook.enqueue(delivery.pk)
    return event

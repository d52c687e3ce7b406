"""/api/v1/webhooks: subscriptions (endpoints and the event types they want) and their
delivery log, through sladesk.webhooks. Administrators only."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from sladesk.accounts.models import User
from sladesk.accounts.roles import Capability
from sladesk.api.actions import deactivate_webhook_endpoint
from sladesk.api.routers.common import responses, user_of
from sladesk.api.schemas import DeliveryOut, EndpointCreated, EndpointIn, EndpointOut
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.webhooks.actions import create_endpoint
from sladesk.webhooks.models import Delivery, Endpoint

router = Router(tags=["webhooks"])

# The event types sladesk publishes (docs/api.md, "Webhooks").
EVENT_TYPES = (
    "ticket.logged",
    "ticket.priority_changed",
    "ticket.responded",
    "ticket.sla_warning",
    "ticket.sla_breached",
    "ticket.resolved",
    "oncall.page",
)
DELIVERY_LIMIT = 200


def _manager(request: HttpRequest) -> User:
    user: User = user_of(request)
    if not user.can(Capability.MANAGE_WEBHOOKS):
        raise ActionPermissionDenied(f"a {user.role_label.lower()} may not manage webhooks")
    return user


def _out(e: Endpoint) -> dict[str, Any]:
    return {
        "id": e.pk,
        "name": e.name,
        "url": e.url,
        "event_types": list(e.event_types or []),
        "active": e.active,
        "allow_private_network": e.allow_private_network,
        "created_at": e.created_at,
    }


@router.get("/webhooks", response=responses({200: list[EndpointOut]}), summary="Subscriptions")
def endpoints(request: HttpRequest) -> list[dict[str, Any]]:
    _manager(request)
    return [_out(e) for e in Endpoint.objects.order_by("name")]


@router.post(
    "/webhooks", response=responses({201: EndpointCreated}), summary="Subscribe an endpoint"
)
def subscribe(request: HttpRequest, payload: EndpointIn) -> Status[Any]:
    """Deliveries are signed with HMAC-SHA256 over the timestamp and body (the secret is
    returned once). Private and loopback URLs are refused unless `allow_private_network`."""
    actor = _manager(request)
    unknown = [t for t in payload.event_types if t not in EVENT_TYPES]
    if unknown:
        raise ActionValidationError(
            {"event_types": f"unknown event type {unknown[0]!r} (known: {', '.join(EVENT_TYPES)})"}
        )
    endpoint = create_endpoint(
        actor=actor,
        name=payload.name,
        url=payload.url,
        secret=payload.secret,
        event_types=payload.event_types,
        allow_private_network=payload.allow_private_network,
    )
    return Status(201, {**_out(endpoint), "secret": endpoint.secret})


@router.get(
    "/webhooks/{endpoint_id}", response=responses({200: EndpointOut}), summary="A subscription"
)
def endpoint(request: HttpRequest, endpoint_id: int) -> dict[str, Any]:
    _manager(request)
    return _out(Endpoint.objects.get(pk=endpoint_id))


@router.delete(
    "/webhooks/{endpoint_id}",
    response=responses({200: EndpointOut}),
    summary="Unsubscribe (the endpoint and its log are kept, inactive)",
)
def unsubscribe(request: HttpRequest, endpoint_id: int) -> dict[str, Any]:
    actor = _manager(request)
    found = Endpoint.objects.get(pk=endpoint_id)
    return _out(deactivate_webhook_endpoint(actor=actor, endpoint=found))


@router.get(
    "/webhooks/{endpoint_id}/deliveries",
    response=responses({200: list[DeliveryOut]}),
    summary="The delivery log: every attempt of the latest 200 deliveries",
)
def deliveries(request: HttpRequest, endpoint_id: int) -> list[dict[str, Any]]:
    _manager(request)
    found = Endpoint.objects.get(pk=endpoint_id)
    rows = (
        Delivery.objects.filter(endpoint=found)
        .select_related("event")
        .prefetch_related("log")
        .order_by("-id")[:DELIVERY_LIMIT]
    )
    return [
        {
            "id": d.pk,
            "event_type": d.event.type,
            "event_id": d.event_id,
            "status": d.status,
            "attempts": d.attempts,
            "next_attempt_at": d.next_attempt_at,
            "delivered_at": d.delivered_at,
            "last_error": d.last_error,
            "log": [
                {
                    "number": a.number,
                    "at": a.at,
                    "status_code": a.status_code,
                    "error": a.error,
                    "duration_ms": a.duration_ms,
                }
                for a in d.log.all()
            ],
        }
        for d in rows
    ]

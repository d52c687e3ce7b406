"""Signed webhooks: safe targets, HMAC signature, delivery log, retries with backoff."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading

import pytest

from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.webhooks.actions import create_endpoint, publish
from sladesk.webhooks.delivery import attempt, backoff
from sladesk.webhooks.models import Delivery, DeliveryAttempt, Endpoint
from sladesk.webhooks.signing import verify

T0 = dt.datetime(2026, 3, 7, 2, 0, tzinfo=dt.UTC)
SECRET = "a-long-shared-secret-for-tests"


class Receiver:
    """A local HTTP server answering with the queued status codes, keeping each request."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.requests = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                if status in (301, 302):
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver_factory():
    made = []

    def make(*statuses):
        receiver = Receiver(statuses)
        made.append(receiver)
        return receiver

    yield make
    for receiver in made:
        receiver.close()


def _endpoint(world, url, **kw):
    return create_endpoint(
        actor=world.admin,
        name="sms",
        url=url,
        secret=SECRET,
        allow_private_network=True,
        at=T0,
        **kw,
    )


def test_a_loopback_or_private_target_is_refused_unless_an_administrator_allows_it(world):
    for url in ("http://127.0.0.1:8000/x", "http://10.1.2.3/x", "http://169.254.169.254/latest"):
        with pytest.raises(ActionValidationError) as refused:
            create_endpoint(actor=world.admin, name="x", url=url, secret=SECRET)
        assert "private or loopback" in refused.value.errors["url"]
    assert Endpoint.objects.count() == 0

    allowed = create_endpoint(
        actor=world.admin,
        name="lan",
        url="http://10.1.2.3/x",
        secret=SECRET,
        allow_private_network=True,
    )
    assert allowed.allow_private_network is True


def test_only_an_administrator_adds_endpoints(world):
    with pytest.raises(ActionPermissionDenied):
        create_endpoint(actor=world.manager, name="x", url="https://8.8.8.8/x", secret=SECRET)
    assert Endpoint.objects.count() == 0


def test_a_delivery_is_signed_over_timestamp_and_body_and_logged(world, receiver_factory):
    receiver = receiver_factory(200)
    _endpoint(world, receiver.url)
    publish(event_type="oncall.page", payload={"reference": "CS-100001"}, at=T0)
    delivery = Delivery.objects.get()

    assert attempt(delivery.pk, at=T0) == "delivered"

    [(headers, body)] = receiver.requests
    assert headers["X-Sladesk-Event"] == "oncall.page"
    assert headers["X-Sladesk-Delivery"] == str(delivery.pk)
    assert verify(SECRET, int(headers["X-Sladesk-Timestamp"]), body, headers["X-Sladesk-Signature"])
    assert not verify(
        "wrong-secret-wrong-secret",
        int(headers["X-Sladesk-Timestamp"]),
        body,
        headers["X-Sladesk-Signature"],
    )
    assert json.loads(body)["data"] == {"reference": "CS-100001"}
    assert list(DeliveryAttempt.objects.values_list("number", "status_code", "error")) == [
        (1, 200, "")
    ]


def test_a_failed_delivery_is_retried_with_doubling_delays_until_it_succeeds(
    world, receiver_factory
):
    receiver = receiver_factory(500, 503, 200)
    _endpoint(world, receiver.url)
    publish(event_type="ticket.sla_warning", payload={}, at=T0)
    pk = Delivery.objects.get().pk

    assert attempt(pk, at=T0) == "pending"
    assert Delivery.objects.get().next_attempt_at == T0 + dt.timedelta(seconds=30)
    assert attempt(pk, at=T0 + dt.timedelta(seconds=29)) == "not due yet"
    assert attempt(pk, at=T0 + dt.timedelta(seconds=30)) == "pending"
    assert Delivery.objects.get().next_attempt_at == T0 + dt.timedelta(seconds=90)
    assert attempt(pk, at=T0 + dt.timedelta(seconds=90)) == "delivered"
    assert attempt(pk, at=T0 + dt.timedelta(seconds=200)) == "already delivered"

    assert list(DeliveryAttempt.objects.values_list("number", "status_code")) == [
        (1, 500),
        (2, 503),
        (3, 200),
    ]
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


def test_a_delivery_gives_up_after_the_configured_attempts(world, receiver_factory, settings):
    settings.SLADESK_WEBHOOK_MAX_ATTEMPTS = 2
    receiver = receiver_factory(500, 500)
    _endpoint(world, receiver.url)
    publish(event_type="x", payload={}, at=T0)
    pk = Delivery.objects.get().pk

    attempt(pk, at=T0)
    assert attempt(pk, at=T0 + dt.timedelta(minutes=5)) == "failed"
    assert Delivery.objects.get().last_error == "HTTP 500"


def test_a_redirect_is_not_followed(world, receiver_factory):
    receiver = receiver_factory(302)
    _endpoint(world, receiver.url)
    publish(event_type="x", payload={}, at=T0)

    attempt(Delivery.objects.get().pk, at=T0)

    assert len(receiver.requests) == 1
    assert DeliveryAttempt.objects.get().status_code == 302
    assert Delivery.objects.get().status == "pending"


def test_an_endpoint_only_gets_the_event_types_it_asked_for(world):
    _endpoint(world, "http://10.0.0.1/x", event_types=["oncall.page"])

    publish(event_type="ticket.sla_warning", payload={}, at=T0)
    publish(event_type="oncall.page", payload={}, at=T0)

    assert list(Delivery.objects.values_list("event__type", flat=True)) == ["oncall.page"]

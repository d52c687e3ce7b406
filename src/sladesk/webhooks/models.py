"""Outgoing webhooks: endpoints, events, deliveries and the log of every attempt.

The event model is generic (a type and a JSON payload) so that any capability can publish
and, later, the API can expose subscriptions. Rows are written only by
`sladesk.webhooks.actions` and `sladesk.webhooks.delivery`.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q


class Endpoint(models.Model):
    name = models.CharField(max_length=100, unique=True)
    url = models.URLField(max_length=500)
    secret = models.CharField(
        max_length=200, help_text="Shared secret for the HMAC-SHA256 signature."
    )
    # Empty: every event type.
    event_types = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    allow_private_network = models.BooleanField(
        default=False,
        help_text="Allow a private, loopback or link-local target (an administrator's "
        "decision, e.g. an SMS gateway on the local network).",
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class Event(models.Model):
    type = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (gave up)"

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ("-id",)
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="one_delivery_per_event"),
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_pending_due",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint} ({self.status})"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveIntegerField()
    at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("delivery", "number")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["delivery", "number"], name="one_log_row_per_attempt"),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}: {self.status_code or self.error}"

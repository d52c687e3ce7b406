"""Agents' availability and the SLA monitor's notifications (one row per ticket, kind and
threshold). The ticket's assignee is on `tickets.Ticket`; only queue actions write it."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models


class AgentStatus(models.Model):
    class State(models.TextChoices):
        AVAILABLE = "available", "Available"
        AWAY = "away", "Away"

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="queue_status"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.AWAY)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "agent statuses"
        ordering = ("agent__email",)

    def __str__(self) -> str:
        return f"{self.agent}: {self.state}"

    @property
    def available(self) -> bool:
        return self.state == self.State.AVAILABLE


class SlaAlert(models.Model):
    """A warning or breach escalation the monitor decided to send. The unique constraint is
    what makes it exactly once: the row is inserted in the same transaction that queues the
    email and publishes the webhook event."""

    class Kind(models.TextChoices):
        WARNING = "warning", "Warning (share of the response target used)"
        BREACH = "breach", "Breach escalated to the manager"

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="sla_alerts"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Percent of the response target: the warning share (75 by default), 100 for a breach.
    threshold = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField()
    due_at = models.DateTimeField(help_text="The response due time in force when decided.")
    recipients = models.JSONField(default=list)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # When the email task was last queued: the monitor queues it again if it was lost.
    email_queued_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ("created_at", "pk")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["ticket", "kind", "threshold"], name="one_alert_per_ticket_kind_threshold"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.threshold}% for {self.ticket_id}"

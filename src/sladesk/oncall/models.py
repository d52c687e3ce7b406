"""The on-call rota, its escalation chain, and the pages sent to on-call engineers.

Rows are written only by `sladesk.oncall.actions` (and the SLA monitor's escalation step).
"""

from __future__ import annotations

from typing import ClassVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q


def default_ack_minutes() -> int:
    return int(settings.SLADESK_PAGE_ACK_MINUTES)


class Rota(models.Model):
    """Who is on call when. The chain for a page: the engineers on call at that instant by
    level (1 first), then the manager; each gets `ack_minutes` to acknowledge."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(
        max_length=64,
        default="Europe/London",
        help_text="Shifts are entered and shown in this zone (the hours calendar's).",
    )
    ack_minutes = models.PositiveIntegerField(
        "minutes to acknowledge",
        default=default_ack_minutes,
        help_text="After this long without acknowledgement the next in the chain is paged.",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The last step of the chain; empty: the first active manager.",
    )

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class RotaShift(models.Model):
    rota = models.ForeignKey(Rota, on_delete=models.CASCADE, related_name="shifts")
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="on_call_shifts"
    )
    level = models.PositiveSmallIntegerField(default=1, help_text="1: paged first; 2: backup…")
    # Instants (UTC). Entered as wall-clock times in the rota's zone: a shift from Saturday
    # 18:00 to Monday 08:00 across a clock change is one hour longer or shorter.
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ("starts_at", "level", "pk")
        constraints: ClassVar = [
            models.CheckConstraint(
                name="shift_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))
            )
        ]
        indexes: ClassVar = [models.Index(fields=["rota", "starts_at", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.engineer} L{self.level} {self.starts_at:%Y-%m-%d %H:%M}Z"


class Page(models.Model):
    """One step of paging for one ticket: at most one row per (ticket, step)."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, related_name="pages")
    rota = models.ForeignKey(Rota, on_delete=models.PROTECT, related_name="pages")
    step = models.PositiveSmallIntegerField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pages"
    )
    reason = models.CharField(max_length=200)
    paged_at = models.DateTimeField()
    # When the next in the chain is paged if nobody acknowledged; empty for the last step.
    escalate_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    emailed_at = models.DateTimeField(null=True, blank=True)
    # When the email task was last queued: the monitor queues it again if it was lost.
    email_queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("ticket", "step")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["ticket", "step"], name="one_page_per_ticket_step"),
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["escalate_at"],
                name="page_escalation_due",
                condition=Q(acknowledged_at__isnull=True, escalated_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"page {self.step} for {self.ticket_id} to {self.recipient}"

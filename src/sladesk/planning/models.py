"""Draft SLA policies (what-if replays before activation) and agents' working hours.

A `PolicyDraft` is a candidate for one `contracts.SlaPolicy` row: the whole candidate policy
in the engine's JSON form (as stored on the policy row, calendars omitted), plus extra
closure days for its hours calendar. Nothing changes for live tickets until an
administrator activates it, after a replay of recent tickets under it (ADR 0014 explains the
staffing half; docs/planning.md the whole app).

`WorkingHours` is the availability the staffing forecast compares with: who is at the desk
in a normal week (London wall-clock times). The on-call rota stays in `sladesk.oncall`.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class PolicyDraft(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVATED = "activated", "Activated"

    name = models.CharField(max_length=100, unique=True)
    policy = models.ForeignKey(
        "contracts.SlaPolicy",
        on_delete=models.CASCADE,
        related_name="drafts",
        help_text="The policy this draft would replace when activated.",
    )
    data = models.JSONField(help_text="The candidate policy: the engine's Policy.to_dict() form.")
    closed_dates = models.JSONField(
        default=dict,
        blank=True,
        help_text='Extra closure days for the hours calendar: {"2026-12-29": "Christmas week"}.',
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # The last replay: when, over how many months, and its summary (what the page shows).
    replayed_at = models.DateTimeField(null=True, blank=True)
    replay_months = models.PositiveSmallIntegerField(null=True, blank=True)
    replay = models.JSONField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = "draft SLA policy"
        verbose_name_plural = "draft SLA policies"

    def __str__(self) -> str:
        return f"{self.name} (draft of {self.policy})"


class WorkingHours(models.Model):
    """One agent's regular stretch at the desk on one weekday (Europe/London wall clock)."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(help_text="0 Monday … 6 Sunday")
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ("weekday", "starts", "agent_id")
        verbose_name = "working hours"
        verbose_name_plural = "working hours"
        constraints: ClassVar = [
            models.CheckConstraint(
                name="working_hours_end_after_start", condition=Q(ends__gt=F("starts"))
            ),
            models.CheckConstraint(name="working_hours_weekday", condition=Q(weekday__lte=6)),
        ]

    def __str__(self) -> str:
        return f"{self.agent} day {self.weekday} {self.starts:%H:%M}-{self.ends:%H:%M}"

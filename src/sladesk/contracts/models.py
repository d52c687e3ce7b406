"""Support contracts, and the SLA policies and calendars they use, stored as data.

Policies and calendars are rows holding the engine's JSON form (`Policy.to_dict()`,
`Calendar.to_dict()`); `sla_adapter` turns them into engine values. Extra closed or open
dates (holidays) can also be kept as `CalendarDate` rows, merged into the calendar.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Coverage(models.TextChoices):
    STANDARD = "standard", "Standard hours"
    ALWAYS = "24x7", "24x7 (out-of-hours cover)"


class SlaCalendar(models.Model):
    name = models.CharField(max_length=100, unique=True)
    data = models.JSONField(help_text="The engine's Calendar.to_dict() form.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name",)
        verbose_name = "calendar"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from sladesk.contracts.sla_adapter import calendar_from_row

        try:
            calendar_from_row(self)
        except (ValueError, KeyError, TypeError) as exc:
            raise ValidationError({"data": f"Not a valid calendar: {exc}"}) from exc


class CalendarDate(models.Model):
    """A holiday (extra closed date) or an extra open date of a calendar."""

    class Kind(models.TextChoices):
        CLOSED = "closed", "Closed (holiday)"
        OPEN = "open", "Open (extra working day)"

    calendar = models.ForeignKey(SlaCalendar, on_delete=models.CASCADE, related_name="dates")
    date = models.DateField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CLOSED)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("calendar", "date")
        verbose_name = "holiday / extra date"
        verbose_name_plural = "holidays / extra dates"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["calendar", "date"], name="one_entry_per_calendar_date")
        ]

    def __str__(self) -> str:
        return f"{self.calendar} {self.date:%Y-%m-%d} {self.get_kind_display()}"


class SlaPolicy(models.Model):
    name = models.CharField(max_length=100, unique=True)
    data = models.JSONField(help_text="The engine's Policy.to_dict() form.")
    is_default = models.BooleanField(
        default=False, help_text="Used by contracts that do not name a policy."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name",)
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_policy"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from sladesk.contracts.sla_adapter import policy_from_row

        try:
            policy_from_row(self)
        except (ValueError, KeyError, TypeError) as exc:
            raise ValidationError({"data": f"Not a valid policy: {exc}"}) from exc


class ContractQuerySet(models.QuerySet["Contract"]):
    def in_force(self, on: dt.date) -> ContractQuerySet:
        """Signed contracts whose validity period includes the date `on`."""
        return self.filter(signed_on__isnull=False, valid_from__lte=on, valid_to__gte=on)


class Contract(models.Model):
    company = models.ForeignKey(
        "customers.Company", on_delete=models.PROTECT, related_name="contracts"
    )
    reference = models.CharField(max_length=50, unique=True)
    signed_on = models.DateField(
        null=True, blank=True, help_text="Empty until the contract is signed."
    )
    valid_from = models.DateField()
    valid_to = models.DateField()
    coverage = models.CharField(max_length=10, choices=Coverage.choices, default=Coverage.STANDARD)
    modules = models.ManyToManyField(
        "customers.Module", related_name="contracts", help_text="Products/modules covered."
    )
    policy = models.ForeignKey(
        SlaPolicy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        help_text="Empty: the default SLA policy.",
    )
    price_list_reference = models.CharField(max_length=100, blank=True)
    sow_reference = models.CharField("SOW reference", max_length=100, blank=True)
    notes = models.TextField(blank=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ("company__name", "-valid_from")
        constraints: ClassVar = [
            models.CheckConstraint(
                name="contract_valid_to_after_valid_from",
                condition=Q(valid_to__gte=models.F("valid_from")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.company}, {self.coverage})"

    def is_in_force(self, on: dt.date) -> bool:
        return self.signed_on is not None and self.valid_from <= on <= self.valid_to

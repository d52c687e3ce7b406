"""Chargeable work: scope decisions, time, price lists, SOW references, enhancements,
charges and monthly statements.

Rows are written only by `sladesk.billing.actions` (price lists and contract terms also by
the audited admin); reads that serve a user go through `sladesk.billing.selectors`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from sladesk.billing.money import MINOR_UNITS


class IssuedStatementError(RuntimeError):
    """An issued statement, and the money on its lines, never change."""


CURRENCY_CHOICES = [(code, code) for code in sorted(MINOR_UNITS)]


class ScopeCategory(models.TextChoices):
    """The seed's "What's Included" (one choice) and each "What's Not Included" item."""

    INCLUDED = "included", "Included under support (fault in our product or supplied software)"
    SCRIPT_NOT_OURS = "script_not_ours", "Script or report not built by us"
    SCRIPT_CHANGED = "script_changed", "Script or report built by us but changed by others"
    ENVIRONMENT = "environment", "Customer environment change (server, network, client)"
    HARDWARE = "hardware", "Hardware support"
    THIRD_PARTY_INTEGRATION = (
        "third_party_integration",
        "New third-party integration, or changes to a third-party integration",
    )
    THIRD_PARTY_COMMUNICATION = (
        "third_party_communication",
        "Communication with the customer's own customers or third-party associates",
    )
    EASYSCRIPTER = "easyscripter", "EasyScripter application support"
    MIGRATION = "migration", "Server migration / upgrade"
    TUITION = "tuition", "Script and report-building tuition"
    DATA_ARCHIVING = "data_archiving", "Data archiving or maintenance beyond the agreement"
    BESPOKE = "bespoke", "New functionality, control modifications or bespoke work"
    ENHANCEMENT = "enhancement", "Enhancement (new feature or change in behaviour)"


class ScopeDecision(models.Model):
    """One decision on a ticket's scope; the latest is in force, earlier ones are history.

    Shown to the customer with its reason.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="scope_decisions"
    )
    category = models.CharField(max_length=30, choices=ScopeCategory.choices)
    chargeable = models.BooleanField()
    customer_failed_to_identify = models.BooleanField(
        default=False,
        help_text=(
            "Environment only: the change was outside our control and the customer failed to "
            "take reasonable steps to identify it, so initial diagnosis is billable too."
        ),
    )
    reason = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )

    class Meta:
        ordering = ("decided_at", "id")
        constraints: ClassVar = [
            models.CheckConstraint(
                name="diagnosis_billable_only_for_environment",
                condition=Q(customer_failed_to_identify=False) | Q(category="environment"),
            ),
            models.CheckConstraint(
                name="included_is_not_chargeable",
                condition=~Q(category="included") | Q(chargeable=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.get_category_display()}"

    @property
    def diagnosis_billable(self) -> bool:
        return self.category == ScopeCategory.ENVIRONMENT and self.customer_failed_to_identify


class PriceList(models.Model):
    """Hourly rates of a named price list, in force from `valid_from` (London date)."""

    name = models.CharField(max_length=100)
    valid_from = models.DateField()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="GBP")
    in_hours_rate = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    out_of_hours_rate = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    minimum_billable_hours = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal(2),
        validators=[MinValueValidator(Decimal(0))],
        help_text="Per chargeable piece of work, unless the contract agrees otherwise.",
    )

    class Meta:
        ordering = ("name", "-valid_from")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["name", "valid_from"], name="one_price_list_per_day"),
            models.CheckConstraint(
                name="price_list_rates_not_negative",
                condition=Q(in_hours_rate__gte=0)
                & Q(out_of_hours_rate__gte=0)
                & Q(minimum_billable_hours__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} from {self.valid_from:%Y-%m-%d} ({self.currency})"


class ContractBilling(models.Model):
    """The billing terms of one contract: which price list, and any agreed minimum."""

    contract = models.OneToOneField(
        "contracts.Contract", on_delete=models.PROTECT, related_name="billing"
    )
    price_list_name = models.CharField(
        max_length=100, help_text="The PriceList name; the row in force on the work's date."
    )
    minimum_billable_hours = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Empty: the price list's minimum. Set only when the contract agrees one.",
    )

    class Meta:
        verbose_name = "contract billing terms"
        verbose_name_plural = "contract billing terms"

    def __str__(self) -> str:
        return f"{self.contract} → {self.price_list_name}"


class SowReference(models.Model):
    """A statement-of-work reference agreed for a ticket's chargeable work."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, related_name="sows")
    reference = models.CharField(max_length=100)
    agreed_at = models.DateTimeField(help_text="When the SOW was agreed with the customer.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ("agreed_at", "id")
        verbose_name = "SOW reference"

    def __str__(self) -> str:
        return self.reference


class TimeEntry(models.Model):
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="time_entries"
    )
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(db_index=True)
    duration_seconds = models.PositiveIntegerField()
    description = models.TextField()
    is_diagnosis = models.BooleanField(
        default=False,
        help_text="Initial identification of whether this is a fault in our product.",
    )
    # Derived from the standard calendar when the entry is recorded, and kept: a later
    # calendar edit does not silently reprice work already recorded.
    in_hours_seconds = models.PositiveIntegerField()
    out_of_hours_seconds = models.PositiveIntegerField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)
    charge = models.ForeignKey(
        "billing.Charge",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="time_entries",
    )

    class Meta:
        ordering = ("started_at", "id")
        verbose_name_plural = "time entries"
        constraints: ClassVar = [
            models.CheckConstraint(
                name="time_entry_split_adds_up",
                condition=Q(
                    duration_seconds=models.F("in_hours_seconds") + models.F("out_of_hours_seconds")
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.started_at:%Y-%m-%d %H:%M} {self.duration_seconds}s"

    @property
    def ended_at(self) -> dt.datetime:
        return self.started_at + dt.timedelta(seconds=self.duration_seconds)


class Enhancement(models.Model):
    """An enhancement request's way from specification to delivery (seed: "Delivery times
    to be agreed once specification defined and accepted")."""

    class Stage(models.TextChoices):
        SPECIFICATION = "specification", "Specification being defined"
        QUOTED = "quoted", "Quote and SOW sent"
        ACCEPTED = "accepted", "Accepted by the customer"
        DATE_AGREED = "date_agreed", "Delivery date agreed"
        DELIVERED = "delivered", "Delivered"

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="enhancement"
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.SPECIFICATION)
    specification = models.TextField(blank=True)
    quote_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    quote_currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, blank=True)
    sow_reference = models.CharField(max_length=100, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.CharField(max_length=200, blank=True)
    agreed_delivery_date = models.DateField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Enhancement {self.ticket_id} ({self.get_stage_display()})"


class Statement(models.Model):
    """A customer's statement for one month. Draft until issued; an issued statement is
    never changed (corrections go on a later statement as new lines)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ISSUED = "issued", "Issued"

    company = models.ForeignKey(
        "customers.Company", on_delete=models.PROTECT, related_name="statements"
    )
    month = models.DateField(help_text="The first day of the month.")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    number = models.CharField(max_length=60, unique=True)
    generated_at = models.DateTimeField()
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_total = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    issued_held_total = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ("-month", "company__name")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["company", "month"], name="one_statement_per_month"),
            models.CheckConstraint(
                name="issued_statement_has_total",
                condition=Q(status="draft")
                | Q(issued_at__isnull=False, issued_total__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and (
            Statement.objects.filter(pk=self.pk, status=self.Status.ISSUED).exists()
        ):
            raise IssuedStatementError(f"statement {self.number} is issued and never changes")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_issued:
            raise IssuedStatementError(f"statement {self.number} is issued and never changes")
        return super().delete(*args, **kwargs)

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED


class Charge(models.Model):
    """A statement line: the chargeable work of one ticket in the month, or a correction.

    The money fields are fixed when the line is made. `held` is set while a dispute is
    undecided; a held line is left out of the total of a statement issued meanwhile.
    """

    class Kind(models.TextChoices):
        WORK = "work", "Chargeable work"
        CORRECTION = "correction", "Correction"

    class Decision(models.TextChoices):
        NONE = "", "No dispute decided"
        RELEASED = "released", "Dispute decided: charge stands"
        WAIVED = "waived", "Dispute decided: charge waived"

    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, null=True, blank=True, related_name="charges"
    )
    company = models.ForeignKey("customers.Company", on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, related_name="charges")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.WORK)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    description = models.CharField(max_length=300)
    rule_applied = models.TextField(blank=True)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    price_list = models.ForeignKey(
        PriceList, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    in_hours_rate = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    out_of_hours_rate = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    worked_in_seconds = models.PositiveIntegerField(default=0)
    worked_out_seconds = models.PositiveIntegerField(default=0)
    diagnosis_free_seconds = models.PositiveIntegerField(default=0)
    billed_in_seconds = models.PositiveIntegerField(default=0)
    billed_out_seconds = models.PositiveIntegerField(default=0)
    in_hours_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    out_of_hours_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    sow_reference = models.CharField(max_length=100, blank=True)
    flag_no_sow = models.BooleanField(
        default=False, help_text="Chargeable work started before a SOW reference was agreed."
    )
    flag_no_delivery_date = models.BooleanField(
        default=False, help_text="Enhancement work charged without an agreed delivery date."
    )
    held = models.BooleanField(default=False)
    hold_reason = models.TextField(blank=True)
    decision = models.CharField(
        max_length=10, choices=Decision.choices, default=Decision.NONE, blank=True
    )
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Fixed when the statement is issued: was this line counted in the issued total?
    counted_in_issued_total = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("ticket__reference", "id")
        constraints: ClassVar = [
            models.CheckConstraint(
                name="charge_amount_adds_up",
                condition=Q(kind="correction")
                | Q(amount=models.F("in_hours_amount") + models.F("out_of_hours_amount")),
            ),
            models.CheckConstraint(
                name="held_charge_is_undecided", condition=Q(held=False) | Q(decision="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.currency} {self.amount}"

    # A dispute's state is not part of the issued document: only these may change on a
    # line of an issued statement.
    DISPUTE_FIELDS = frozenset({"held", "hold_reason", "decision", "decision_reason", "decided_at"})

    def save(self, *args: Any, **kwargs: Any) -> None:
        fields = kwargs.get("update_fields")
        if self._on_issued_statement() and (
            fields is None or not set(fields) <= self.DISPUTE_FIELDS
        ):
            raise IssuedStatementError("a line of an issued statement never changes")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self._on_issued_statement():
            raise IssuedStatementError("a line of an issued statement never changes")
        return super().delete(*args, **kwargs)

    def _on_issued_statement(self) -> bool:
        return (
            self.pk is not None
            and Charge.objects.filter(
                pk=self.pk, statement__status=Statement.Status.ISSUED
            ).exists()
        )

    @property
    def counts_now(self) -> bool:
        """Would this line count in a total made now (not held, not waived)?"""
        return not self.held and self.decision != self.Decision.WAIVED

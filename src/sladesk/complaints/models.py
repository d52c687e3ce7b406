"""Complaints and charge disputes: a tracked process with its own targets.

Rows are written only by `sladesk.complaints.actions`; reads that serve a user go through
`sladesk.complaints.selectors`. A decided complaint is final: its decision, remedy and
evidence cannot change (the model refuses it, not only the actions); it can be annotated.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q


class ComplaintFinalError(RuntimeError):
    """A decided complaint's decision, remedy and evidence are never changed."""


class About(models.TextChoices):
    TICKET = "ticket", "A ticket"
    CHARGE = "charge", "A charge"
    SERVICE = "service", "The service in general"


class Stage(models.TextChoices):
    LOGGED = "logged", "Logged"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    INVESTIGATING = "investigating", "Investigating"
    DECIDED = "decided", "Decided"
    CLOSED = "closed", "Closed"


OPEN_STAGES = (Stage.LOGGED, Stage.ACKNOWLEDGED, Stage.INVESTIGATING)
FINAL_STAGES = (Stage.DECIDED, Stage.CLOSED)


class Outcome(models.TextChoices):
    UPHELD = "upheld", "Upheld"
    PARTLY_UPHELD = "partly_upheld", "Partly upheld"
    NOT_UPHELD = "not_upheld", "Not upheld"


class Cause(models.TextChoices):
    RESPONSE_TIME = "response_time", "Response time"
    RESOLUTION = "resolution", "Resolution of the problem"
    COMMUNICATION = "communication", "Communication"
    CHARGE = "charge", "A charge"
    CONDUCT = "conduct", "Conduct of staff"
    OTHER = "other", "Other"


class Channel(models.TextChoices):
    PORTAL = "portal", "Portal"
    API = "api", "API"
    PHONE = "phone", "Phone (logged by the helpdesk)"
    EMAIL = "email", "Email (logged by the helpdesk)"
    LETTER = "letter", "Letter (logged by the helpdesk)"


CUSTOMER_CHANNELS = (Channel.PORTAL, Channel.API)
STAFF_CHANNELS = (Channel.PHONE, Channel.EMAIL, Channel.LETTER)


class ComplaintPolicy(models.Model):
    """The complaint targets, as data: business days on a named calendar.

    "Within N business days" means by the close of the Nth business day after the London
    date the complaint was logged (ADR 0007, docs/complaints.md).
    """

    name = models.CharField(max_length=100, unique=True)
    calendar = models.CharField(
        max_length=100,
        default="standard",
        help_text="Name of the SLA calendar whose business days are counted.",
    )
    acknowledge_business_days = models.PositiveSmallIntegerField(default=1)
    decision_business_days = models.PositiveSmallIntegerField(default=10)
    is_default = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name",)
        verbose_name = "complaint policy"
        verbose_name_plural = "complaint policies"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="one_default_complaint_policy",
            ),
            models.CheckConstraint(
                name="complaint_targets_at_least_one_day",
                condition=Q(acknowledge_business_days__gte=1)
                & Q(decision_business_days__gte=models.F("acknowledge_business_days")),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.name}: acknowledge in {self.acknowledge_business_days}, "
            f"decide in {self.decision_business_days} business days ({self.calendar})"
        )

    def clean(self) -> None:
        from sladesk.contracts.models import SlaCalendar

        if not SlaCalendar.objects.filter(name=self.calendar).exists():
            raise ValidationError({"calendar": f"no calendar named {self.calendar!r}"})


class ComplaintCounter(models.Model):
    """The counter complaint references are issued from; one row per name."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


# Once a complaint is decided these never change again.
FINAL_FIELDS = (
    "reference",
    "company_id",
    "contact_id",
    "about",
    "ticket_id",
    "charge_id",
    "summary",
    "logged_at",
    "acknowledge_due",
    "decision_due",
    "owner_id",
    "decided_at",
    "decided_by_id",
    "decision_met",
    "outcome",
    "decision_reason",
    "cause",
    "credit_amount",
    "credit_currency",
    "charge_waived",
    "ticket_reopened",
    "evidence",
)


FINAL_NAMES = frozenset(FINAL_FIELDS) | {f.removesuffix("_id") for f in FINAL_FIELDS}


class ComplaintQuerySet(models.QuerySet["Complaint"]):
    def update(self, **kwargs: Any) -> int:
        if (FINAL_NAMES & set(kwargs) or "stage" in kwargs) and self.filter(
            stage__in=FINAL_STAGES
        ).exists():
            raise ComplaintFinalError("a decided complaint is final")
        return super().update(**kwargs)

    def delete(self) -> Any:
        raise ComplaintFinalError("complaints are kept; they are never deleted")


class Complaint(models.Model):
    reference = models.CharField(max_length=40, unique=True, editable=False)
    company = models.ForeignKey(
        "customers.Company", on_delete=models.PROTECT, related_name="complaints"
    )
    contact = models.ForeignKey(
        "customers.Contact",
        on_delete=models.PROTECT,
        related_name="complaints",
        help_text="The customer contact who complains.",
    )
    about = models.CharField(max_length=10, choices=About.choices)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    charge = models.ForeignKey(
        "billing.Charge",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    summary = models.TextField()
    cause = models.CharField(max_length=20, choices=Cause.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)

    logged_at = models.DateTimeField(db_index=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="complaints_logged"
    )
    policy = models.ForeignKey(ComplaintPolicy, on_delete=models.PROTECT, related_name="+")
    acknowledge_due = models.DateTimeField()
    decision_due = models.DateTimeField()

    stage = models.CharField(
        max_length=15, choices=Stage.choices, default=Stage.LOGGED, db_index=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_owned",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledge_met = models.BooleanField(null=True, blank=True)
    investigating_at = models.DateTimeField(null=True, blank=True)

    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_met = models.BooleanField(null=True, blank=True)
    outcome = models.CharField(max_length=15, choices=Outcome.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    credit_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    credit_currency = models.CharField(max_length=3, blank=True)
    charge_waived = models.BooleanField(default=False)
    ticket_reopened = models.BooleanField(default=False)
    evidence = models.JSONField(
        default=dict,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text="The evidence as it stood at the decision (empty before).",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ("-logged_at", "-id")
        constraints: ClassVar = [
            models.CheckConstraint(
                name="complaint_ticket_when_about_ticket",
                condition=~Q(about="ticket") | Q(ticket__isnull=False),
            ),
            models.CheckConstraint(
                name="complaint_charge_when_about_charge",
                condition=~Q(about="charge") | Q(charge__isnull=False),
            ),
            models.CheckConstraint(
                name="complaint_decided_has_outcome",
                condition=~Q(stage__in=["decided", "closed"])
                | (Q(decided_at__isnull=False) & ~Q(outcome="")),
            ),
            models.CheckConstraint(
                name="complaint_credit_has_currency",
                condition=Q(credit_amount__isnull=True) | ~Q(credit_currency=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_about_display().lower()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            stored = Complaint.objects.filter(pk=self.pk).values("stage", *FINAL_FIELDS).first()
            if stored is not None and stored["stage"] in FINAL_STAGES:
                changed = [f for f in FINAL_FIELDS if stored[f] != getattr(self, f)]
                # The only move left for a decided complaint is to closed.
                if self.stage != stored["stage"] and self.stage != Stage.CLOSED:
                    changed.append("stage")
                if changed:
                    raise ComplaintFinalError(
                        f"a decided complaint is final; refused change to {', '.join(changed)}"
                    )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ComplaintFinalError("complaints are kept; they are never deleted")

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def is_final(self) -> bool:
        return self.stage in FINAL_STAGES

    def target_state(self, due: Any, done_at: Any, met: bool | None, now: Any) -> str:
        if met is True:
            return "met"
        if met is False:
            return "breached"
        if done_at is None and now > due:
            return "overdue"
        return "pending"

    def acknowledge_state(self, now: Any) -> str:
        return self.target_state(
            self.acknowledge_due, self.acknowledged_at, self.acknowledge_met, now
        )

    def decision_state(self, now: Any) -> str:
        return self.target_state(self.decision_due, self.decided_at, self.decision_met, now)


class ComplaintNote(models.Model):
    """An annotation: the only thing that can be added to a decided complaint."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    body = models.TextField()
    visible_to_customer = models.BooleanField(default=False)

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"Note on {self.complaint_id} at {self.at:%Y-%m-%d %H:%M}"

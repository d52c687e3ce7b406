"""Tickets, their conversation (replies, internal notes, phone calls) and attachments.

Rows are written only by `sladesk.tickets.actions`; reads that serve a user go through
`sladesk.tickets.selectors`, which scope them to what that user may see.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from sladesk.tickets.storage import get_private_storage


class Priority(models.TextChoices):
    # Values are the SLA engine's `Priority` values.
    CRITICAL = "critical", "Critical"
    MAJOR = "major", "Major"
    NORMAL = "normal", "Normal"
    MINOR = "minor", "Minor"
    ENHANCEMENT = "enhancement", "Enhancement"


class Status(models.TextChoices):
    NEW = "new", "New"
    RESPONDED = "responded", "Responded"
    IN_PROGRESS = "in_progress", "In progress"
    AWAITING_CUSTOMER = "awaiting_customer", "Awaiting customer"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (Status.NEW, Status.RESPONDED, Status.IN_PROGRESS, Status.AWAITING_CUSTOMER)


class Affected(models.TextChoices):
    ONE_PERSON = "one_person", "One person"
    SEVERAL_PCS = "several_pcs", "Several PCs"
    ENTIRE_CENTRE = "entire_centre", "Entire contact centre"


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    WEB = "web", "Web"
    EMAIL = "email", "Email"
    API = "api", "API"
    OUT_OF_HOURS = "out_of_hours", "Out-of-hours line"


class ResponseKind(models.TextChoices):
    PUBLIC_REPLY = "public_reply", "Public reply"
    OUTBOUND_CALL = "outbound_call", "Outbound phone call"
    INVESTIGATING = "investigating", "Marked as under investigation"


class Scope(models.TextChoices):
    PRODUCT_FAULT = "product_fault", "Fault in the product (included)"
    THIRD_PARTY = "third_party", "Third-party application supplied by us"
    CUSTOMER_SCRIPT = "customer_script", "Script/report not built or changed by us"
    ENVIRONMENT = "environment", "Customer environment (server, network, client)"
    HARDWARE = "hardware", "Hardware"
    TUITION = "tuition", "Tuition"
    MIGRATION = "migration", "Server migration / upgrade"
    ENHANCEMENT = "enhancement", "New functionality / bespoke work"
    NOT_COVERED = "not_covered", "No valid contract"


class TicketCounter(models.Model):
    """The counter ticket references are issued from; one row per name."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class Ticket(models.Model):
    reference = models.CharField(max_length=40, unique=True, editable=False)

    company = models.ForeignKey(
        "customers.Company", on_delete=models.PROTECT, related_name="tickets"
    )
    contact = models.ForeignKey(
        "customers.Contact", on_delete=models.PROTECT, related_name="tickets"
    )
    contact_name = models.CharField(max_length=200)
    contact_phone = models.CharField(max_length=40)
    module = models.ForeignKey("customers.Module", on_delete=models.PROTECT, related_name="tickets")
    version = models.CharField(max_length=50)

    overview = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    affected = models.CharField("who is affected", max_length=20, choices=Affected.choices)
    problem_since = models.DateTimeField("problem since")
    error_details = models.TextField("error messages")
    business_impact = models.TextField()
    channel = models.CharField(max_length=20, choices=Channel.choices)

    logged_at = models.DateTimeField(db_index=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets_logged"
    )

    # What was in force when the ticket was logged. Empty coverage: no valid contract.
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    coverage = models.CharField(max_length=10, blank=True)
    policy = models.ForeignKey(
        "contracts.SlaPolicy", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    needs_review = models.BooleanField(
        default=False, help_text="No valid contract covered the module: review entitlement."
    )
    possibly_chargeable = models.BooleanField(default=False)

    proposed_priority = models.CharField(max_length=20, choices=Priority.choices, blank=True)
    priority = models.CharField(max_length=20, choices=Priority.choices, default=Priority.NORMAL)
    # The queue's order after the due time (critical first). Kept by the database, so the
    # `ticket_queue_order` index can hold the queue's whole order: tickets logged out of
    # hours share one due time, and without the rank in the index each take next sorted
    # all of them (docs/benchmarks.md, "Scale").
    priority_rank = models.GeneratedField(
        expression=models.Case(
            models.When(priority=Priority.CRITICAL, then=models.Value(0)),
            models.When(priority=Priority.MAJOR, then=models.Value(1)),
            models.When(priority=Priority.NORMAL, then=models.Value(2)),
            models.When(priority=Priority.MINOR, then=models.Value(3)),
            default=models.Value(4),
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )

    response_due = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    response_met = models.BooleanField(null=True, blank=True)
    response_due_at_response = models.DateTimeField(null=True, blank=True)
    first_response_kind = models.CharField(max_length=20, choices=ResponseKind.choices, blank=True)
    first_response_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    scope = models.CharField(max_length=20, choices=Scope.choices, blank=True)
    chargeable = models.BooleanField(null=True, blank=True)
    agreed_delivery_date = models.DateField(null=True, blank=True)

    split_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="split_tickets"
    )
    resolution = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    # The queue (sladesk.queue): who deals with the ticket. Written only by queue actions.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    # When the response clock starts: the logging instant, or the next opening for a ticket
    # logged out of hours that gets no out-of-hours action ("waiting for the opening").
    sla_clock_starts_at = models.DateTimeField(null=True, blank=True)
    # When the configured share of the response target is used (the warning threshold).
    sla_warn_at = models.DateTimeField(null=True, blank=True)
    # The next instant the SLA monitor must look at this ticket; empty when nothing is left
    # to watch. The monitor reads only rows whose instant has passed, through this index,
    # so a scan costs what is due, not what is open.
    sla_next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ("-logged_at", "-id")
        constraints: ClassVar = [
            models.CheckConstraint(
                name="met_only_when_responded",
                condition=Q(response_met__isnull=True) | Q(responded_at__isnull=False),
            ),
        ]
        indexes: ClassVar = [
            # The queue's order for unassigned open tickets (see sladesk.queue.selectors).
            # PostgreSQL sorts NULLs last in ascending order: this index serves the queue's
            # "ORDER BY response_due ASC NULLS LAST". (SQLite refuses NULLS LAST in an index.)
            models.Index(
                fields=["response_due", "priority_rank", "logged_at", "id"],
                name="ticket_queue_order",
                condition=Q(
                    assignee__isnull=True,
                    responded_at__isnull=True,
                    status__in=["new", "responded", "in_progress", "awaiting_customer"],
                ),
            ),
            # Newest first within one company (a customer's own list, the company filter) and
            # within one status: without them a company's or a status's tickets are all read
            # and sorted for each page (docs/benchmarks.md, "Scale").
            models.Index(fields=["company", "-logged_at", "-id"], name="ticket_company_recent"),
            models.Index(fields=["status", "-logged_at", "-id"], name="ticket_status_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.overview}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def response_state(self, now: Any) -> str:
        """`met`, `breached`, `overdue` (no response yet, past due), `pending` or `no target`."""
        if self.response_met is True:
            return "met"
        if self.response_met is False:
            return "breached"
        if self.response_due is None:
            return "no target"
        if self.responded_at is None and now > self.response_due:
            return "overdue"
        return "pending"


class Message(models.Model):
    """One entry of the conversation: public reply, internal note, or logged phone call."""

    class Kind(models.TextChoices):
        PUBLIC = "public", "Public reply"
        INTERNAL = "internal", "Internal note"
        CALL = "call", "Phone call"

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound (customer called us)"
        OUTBOUND = "outbound", "Outbound (we called the customer)"

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="messages")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    body = models.TextField()
    call_direction = models.CharField(max_length=10, choices=Direction.choices, blank=True)
    call_duration_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.ticket_id} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def visible_to_customer(self) -> bool:
        return self.kind == self.Kind.PUBLIC


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name never contains the uploader's filename (kept in `original_name`).
    return f"attachments/{instance.ticket_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="attachments")
    message = models.ForeignKey(
        Message, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, storage=get_private_storage, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    internal = models.BooleanField(
        default=False, help_text="Attached to an internal note: never shown to customers."
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ("uploaded_at", "id")

    def __str__(self) -> str:
        return self.original_name

"""The email channel: the outbox (one row per event and recipient), notification templates
and preferences, inbound mail (every message received, kept raw) and what an emailed ticket
is missing.

Rows are written only by `sladesk.mail` (the outbox, the ingest path and its actions).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q


class Kind(models.TextChoices):
    # To customers
    TICKET_LOGGED = "ticket_logged", "Ticket logged (with its reference)"
    PUBLIC_REPLY = "public_reply", "Public reply on a ticket"
    STATUS_CHANGED = "status_changed", "Status change"
    RESOLVED = "resolved", "Resolution"
    PRIORITY_CHANGED = "priority_changed", "Priority change"
    # To staff
    CUSTOMER_REPLY = "customer_reply", "Customer replied (to the assignee)"
    ASSIGNED = "assigned", "Ticket assigned to you"
    SLA_WARNING = "sla_warning", "SLA warning"
    SLA_BREACH = "sla_breach", "SLA breach"
    ONCALL_PAGE = "oncall_page", "On-call page"


# Kinds nobody can turn off, and why (shown on the preferences page).
MANDATORY_REASONS = {
    # The contract: "your fault will be logged, a reference number issued". For an emailed
    # ticket this email is the only place the customer gets the reference, and it asks for
    # what the email lacked. It is sent once per ticket.
    Kind.TICKET_LOGGED: "it carries the reference number to quote, and asks for anything "
    "the helpdesk still needs",
    # An out-of-hours critical fault waits on the engineer who is paged.
    Kind.ONCALL_PAGE: "an out-of-hours fault waits on the engineer who is paged",
}
MANDATORY_KINDS = frozenset(MANDATORY_REASONS)
CUSTOMER_KINDS = frozenset(
    {
        Kind.TICKET_LOGGED,
        Kind.PUBLIC_REPLY,
        Kind.STATUS_CHANGED,
        Kind.RESOLVED,
        Kind.PRIORITY_CHANGED,
    }
)
STAFF_KINDS = frozenset(set(Kind) - CUSTOMER_KINDS)


class OutboundEmail(models.Model):
    """One email to one recipient for one event. The unique (key, recipient) pair is what
    makes a notification exactly once: the row is inserted in the transaction of the event.

    The Message-ID is fixed when the row is created, so every attempt hands the mail server
    the same message (see docs/email.md, "Guarantees").
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent (claimed by a worker)"
        SENT = "sent", "Sent"
        DEAD = "dead", "Given up (see the last error)"

    key = models.CharField(max_length=200, help_text="The event, e.g. audit:1234.")
    recipient = models.CharField(max_length=254)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    message_id = models.CharField(max_length=250, unique=True)
    in_reply_to = models.CharField(max_length=250, blank=True)
    references = models.TextField(blank=True)

    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # Attempts whose outcome is unknown: the connection dropped after the message data was
    # sent, or a worker stopped between handing it over and recording it.
    ambiguous_attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = "outbound email"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["key", "recipient"], name="one_email_per_event_recipient"
            ),
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due",
                condition=Q(state__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient} ({self.state})"


class NotificationTemplate(models.Model):
    """An administrator's version of one notification (Django template syntax). Without a
    row, the packaged template `mail/<kind>.*` is used."""

    kind = models.CharField(max_length=30, choices=Kind.choices, unique=True)
    subject = models.CharField(max_length=300)
    body_text = models.TextField("plain text")
    body_html = models.TextField("HTML", blank=True, help_text="Empty: the plain text, escaped.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("kind",)

    def __str__(self) -> str:
        return self.get_kind_display()


class NotificationPreference(models.Model):
    """A user who does not want one kind of notification by email (absent: wanted)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_preferences"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ("user", "kind")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {'on' if self.enabled else 'off'}"


class InboundMessage(models.Model):
    """Every message received, with its raw bytes. The unique keys make a second delivery
    of the same mail (IMAP re-fetch, MTA retry) create nothing new."""

    class Outcome(models.TextChoices):
        TICKET = "ticket", "New ticket"
        REPLY = "reply", "Reply on a ticket"
        QUARANTINED = "quarantined", "Quarantined for an agent"
        IGNORED = "ignored", "Ignored (automatic mail, bounce or loop)"
        RELEASED = "released", "Quarantine released by an agent"
        DISMISSED = "dismissed", "Quarantine dismissed by an agent"

    # The Message-ID, or the content hash for a message without one.
    dedupe_key = models.CharField(max_length=300, unique=True)
    content_hash = models.CharField(max_length=64, unique=True)
    message_id = models.CharField(max_length=300, blank=True)
    sender = models.CharField(max_length=254, blank=True, db_index=True)
    subject = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(db_index=True)
    source = models.CharField(max_length=20)
    raw = models.BinaryField()
    text = models.TextField(blank=True, help_text="The best decoded text.")
    defects = models.TextField(blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    reason = models.TextField(blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ticket_message = models.ForeignKey(
        "tickets.Message", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-received_at", "-pk")
        verbose_name = "inbound email"

    def __str__(self) -> str:
        return f"{self.sender or '?'}: {self.subject or '(no subject)'} [{self.outcome}]"


class MissingInformation(models.Model):
    """What "Logging Queries" asks for that an emailed ticket did not say, and what was
    assumed meanwhile. Shown on the ticket; asked of the customer in the acknowledgement."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="missing_information"
    )
    fields = models.JSONField(default=list, help_text="[{field, label, assumed}]")
    requested_at = models.DateTimeField()
    # The field names given since intake (`complete_ticket_details`), so the ticket shows
    # only what is still outstanding; the list above stays as it was asked.
    supplied = models.JSONField(default=list, blank=True)
    completed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last missing field was given."
    )

    def __str__(self) -> str:
        missing = ", ".join(f["field"] for f in self.outstanding)
        return f"{self.ticket_id}: {missing or 'complete'}"

    @property
    def outstanding(self) -> list[dict[str, str]]:
        return [f for f in self.fields if f["field"] not in self.supplied]

    @property
    def complete(self) -> bool:
        return self.completed_at is not None

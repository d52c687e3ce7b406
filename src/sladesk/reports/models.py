"""Stored figures the reports read: one row per ticket, derived from the ticket.

A report over a month reads these rows instead of recomputing business time for every
ticket on every page view. A row is derived data, never a record of its own: it is
rebuilt from its ticket whenever the ticket's `updated_at` differs from the one it was
computed from (`sladesk.reports.facts.sync`), so a report never shows a stale row.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q


class ResponseFact(models.Model):
    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # The first day of the London calendar month of `logged_at`.
    month = models.DateField()
    logged_at = models.DateTimeField()
    # 0 = Monday 00:00-00:59 London time ... 167 = Sunday 23:00-23:59.
    hour_of_week = models.PositiveSmallIntegerField()
    company = models.ForeignKey("customers.Company", on_delete=models.CASCADE, related_name="+")
    priority = models.CharField(max_length=20)
    channel = models.CharField(max_length=20)
    # Who made the first response (the agent the response is credited to).
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    response_due = models.DateTimeField(null=True)
    responded_at = models.DateTimeField(null=True)
    response_met = models.BooleanField(null=True)
    # Open time of the calendar the ticket's response clock runs on, from logging to the
    # first response; empty until there is a response.
    business_seconds = models.BigIntegerField(null=True)
    calendar = models.CharField(max_length=60, blank=True)
    source_updated_at = models.DateTimeField()
    computed_at = models.DateTimeField()

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["month", "company"], name="reports_fact_month"),
            # The few rows whose outcome depends on when the report is read.
            models.Index(
                fields=["month"],
                name="reports_fact_unanswered",
                condition=Q(
                    response_met__isnull=True,
                    responded_at__isnull=True,
                    response_due__isnull=False,
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"facts of ticket {self.ticket_id}"


class MonthFigure(models.Model):
    """A month's compliance figures for one group of tickets, made from the month's
    `ResponseFact` rows whenever any of them changes (`sladesk.reports.summaries`).

    `scope` is empty for the whole helpdesk, or a company (what a customer contact sees).
    Whether an unanswered ticket is breached or still pending depends on the moment the
    report is read, so those are counted when it is read (`unanswered` is their number).
    """

    month = models.DateField()
    scope = models.ForeignKey(
        "customers.Company", on_delete=models.CASCADE, null=True, related_name="+"
    )
    # "all", "priority", "customer", "agent" (key 0: no response yet) or "channel".
    dimension = models.CharField(max_length=20)
    key = models.CharField(max_length=40, blank=True)
    logged = models.PositiveIntegerField()
    met = models.PositiveIntegerField()
    breached = models.PositiveIntegerField(help_text="Responses recorded as breached.")
    no_target = models.PositiveIntegerField()
    unanswered = models.PositiveIntegerField(help_text="No response yet, with a due time.")
    median_seconds = models.FloatField(null=True)
    p90_seconds = models.FloatField(null=True)
    computed_at = models.DateTimeField()

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["month", "scope", "dimension"], name="reports_figure_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.dimension} {self.key}"

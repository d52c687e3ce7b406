"""Price lists and contract billing terms are data a manager edits in the admin (audited).
Everything else is written by actions; the admin shows it read-only."""

from __future__ import annotations

from django.contrib import admin

from sladesk.audit.admin_mixins import AuditedAdmin
from sladesk.billing.models import (
    Charge,
    ContractBilling,
    Enhancement,
    PriceList,
    ScopeDecision,
    SowReference,
    Statement,
    TimeEntry,
)


@admin.register(PriceList)
class PriceListAdmin(AuditedAdmin):
    list_display = (
        "name",
        "valid_from",
        "currency",
        "in_hours_rate",
        "out_of_hours_rate",
        "minimum_billable_hours",
    )
    list_filter = ("name", "currency")


@admin.register(ContractBilling)
class ContractBillingAdmin(AuditedAdmin):
    list_display = ("contract", "price_list_name", "minimum_billable_hours")
    search_fields = ("contract__reference", "price_list_name")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by billing actions: looked at here, changed only through actions."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScopeDecision)
class ScopeDecisionAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "category", "chargeable", "decided_at", "decided_by")
    list_filter = ("category",)


@admin.register(TimeEntry)
class TimeEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "ticket",
        "staff",
        "started_at",
        "duration_seconds",
        "in_hours_seconds",
        "out_of_hours_seconds",
        "is_diagnosis",
    )


@admin.register(SowReference)
class SowReferenceAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "reference", "agreed_at")


@admin.register(Enhancement)
class EnhancementAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "stage", "agreed_delivery_date", "delivered_at")


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ("number", "company", "month", "status", "issued_total")


@admin.register(Charge)
class ChargeAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "statement", "kind", "currency", "amount", "held", "decision")

from __future__ import annotations

from django.contrib import admin

from sladesk.audit.admin_mixins import AuditedAdmin
from sladesk.contracts.models import CalendarDate, Contract, SlaCalendar, SlaPolicy


class CalendarDateInline(admin.TabularInline):
    model = CalendarDate
    extra = 0


@admin.register(SlaCalendar)
class SlaCalendarAdmin(AuditedAdmin):
    list_display = ("name", "updated_at")
    inlines = (CalendarDateInline,)


@admin.register(CalendarDate)
class CalendarDateAdmin(AuditedAdmin):
    list_display = ("date", "calendar", "kind", "reason")
    list_filter = ("calendar", "kind")
    date_hierarchy = "date"


@admin.register(SlaPolicy)
class SlaPolicyAdmin(AuditedAdmin):
    list_display = ("name", "is_default", "updated_at")


@admin.register(Contract)
class ContractAdmin(AuditedAdmin):
    list_display = (
        "reference",
        "company",
        "coverage",
        "signed_on",
        "valid_from",
        "valid_to",
        "policy",
    )
    list_filter = ("coverage", "company")
    search_fields = ("reference", "company__name", "sow_reference", "price_list_reference")
    filter_horizontal = ("modules",)

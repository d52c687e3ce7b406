from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sladesk.audit.admin_mixins import AuditedAdmin
from sladesk.planning.models import PolicyDraft, WorkingHours


@admin.register(PolicyDraft)
class PolicyDraftAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    # Drafts are made, replayed and activated through the what-if page and command, which
    # audit each step; the admin only lists them.
    list_display = ("name", "policy", "state", "replayed_at", "activated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WorkingHours)
class WorkingHoursAdmin(AuditedAdmin):
    list_display = ("agent", "weekday", "starts", "ends")
    list_filter = ("weekday",)

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sladesk.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = ("at", "action", "actor", "subject_type", "subject_id", "ticket")
    list_filter = ("action", "subject_type")
    search_fields = ("subject_id", "reason", "agreed_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

from __future__ import annotations

from django.contrib import admin, messages

from sladesk.mail.models import (
    InboundMessage,
    MissingInformation,
    NotificationPreference,
    NotificationTemplate,
    OutboundEmail,
)
from sladesk.mail.outbox import retry_now


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "kind",
        "recipient",
        "ticket",
        "state",
        "attempts",
        "ambiguous_attempts",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = ("state", "kind")
    search_fields = ("recipient", "subject", "message_id", "key")
    readonly_fields = tuple(f.name for f in OutboundEmail._meta.fields)
    actions = ("send_again",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Send again (same Message-ID)", permissions=["view"])
    def send_again(self, request, queryset):
        count = retry_now(queryset)
        messages.success(request, f"{count} email(s) will be sent at the worker's next pass.")


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ("received_at", "sender", "subject", "outcome", "ticket", "source")
    list_filter = ("outcome", "source")
    search_fields = ("sender", "subject", "message_id")
    exclude = ("raw",)
    readonly_fields = tuple(f.name for f in InboundMessage._meta.fields if f.name != "raw")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    list_display = ("kind", "subject", "active")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "enabled")
    list_filter = ("kind", "enabled")


@admin.register(MissingInformation)
class MissingInformationAdmin(admin.ModelAdmin):
    list_display = ("ticket", "requested_at", "completed_at")
    # Given only through `complete_ticket_details` (audited), never edited here.
    readonly_fields = ("ticket", "fields", "requested_at", "supplied", "completed_at")

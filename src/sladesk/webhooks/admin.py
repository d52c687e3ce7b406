from django import forms
from django.contrib import admin

from sladesk.audit.admin_mixins import AuditedAdmin
from sladesk.webhooks.models import Delivery, DeliveryAttempt, Endpoint, Event
from sladesk.webhooks.safety import target_problem


class EndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")

    class Meta:
        model = Endpoint
        fields = ("name", "url", "secret", "event_types", "active", "allow_private_network")

    def clean(self):
        data = super().clean()
        problem = target_problem(
            data.get("url") or "", allow_private=bool(data.get("allow_private_network"))
        )
        if problem:
            self.add_error("url", problem)
        if len(data.get("secret") or "") < 16:
            self.add_error("secret", "use a secret of at least 16 characters")
        return data


@admin.register(Endpoint)
class EndpointAdmin(AuditedAdmin):
    form = EndpointForm
    list_display = ("name", "url", "active", "allow_private_network")

    def save_model(self, request, obj, form, change):
        if not obj.created_at:
            from sladesk.core.clock import instant

            obj.created_at = instant(None)
        super().save_model(request, obj, form, change)


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("number", "at", "status_code", "error", "duration_ms")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("event", "endpoint", "status", "attempts", "next_attempt_at", "delivered_at")
    list_filter = ("status", "endpoint")
    readonly_fields = tuple(f.name for f in Delivery._meta.fields)
    inlines = (AttemptInline,)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("type", "created_at")
    readonly_fields = ("type", "payload", "created_at")

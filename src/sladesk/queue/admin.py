from django.contrib import admin

from sladesk.queue.models import AgentStatus, SlaAlert


@admin.register(AgentStatus)
class AgentStatusAdmin(admin.ModelAdmin):
    list_display = ("agent", "state", "changed_at")
    list_filter = ("state",)
    readonly_fields = ("agent", "state", "changed_at")

    def has_add_permission(self, request):
        return False


@admin.register(SlaAlert)
class SlaAlertAdmin(admin.ModelAdmin):
    list_display = ("ticket", "kind", "threshold", "created_at", "emailed_at", "worker")
    list_filter = ("kind",)
    readonly_fields = tuple(f.name for f in SlaAlert._meta.fields)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

from django.contrib import admin

from sladesk.audit.admin_mixins import AuditedAdmin
from sladesk.oncall.models import Page, Rota, RotaShift


class ShiftInline(admin.TabularInline):
    model = RotaShift
    extra = 0


@admin.register(Rota)
class RotaAdmin(AuditedAdmin):
    list_display = ("name", "time_zone", "ack_minutes", "manager")
    inlines = (ShiftInline,)


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ("ticket", "step", "recipient", "paged_at", "acknowledged_at", "escalated_at")
    readonly_fields = tuple(f.name for f in Page._meta.fields)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

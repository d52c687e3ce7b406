"""Complaint policies are edited here; complaints themselves change only through actions."""

from django.contrib import admin

from sladesk.complaints.models import Complaint, ComplaintNote, ComplaintPolicy


@admin.register(ComplaintPolicy)
class ComplaintPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "calendar",
        "acknowledge_business_days",
        "decision_business_days",
        "is_default",
    )


class ComplaintNoteInline(admin.TabularInline):
    model = ComplaintNote
    extra = 0
    can_delete = False
    readonly_fields = ("author", "at", "body", "visible_to_customer")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    """Read-only: stages, decisions and remedies go through the actions (and their audit)."""

    list_display = ("reference", "company", "about", "stage", "owner", "logged_at", "outcome")
    list_filter = ("stage", "about", "outcome", "cause")
    search_fields = ("reference", "company__name", "summary")
    inlines = (ComplaintNoteInline,)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.method in ("GET", "HEAD") and super().has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

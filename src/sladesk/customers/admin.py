from __future__ import annotations

from django.contrib import admin

from sladesk.audit.admin_mixins import AuditedAdmin
from sladesk.customers.models import Company, Contact, Module, ModuleVersion, Product


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ("name", "phone", "email", "user", "may_log_tickets")
    raw_id_fields = ("user",)


@admin.register(Company)
class CompanyAdmin(AuditedAdmin):
    list_display = ("name", "slug", "phone")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}  # noqa: RUF012
    inlines = (ContactInline,)


@admin.register(Contact)
class ContactAdmin(AuditedAdmin):
    list_display = ("name", "company", "phone", "email", "may_log_tickets")
    list_filter = ("company", "may_log_tickets")
    search_fields = ("name", "email", "phone")
    raw_id_fields = ("user",)


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0


@admin.register(Product)
class ProductAdmin(AuditedAdmin):
    list_display = ("name",)
    inlines = (ModuleInline,)


class VersionInline(admin.TabularInline):
    model = ModuleVersion
    extra = 0


@admin.register(Module)
class ModuleAdmin(AuditedAdmin):
    list_display = ("name", "product")
    list_filter = ("product",)
    inlines = (VersionInline,)

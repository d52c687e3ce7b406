"""Authors edit articles, checklists and installed versions in the admin. Saving an article
goes through the same text extraction and search indexing as `actions.save_article`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from sladesk.audit.admin_mixins import AuditedAdmin
from sladesk.core.clock import instant
from sladesk.knowledge import render, search
from sladesk.knowledge import versions as version_specs
from sladesk.knowledge.models import (
    Article,
    ArticleFile,
    ChecklistItem,
    DeflectionAttempt,
    InstalledVersion,
)


class ArticleFileInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ArticleFile
    extra = 1
    fields = ("name", "file", "content_type", "size")
    readonly_fields = ("content_type", "size")


class ArticleForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Article
        fields = "__all__"  # noqa: DJ007 - the admin's exclude applies

    def clean_versions(self) -> str:
        value = str(self.cleaned_data.get("versions") or "")
        problem = version_specs.check(value)
        if problem:
            raise forms.ValidationError(problem)
        return value


@admin.register(Article)
class ArticleAdmin(AuditedAdmin):
    form = ArticleForm
    list_display = ("title", "kind", "product", "module", "versions", "visibility", "state")
    list_filter = ("kind", "visibility", "state", "product")
    search_fields = ("title", "slug", "body")
    prepopulated_fields = {"slug": ("title",)}  # noqa: RUF012
    readonly_fields = ("created_at", "updated_at", "published_at", "source_path")
    exclude = ("author", "source_ticket")
    inlines = (ArticleFileInline,)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        at = instant(None)
        if not change:
            obj.author = request.user
            obj.created_at = at
        if obj.module_id and not obj.product_id:
            obj.product_id = obj.module.product_id
        if obj.state == "published" and obj.published_at is None:
            obj.published_at = at
        obj.body_text = render.plain_text(obj.body)
        obj.updated_at = at
        super().save_model(request, obj, form, change)
        search.index_article(obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Uploaded files get what the action would record: type, size, who and when.
        at = instant(None)
        for inline in formset.forms:
            stored = inline.instance
            upload = inline.cleaned_data.get("file") if inline.has_changed() else None
            if stored is None or upload is None or not hasattr(upload, "size"):
                continue
            stored.name = stored.name or getattr(upload, "name", "") or "file"
            stored.content_type = (
                getattr(upload, "content_type", None) or "application/octet-stream"
            )
            stored.size = upload.size or 0
            stored.uploaded_by = request.user
            stored.uploaded_at = at
        super().save_formset(request, form, formset, change)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        article_id = obj.pk
        super().delete_model(request, obj)
        search.unindex_article(article_id)


@admin.register(ChecklistItem)
class ChecklistItemAdmin(AuditedAdmin):
    list_display = ("product", "position", "question", "environmental", "active")
    list_filter = ("product", "environmental", "active")
    ordering = ("product", "position")


@admin.register(InstalledVersion)
class InstalledVersionAdmin(AuditedAdmin):
    list_display = ("company", "module", "version")
    list_filter = ("module",)
    search_fields = ("company__name",)


@admin.register(DeflectionAttempt)
class DeflectionAttemptAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("started_at", "company", "outcome", "solved_by", "ticket")
    list_filter = ("outcome",)
    readonly_fields = ("token", "user", "company", "text", "started_at", "ended_at", "outcome")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

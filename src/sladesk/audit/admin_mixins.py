"""Audit changes made in the Django admin (companies, contracts, policies, users...)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.http import HttpRequest

from sladesk.audit.recorder import record
from sladesk.core.clock import instant

# Never copied into audit events.
SECRET_FIELDS = frozenset({"password", "secret"})


def _plain(obj: models.Model) -> dict[str, Any]:
    data = model_to_dict(obj)
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in SECRET_FIELDS:
            continue
        if isinstance(value, list):
            value = sorted(getattr(v, "pk", v) for v in value)
        elif isinstance(value, models.Model):
            value = value.pk
        out[key] = value
    return out


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Each add, change and delete in the admin writes an audit event with before/after."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The admin instance is shared between requests: keep the state on the request.
        before = _plain(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else {}
        super().save_model(request, obj, form, change)
        request._sladesk_audit_before = before  # type: ignore[attr-defined]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        before = getattr(request, "_sladesk_audit_before", {})
        obj = form.instance
        record(
            actor=request.user,
            action=f"admin.{'changed' if change else 'added'}",
            at=instant(None),
            subject=obj,
            before=before,
            after=_plain(obj),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            before = _plain(obj)
            record(
                actor=request.user,
                action="admin.deleted",
                at=instant(None),
                subject=obj,
                before=before,
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

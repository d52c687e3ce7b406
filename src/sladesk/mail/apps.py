from __future__ import annotations

from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "sladesk.mail"
    label = "mail"
    verbose_name = "Email"

    def ready(self) -> None:
        # Notifications are decided from the audit events the actions write inside their
        # transaction: the outbox rows commit or roll back with the business event.
        from django.db.models.signals import post_save

        from sladesk.audit.models import AuditEvent
        from sladesk.mail.notifications import on_audit_event

        post_save.connect(on_audit_event, sender=AuditEvent, dispatch_uid="mail.on_audit_event")

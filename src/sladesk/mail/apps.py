from __future__ import annotations

from django.apps import AppConfig


class MailConfig(AppConfig):
    # Notifications are queued by an explicit call from `sladesk.audit.recorder.record`
    # (through `sladesk.core.notify.audit_event`), not by a signal receiver.
    name = "sladesk.mail"
    label = "mail"
    verbose_name = "Email"

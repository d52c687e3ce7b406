from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "sladesk.audit"
    label = "audit"
    verbose_name = "Audit"

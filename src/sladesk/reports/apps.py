from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "sladesk.reports"
    label = "reports"
    verbose_name = "reports"

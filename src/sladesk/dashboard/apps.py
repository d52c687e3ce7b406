from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "sladesk.dashboard"
    label = "dashboard"
    verbose_name = "manager dashboard"

from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "sladesk.console"
    label = "console"
    verbose_name = "agent console"

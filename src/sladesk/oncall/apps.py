from django.apps import AppConfig


class OncallConfig(AppConfig):
    name = "sladesk.oncall"
    label = "oncall"
    verbose_name = "On call"

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sladesk.core"
    label = "core"
    verbose_name = "sladesk core"

    def ready(self) -> None:
        from sladesk.core import checks  # noqa: F401  (registers the system checks)

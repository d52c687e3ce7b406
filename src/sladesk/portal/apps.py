from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "sladesk.portal"
    label = "portal"
    verbose_name = "customer portal"

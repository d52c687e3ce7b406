from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "sladesk.web"
    label = "web"
    verbose_name = "sladesk in the browser (shared pieces)"

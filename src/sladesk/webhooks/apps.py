from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "sladesk.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

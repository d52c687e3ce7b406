from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "sladesk.billing"
    label = "billing"
    verbose_name = "Billing"

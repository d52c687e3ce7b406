from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "sladesk.customers"
    label = "customers"
    verbose_name = "Customers"

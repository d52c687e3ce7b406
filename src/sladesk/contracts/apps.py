from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "sladesk.contracts"
    label = "contracts"
    verbose_name = "Support contracts"

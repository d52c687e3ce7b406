from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sladesk.accounts"
    label = "accounts"
    verbose_name = "Helpdesk people and roles"

from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "sladesk.complaints"
    label = "complaints"
    verbose_name = "Complaints and disputes"

from django.apps import AppConfig


class QueueConfig(AppConfig):
    name = "sladesk.queue"
    label = "queue"
    verbose_name = "Queue"

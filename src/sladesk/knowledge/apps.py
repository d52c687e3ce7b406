from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "sladesk.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge base"

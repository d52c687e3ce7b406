from __future__ import annotations

from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "sladesk.planning"
    label = "planning"
    verbose_name = "Planning (what-if replays and staffing forecast)"
    default_auto_field = "django.db.models.BigAutoField"

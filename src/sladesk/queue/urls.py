from __future__ import annotations

from django.urls import path

from sladesk.queue import views

app_name = "queue"

urlpatterns = [
    path("", views.queue_page, name="queue"),
    path("availability/", views.set_availability, name="availability"),
    path("take-next/", views.take_next, name="take_next"),
    path("team/", views.team_page, name="team"),
    path("assign/<str:reference>/", views.assign, name="assign"),
]

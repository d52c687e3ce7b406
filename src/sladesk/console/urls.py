from __future__ import annotations

from django.urls import path

from sladesk.console import views

app_name = "console"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("companies/", views.companies, name="companies"),
    path("availability/", views.availability, name="availability"),
    path("take-next/", views.take_next, name="take_next"),
    path("tickets/<str:reference>/", views.ticket, name="ticket"),
    path("tickets/<str:reference>/act/", views.act, name="act"),
    path("pages/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
]

from __future__ import annotations

from django.urls import path

from sladesk.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.compliance, name="compliance"),
    path("tickets/", views.tickets, name="tickets"),
    path("by/<str:table>/", views.breakdown, name="breakdown"),
    path("volumes/", views.volumes, name="volumes"),
    path("ageing/", views.ageing, name="ageing"),
    path("ageing/tickets/", views.ageing_tickets, name="ageing_tickets"),
    path("chargeable/", views.chargeable, name="chargeable"),
    path("chargeable/tickets/", views.chargeable_tickets, name="chargeable_tickets"),
]

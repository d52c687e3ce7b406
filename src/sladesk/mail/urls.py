from __future__ import annotations

from django.urls import path

from sladesk.mail import views

app_name = "mail"

urlpatterns = [
    path("quarantine/", views.quarantine, name="quarantine"),
    path("quarantine/<int:pk>/", views.item, name="item"),
    path("quarantine/<int:pk>/raw/", views.raw, name="raw"),
    path("quarantine/<int:pk>/act/", views.act, name="act"),
    path("preferences/", views.preferences, name="preferences"),
]

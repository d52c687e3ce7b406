from __future__ import annotations

from django.urls import path

from sladesk.oncall import views

app_name = "oncall"

urlpatterns = [
    path("", views.oncall_page, name="oncall"),
    path("pages/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("line/", views.out_of_hours_line, name="line"),
]

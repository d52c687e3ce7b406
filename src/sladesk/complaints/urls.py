from __future__ import annotations

from django.urls import path

from sladesk.complaints import views

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("new/", views.complaint_new, name="new"),
    path("report/", views.report, name="report"),
    path("<str:reference>/", views.complaint_detail, name="detail"),
    path("<str:reference>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<str:reference>/investigate/", views.investigate, name="investigate"),
    path("<str:reference>/decide/", views.decide, name="decide"),
    path("<str:reference>/close/", views.close, name="close"),
    path("<str:reference>/annotate/", views.annotate, name="annotate"),
    path("<str:reference>/assign/", views.assign, name="assign"),
]

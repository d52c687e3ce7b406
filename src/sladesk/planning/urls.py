from __future__ import annotations

from django.urls import path

from sladesk.planning import views

app_name = "planning"

urlpatterns = [
    path("what-if/", views.what_if, name="what_if"),
    path("what-if/<int:pk>/", views.draft, name="draft"),
    path("staffing/", views.staffing_page, name="staffing"),
]

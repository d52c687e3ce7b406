from __future__ import annotations

from django.urls import path

from sladesk.tickets import views

app_name = "tickets"

urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("tickets/<str:reference>/", views.ticket_detail, name="detail"),
    path("tickets/<str:reference>/reply/", views.post_reply, name="reply"),
    path("tickets/<str:reference>/attachments/<int:pk>/", views.attachment, name="attachment"),
]

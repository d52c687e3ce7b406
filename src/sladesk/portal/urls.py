from __future__ import annotations

from django.urls import path

from sladesk.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new_ticket, name="new"),
    path("suggest/", views.suggest, name="suggest"),
    path("tickets/<str:reference>/", views.ticket, name="ticket"),
    path("tickets/<str:reference>/reply/", views.reply, name="reply"),
    path("tickets/<str:reference>/priority/", views.propose, name="propose"),
    path("tickets/<str:reference>/details/", views.details, name="details"),
]

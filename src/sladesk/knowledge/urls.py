from __future__ import annotations

from django.urls import path

from sladesk.knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.edit, name="new"),
    path("articles/<slug:slug>/", views.article, name="article"),
    path("articles/<slug:slug>/edit/", views.edit, name="edit"),
    path("articles/<slug:slug>/files/<str:name>", views.article_file, name="file"),
    path("solved/", views.solved, name="solved"),
    path("deflection/", views.deflection, name="deflection"),
    path("tickets/<str:reference>/link/", views.link, name="link"),
    path("tickets/<str:reference>/draft/", views.draft, name="draft"),
]

from __future__ import annotations

from django.urls import path

from sladesk.billing import views

app_name = "billing"

urlpatterns = [
    path("tickets/<str:reference>/", views.ticket_billing, name="ticket"),
    path("tickets/<str:reference>/time/", views.post_time, name="time"),
    path("tickets/<str:reference>/scope/", views.post_scope, name="scope"),
    path("tickets/<str:reference>/sow/", views.post_sow, name="sow"),
    path("tickets/<str:reference>/enhancement/", views.post_enhancement, name="enhancement"),
    path("statements/", views.statement_list, name="statements"),
    path("statements/generate/", views.post_generate, name="generate"),
    path("statements/<int:pk>/", views.statement_detail, name="statement"),
    path("statements/<int:pk>/statement.pdf", views.statement_pdf, name="statement_pdf"),
    path("statements/<int:pk>/statement.csv", views.statement_csv, name="statement_csv"),
    path("statements/<int:pk>/issue/", views.post_issue, name="issue"),
    path("charges/<int:pk>/dispute/", views.post_dispute, name="dispute"),
]

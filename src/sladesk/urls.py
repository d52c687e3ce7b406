from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from sladesk.api.main import api
from sladesk.core.health import healthz, readyz
from sladesk.web.views import LoginView

admin.site.site_header = "sladesk administration"
admin.site.site_title = "sladesk"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("account/", include("sladesk.api.urls")),
    path("queue/", include("sladesk.queue.urls")),
    path("oncall/", include("sladesk.oncall.urls")),
    path("billing/", include("sladesk.billing.urls")),
    path("complaints/", include("sladesk.complaints.urls")),
    path("portal/", include("sladesk.portal.urls")),
    path("console/", include("sladesk.console.urls")),
    path("mail/", include("sladesk.mail.urls")),
    path("dashboard/", include("sladesk.dashboard.urls")),
    path("planning/", include("sladesk.planning.urls")),
    path("kb/", include("sladesk.knowledge.urls")),
    path("reports/", include("sladesk.reports.urls")),
    path("", include("sladesk.tickets.urls")),
]

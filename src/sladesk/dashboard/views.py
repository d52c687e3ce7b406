"""The manager dashboard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from sladesk.dashboard import charts
from sladesk.dashboard.selectors import PERIODS, dashboard_for


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    data = dashboard_for(request.user, period=request.GET.get("period", "today"), now=now)
    if data is None:
        raise PermissionDenied("The dashboard is for managers.")
    return render(
        request,
        "dashboard/home.html",
        {
            **data,
            "now": now,
            "periods": PERIODS.items(),
            "priority_chart": charts.sla_chart(data["by_priority"]),
            "company_chart": charts.sla_chart(data["by_company"]),
            "load_chart": charts.load_chart(data["team"]),
        },
    )

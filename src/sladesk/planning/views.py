"""The what-if page (administrators) and the staffing page (managers). Thin: they parse
the form, call the planning actions, and show what the selectors and the forecast return."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.planning import actions, selectors, staffing
from sladesk.planning.models import PolicyDraft

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def parse_closures(text: str) -> tuple[dict[str, str], str | None]:
    """Lines "YYYY-MM-DD reason" to {date: reason}; the form's own format."""
    out: dict[str, str] = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        day, _, reason = line.partition(" ")
        out[day] = reason.strip() or "Closed"
    return actions.parse_closed_dates(out)


@require_http_methods(["GET", "POST"])
@login_required
def what_if(request: HttpRequest) -> HttpResponse:
    if not selectors.can_replay(request.user):
        raise PermissionDenied("The what-if replay is for administrators.")
    policies = list(selectors.policies_for(request.user))
    errors: dict[str, str] = {}
    form: dict[str, Any] = {"months": "6", "name": "", "closures": ""}
    chosen = policies[0] if policies else None
    if request.method == "POST":
        form = {
            k: request.POST.get(k, "") for k in ("policy", "name", "data", "closures", "months")
        }
        chosen = next((p for p in policies if str(p.pk) == form["policy"]), None)
        data: Any = None
        if chosen is None:
            errors["policy"] = "choose the policy to change"
        try:
            data = json.loads(form["data"]) if form["data"].strip() else None
        except ValueError as exc:
            errors["data"] = f"the candidate policy is not JSON: {exc}"
        closed, closure_error = parse_closures(form["closures"])
        if closure_error:
            errors["closed_dates"] = closure_error
        months = int(form["months"]) if form["months"].isdigit() else 0
        if not 1 <= months <= actions.MAX_REPLAY_MONTHS:
            errors["months"] = f"a whole number of months from 1 to {actions.MAX_REPLAY_MONTHS}"
        if not errors and chosen is not None:
            try:
                new = actions.create_draft(
                    actor=request.user,  # type: ignore[arg-type]
                    policy=chosen,
                    name=form["name"],
                    data=data,
                    closed_dates=closed,
                )
                actions.replay_draft(actor=request.user, draft=new, months=months)  # type: ignore[arg-type]
            except ActionValidationError as exc:
                errors.update(exc.errors)
            except ActionPermissionDenied as exc:
                raise PermissionDenied(str(exc)) from exc
            else:
                return redirect("planning:draft", pk=new.pk)
    if "data" not in form or not form.get("data"):
        form["data"] = json.dumps(chosen.data if chosen else {}, indent=2)
    return render(
        request,
        "planning/what_if.html",
        {
            "drafts": selectors.drafts_for(request.user)[:50],
            "policies": policies,
            "chosen": chosen,
            "form": form,
            "errors": errors,
            "max_months": actions.MAX_REPLAY_MONTHS,
        },
        status=400 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def draft(request: HttpRequest, pk: int) -> HttpResponse:
    if not selectors.can_replay(request.user):
        raise PermissionDenied("The what-if replay is for administrators.")
    found = selectors.drafts_for(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such draft.")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if request.POST.get("do") == "activate":
                actions.activate_draft(
                    actor=request.user,  # type: ignore[arg-type]
                    draft=found,
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, f"{found.name} is now the policy in force.")
            else:
                text = request.POST.get("months", "")
                actions.replay_draft(
                    actor=request.user,  # type: ignore[arg-type]
                    draft=found,
                    months=int(text) if text.isdigit() else 0,
                )
                messages.success(request, "Replayed.")
        except ActionValidationError as exc:
            errors = exc.errors
        except ActionPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        else:
            return redirect("planning:draft", pk=found.pk)
        found = PolicyDraft.objects.get(pk=found.pk)
    replay = found.replay or {}
    return render(
        request,
        "planning/draft.html",
        {
            "draft": found,
            "replay": replay,
            "rows": replay.get("by_priority", []),
            "companies": replay.get("companies", []),
            "errors": errors,
            "max_months": actions.MAX_REPLAY_MONTHS,
            "data_json": json.dumps(found.data, indent=2),
        },
        status=400 if errors else 200,
    )


@require_http_methods(["GET"])
@login_required
def staffing_page(request: HttpRequest) -> HttpResponse:
    if not selectors.can_view_staffing(request.user):
        raise PermissionDenied("The staffing forecast is for managers.")
    errors: dict[str, str] = {}
    weeks_text = request.GET.get("weeks", "8")
    probability_text = request.GET.get("probability", "80")
    weeks = int(weeks_text) if weeks_text.isdigit() else 0
    percent = int(probability_text) if probability_text.isdigit() else 0
    if not 1 <= weeks <= 52:
        errors["weeks"] = "weeks of history: a whole number from 1 to 52"
    if not 50 <= percent <= 99:
        errors["probability"] = "probability: a whole percentage from 50 to 99"
    context: dict[str, Any] = {"weeks": weeks_text, "probability": probability_text}
    if not errors:
        fc = staffing.forecast(at=timezone.now(), history_weeks=weeks, probability=percent / 100)
        context.update(
            forecast=fc, grid=_grid(fc), at_risk=fc.at_risk, days=week_days(fc.week_starts)
        )
    context["errors"] = errors
    return render(request, "planning/staffing.html", context, status=400 if errors else 200)


def _grid(fc: staffing.Forecast) -> list[dict[str, Any]]:
    """Rows of hours 00-23, a cell per day: the week at a glance."""
    cells: dict[tuple[int, int], staffing.HourForecast] = {}
    for h in fc.hours:
        cells.setdefault((h.local.hour, h.local.weekday()), h)
    rows = []
    for hour in range(24):
        rows.append(
            {
                "label": f"{hour:02d}:00",
                "cells": [cells.get((hour, day)) for day in range(7)],
            }
        )
    return rows


def week_days(start: dt.datetime) -> list[str]:
    local = start.astimezone(staffing.LONDON)
    return [f"{(local + dt.timedelta(days=i)):%a %d %b}" for i in range(7)]

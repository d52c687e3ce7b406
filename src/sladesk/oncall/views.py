"""Minimal on-call pages: who is on call, pages and acknowledgement, the out-of-hours line."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sladesk.accounts.roles import Capability
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.customers.models import Company, Contact, Module
from sladesk.oncall import actions, selectors
from sladesk.oncall.models import Page
from sladesk.tickets.models import Affected, Priority, Ticket
from sladesk.tickets.selectors import ticket_for

LONDON = ZoneInfo("Europe/London")


def _staff_only(request: HttpRequest) -> Any:
    user = request.user
    if not (user.is_authenticated and user.can(Capability.VIEW_INTERNAL)):  # type: ignore[union-attr]
        raise PermissionDenied
    return user


@require_GET
@login_required
def oncall_page(request: HttpRequest) -> HttpResponse:
    user = _staff_only(request)
    now = timezone.now()
    rota = actions.default_rota()
    return render(
        request,
        "oncall/oncall.html",
        {
            "now": now,
            "rota": rota,
            "on_call": actions.on_call_at(rota, now),
            "manager": actions.chain_manager(rota),
            "shifts": selectors.shifts_for(user, rota, start=now, end=now + dt.timedelta(days=7)),
            "open_pages": selectors.pages_for(user, open_only=True),
            "recent_pages": selectors.pages_for(user, limit=30),
            "can_ack": user.can(Capability.ACKNOWLEDGE_PAGE),
        },
    )


@require_POST
@login_required
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff_only(request)
    page = page_or_404(user, pk)
    try:
        actions.acknowledge_page(actor=user, page=page)
    except (ActionValidationError, ActionPermissionDenied) as exc:
        errors = exc.errors if isinstance(exc, ActionValidationError) else {"": str(exc)}
        for field, message in errors.items():
            messages.error(request, f"{field}: {message}" if field else message)
    else:
        messages.success(request, f"Acknowledged {page.ticket.reference}.")
    target = request.POST.get("next", "")
    if target == "ticket":
        return redirect("tickets:detail", reference=page.ticket.reference)
    return redirect("oncall:oncall")


def _parse_local(value: str) -> dt.datetime | None:
    try:
        naive = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return naive if naive.tzinfo else naive.replace(tzinfo=LONDON)


@require_http_methods(["GET", "POST"])
@login_required
def out_of_hours_line(request: HttpRequest) -> HttpResponse:
    user = _staff_only(request)
    if not user.can(Capability.LOG_TICKET):
        raise PermissionDenied
    errors: dict[str, str] = {}
    data = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        contact = (
            Contact.objects.select_related("company").filter(pk=data.get("contact") or 0).first()
        )
        module = Module.objects.filter(pk=data.get("module") or 0).first()
        try:
            ticket = actions.log_out_of_hours_call(
                actor=user,
                company=contact.company if contact else None,
                contact=contact,
                contact_name=data.get("contact_name", ""),
                contact_phone=data.get("contact_phone", ""),
                module=module,
                version=data.get("version", ""),
                overview=data.get("overview", ""),
                description=data.get("description", ""),
                affected=data.get("affected", ""),
                problem_since=_parse_local(data.get("problem_since", "")),
                error_details=data.get("error_details", ""),
                business_impact=data.get("business_impact", ""),
                priority=data.get("priority") or None,
            )
        except ActionValidationError as exc:
            errors = exc.errors
        except ActionPermissionDenied as exc:
            errors = {"actor": str(exc)}
        else:
            return redirect(f"{request.path}?logged={ticket.reference}")
    logged = None
    if request.GET.get("logged"):
        try:
            logged = ticket_for(user, request.GET["logged"])
        except Ticket.DoesNotExist:
            logged = None
    return render(
        request,
        "oncall/line.html",
        {
            "logged": logged,
            "pages": selectors.pages_for_ticket(user, logged) if logged else [],
            "errors": errors,
            "data": data,
            "contacts": Contact.objects.select_related("company").order_by("company__name", "name"),
            "modules": Module.objects.select_related("product").order_by("product__name", "name"),
            "companies": Company.objects.order_by("name"),
            "affected": Affected.choices,
            "priorities": Priority.choices,
            "now_local": timezone.now().astimezone(LONDON).strftime("%Y-%m-%dT%H:%M"),
        },
    )


def page_or_404(user: Any, pk: int) -> Page:
    page = Page.objects.filter(pk=pk).first()
    if page is None or not user.can(Capability.VIEW_INTERNAL):
        raise Http404("No such page")
    return page

"""Minimal queue pages. Reads go through selectors; writes call actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from sladesk.accounts.models import User
from sladesk.accounts.roles import Capability
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.queue import actions, selectors
from sladesk.tickets.models import Ticket
from sladesk.tickets.selectors import ticket_for
from sladesk.web.redirects import safe_next

PAGE_SIZE = 50
MINE_LIMIT = 50


def _flash_errors(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, ActionValidationError):
        for field, message in exc.errors.items():
            messages.error(request, f"{field}: {message}")
    else:
        messages.error(request, str(exc))


@require_GET
@login_required
def queue_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.can(Capability.TAKE_TICKET):  # type: ignore[union-attr]
        raise PermissionDenied
    now = timezone.now()
    # One page in the queue's order; a page number past the end gives the last page.
    paginator = selectors.QueuePaginator(selectors.queue_for(user, now=now), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    tickets = list(page)
    return render(
        request,
        "queue/queue.html",
        {
            "now": now,
            "available": selectors.availability_of(user),
            "page": page,
            "ready": [t for t in tickets if not getattr(t, "waiting", False)],
            "waiting": [t for t in tickets if getattr(t, "waiting", False)],
            "mine": selectors.assigned_to(user)[:MINE_LIMIT],
            "total": page.paginator.count,
        },
    )


@require_POST
@login_required
def set_availability(request: HttpRequest) -> HttpResponse:
    try:
        actions.set_availability(
            actor=request.user,  # type: ignore[arg-type]
            available=request.POST.get("available") == "1",
        )
    except (ActionValidationError, ActionPermissionDenied) as exc:
        _flash_errors(request, exc)
    return redirect("queue:queue")


@require_POST
@login_required
def take_next(request: HttpRequest) -> HttpResponse:
    try:
        ticket = actions.take_next(actor=request.user)  # type: ignore[arg-type]
    except (ActionValidationError, ActionPermissionDenied) as exc:
        _flash_errors(request, exc)
        return redirect("queue:queue")
    if ticket is None:
        messages.info(request, "The queue is empty.")
        return redirect("queue:queue")
    messages.success(request, f"You took {ticket.reference}.")
    return redirect("tickets:detail", reference=ticket.reference)


@require_GET
@login_required
def team_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.can(Capability.VIEW_TEAM):  # type: ignore[union-attr]
        raise PermissionDenied
    now = timezone.now()
    return render(
        request,
        "queue/team.html",
        {
            "now": now,
            "team": selectors.team_for(user),
            "queue": selectors.queue_for(user, now=now)[:100],
            "agents": selectors.assignable_agents(user),
            "can_assign": user.can(Capability.ASSIGN_TICKET),  # type: ignore[union-attr]
        },
    )


@require_POST
@login_required
def assign(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        ticket = ticket_for(request.user, reference)
    except Ticket.DoesNotExist as exc:
        raise Http404("No such ticket") from exc
    agent_id = request.POST.get("agent", "")
    agent = None
    if agent_id:
        agent = selectors.assignable_agents(request.user).filter(pk=agent_id).first()
        if agent is None:
            messages.error(request, "agent: choose an agent from the list")
            return redirect(safe_next(request, "queue:team"))
    try:
        actions.assign(
            actor=request.user,  # type: ignore[arg-type]
            ticket=ticket,
            agent=agent,
            reason=request.POST.get("reason", ""),
        )
    except (ActionValidationError, ActionPermissionDenied) as exc:
        _flash_errors(request, exc)
    else:
        who = agent if isinstance(agent, User) else "the queue"
        messages.success(request, f"{ticket.reference} assigned to {who}.")
    return redirect("queue:team")

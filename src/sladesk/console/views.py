"""The agent console: the live SLA queue, take next, and the ticket page with every action.

Reads go through the queue, tickets and on-call selectors; each form calls one action.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from sladesk.accounts.roles import Capability
from sladesk.console import selectors as console_selectors
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.oncall import actions as oncall_actions
from sladesk.oncall.selectors import pages_for_ticket
from sladesk.queue import actions as queue_actions
from sladesk.queue import selectors as queue_selectors
from sladesk.tickets import actions, selectors
from sladesk.tickets.models import OPEN_STATUSES, Message, Priority, Scope, Status, Ticket
from sladesk.web.redirects import safe_next

POLL_SECONDS = 15


def _staff(request: HttpRequest) -> Any:
    user = request.user
    if not (user.is_authenticated and user.can(Capability.TAKE_TICKET)):  # type: ignore[union-attr]
        raise PermissionDenied("The console is for helpdesk staff.")
    return user


def _ticket_or_404(user: Any, reference: str) -> Ticket:
    try:
        return selectors.ticket_for(user, reference)
    except Ticket.DoesNotExist as exc:
        raise Http404("No such ticket") from exc


# ------------------------------------------------------------------------------- queue


@require_GET
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    now = timezone.now()
    filters = console_selectors.QueueFilters.from_query(request.GET)
    company = console_selectors.match_company(user, filters.company)
    tickets = console_selectors.console_tickets(user, now=now, filters=filters, company=company)
    chosen = {k: v for k, v in vars(filters).items() if v}
    if company is not None and company.company is not None:
        # Links carry the id: the shortest unambiguous name for the company.
        chosen["company"] = str(company.company.pk)
    query = urlencode(chosen)
    groups = console_selectors.grouped(tickets, now=now, page=request.GET.get("page"))
    candidates = [
        (c.name, urlencode({**chosen, "company": str(c.pk)}))
        for c in (company.candidates if company else [])
    ]
    context = {
        "now": now,
        "filters": filters,
        "company": company,
        "company_candidates": candidates,
        "query": query,
        "page_query": urlencode({"page": groups.page.number}) if groups.page.number > 1 else "",
        "groups": groups,
        "poll_seconds": POLL_SECONDS,
        "available": queue_selectors.availability_of(user),
        "priorities": Priority.choices,
        "statuses": Status.choices,
        "agents": queue_selectors.assignable_agents(user),
    }
    template = "console/queue.html"
    if getattr(request, "htmx", False):
        template += "#queue-body"  # only the live part, for the poll and the filters
    return render(request, template, context)


@require_GET
@login_required
def companies(request: HttpRequest) -> HttpResponse:
    """Suggestions for the queue's company field, as the options of its datalist."""
    user = _staff(request)
    text = request.GET.get("company", "")[: console_selectors.COMPANY_TEXT_MAX]
    return render(
        request,
        "console/_companies.html",
        {"companies": console_selectors.companies_matching(user, text)},
    )


@require_POST
@login_required
def availability(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    try:
        queue_actions.set_availability(actor=user, available=request.POST.get("available") == "1")
    except (ActionValidationError, ActionPermissionDenied) as exc:
        _flash(request, exc)
    return redirect(safe_next(request, "console:queue"))


@require_POST
@login_required
def take_next(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    try:
        ticket = queue_actions.take_next(actor=user)
    except (ActionValidationError, ActionPermissionDenied) as exc:
        _flash(request, exc)
        return redirect("console:queue")
    if ticket is None:
        messages.info(request, "The queue is empty.")
        return redirect("console:queue")
    messages.success(request, f"You took {ticket.reference}.")
    return redirect("console:ticket", reference=ticket.reference)


def _flash(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, ActionValidationError):
        for message in exc.errors.values():
            messages.error(request, message[:1].upper() + message[1:])
    else:
        messages.error(request, str(exc))


# ------------------------------------------------------------------------------ ticket


def _ticket_page(
    request: HttpRequest,
    ticket: Ticket,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    op: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    attachments = list(selectors.attachments_visible_to(user, ticket))
    is_open = ticket.status in OPEN_STATUSES
    context = {
        "ticket": ticket,
        "now": timezone.now(),
        "timeline": console_selectors.timeline(user, ticket, attachments),
        "logged_files": [a for a in attachments if a.message_id is None],
        "explanation": selectors.due_explanation(user, ticket),
        "pages": pages_for_ticket(user, ticket),
        "can": {
            "reply": ticket.status != Status.CLOSED,
            "note": user.can(Capability.INTERNAL_NOTE),  # type: ignore[union-attr]
            "call": user.can(Capability.LOG_PHONE_CALL),  # type: ignore[union-attr]
            "investigate": user.can(Capability.INVESTIGATE)  # type: ignore[union-attr]
            and is_open
            and ticket.status != Status.IN_PROGRESS,
            "priority": user.can(Capability.SET_PRIORITY)  # type: ignore[union-attr]
            and ticket.status != Status.CLOSED,
            "status": user.can(Capability.CHANGE_STATUS),  # type: ignore[union-attr]
            "split": user.can(Capability.SPLIT) and ticket.status != Status.CLOSED,  # type: ignore[union-attr]
            "classify": user.can(Capability.CLASSIFY),  # type: ignore[union-attr]
            "assign": user.can(Capability.ASSIGN_TICKET) and is_open,  # type: ignore[union-attr]
            "ack": user.can(Capability.ACKNOWLEDGE_PAGE),  # type: ignore[union-attr]
        },
        "status_choices": _status_choices(ticket),
        "priorities": Priority.choices,
        "scopes": Scope.choices,
        "directions": Message.Direction.choices,
        "agents": queue_selectors.assignable_agents(user),
        "errors": errors or {},
        "details_errors": (errors or {}).get("details", {}),
        "op": op,
        "data": request.POST if errors else {},
    }
    return render(request, "console/ticket.html", context, status=status)


def _status_choices(ticket: Ticket) -> list[tuple[str, str]]:
    if ticket.status in OPEN_STATUSES:
        return [
            (Status.IN_PROGRESS.value, "In progress"),
            (Status.AWAITING_CUSTOMER.value, "Awaiting customer"),
            ("resolved", "Resolved (give the resolution)"),
            ("closed", "Closed (give the reason)"),
        ]
    if ticket.status == Status.RESOLVED:
        return [("closed", "Closed"), ("reopen", "Reopen (give the reason)")]
    return [("reopen", "Reopen (give the reason)")]


@require_GET
@login_required
def ticket(request: HttpRequest, reference: str) -> HttpResponse:
    user = _staff(request)
    return _ticket_page(request, _ticket_or_404(user, reference))


def _minutes_to_seconds(value: str) -> Any:
    try:
        minutes = float(value)
    except (TypeError, ValueError):
        return value  # the action refuses it with its own message
    return round(minutes * 60)


def _do_status(user: Any, ticket: Ticket, post: Any, files: Any) -> str:
    target = post.get("status", "")
    reason = post.get("reason", "")
    if target == "resolved":
        actions.resolve(actor=user, ticket=ticket, resolution=reason)
        return "Resolved."
    if target == "closed":
        actions.close(actor=user, ticket=ticket, reason=reason)
        return "Closed."
    if target == "reopen":
        actions.reopen(actor=user, ticket=ticket, reason=reason)
        return "Reopened."
    actions.change_status(actor=user, ticket=ticket, status=target, reason=reason)
    return "Status changed."


def _do_split(user: Any, ticket: Ticket, post: Any, files: Any) -> str:
    ids = [int(v) for v in post.getlist("messages") if v.isdigit()]
    moving = list(selectors.messages_visible_to(user, ticket).filter(pk__in=ids))
    new = actions.split_ticket(
        actor=user,
        ticket=ticket,
        overview=post.get("overview", ""),
        reason=post.get("reason", ""),
        description=post.get("description", ""),
        messages=moving,
    )
    return f"Split: {new.reference} is the new ticket."


def _do_assign(user: Any, ticket: Ticket, post: Any, files: Any) -> str:
    agent_id = post.get("agent", "")
    agent = None
    if agent_id:
        agent = queue_selectors.assignable_agents(user).filter(pk=_int(agent_id)).first()
        if agent is None:
            raise ActionValidationError({"agent": "choose an agent from the list"})
    queue_actions.assign(actor=user, ticket=ticket, agent=agent, reason=post.get("reason", ""))
    return f"Assigned to {agent}." if agent else "Returned to the queue."


def _int(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _do_reply(user: Any, ticket: Ticket, post: Any, files: Any) -> str:
    actions.add_public_reply(
        actor=user,
        ticket=ticket,
        body=post.get("body", ""),
        attachments=files.getlist("attachments"),
    )
    return "Reply sent."


def _do_note(user: Any, ticket: Ticket, post: Any, files: Any) -> str:
    actions.add_internal_note(
        actor=user,
        ticket=ticket,
        body=post.get("body", ""),
        attachments=files.getlist("attachments"),
    )
    return "Internal note added."


def _do_call(user: Any, ticket: Ticket, post: Any, files: Any) -> str:
    actions.log_phone_call(
        actor=user,
        ticket=ticket,
        direction=post.get("direction", ""),
        duration_seconds=_minutes_to_seconds(post.get("duration_minutes", "")),
        summary=post.get("summary", ""),
    )
    return "Phone call logged."


def _do_investigate(user: Any, ticket: Ticket, post: Any, files: Any) -> str:
    actions.mark_investigating(actor=user, ticket=ticket)
    return "Marked as under investigation."


def _do_priority(user: Any, ticket: Ticket, post: Any, files: Any) -> str:
    actions.set_priority(
        actor=user,
        ticket=ticket,
        priority=post.get("priority", ""),
        reason=post.get("reason", ""),
        agreed_by=post.get("agreed_by", ""),
    )
    return "Priority set; the response due time is recomputed."


def _do_classify(user: Any, ticket: Ticket, post: Any, files: Any) -> str:
    actions.classify_scope(
        actor=user,
        ticket=ticket,
        scope=post.get("scope", ""),
        chargeable=post.get("chargeable") == "yes",
        reason=post.get("reason", ""),
    )
    return "Scope classified."


def _do_details(user: Any, ticket: Ticket, post: Any, files: Any) -> str:
    from sladesk.mail.forms import details_from_post

    actions.complete_ticket_details(actor=user, ticket=ticket, **details_from_post(ticket, post))
    return "Details saved."


# Each form of the ticket page names its operation; each operation calls one action.
OPS: dict[str, Callable[[Any, Ticket, Any, Any], str]] = {
    "reply": _do_reply,
    "note": _do_note,
    "call": _do_call,
    "investigate": _do_investigate,
    "priority": _do_priority,
    "status": _do_status,
    "split": _do_split,
    "classify": _do_classify,
    "assign": _do_assign,
    "details": _do_details,
}


@require_POST
@login_required
def act(request: HttpRequest, reference: str) -> HttpResponse:
    user = _staff(request)
    found = _ticket_or_404(user, reference)
    op = request.POST.get("op", "")
    if op not in OPS:
        raise Http404("No such action")
    try:
        done = OPS[op](user, found, request.POST, request.FILES)
    except ActionValidationError as exc:
        found = _ticket_or_404(user, reference)
        return _ticket_page(request, found, errors={op: dict(exc.errors)}, op=op, status=422)
    except ActionPermissionDenied as exc:
        found = _ticket_or_404(user, reference)
        return _ticket_page(request, found, errors={op: {"__all__": str(exc)}}, op=op, status=403)
    messages.success(request, done)
    return redirect(reverse("console:ticket", args=[found.reference]) + "#timeline")


@require_POST
@login_required
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    page = None
    reference = request.POST.get("reference", "")
    found = _ticket_or_404(user, reference)
    page = pages_for_ticket(user, found).filter(pk=pk).first()
    if page is None:
        raise Http404("No such page")
    try:
        oncall_actions.acknowledge_page(actor=user, page=page)
    except (ActionValidationError, ActionPermissionDenied) as exc:
        _flash(request, exc)
    else:
        messages.success(request, f"Acknowledged the page for {found.reference}.")
    return redirect("console:ticket", reference=found.reference)

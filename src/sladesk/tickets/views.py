"""Minimal server-rendered pages. Reads go through selectors; writes call actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from sladesk.accounts.roles import Capability
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.tickets import actions, selectors
from sladesk.tickets.models import Attachment, Status, Ticket


def _ticket_or_404(request: HttpRequest, reference: str) -> Ticket:
    try:
        return selectors.ticket_for(request.user, reference)
    except Ticket.DoesNotExist as exc:
        raise Http404("No such ticket") from exc


@require_GET
@login_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    tickets = selectors.tickets_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in Status.values:
        tickets = tickets.filter(status=status)
    page = Paginator(tickets, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "tickets/list.html",
        {
            "page": page,
            "status": status,
            "statuses": Status.choices,
            "now": timezone.now(),
        },
    )


@require_GET
@login_required
def ticket_detail(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _ticket_or_404(request, reference)
    user = request.user
    staff = user.can(Capability.VIEW_INTERNAL)  # type: ignore[union-attr]
    return render(
        request,
        "tickets/detail.html",
        {
            "ticket": ticket,
            "staff": staff,
            "conversation": selectors.messages_visible_to(user, ticket),
            "attachments": selectors.attachments_visible_to(user, ticket),
            "events": selectors.audit_events_visible_to(user, ticket),
            "response_state": ticket.response_state(timezone.now()),
            "can_note": user.can(Capability.INTERNAL_NOTE),  # type: ignore[union-attr]
            "due_explanation": selectors.due_explanation(user, ticket),
            **_queue_and_oncall(user, ticket),
        },
    )


def _queue_and_oncall(user: object, ticket: Ticket) -> dict[str, object]:
    """Who holds the ticket, its on-call pages and the manager's reassign form (staff)."""
    from sladesk.oncall.selectors import pages_for_ticket
    from sladesk.queue.selectors import assignable_agents

    return {
        "pages": pages_for_ticket(user, ticket),
        "can_ack": user.can(Capability.ACKNOWLEDGE_PAGE),  # type: ignore[attr-defined]
        "agents": assignable_agents(user),
        "can_assign": user.can(Capability.ASSIGN_TICKET),  # type: ignore[attr-defined]
    }


@require_POST
@login_required
def post_reply(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _ticket_or_404(request, reference)
    kind = request.POST.get("kind", "public")
    uploads = request.FILES.getlist("attachments")
    try:
        if kind == "internal":
            actions.add_internal_note(
                actor=request.user,  # type: ignore[arg-type]
                ticket=ticket,
                body=request.POST.get("body", ""),
                attachments=uploads,
            )
        else:
            actions.add_public_reply(
                actor=request.user,  # type: ignore[arg-type]
                ticket=ticket,
                body=request.POST.get("body", ""),
                attachments=uploads,
            )
    except ActionValidationError as exc:
        for field, message in exc.errors.items():
            messages.error(request, f"{field}: {message}")
    except ActionPermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Saved.")
    return redirect("tickets:detail", reference=ticket.reference)


@require_GET
@login_required
def attachment(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    ticket = _ticket_or_404(request, reference)
    try:
        found = selectors.attachments_visible_to(request.user, ticket).get(pk=pk)
    except Attachment.DoesNotExist as exc:
        raise Http404("No such attachment") from exc
    content_type = (found.content_type or "").split(";")[0].strip().lower()
    if not content_type or content_type in ACTIVE_CONTENT_TYPES or "html" in content_type:
        # Whatever the uploader claimed, a page or an SVG is never handed to the browser
        # as something it could render: it is bytes to save.
        content_type = "application/octet-stream"
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.original_name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Even if a browser did render it, nothing in it could run or load.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


ACTIVE_CONTENT_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "text/xml",
        "application/xml",
        "text/javascript",
        "application/javascript",
        "application/x-shockwave-flash",
    }
)

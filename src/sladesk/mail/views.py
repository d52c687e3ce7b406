"""The email channel's pages: the quarantine for agents, and every user's notification
preferences.

Reads go through `sladesk.mail.selectors` (the quarantine is for helpdesk staff only; a
customer gets a 403 for the list and a 404 for a message), writes call
`sladesk.mail.actions`. Server-rendered with htmx for the list's filter (ADR 0011).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sladesk.accounts.roles import Capability
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.mail import actions, selectors
from sladesk.mail.models import MANDATORY_REASONS, InboundMessage, Kind
from sladesk.mail.parsing import Unparseable, parse
from sladesk.tickets import selectors as ticket_selectors
from sladesk.tickets.models import Ticket


def _staff(request: HttpRequest) -> Any:
    user = request.user
    if not (user.is_authenticated and user.can(Capability.VIEW_INTERNAL)):  # type: ignore[union-attr]
        raise PermissionDenied("The quarantine is for helpdesk staff.")
    return user


def _inbound_or_404(user: Any, pk: int) -> InboundMessage:
    row = selectors.inbound_visible_to(user).filter(pk=pk).first()
    if row is None:
        raise Http404("No such email")
    return row


# --------------------------------------------------------------------------- the list


@require_GET
@login_required
def quarantine(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    show = "handled" if request.GET.get("show") == "handled" else "waiting"
    q = request.GET.get("q", "")[:200]
    rows = selectors.quarantine_page(user, show=show, q=q)
    context = {
        "page": Paginator(rows, 50).get_page(request.GET.get("page")),
        "show": show,
        "q": q,
        "waiting": selectors.quarantine_visible_to(user).count(),
    }
    template = "mail/quarantine.html"
    if getattr(request, "htmx", False):
        template += "#quarantine-rows"  # only the table, for the filter
    return render(request, template, context)


# ------------------------------------------------------------------------ one message


def _headers(row: InboundMessage) -> tuple[list[tuple[str, str]], list[tuple[str, int]]]:
    try:
        mail = parse(bytes(row.raw))
    except Unparseable:
        return [], []
    return (
        [(name.title(), value) for name, value in mail.headers.items()],
        [(a.name, len(a.data)) for a in mail.attachments],
    )


def _contacts(user: Any, row: InboundMessage) -> tuple[list[Any], Any]:
    """Every contact, and the one to preselect: the sender's own address if it is known,
    else the contact of the ticket the email named."""
    contacts = list(selectors.contacts_for_quarantine(user))
    sender = row.sender.lower()
    chosen = next(
        (
            c
            for c in contacts
            if sender and sender in {(c.email or "").lower(), (c.user.email if c.user else "")}
        ),
        None,
    )
    if chosen is None and row.ticket is not None:
        chosen = next((c for c in contacts if c.pk == row.ticket.contact_id), None)
    return contacts, chosen


def _item_page(
    request: HttpRequest,
    row: InboundMessage,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    op: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    headers, files = _headers(row)
    contacts, chosen = _contacts(user, row)
    context = {
        "row": row,
        "waiting": row.outcome == InboundMessage.Outcome.QUARANTINED,
        "headers": headers,
        "files": files,
        "contacts": contacts,
        "with_login": [c for c in contacts if c.user_id and c.user.is_active],
        "chosen": chosen.pk if chosen else None,
        "errors": errors or {},
        "op": op,
        "data": request.POST if errors else {},
    }
    return render(request, "mail/quarantine_item.html", context, status=status)


@require_GET
@login_required
def item(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    return _item_page(request, _inbound_or_404(user, pk))


@require_GET
@login_required
def raw(request: HttpRequest, pk: int) -> HttpResponse:
    """The message exactly as received, to open in a mail client. Staff only: it may hold
    anything, so it is always a download, never shown inline."""
    user = _staff(request)
    row = _inbound_or_404(user, pk)
    response = HttpResponse(bytes(row.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="email-{row.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _ticket(user: Any, post: Any) -> Ticket | None:
    reference = post.get("reference", "").strip().upper()
    if not reference:
        return None
    try:
        return ticket_selectors.ticket_for(user, reference)
    except Ticket.DoesNotExist as exc:
        raise ActionValidationError({"ticket": f"there is no ticket {reference}"}) from exc


def _contact(user: Any, post: Any) -> Any:
    value = post.get("contact", "")
    if not value.isdigit():
        return None
    found = selectors.contacts_for_quarantine(user).filter(pk=int(value)).first()
    if found is None:
        raise ActionValidationError({"contact": "choose a contact from the list"})
    return found


def _lookup(errors: dict[str, str], step: Callable[[], Any]) -> Any:
    try:
        return step()
    except ActionValidationError as exc:
        errors.update(exc.errors)
        return None


def _run(lookup_errors: dict[str, str], call: Callable[[], Any]) -> Any:
    """Call the action even when a lookup failed (it then gets None), so the page lists
    every field's problem at once; the lookup's own message is the more precise one."""
    try:
        return call()
    except ActionValidationError as exc:
        raise ActionValidationError({**exc.errors, **lookup_errors}) from exc


def _do_note(user: Any, row: InboundMessage, post: Any) -> str:
    errors: dict[str, str] = {}
    ticket = _lookup(errors, lambda: _ticket(user, post))
    _run(errors, lambda: actions.release_to_ticket(actor=user, inbound=row, ticket=ticket))
    return f"Filed on {ticket.reference} as an internal note."


def _do_reply(user: Any, row: InboundMessage, post: Any) -> str:
    errors: dict[str, str] = {}
    ticket = _lookup(errors, lambda: _ticket(user, post))
    contact = _lookup(errors, lambda: _contact(user, post))
    _run(
        errors,
        lambda: actions.attach_as_reply(actor=user, inbound=row, ticket=ticket, contact=contact),
    )
    return f"Added to {ticket.reference} as {contact.name}'s reply."


def _do_ticket(user: Any, row: InboundMessage, post: Any) -> str:
    errors: dict[str, str] = {}
    contact = _lookup(errors, lambda: _contact(user, post))
    ticket = _run(
        errors, lambda: actions.create_ticket_from(actor=user, inbound=row, contact=contact)
    )
    return f"Logged {ticket.reference} for {contact.name}."


def _do_dismiss(user: Any, row: InboundMessage, post: Any) -> str:
    actions.dismiss(actor=user, inbound=row, reason=post.get("reason", ""))
    return "Dismissed. The email stays recorded."


# Each form of the message page names its operation; each operation calls one action.
OPS: dict[str, Callable[[Any, InboundMessage, Any], str]] = {
    "note": _do_note,
    "reply": _do_reply,
    "ticket": _do_ticket,
    "dismiss": _do_dismiss,
}


@require_POST
@login_required
def act(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    row = _inbound_or_404(user, pk)
    op = request.POST.get("op", "")
    if op not in OPS:
        raise Http404("No such action")
    try:
        done = OPS[op](user, row, request.POST)
    except ActionValidationError as exc:
        row = _inbound_or_404(user, pk)
        return _item_page(request, row, errors={op: dict(exc.errors)}, op=op, status=422)
    except ActionPermissionDenied as exc:
        row = _inbound_or_404(user, pk)
        return _item_page(request, row, errors={op: {"__all__": str(exc)}}, op=op, status=403)
    messages.success(request, done)
    return redirect(reverse("mail:quarantine"))


# ------------------------------------------------------------------------ preferences


@require_http_methods(["GET", "POST"])
@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Every signed-in user chooses which of their role's notifications come by email."""
    user = request.user
    kinds = actions.kinds_for(user)  # type: ignore[arg-type]
    errors: dict[str, str] = {}
    if request.method == "POST":
        wanted = {k for k in request.POST.getlist("on")}
        try:
            actions.set_preferences(
                actor=user,  # type: ignore[arg-type]
                enabled={k.value: k.value in wanted for k in kinds if k not in MANDATORY_REASONS},
            )
        except (ActionValidationError, ActionPermissionDenied) as exc:
            errors = exc.errors if isinstance(exc, ActionValidationError) else {"__all__": str(exc)}
        else:
            messages.success(request, "Your email notifications are saved.")
            return redirect("mail:preferences")
    current = selectors.preferences_of(user)
    rows = [
        {
            "kind": kind.value,
            "label": Kind(kind).label,
            "on": kind in MANDATORY_REASONS or current.get(kind.value, True),
            "always": MANDATORY_REASONS.get(kind, ""),
        }
        for kind in kinds
    ]
    return render(
        request,
        "mail/preferences.html",
        {"rows": rows, "errors": errors},
        status=422 if errors else 200,
    )

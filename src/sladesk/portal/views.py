"""The customer portal: log a fault, follow the company's tickets, reply, propose a priority.

Reads go through `sladesk.tickets.selectors` (scoped to the customer's company; a ticket of
another company is a 404), writes call `sladesk.tickets.actions`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.customers.models import Contact, Module
from sladesk.knowledge.actions import log_ticket_with_checklist, note_suggestions
from sladesk.knowledge.models import Article
from sladesk.portal import knowledge
from sladesk.portal.explain import plain_words
from sladesk.tickets import actions, selectors
from sladesk.tickets.models import OPEN_STATUSES, Affected, Priority, Ticket
from sladesk.web.forms import local_input, parse_local

LOG_FIELDS = (
    "contact_name",
    "contact_phone",
    "module",
    "version",
    "overview",
    "affected",
    "problem_since",
    "error_details",
    "business_impact",
    "description",
    "proposed_priority",
    "attachments",
)
# Priorities a customer may propose for a fault (an enhancement is asked for differently).
PROPOSABLE = [(v, label) for v, label in Priority.choices]


def _customer(request: HttpRequest) -> Any:
    user = request.user
    if not getattr(user, "is_customer", False):
        raise PermissionDenied("The portal is for customer contacts.")
    return user


def _ticket_or_404(user: Any, reference: str) -> Ticket:
    try:
        return selectors.ticket_for(user, reference)
    except Ticket.DoesNotExist as exc:
        raise Http404("No such ticket") from exc


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _customer(request)
    show = request.GET.get("show", "open")
    tickets = selectors.tickets_visible_to(user).select_related("logged_by")
    if show != "all":
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    page = Paginator(tickets, 25).get_page(request.GET.get("page"))
    return render(request, "portal/home.html", {"page": page, "show": show, "now": timezone.now()})


@require_http_methods(["GET", "POST"])
@login_required
def new_ticket(request: HttpRequest) -> HttpResponse:
    user = _customer(request)
    contact = Contact.objects.filter(user=user).first()
    errors: dict[str, str] = {}
    data: dict[str, Any] = {
        "contact_name": contact.name if contact else user.get_full_name(),
        "contact_phone": contact.phone if contact else "",
        "problem_since": local_input(),
        "affected": "",
    }
    if request.method == "POST":
        data = {name: request.POST.get(name, "") for name in LOG_FIELDS if name != "attachments"}
        module = Module.objects.filter(pk=_int(data["module"])).first()
        try:
            # The knowledge action logs the ticket and stores the pre-contact checklist
            # answers with it, in one transaction, and ends the deflection attempt.
            ticket = log_ticket_with_checklist(
                checklist={k: str(request.POST.get(k)) for k in request.POST if k[:6] == "check_"},
                attempt=request.POST.get("kb_attempt", ""),
                actor=user,
                company=None,
                contact=None,
                module=module,
                version=data["version"],
                overview=data["overview"],
                affected=data["affected"],
                problem_since=parse_local(data["problem_since"]),
                error_details=data["error_details"],
                business_impact=data["business_impact"],
                description=data["description"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                proposed_priority=data["proposed_priority"] or None,
                attachments=request.FILES.getlist("attachments"),
            )
        except ActionValidationError as exc:
            errors = dict(exc.errors)
        except ActionPermissionDenied as exc:
            errors = {"__all__": str(exc)}
        else:
            messages.success(
                request, f"Your fault is logged. Your reference number is {ticket.reference}."
            )
            return redirect(reverse("portal:ticket", args=[ticket.reference]) + "?logged=1")
    modules = Module.objects.select_related("product").prefetch_related("versions")
    response = render(
        request,
        "portal/new.html",
        {
            "data": data,
            "errors": errors,
            "field_errors": {k: v for k, v in errors.items() if k in LOG_FIELDS},
            "other_errors": {k: v for k, v in errors.items() if k not in LOG_FIELDS},
            "contact": contact,
            "modules": modules,
            "versions": sorted({v.version for m in modules for v in m.versions.all()}),
            "affected": Affected.choices,
            "priorities": PROPOSABLE,
            "files_lost": bool(errors) and bool(request.FILES),
        },
    )
    if errors:
        response.status_code = 422
    return response


def _int(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@require_GET
@login_required
def suggest(request: HttpRequest) -> HttpResponse:
    user = _customer(request)
    text = " ".join(request.GET.get(k, "") for k in ("overview", "error_details"))
    suggestions = knowledge.suggest(user=user, text=text)
    # What was shown is counted for the deflection report (sladesk.knowledge).
    attempt = request.GET.get("kb_attempt", "")
    shown = [getattr(s, "article_id", 0) for s in suggestions]
    note_suggestions(
        actor=user, attempt=attempt, text=text, articles=list(Article.objects.filter(pk__in=shown))
    )
    return render(
        request,
        "portal/_suggestions.html",
        {
            "suggestions": suggestions,
            "kb_attempt": attempt,
            "hooked": bool(knowledge.suggesters()),
            "asked": len(text.strip()) >= 4,
        },
    )


def _ticket_page(
    request: HttpRequest, ticket: Ticket, extra: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    conversation = list(selectors.messages_visible_to(user, ticket))
    by_message: dict[int | None, list[Any]] = defaultdict(list)
    for attachment in selectors.attachments_visible_to(user, ticket):
        by_message[attachment.message_id].append(attachment)
    context = {
        "ticket": ticket,
        "now": timezone.now(),
        "conversation": [(m, by_message.get(m.pk, [])) for m in conversation],
        "logged_files": by_message.get(None, []),
        "explanation": plain_words(selectors.sla_explanation(user, ticket)),
        "priorities": PROPOSABLE,
        "just_logged": request.GET.get("logged") == "1",
        "reply_errors": {},
        "priority_errors": {},
        "details_errors": {},
        "data": {},
        **(extra or {}),
    }
    return render(request, "portal/ticket.html", context, status=status)


@require_GET
@login_required
def ticket(request: HttpRequest, reference: str) -> HttpResponse:
    user = _customer(request)
    return _ticket_page(request, _ticket_or_404(user, reference))


@require_POST
@login_required
def reply(request: HttpRequest, reference: str) -> HttpResponse:
    user = _customer(request)
    found = _ticket_or_404(user, reference)
    try:
        actions.add_public_reply(
            actor=user,
            ticket=found,
            body=request.POST.get("body", ""),
            attachments=request.FILES.getlist("attachments"),
        )
    except (ActionValidationError, ActionPermissionDenied) as exc:
        errors = exc.errors if isinstance(exc, ActionValidationError) else {"__all__": str(exc)}
        return _ticket_page(
            request,
            found,
            {"reply_errors": errors, "data": request.POST, "files_lost": bool(request.FILES)},
            status=422,
        )
    messages.success(request, "Your reply was sent.")
    return redirect(reverse("portal:ticket", args=[found.reference]) + "#conversation")


@require_POST
@login_required
def propose(request: HttpRequest, reference: str) -> HttpResponse:
    user = _customer(request)
    found = _ticket_or_404(user, reference)
    try:
        actions.propose_priority(
            actor=user,
            ticket=found,
            priority=request.POST.get("priority", ""),
            reason=request.POST.get("reason", ""),
        )
    except (ActionValidationError, ActionPermissionDenied) as exc:
        errors = exc.errors if isinstance(exc, ActionValidationError) else {"__all__": str(exc)}
        return _ticket_page(
            request, found, {"priority_errors": errors, "data": request.POST}, status=422
        )
    messages.success(
        request,
        "Your proposed priority was sent. The helpdesk decides the priority and will tell you.",
    )
    return redirect("portal:ticket", reference=found.reference)


@require_POST
@login_required
def details(request: HttpRequest, reference: str) -> HttpResponse:
    """The customer gives what their emailed ticket lacked, or corrects its module and
    version (`complete_ticket_details`)."""
    from sladesk.mail.forms import details_from_post

    user = _customer(request)
    found = _ticket_or_404(user, reference)
    try:
        actions.complete_ticket_details(
            actor=user, ticket=found, **details_from_post(found, request.POST)
        )
    except (ActionValidationError, ActionPermissionDenied) as exc:
        errors = exc.errors if isinstance(exc, ActionValidationError) else {"__all__": str(exc)}
        return _ticket_page(
            request, found, {"details_errors": errors, "data": request.POST}, status=422
        )
    messages.success(request, "Thank you: the details are saved.")
    return redirect("portal:ticket", reference=found.reference)

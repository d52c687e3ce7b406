"""Minimal billing pages. Reads go through selectors; writes call actions; every form
posts with the CSRF token (Django's middleware refuses a post without it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from sladesk.accounts.roles import Capability
from sladesk.billing import actions, selectors
from sladesk.billing import render as rendering
from sladesk.billing.models import CURRENCY_CHOICES, Charge, Enhancement, ScopeCategory, Statement
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.customers.models import Company
from sladesk.tickets.models import Priority, Ticket
from sladesk.tickets.selectors import ticket_for

LONDON = ZoneInfo("Europe/London")


def _ticket_or_404(request: HttpRequest, reference: str) -> Ticket:
    try:
        return ticket_for(request.user, reference)
    except Ticket.DoesNotExist as exc:
        raise Http404("No such ticket") from exc


def _statement_or_404(request: HttpRequest, pk: int) -> Statement:
    try:
        return selectors.statement_for(request.user, pk)
    except Statement.DoesNotExist as exc:
        raise Http404("No such statement") from exc


def _run(request: HttpRequest, call: Callable[[], Any], done: str = "Saved.") -> bool:
    try:
        call()
    except ActionValidationError as exc:
        for field, message in exc.errors.items():
            messages.error(request, f"{field}: {message}")
        return False
    except ActionPermissionDenied as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, done)
    return True


def _can(request: HttpRequest, capability: Capability) -> bool:
    return bool(request.user.can(capability))  # type: ignore[union-attr]


def _london(text: str) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=LONDON)


# ----------------------------------------------------------------------- ticket page


def _ticket_page(
    request: HttpRequest,
    ticket: Ticket,
    *,
    errors: dict[str, str] | None = None,
    op: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    enhancement = selectors.enhancement_visible_to(user, ticket)
    decisions = list(selectors.scope_decisions_visible_to(user, ticket))
    # Problems with a field are shown next to it; the rest (stage, permission) above the form.
    fields = ENHANCEMENT_FIELDS.get(op, frozenset())
    errors = errors or {}
    other_errors = {k: v for k, v in errors.items() if k not in fields}
    steps = _enhancement_steps(request, ticket, enhancement)
    return render(
        request,
        "billing/ticket.html",
        {
            "ticket": ticket,
            "op": op,
            "data": request.POST if errors else {},
            "field_errors": {k: v for k, v in errors.items() if k in fields},
            "other_errors": other_errors,
            # A refused step whose form the viewer is not offered reports above the section.
            "section_errors": {} if steps.get(op) else other_errors,
            "steps": steps,
            "currencies": [code for code, _ in CURRENCY_CHOICES],
            "is_customer": bool(getattr(user, "is_customer", False)),
            "decision": decisions[0] if decisions else None,
            "earlier_decisions": decisions[1:],
            "entries": selectors.time_entries_visible_to(user, ticket),
            "charges": selectors.ticket_charges_visible_to(user, ticket),
            "enhancement": enhancement,
            "delivery_state": actions.delivery_state(enhancement, timezone.now())
            if enhancement
            else "",
            "categories": ScopeCategory.choices,
            "can_record_time": _can(request, Capability.RECORD_TIME),
            "can_decide": _can(request, Capability.CLASSIFY),
            "can_record_sow": _can(request, Capability.RECORD_SOW),
            "can_dispute": _can(request, Capability.DISPUTE_CHARGE),
            "sows": ticket.sows.all() if _can(request, Capability.VIEW_INTERNAL) else [],
        },
        status=status,
    )


@require_GET
@login_required
def ticket_billing(request: HttpRequest, reference: str) -> HttpResponse:
    return _ticket_page(request, _ticket_or_404(request, reference))


# ---------------------------------------------------------------------- enhancements

# The fields of each enhancement form, by the name the action gives its errors.
ENHANCEMENT_FIELDS: dict[str, frozenset[str]] = {
    "open": frozenset({"specification"}),
    "quote": frozenset({"specification", "quote_amount", "currency", "sow_reference"}),
    "accept": frozenset({"accepted_by"}),
    "delivery": frozenset({"delivery_date", "agreed_by", "reason"}),
    "deliver": frozenset(),
}


def _enhancement_steps(
    request: HttpRequest, ticket: Ticket, enhancement: Enhancement | None
) -> dict[str, bool]:
    """Which enhancement forms the viewer gets: the steps its role may take from the stage
    the enhancement is at (the actions check both again)."""
    manage = _can(request, Capability.MANAGE_ENHANCEMENT)
    stage = enhancement.stage if enhancement else ""
    stages = Enhancement.Stage
    return {
        "open": manage and enhancement is None and ticket.priority == Priority.ENHANCEMENT,
        "quote": manage and stage in (stages.SPECIFICATION, stages.QUOTED),
        "accept": _can(request, Capability.ACCEPT_QUOTE) and stage == stages.QUOTED,
        "delivery": manage and stage in (stages.ACCEPTED, stages.DATE_AGREED),
        "deliver": manage and stage == stages.DATE_AGREED,
    }


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None  # the action refuses it with its own message


def _open(user: Any, ticket: Ticket, enhancement: Enhancement | None, post: Any) -> str:
    actions.open_enhancement(actor=user, ticket=ticket, specification=post.get("specification", ""))
    return "Enhancement opened: define the specification and send a quote."


def _quote(user: Any, ticket: Ticket, enhancement: Enhancement | None, post: Any) -> str:
    assert enhancement is not None
    actions.quote_enhancement(
        actor=user,
        enhancement=enhancement,
        specification=post.get("specification", ""),
        quote_amount=post.get("quote_amount", "").strip(),  # type: ignore[arg-type]
        currency=post.get("currency", ""),
        sow_reference=post.get("sow_reference", ""),
    )
    return "Quote and SOW recorded: waiting for the customer to accept."


def _accept(user: Any, ticket: Ticket, enhancement: Enhancement | None, post: Any) -> str:
    assert enhancement is not None
    actions.accept_enhancement(
        actor=user, enhancement=enhancement, accepted_by=post.get("accepted_by", "")
    )
    return "Quote accepted: the SOW is agreed."


def _delivery(user: Any, ticket: Ticket, enhancement: Enhancement | None, post: Any) -> str:
    assert enhancement is not None
    actions.agree_enhancement_delivery(
        actor=user,
        enhancement=enhancement,
        delivery_date=_date(post.get("delivery_date", "")),  # type: ignore[arg-type]
        agreed_by=post.get("agreed_by", ""),
        reason=post.get("reason", ""),
    )
    return "Delivery date agreed."


def _deliver(user: Any, ticket: Ticket, enhancement: Enhancement | None, post: Any) -> str:
    assert enhancement is not None
    actions.deliver_enhancement(actor=user, enhancement=enhancement)
    return "Enhancement delivered."


ENHANCEMENT_STEPS: dict[str, Callable[[Any, Ticket, Enhancement | None, Any], str]] = {
    "open": _open,
    "quote": _quote,
    "accept": _accept,
    "delivery": _delivery,
    "deliver": _deliver,
}


@require_POST
@login_required
def post_enhancement(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _ticket_or_404(request, reference)
    op = request.POST.get("op", "")
    if op not in ENHANCEMENT_STEPS:
        raise Http404("No such step")
    enhancement = selectors.enhancement_visible_to(request.user, ticket)
    if enhancement is None and op != "open":
        raise Http404("No such enhancement")
    try:
        done = ENHANCEMENT_STEPS[op](request.user, ticket, enhancement, request.POST)
    except ActionValidationError as exc:
        return _ticket_page(request, ticket, errors=dict(exc.errors), op=op, status=422)
    except ActionPermissionDenied as exc:
        return _ticket_page(request, ticket, errors={"__all__": str(exc)}, op=op, status=403)
    messages.success(request, done)
    return redirect(reverse("billing:ticket", args=[ticket.reference]) + "#enhancement")


@require_POST
@login_required
def post_time(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _ticket_or_404(request, reference)
    started = _london(request.POST.get("started_at", ""))
    try:
        minutes = int(request.POST.get("minutes", ""))
    except ValueError:
        minutes = 0
    _run(
        request,
        lambda: actions.record_time(
            actor=request.user,  # type: ignore[arg-type]
            ticket=ticket,
            started_at=started,  # type: ignore[arg-type]
            duration=dt.timedelta(minutes=minutes),
            description=request.POST.get("description", ""),
            is_diagnosis=request.POST.get("is_diagnosis") == "on",
        ),
        "Time recorded.",
    )
    return redirect("billing:ticket", reference=ticket.reference)


@require_POST
@login_required
def post_scope(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _ticket_or_404(request, reference)
    _run(
        request,
        lambda: actions.decide_scope(
            actor=request.user,  # type: ignore[arg-type]
            ticket=ticket,
            category=request.POST.get("category", ""),
            reason=request.POST.get("reason", ""),
            customer_failed_to_identify=request.POST.get("customer_failed_to_identify") == "on",
        ),
        "Scope decided.",
    )
    return redirect("billing:ticket", reference=ticket.reference)


@require_POST
@login_required
def post_sow(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _ticket_or_404(request, reference)
    _run(
        request,
        lambda: actions.record_sow(
            actor=request.user,  # type: ignore[arg-type]
            ticket=ticket,
            reference=request.POST.get("reference", ""),
        ),
        "SOW reference recorded.",
    )
    return redirect("billing:ticket", reference=ticket.reference)


# ------------------------------------------------------------------------ statements


@require_GET
@login_required
def statement_list(request: HttpRequest) -> HttpResponse:
    manager = _can(request, Capability.MANAGE_BILLING)
    return render(
        request,
        "billing/statement_list.html",
        {
            "statements": selectors.statements_visible_to(request.user),
            "manager": manager,
            "companies": Company.objects.order_by("name") if manager else [],
        },
    )


@require_POST
@login_required
def post_generate(request: HttpRequest) -> HttpResponse:
    if not _can(request, Capability.MANAGE_BILLING):
        raise Http404("No such page")
    try:
        company = Company.objects.get(pk=int(request.POST.get("company", "")))
        month = dt.date.fromisoformat(request.POST.get("month", "") + "-01")
    except (ValueError, Company.DoesNotExist):
        messages.error(request, "choose a company and a month (YYYY-MM)")
        return redirect("billing:statements")
    made: list[Statement] = []
    ok = _run(
        request,
        lambda: made.append(
            actions.generate_statement(
                actor=request.user,  # type: ignore[arg-type]
                company=company,
                month=month,
            )
        ),
        "Draft statement generated.",
    )
    if ok:
        return redirect("billing:statement", pk=made[0].pk)
    return redirect("billing:statements")


@require_GET
@login_required
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _statement_or_404(request, pk)
    data = rendering.summary(statement)
    return render(
        request,
        "billing/statement_detail.html",
        {
            "statement": statement,
            "summary": data,
            "rows": zip(data.lines, selectors.lines_of(statement), strict=True),
            "manager": _can(request, Capability.MANAGE_BILLING),
            "can_dispute": _can(request, Capability.DISPUTE_CHARGE) and statement.is_issued,
        },
    )


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def statement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _statement_or_404(request, pk)
    return _download(
        rendering.statement_pdf(statement), "application/pdf", f"{statement.number}.pdf"
    )


@require_GET
@login_required
def statement_csv(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _statement_or_404(request, pk)
    return _download(
        rendering.statement_csv(statement), "text/csv; charset=utf-8", f"{statement.number}.csv"
    )


@require_POST
@login_required
def post_issue(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _statement_or_404(request, pk)
    _run(
        request,
        lambda: actions.issue_statement(actor=request.user, statement=statement),  # type: ignore[arg-type]
        "Statement issued.",
    )
    return redirect("billing:statement", pk=statement.pk)


@require_POST
@login_required
def post_dispute(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        charge = selectors.charge_for(request.user, pk)
    except Charge.DoesNotExist as exc:
        raise Http404("No such charge") from exc
    _run(
        request,
        lambda: actions.dispute_charge(
            actor=request.user,  # type: ignore[arg-type]
            charge=charge,
            reason=request.POST.get("reason", ""),
        ),
        "Dispute logged: the charge is held until the complaints decision.",
    )
    assert charge.statement_id is not None
    return redirect("billing:statement", pk=charge.statement_id)

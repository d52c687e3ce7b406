"""Minimal server-rendered complaint pages. Reads go through selectors; writes call actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sladesk.accounts.models import User
from sladesk.accounts.roles import Capability, Role
from sladesk.complaints import actions, selectors
from sladesk.complaints.models import STAFF_CHANNELS, About, Cause, Complaint, Outcome, Stage
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.customers.models import Contact
from sladesk.tickets.selectors import tickets_visible_to


def _complaint_or_404(request: HttpRequest, reference: str) -> Complaint:
    try:
        return selectors.complaint_for(request.user, reference)
    except Complaint.DoesNotExist as exc:
        raise Http404("No such complaint") from exc


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _flash_errors(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, ActionValidationError):
        for field, message in exc.errors.items():
            messages.error(request, f"{field}: {message}")
    else:
        messages.error(request, str(exc))


@require_GET
@login_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    complaints = selectors.complaints_visible_to(request.user)
    stage = request.GET.get("stage", "")
    if stage in Stage.values:
        complaints = complaints.filter(stage=stage)
    return render(
        request,
        "complaints/list.html",
        {
            "complaints": complaints[:500],
            "stage": stage,
            "stages": Stage.choices,
            "now": timezone.now(),
            "staff": selectors.is_staff_viewer(request.user),
        },
    )


def _charge_for(user: User, raw: str) -> Any:
    if not raw:
        return None
    from sladesk.billing.models import Charge

    charges = Charge.objects.filter(ticket__in=tickets_visible_to(user))
    try:
        return charges.get(pk=int(raw))
    except (Charge.DoesNotExist, ValueError) as exc:
        raise ActionValidationError({"charge": "no such charge"}) from exc


@require_http_methods(["GET", "POST"])
@login_required
def complaint_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.can(Capability.LOG_COMPLAINT):
        raise PermissionDenied
    staff = not user.is_customer
    form = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        try:
            ticket = None
            reference = form.get("ticket", "").strip()
            if reference:
                ticket = tickets_visible_to(user).filter(reference=reference).first()
                if ticket is None:
                    raise ActionValidationError({"ticket": "no such ticket"})
            on_behalf_of = None
            contact_pk = form.get("contact", "")
            if staff and contact_pk.isdigit():
                on_behalf_of = Contact.objects.filter(pk=int(contact_pk)).first()
            complaint = actions.log_complaint(
                actor=user,
                about=form.get("about", ""),
                summary=form.get("summary", ""),
                ticket=ticket,
                charge=_charge_for(user, form.get("charge", "").strip()),
                on_behalf_of=on_behalf_of,
                cause=form.get("cause") or None,
                channel=form.get("channel") or None,
            )
        except (ActionValidationError, ActionPermissionDenied) as exc:
            _flash_errors(request, exc)
        else:
            messages.success(request, f"Complaint {complaint.reference} logged.")
            return redirect("complaints:detail", reference=complaint.reference)
    return render(
        request,
        "complaints/new.html",
        {
            "form": form,
            "staff": staff,
            "abouts": About.choices,
            "causes": Cause.choices,
            "channels": [(c.value, c.label) for c in STAFF_CHANNELS],
            "contacts": Contact.objects.select_related("company") if staff else [],
        },
    )


@require_GET
@login_required
def complaint_detail(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = _complaint_or_404(request, reference)
    user = _user(request)
    now = timezone.now()
    staff = selectors.is_staff_viewer(user)
    return render(
        request,
        "complaints/detail.html",
        {
            "complaint": complaint,
            "staff": staff,
            "now": now,
            "acknowledge_state": complaint.acknowledge_state(now),
            "decision_state": complaint.decision_state(now),
            "notes": selectors.notes_visible_to(user, complaint),
            "evidence": selectors.evidence_for(user, complaint, now=now),
            "targets_explanation": selectors.targets_explanation(complaint),
            "outcomes": Outcome.choices,
            "causes": Cause.choices,
            "managers": User.objects.filter(role=Role.MANAGER, is_active=True) if staff else [],
            "is_owner": complaint.owner_id == user.pk,
            "can_assign": user.can(Capability.ASSIGN_COMPLAINT),
        },
    )


def _stage_action(request: HttpRequest, reference: str, run: Any, done: str) -> HttpResponse:
    complaint = _complaint_or_404(request, reference)
    try:
        run(_user(request), complaint)
    except (ActionValidationError, ActionPermissionDenied) as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, done)
    return redirect("complaints:detail", reference=complaint.reference)


@require_POST
@login_required
def acknowledge(request: HttpRequest, reference: str) -> HttpResponse:
    return _stage_action(
        request,
        reference,
        lambda u, c: actions.acknowledge_complaint(
            actor=u, complaint=c, message=request.POST.get("message", "")
        ),
        "Acknowledged.",
    )


@require_POST
@login_required
def investigate(request: HttpRequest, reference: str) -> HttpResponse:
    return _stage_action(
        request,
        reference,
        lambda u, c: actions.start_investigation(actor=u, complaint=c),
        "Investigation started.",
    )


@require_POST
@login_required
def decide(request: HttpRequest, reference: str) -> HttpResponse:
    post = request.POST
    return _stage_action(
        request,
        reference,
        lambda u, c: actions.decide_complaint(
            actor=u,
            complaint=c,
            outcome=post.get("outcome", ""),
            reason=post.get("reason", ""),
            credit_amount=post.get("credit_amount", "").strip() or None,
            credit_currency=post.get("credit_currency", ""),
            waive_charge=post.get("waive_charge") == "on",
            reopen_ticket=post.get("reopen_ticket") == "on",
            cause=post.get("cause") or None,
        ),
        "Decided. The decision is final.",
    )


@require_POST
@login_required
def close(request: HttpRequest, reference: str) -> HttpResponse:
    return _stage_action(
        request,
        reference,
        lambda u, c: actions.close_complaint(actor=u, complaint=c),
        "Closed.",
    )


@require_POST
@login_required
def annotate(request: HttpRequest, reference: str) -> HttpResponse:
    return _stage_action(
        request,
        reference,
        lambda u, c: actions.annotate_complaint(
            actor=u,
            complaint=c,
            body=request.POST.get("body", ""),
            visible_to_customer=request.POST.get("visible_to_customer") == "on",
        ),
        "Note added.",
    )


@require_POST
@login_required
def assign(request: HttpRequest, reference: str) -> HttpResponse:
    raw_owner = request.POST.get("owner", "")
    owner = User.objects.filter(pk=int(raw_owner)).first() if raw_owner.isdigit() else None

    def run(u: User, c: Complaint) -> Any:
        if owner is None:
            raise ActionValidationError({"owner": "choose a manager"})
        return actions.assign_owner(
            actor=u, complaint=c, owner=owner, reason=request.POST.get("reason", "")
        )

    return _stage_action(request, reference, run, "Owner assigned.")


@require_GET
@login_required
def report(request: HttpRequest) -> HttpResponse:
    if not _user(request).can(Capability.VIEW_COMPLAINT_REPORT):
        raise PermissionDenied
    now = timezone.now()
    return render(
        request,
        "complaints/report.html",
        {
            "report": selectors.complaint_report(request.user, now=now),
            "columns": selectors.OUTCOME_COLUMNS,
            "now": now,
        },
    )

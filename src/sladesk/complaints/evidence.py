"""The evidence for a complaint, assembled from the records: nobody types it in.

Live (from the rows) until the decision; at the decision the same structure is frozen into
`Complaint.evidence`, so the decided record shows exactly what the decision was made on.
Every timeline entry says whether it is internal; a customer is shown only the others.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from sladesk.audit.models import AuditEvent
from sladesk.complaints.models import Complaint
from sladesk.contracts.sla_adapter import explain_due
from sladesk.tickets.models import Message, Ticket


def _who(user: Any) -> str:
    return str(user) if user is not None else "system"


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _sla(ticket: Ticket, now: dt.datetime) -> dict[str, Any]:
    if ticket.policy is None or not ticket.coverage:
        explanation = "No valid contract covered this module when the ticket was logged: no target."
    else:
        explanation = explain_due(
            policy_row=ticket.policy,
            priority=ticket.priority,
            coverage=ticket.coverage,
            logged_at=ticket.logged_at,
        )
    return {
        "target": "first response",
        "priority": ticket.priority,
        "coverage": ticket.coverage or "none",
        "due": _iso(ticket.response_due),
        "due_at_response": _iso(ticket.response_due_at_response),
        "responded_at": _iso(ticket.responded_at),
        "response_kind": ticket.first_response_kind,
        "state": ticket.response_state(now),
        "explanation": explanation,
    }


def _timeline(ticket: Ticket) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for m in Message.objects.filter(ticket=ticket).select_related("author"):
        text = m.body
        if m.kind == Message.Kind.CALL:
            text = (
                f"{m.get_call_direction_display()} call, {m.call_duration_seconds or 0} s: {m.body}"
            )
        entries.append(
            {
                "at": _iso(m.at),
                "kind": str(m.kind),
                "label": m.get_kind_display(),
                "who": _who(m.author),
                "text": text,
                "internal": not m.visible_to_customer,
            }
        )
    for e in AuditEvent.objects.filter(ticket=ticket).select_related("actor"):
        entries.append(
            {
                "at": _iso(e.at),
                "kind": "event",
                "label": e.action,
                "who": _who(e.actor),
                "text": e.reason,
                "after": e.after,
                "internal": True,
            }
        )
    entries.sort(key=lambda entry: (entry["at"], entry["kind"] == "event"))
    return entries


def _billing(ticket: Ticket, charge_id: int | None) -> tuple[list[Any], list[Any]]:
    from sladesk.billing.models import Charge, TimeEntry

    time_entries = [
        {
            "started_at": _iso(t.started_at),
            "duration_seconds": t.duration_seconds,
            "in_hours_seconds": t.in_hours_seconds,
            "out_of_hours_seconds": t.out_of_hours_seconds,
            "who": _who(t.staff),
            "description": t.description,
            "diagnosis": t.is_diagnosis,
            "voided": t.voided_at is not None,
            "charge": t.charge_id,
        }
        for t in TimeEntry.objects.filter(ticket=ticket).select_related("staff")
    ]
    charges = [
        {
            "id": c.pk,
            "in_question": c.pk == charge_id,
            "description": c.description,
            "currency": c.currency,
            "amount": str(c.amount),
            "billed_in_seconds": c.billed_in_seconds,
            "billed_out_seconds": c.billed_out_seconds,
            "diagnosis_free_seconds": c.diagnosis_free_seconds,
            "rule_applied": c.rule_applied,
            "sow_reference": c.sow_reference,
            "held": c.held,
            "decision": c.decision,
            "created_at": _iso(c.created_at),
            "issued": c.statement is not None and c.statement.status == "issued",
        }
        for c in Charge.objects.filter(ticket=ticket).select_related("statement")
    ]
    return time_entries, charges


def assemble(complaint: Complaint, *, now: dt.datetime) -> dict[str, Any]:
    """The whole evidence (staff view), as plain JSON values."""
    evidence: dict[str, Any] = {
        "assembled_at": _iso(now),
        "complaint": {
            "reference": complaint.reference,
            "about": complaint.about,
            "logged_at": _iso(complaint.logged_at),
            "acknowledge_due": _iso(complaint.acknowledge_due),
            "acknowledged_at": _iso(complaint.acknowledged_at),
            "acknowledge_state": complaint.acknowledge_state(now),
            "decision_due": _iso(complaint.decision_due),
        },
        "ticket": None,
        "sla": None,
        "timeline": [],
        "time_entries": [],
        "charges": [],
    }
    ticket = complaint.ticket
    if ticket is not None:
        evidence["ticket"] = {
            "reference": ticket.reference,
            "overview": ticket.overview,
            "company": str(ticket.company),
            "module": str(ticket.module),
            "version": ticket.version,
            "status": ticket.status,
            "logged_at": _iso(ticket.logged_at),
            "resolved_at": _iso(ticket.resolved_at),
            "closed_at": _iso(ticket.closed_at),
            "reopen_count": ticket.reopen_count,
            "scope": ticket.scope,
            "chargeable": ticket.chargeable,
            "resolution": ticket.resolution,
        }
        evidence["sla"] = _sla(ticket, now)
        evidence["timeline"] = _timeline(ticket)
        time_entries, charges = _billing(ticket, complaint.charge_id)
        evidence["time_entries"] = time_entries
        evidence["charges"] = charges
    # Plain JSON now, so the stored snapshot compares equal to what was assembled.
    result: dict[str, Any] = json.loads(json.dumps(evidence, cls=DjangoJSONEncoder))
    return result


def for_customer(evidence: dict[str, Any]) -> dict[str, Any]:
    """What a customer contact is shown: no internal notes, calls or audit events.

    Billing's own rules hold here too: customers never see time entries (staff names and
    working notes) nor charges that are not on an issued statement.
    """
    shown = dict(evidence)
    shown["timeline"] = [e for e in evidence.get("timeline", []) if not e.get("internal")]
    shown["time_entries"] = []
    shown["charges"] = [c for c in evidence.get("charges", []) if c.get("issued")]
    return shown

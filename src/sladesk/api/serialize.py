"""Model rows as API bodies. What a customer may not see is left out here, on top of the
selectors' scoping (which decides which rows they get at all)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from sladesk.accounts.roles import Capability
from sladesk.billing.models import Charge
from sladesk.complaints.models import Complaint
from sladesk.tickets.models import Attachment, Message, Ticket


def is_helpdesk(user: Any) -> bool:
    return bool(user.is_active and user.can(Capability.VIEW_INTERNAL))


def ticket_out(ticket: Ticket, user: Any, now: dt.datetime) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reference": ticket.reference,
        "company": ticket.company.slug,
        "company_name": ticket.company.name,
        "contact_name": ticket.contact_name,
        "contact_phone": ticket.contact_phone,
        "module_id": ticket.module_id,
        "module": str(ticket.module),
        "version": ticket.version,
        "overview": ticket.overview,
        "description": ticket.description,
        "affected": ticket.affected,
        "problem_since": ticket.problem_since,
        "error_details": ticket.error_details,
        "business_impact": ticket.business_impact,
        "channel": ticket.channel,
        "logged_at": ticket.logged_at,
        "priority": ticket.priority,
        "proposed_priority": ticket.proposed_priority,
        "status": ticket.status,
        "coverage": ticket.coverage or None,
        "response_due": ticket.response_due,
        "responded_at": ticket.responded_at,
        "response_met": ticket.response_met,
        "response_state": ticket.response_state(now),
        "resolution": ticket.resolution,
        "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at,
        "reopen_count": ticket.reopen_count,
        "updated_at": ticket.updated_at,
    }
    if is_helpdesk(user):
        data.update(
            assignee=ticket.assignee.email if ticket.assignee_id and ticket.assignee else None,
            needs_review=ticket.needs_review,
            possibly_chargeable=ticket.possibly_chargeable,
            scope=ticket.scope,
            chargeable=ticket.chargeable,
        )
    return data


def message_out(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "kind": message.kind,
        "author": str(message.author),
        "at": message.at,
        "body": message.body,
        "call_direction": message.call_direction or None,
        "call_duration_seconds": message.call_duration_seconds,
    }


def attachment_out(attachment: Attachment, reference: str) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "uploaded_at": attachment.uploaded_at,
        "message_id": attachment.message_id,
        "internal": attachment.internal,
        "download_url": reverse(
            "tickets:attachment", kwargs={"reference": reference, "pk": attachment.pk}
        ),
    }


def complaint_out(complaint: Complaint, now: dt.datetime) -> dict[str, Any]:
    decision = None
    if complaint.decided_at is not None:
        decision = {
            "outcome": complaint.outcome,
            "reason": complaint.decision_reason,
            "decided_at": complaint.decided_at,
            "decided_by": str(complaint.decided_by) if complaint.decided_by else None,
            "remedy": {
                "credit_amount": (
                    str(complaint.credit_amount) if complaint.credit_amount is not None else None
                ),
                "credit_currency": complaint.credit_currency or None,
                "charge_waived": complaint.charge_waived,
                "ticket_reopened": complaint.ticket_reopened,
            },
        }
    return {
        "reference": complaint.reference,
        "company": complaint.company.slug,
        "company_name": complaint.company.name,
        "contact_name": complaint.contact.name,
        "about": complaint.about,
        "ticket": complaint.ticket.reference if complaint.ticket else None,
        "charge_id": complaint.charge_id,
        "summary": complaint.summary,
        "cause": complaint.cause,
        "channel": complaint.channel,
        "logged_at": complaint.logged_at,
        "stage": complaint.stage,
        "owner": str(complaint.owner) if complaint.owner else None,
        "acknowledge_due": complaint.acknowledge_due,
        "acknowledged_at": complaint.acknowledged_at,
        "acknowledge_met": complaint.acknowledge_met,
        "acknowledge_state": complaint.acknowledge_state(now),
        "decision_due": complaint.decision_due,
        "decision_met": complaint.decision_met,
        "decision_state": complaint.decision_state(now),
        "decision": decision,
        "closed_at": complaint.closed_at,
        "updated_at": complaint.updated_at,
    }


def charge_out(charge: Charge) -> dict[str, Any]:
    return {
        "id": charge.pk,
        "statement": charge.statement.number if charge.statement else None,
        "ticket": charge.ticket.reference,
        "kind": charge.kind,
        "description": charge.description,
        "rule_applied": charge.rule_applied,
        "currency": charge.currency,
        "billed_in_seconds": charge.billed_in_seconds,
        "billed_out_seconds": charge.billed_out_seconds,
        "diagnosis_free_seconds": charge.diagnosis_free_seconds,
        "amount": str(charge.amount),
        "held": charge.held,
        "decision": charge.decision or None,
        "decided_at": charge.decided_at,
        "created_at": charge.created_at,
    }

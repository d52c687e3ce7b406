"""Model rows as API bodies. What a customer may not see is left out here, on top of the
selectors' scoping (which decides which rows they get at all)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from sladesk.accounts.roles import Capability
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

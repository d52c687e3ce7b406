"""The "complete the details" form shown on the console and portal ticket pages: what an
emailed ticket still lacks, and the module, version and other fields "Logging Queries"
asks for. The pages call `sladesk.tickets.actions.complete_ticket_details` with what it
reads here."""

from __future__ import annotations

from typing import Any

from sladesk.customers.models import Module
from sladesk.mail.missing import UNREAD, outstanding_fields
from sladesk.tickets.models import Affected, Ticket
from sladesk.web.forms import local_input, parse_local

TEXT_FIELDS = ("version", "error_details", "business_impact", "contact_phone")


def details_from_post(ticket: Ticket, post: Any) -> dict[str, Any]:
    """The fields to give: a missing one whenever it is filled in (even with the value
    assumed: that confirms it), any other only when it differs from the ticket's. A value
    that cannot be read is passed on as typed, so the action names it."""
    missing = set(outstanding_fields(ticket))
    given: dict[str, Any] = {}

    def offer(name: str, value: Any, current: Any) -> None:
        if value in ("", None):
            return
        if name in missing or value != current:
            given[name] = value

    module_id = post.get("module", "")
    if module_id:
        module = Module.objects.filter(pk=int(module_id) if module_id.isdigit() else 0).first()
        offer("module", module if module is not None else module_id, ticket.module)
    for name in TEXT_FIELDS:
        offer(name, post.get(name, "").strip(), getattr(ticket, name))
    offer("affected", post.get("affected", ""), ticket.affected)
    since = post.get("problem_since", "").strip()
    if since:
        parsed = parse_local(since)
        offer(
            "problem_since",
            parsed if parsed is not None else since,
            ticket.problem_since.replace(second=0, microsecond=0),
        )
    return given


def details_context(ticket: Ticket, *, missing_row: Any = UNREAD) -> dict[str, Any]:
    """The details form's context; `missing_row`: the ticket's missing-information row (or
    None) when the caller has already read it."""
    missing = set(outstanding_fields(ticket, missing_row))

    def shown(name: str, value: Any) -> Any:
        # A field still missing starts empty: the assumed value is a placeholder.
        return "" if name in missing else value

    return {
        "missing_fields": missing,
        "modules": Module.objects.select_related("product").prefetch_related("versions"),
        "affected_choices": Affected.choices,
        "values": {
            "module": shown("module", ticket.module_id),
            "version": shown("version", ticket.version),
            "affected": shown("affected", ticket.affected),
            "problem_since": shown("problem_since", local_input(ticket.problem_since)),
            "error_details": shown("error_details", ticket.error_details),
            "business_impact": shown("business_impact", ticket.business_impact),
            "contact_phone": shown("contact_phone", ticket.contact_phone),
        },
    }

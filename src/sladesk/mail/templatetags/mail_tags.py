from __future__ import annotations

from typing import Any

from django import template

from sladesk.mail.selectors import missing_information_for

register = template.Library()


def _missing(context: Any, ticket: Any) -> Any:
    """The ticket's missing information, read once per page: the console shows it twice."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None:
        return missing_information_for(user, ticket)
    # Kept on the request: the two tags render in different included templates.
    memo = request.__dict__.setdefault("_sladesk_missing_information", {})
    key = (getattr(user, "pk", None), ticket.pk)
    if key not in memo:
        memo[key] = missing_information_for(user, ticket)
    return memo[key]


@register.inclusion_tag("mail/_missing_information.html", takes_context=True)
def missing_information(context: Any, ticket: Any) -> dict[str, Any]:
    return {"missing": _missing(context, ticket)}


@register.inclusion_tag("mail/_ticket_details.html", takes_context=True)
def ticket_details(context: Any, ticket: Any) -> dict[str, Any]:
    """What an emailed ticket lacks and the form to give it (or to correct the module and
    version of any ticket), for the console and portal ticket pages. The form posts to the
    page's own app: the console's ticket actions, or the portal's details view."""
    from django.urls import reverse

    from sladesk.mail.forms import details_context

    request = context.get("request")
    user = getattr(request, "user", None)
    errors = context.get("details_errors") or {}
    staff = bool(user is not None and getattr(user, "is_helpdesk", False))
    missing = _missing(context, ticket)
    return {
        "ticket": ticket,
        "missing": missing,
        "staff": staff,
        "action": reverse("console:act" if staff else "portal:details", args=[ticket.reference]),
        "errors": errors,
        "data": context.get("data") if errors else None,
        "open": bool(errors),
        "csrf_token": context.get("csrf_token"),
        **details_context(ticket, missing_row=missing),
    }

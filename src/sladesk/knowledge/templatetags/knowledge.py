"""Template tags for the knowledge-base pieces included in the portal, console and billing
pages, so those views need no knowledge code of their own."""

from __future__ import annotations

import uuid
from typing import Any

from django import template

from sladesk.accounts.roles import Capability
from sladesk.knowledge import selectors
from sladesk.knowledge.models import Answer, State
from sladesk.tickets.models import Status

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def _valid_token(value: object) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return ""


@register.simple_tag(takes_context=True)
def kb_precontact(context: Any) -> dict[str, Any]:
    """The pre-contact checklists of the customer's products and the deflection attempt
    token, for the new-fault form (answers and token kept when the form comes back)."""
    request = context.get("request")
    user = context.get("user")
    posted = request.POST if request is not None and request.method == "POST" else {}
    errors = context.get("errors") or {}
    attempt = _valid_token(posted.get("kb_attempt", "")) or str(uuid.uuid4())
    checklists = []
    if getattr(user, "is_customer", False):
        # Every product the form's module list offers: the chosen module's product decides
        # which checklist must be answered.
        for product, items in selectors.checklist_for_products().items():
            checklists.append(
                {
                    "product": product,
                    "items": [
                        {
                            "item": item,
                            "field": f"check_{item.pk}",
                            "value": posted.get(f"check_{item.pk}", ""),
                            "error": errors.get(f"check_{item.pk}", ""),
                        }
                        for item in items
                    ],
                }
            )
    return {"attempt": attempt, "checklists": checklists, "answers": Answer.choices}


@register.simple_tag(takes_context=True)
def kb_console(context: Any, ticket: Any) -> dict[str, Any]:
    """What the console ticket page shows of the knowledge base."""
    user = context.get("user")
    if not selectors.is_helpdesk(user):
        return {}
    links = selectors.linked_articles(user, ticket)
    return {
        "workarounds": selectors.workarounds_in(links),
        "links": links,
        "checklist": selectors.checklist_answers_for(user, ticket),
        "can_link": user.can(Capability.LINK_ARTICLE),
        "can_draft": user.can(Capability.MANAGE_KNOWLEDGE)
        and ticket.status in (Status.RESOLVED, Status.CLOSED),
        "published": selectors.articles_visible_to(user)
        .filter(state=State.PUBLISHED)
        .values("slug", "title")[:300],
    }


@register.simple_tag(takes_context=True)
def kb_portal(context: Any, ticket: Any) -> dict[str, Any]:
    """For the customer's ticket page: the linked articles the customer may read (never an
    internal one or a draft) and the checklist answers given when logging."""
    user = context.get("user")
    return {
        "links": selectors.linked_articles(user, ticket),
        "checklist": selectors.checklist_answers_for(user, ticket),
    }


@register.simple_tag(takes_context=True)
def kb_checklist(context: Any, ticket: Any) -> Any:
    return selectors.checklist_answers_for(context.get("user"), ticket)

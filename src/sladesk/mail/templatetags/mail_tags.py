from __future__ import annotations

from typing import Any

from django import template

from sladesk.mail.selectors import missing_information_for

register = template.Library()


@register.inclusion_tag("mail/_missing_information.html", takes_context=True)
def missing_information(context: Any, ticket: Any) -> dict[str, Any]:
    request = context.get("request")
    return {"missing": missing_information_for(getattr(request, "user", None), ticket)}

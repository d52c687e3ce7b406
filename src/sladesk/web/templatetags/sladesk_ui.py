"""Template tags for the browser pages: SLA countdowns, sanitised user HTML, timelines."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import nh3
from django import template
from django.conf import settings
from django.utils import dateformat, timezone
from django.utils.html import conditional_escape, format_html, linebreaks
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# What a person may format in a message (from an email client, say); everything else,
# scripts, styles, event handlers and javascript: links included, is removed by nh3.
ALLOWED_TAGS = {
    "a",
    "b",
    "blockquote",
    "br",
    "code",
    "em",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}}
# Text is treated as HTML only when it contains one of the allowed tags; plain text such as
# "if a<b and c>d" would otherwise be parsed as a tag and lost.
_TAGS = "|".join(sorted(ALLOWED_TAGS))
LOOKS_LIKE_HTML = re.compile(rf"</?(?:{_TAGS})\s*/?>|<a\s+href=", re.IGNORECASE)


@register.filter
def user_html(value: Any) -> SafeString:
    """A message body as safe HTML: sanitised HTML if it is HTML, else escaped text with
    its line breaks kept."""
    text = "" if value is None else str(value)
    if LOOKS_LIKE_HTML.search(text):
        cleaned = nh3.clean(
            text,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer nofollow",
        )
        return mark_safe(cleaned)
    return mark_safe(linebreaks(conditional_escape(text)))


def _span(delta: dt.timedelta) -> str:
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


def sla_clock(ticket: Any, now: dt.datetime) -> dict[str, Any]:
    """Where a ticket stands against its response target, for the countdown.

    The band is decided from instants the core stored when it computed the due time
    (`sla_clock_starts_at`, `sla_warn_at`: the instant the configured share of the target
    is used, counted in the target's own calendar), so business-hours targets are coloured
    exactly even though the countdown text is wall-clock time to the due instant.
    """
    due = ticket.response_due
    state: dict[str, Any] = {
        "due": due,
        "warn": ticket.sla_warn_at,
        "start": ticket.sla_clock_starts_at,
        "now": now,
        "share": round(settings.SLADESK_SLA_WARNING_SHARE * 100),
    }
    if ticket.responded_at is not None:
        band = {True: "met", False: "breached"}.get(ticket.response_met, "none")
        text = {"met": "responded in time", "breached": "responded late"}.get(band, "responded")
        return {**state, "band": band, "text": text, "ticking": False}
    if due is None:
        return {**state, "band": "none", "text": "no target", "ticking": False}
    if now >= due:
        return {
            **state,
            "band": "breached",
            "text": f"overdue by {_span(now - due)}",
            "ticking": True,
        }
    if ticket.sla_clock_starts_at is not None and ticket.sla_clock_starts_at > now:
        return {
            **state,
            "band": "waiting",
            "text": f"waiting for the opening; {_span(due - now)} to due",
            "ticking": True,
        }
    warned = ticket.sla_warn_at is not None and now >= ticket.sla_warn_at
    return {
        **state,
        "band": "warning" if warned else "ok",
        "text": f"{_span(due - now)} left",
        "ticking": True,
    }


BAND_LABELS = {
    "ok": "On track",
    "breached": "Breached",
    "waiting": "Waiting",
    "met": "Met",
}


@register.simple_tag
def countdown(ticket: Any, now: dt.datetime) -> SafeString:
    """The SLA countdown: a coloured label, the time left, and for the script
    (`sladesk/countdown.js`) the instants it counts from, in the viewer's zone.

    Built here rather than from a template: a queue page has one a row, and rendering a
    template for each cost about a third of the page."""
    clock = sla_clock(ticket, now)
    share = clock["share"]

    def iso(value: dt.datetime | None) -> str:
        # What the `date:"c"` filter writes (ISO 8601 in the viewer's zone).
        return timezone.localtime(value).isoformat() if value else ""

    attributes = []
    if clock["ticking"]:
        attributes.append(format_html(' data-due="{}"', iso(clock["due"])))
        if clock["warn"]:
            attributes.append(format_html(' data-warn="{}"', iso(clock["warn"])))
        if clock["start"]:
            attributes.append(format_html(' data-start="{}"', iso(clock["start"])))
        attributes.append(format_html(' data-now="{}" data-share="{}"', iso(clock["now"]), share))
    title: str = "No response target"
    if clock["due"]:
        title = format_html(
            "Response due {}. Amber from {}% of the target used, red when breached.",
            dateformat.format(timezone.localtime(clock["due"]), "D j M Y H:i T"),
            share,
        )
    band = clock["band"]
    label = f"Over {share}% used" if band == "warning" else BAND_LABELS.get(band, "No target")
    return format_html(
        '<span class="countdown band-{}"{} title="{}"><span class="band-label">{}</span> '
        '<span class="countdown-text">{}</span></span>\n',
        band,
        mark_safe("".join(attributes)),  # every part is format_html output
        title,
        label,
        clock["text"],
    )


@register.filter
def changes(event: Any) -> list[tuple[str, Any, Any]]:
    """An audit event's before/after as (field, before, after) rows for the timeline."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return [(k, before.get(k, ""), after.get(k, "")) for k in keys]

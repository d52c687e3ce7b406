"""The SLA countdown tag writes exactly what its former template wrote, in every band and
in the viewer's zone, across a clock change; only faster (it is on every queue row)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import timezone

from sladesk.web.templatetags.sladesk_ui import countdown, sla_clock

UTC = dt.UTC
# The template the tag replaced (web/_countdown.html), kept as the reference.
FORMER_TEMPLATE = (
    """<span class="countdown band-{{ c.band }}"{% if c.ticking %}"""
    """ data-due="{{ c.due|date:'c' }}\""""
    """{% if c.warn %} data-warn="{{ c.warn|date:'c' }}"{% endif %}{% if c.start %}"""
    """ data-start="{{ c.start|date:'c' }}"{% endif %} data-now="{{ c.now|date:'c' }}\""""
    """ data-share="{{ c.share }}"{% endif %} title="{% if c.due %}Response due"""
    """ {{ c.due|date:'D j M Y H:i T' }}. Amber from {{ c.share }}% of the target used, red"""
    """ when breached.{% else %}No response target{% endif %}"><span class="band-label">"""
    """{% if c.band == "ok" %}On track{% elif c.band == "warning" %}Over {{ c.share }}% used"""
    """{% elif c.band == "breached" %}Breached{% elif c.band == "waiting" %}Waiting"""
    """{% elif c.band == "met" %}Met{% else %}No target{% endif %}</span> <span"""
    """ class="countdown-text">{{ c.text }}</span></span>\n"""
)

# Around the UK clocks going back (25 October 2026, 02:00 BST).
DUE = dt.datetime(2026, 10, 26, 9, 15, 30, tzinfo=UTC)
WARN = dt.datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
START = dt.datetime(2026, 10, 24, 23, 0, tzinfo=UTC)


def _ticket(**fields):
    values = {
        "response_due": DUE,
        "sla_warn_at": WARN,
        "sla_clock_starts_at": START,
        "responded_at": None,
        "response_met": None,
    }
    values.update(fields)
    return SimpleNamespace(**values)


CASES = {
    "ok": (_ticket(), dt.datetime(2026, 10, 25, 10, 0, tzinfo=UTC)),
    "warning": (_ticket(), dt.datetime(2026, 10, 26, 8, 30, tzinfo=UTC)),
    "breached": (_ticket(), dt.datetime(2026, 10, 26, 11, 0, tzinfo=UTC)),
    "waiting": (_ticket(), dt.datetime(2026, 10, 24, 22, 30, tzinfo=UTC)),
    "met": (
        _ticket(responded_at=dt.datetime(2026, 10, 26, 9, 0, tzinfo=UTC), response_met=True),
        dt.datetime(2026, 10, 26, 12, 0, tzinfo=UTC),
    ),
    "no target": (
        _ticket(response_due=None, sla_warn_at=None, sla_clock_starts_at=None),
        dt.datetime(2026, 10, 26, 12, 0, tzinfo=UTC),
    ),
    "no warning instant": (_ticket(sla_warn_at=None), dt.datetime(2026, 10, 25, 10, 0, tzinfo=UTC)),
}


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "UTC"])
@pytest.mark.parametrize("case", list(CASES))
def test_the_countdown_matches_its_former_template(zone, case):
    ticket, now = CASES[case]

    with timezone.override(zone):
        expected = Template(FORMER_TEMPLATE).render(Context({"c": sla_clock(ticket, now)}))
        written = countdown(ticket, now)

    assert written == expected


def test_the_countdown_in_london_names_the_due_time_in_greenwich_time_after_the_change():
    ticket, now = CASES["waiting"]

    with timezone.override("Europe/London"):
        written = countdown(ticket, now)

    assert 'data-due="2026-10-26T09:15:30+00:00"' in written
    assert 'data-now="2026-10-24T23:30:00+01:00"' in written
    assert "Response due Mon 26 Oct 2026 09:15 GMT." in written
    assert '<span class="band-label">Waiting</span>' in written

"""The report pages: SLA compliance, volumes by hour of week, open-ticket ageing and
chargeable hours, each with its charts, tables, CSV downloads and drill-down lists.

Read only: every figure comes from `sladesk.reports.selectors`, scoped to the viewer.
`?csv=<table>` downloads a table; the drill-down lists take `?csv=1`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from sladesk.accounts.models import User
from sladesk.accounts.roles import Capability
from sladesk.core.errors import ActionValidationError
from sladesk.customers.models import Company
from sladesk.reports import charts, selectors
from sladesk.reports.exports import csv_response
from sladesk.reports.models import ResponseFact
from sladesk.reports.selectors import OUTCOMES, Filters, Stats, london_label, ranked
from sladesk.tickets.models import Ticket

PAGE_SIZE = 200
# The customer and agent breakdowns grow with the directory (thousands of companies), so
# the compliance page shows only the most relevant rows of each and links to the whole
# table, paginated; the CSV still has every row.
TOP_ROWS = 25
BREAKDOWN_PAGE_SIZE = 100
TOP_RULE = "the {n} with the most breached responses, then the most tickets logged (then by name)"


def _now() -> dt.datetime:
    """The instant the figures are taken at (a seam for tests to pin it)."""
    return timezone.now()


STATS_HEADER = [
    "Logged",
    "Met",
    "Breached",
    "Pending",
    "No target",
    "Met %",
    "Median business minutes",
    "p90 business minutes",
]
COMPLIANCE_TABLES = {
    "priority": ("by_priority", "Priority"),
    "customer": ("by_customer", "Customer"),
    "agent": ("by_agent", "Agent"),
    "channel": ("by_channel", "Channel"),
    "month": ("by_month", "Month"),
}


def _refused(what: str) -> PermissionDenied:
    return PermissionDenied(f"{what} is for managers.")


def _bad_request(request: HttpRequest, error: ActionValidationError) -> HttpResponse:
    return render(request, "reports/bad_request.html", {"errors": error.errors}, status=400)


def _month(request: HttpRequest, now: dt.datetime) -> dt.date:
    return selectors.parse_month(request.GET.get("month"), now)


def _drill_url(query: dict[str, str]) -> str:
    return f"{reverse('reports:tickets')}?{urlencode(query)}"


def _stats_cells(s: Stats) -> list[Any]:
    return [
        s.logged,
        s.met,
        s.breached,
        s.pending,
        s.no_target,
        "" if s.met_percent is None else s.met_percent,
        "" if s.median_minutes is None else s.median_minutes,
        "" if s.p90_minutes is None else s.p90_minutes,
    ]


def _segment_href(row: Stats, part: charts.Part) -> str:
    return _drill_url({**row.drill, "outcome": part.attribute})


def _section_rows(rows: list[Stats]) -> list[dict[str, Any]]:
    return [
        {
            "stats": s,
            "url": _drill_url(s.drill),
            "urls": {o: _drill_url({**s.drill, "outcome": o}) for o in [*OUTCOMES, "timed"]},
        }
        for s in rows
    ]


@require_GET
@login_required
def compliance(request: HttpRequest) -> HttpResponse:
    now = _now()
    try:
        month = _month(request, now)
    except ActionValidationError as exc:
        if selectors.viewer_for(request.user) is None:
            raise _refused("The compliance report") from exc
        return _bad_request(request, exc)
    data = selectors.compliance_report(request.user, month=month, now=now)
    if data is None:
        raise _refused("The compliance report")
    table = request.GET.get("csv")
    if table:
        if table not in COMPLIANCE_TABLES or (
            table in ("customer", "agent") and not data["is_manager"]
        ):
            return _bad_request(
                request,
                ActionValidationError(
                    {
                        "csv": f"{table!r} is not a table of this report "
                        f"({', '.join(COMPLIANCE_TABLES)})."
                    }
                ),
            )
        key, title = COMPLIANCE_TABLES[table]
        rows = [[s.label, *_stats_cells(s)] for s in data[key]]
        return csv_response(
            f"sla-compliance-{month:%Y-%m}-by-{table}.csv", [title, *STATS_HEADER], rows
        )
    sections = []
    for table_key, (key, title) in COMPLIANCE_TABLES.items():
        if table_key in ("customer", "agent") and not data["is_manager"]:
            continue
        shown: list[Stats] = data[key]
        section: dict[str, Any] = {
            "key": table_key,
            "title": f"By {title.lower()}",
            "dimension": title,
        }
        if table_key in ("customer", "agent"):
            section["count"] = len(shown)
            section["rule"] = TOP_RULE.format(n=TOP_ROWS)
            section["full_url"] = (
                f"{reverse('reports:breakdown', args=[table_key])}?month={month:%Y-%m}"
            )
            shown = ranked(shown)[:TOP_ROWS]
        section["rows"] = _section_rows(shown)
        section["chart"] = charts.compliance(shown, _segment_href)
        sections.append(section)
    total = data["total"]
    return render(
        request,
        "reports/compliance.html",
        {
            **data,
            "now": now,
            "sections": sections,
            "total_urls": {
                o: _drill_url({**total.drill, "outcome": o}) for o in [*OUTCOMES, "timed"]
            },
            "total_url": _drill_url(total.drill),
        },
    )


@require_GET
@login_required
def breakdown(request: HttpRequest, table: str) -> HttpResponse:
    """The whole customer or agent table of a month, 100 rows a page, in the order of the
    compliance page's top rows, with the same figures and drill-downs."""
    now = _now()
    if selectors.viewer_for(request.user, managers_only=True) is None:
        raise _refused("The full breakdown")
    try:
        month = _month(request, now)
    except ActionValidationError as exc:
        return _bad_request(request, exc)
    raw = request.GET.get("page", "1")
    errors = {}
    if table not in ("customer", "agent"):
        errors["table"] = f"{table!r} is not a breakdown of this report (customer, agent)."
    if not (raw.isdigit() and int(raw) > 0):
        errors["page"] = f"{raw!r} is not a page number (1, 2, ...)."
    if errors:
        return _bad_request(request, ActionValidationError(errors))
    data = selectors.compliance_report(request.user, month=month, now=now)
    if data is None:
        raise _refused("The full breakdown")
    key, title = COMPLIANCE_TABLES[table]
    rows = ranked(data[key])
    pages = max(1, -(-len(rows) // BREAKDOWN_PAGE_SIZE))
    page = int(raw)
    if page > pages:
        return _bad_request(
            request,
            ActionValidationError(
                {"page": f"Page {page} does not exist: the table has {pages} page(s)."}
            ),
        )
    shown = rows[(page - 1) * BREAKDOWN_PAGE_SIZE : page * BREAKDOWN_PAGE_SIZE]
    here = reverse("reports:breakdown", args=[table])

    def page_url(n: int) -> str:
        return f"{here}?month={month:%Y-%m}&page={n}"

    return render(
        request,
        "reports/breakdown.html",
        {
            "month": month,
            "now": now,
            "section": {
                "key": table,
                "title": f"By {title.lower()}",
                "dimension": title,
                "rows": _section_rows(shown),
                "count": len(rows),
                "csv_url": f"{reverse('reports:compliance')}?month={month:%Y-%m}&csv={table}",
            },
            "rule": TOP_RULE.format(n=TOP_ROWS),
            "count": len(rows),
            "page": page,
            "pages": pages,
            "first": (page - 1) * BREAKDOWN_PAGE_SIZE + 1,
            "last": (page - 1) * BREAKDOWN_PAGE_SIZE + len(shown),
            "previous_url": page_url(page - 1) if page > 1 else "",
            "next_url": page_url(page + 1) if page < pages else "",
            "back": f"{reverse('reports:compliance')}?month={month:%Y-%m}",
            "csv_url": f"{reverse('reports:compliance')}?month={month:%Y-%m}&csv={table}",
        },
    )


@require_GET
@login_required
def volumes(request: HttpRequest) -> HttpResponse:
    now = _now()
    if selectors.viewer_for(request.user, managers_only=True) is None:
        raise _refused("The volume report")
    try:
        month = _month(request, now)
    except ActionValidationError as exc:
        return _bad_request(request, exc)
    data = selectors.volumes_report(request.user, month=month, now=now)
    if data is None:
        raise _refused("The volume report")
    if request.GET.get("csv"):
        rows = [[day, *(c["count"] for c in cells)] for day, cells in data["days"]]
        header = ["Day (London time)", *(f"{h:02d}:00" for h in range(24))]
        return csv_response(f"volumes-{month:%Y-%m}-by-hour-of-week.csv", header, rows)
    days = [
        (day, [{**c, "url": _drill_url(c["drill"])} for c in cells]) for day, cells in data["days"]
    ]
    return render(
        request,
        "reports/volumes.html",
        {
            **data,
            "days": days,
            "hours": [f"{h:02d}" for h in range(24)],
            "chart": charts.heatmap(days, data["busiest"]),
            "total_url": _drill_url(data["drill"]),
        },
    )


def _ageing_url(query: dict[str, str]) -> str:
    return f"{reverse('reports:ageing_tickets')}?{urlencode(query)}"


@require_GET
@login_required
def ageing(request: HttpRequest) -> HttpResponse:
    now = _now()
    data = selectors.ageing_report(request.user, now=now)
    if data is None:
        raise _refused("The ageing report")
    if request.GET.get("csv"):
        header = ["Priority", *(b[1] for b in data["buckets"]), "Open"]
        rows = [[r["label"], *(c["count"] for c in r["cells"]), r["total"]] for r in data["rows"]]
        rows.append(["All", *(t["count"] for t in data["totals"]), data["total"]])
        return csv_response(f"open-ticket-ageing-{now:%Y-%m-%d}.csv", header, rows)
    for row in data["rows"]:
        row["url"] = _ageing_url(row["drill"])
        for cell in row["cells"]:
            cell["url"] = _ageing_url(cell["drill"])
    for total in data["totals"]:
        total["url"] = _ageing_url(total["drill"])
    parts = [
        charts.Part(str(i), label, charts.AGE_COLOURS[i])
        for i, (_, label, _, _) in enumerate(data["buckets"])
    ]
    chart_rows = [
        {"label": r["label"], **{str(i): c["count"] for i, c in enumerate(r["cells"])}, "row": r}
        for r in data["rows"]
    ]
    chart = charts.stacked(
        chart_rows,
        parts,
        label=lambda r: r["label"],
        href=lambda r, p: r["row"]["cells"][int(p.attribute)]["url"],
        text=lambda r: f"{r['row']['total']} open",
    )
    return render(
        request,
        "reports/ageing.html",
        {**data, "now": now, "chart": chart, "all_url": _ageing_url({})},
    )


def _chargeable_url(query: dict[str, str]) -> str:
    return f"{reverse('reports:chargeable_tickets')}?{urlencode(query)}"


@require_GET
@login_required
def chargeable(request: HttpRequest) -> HttpResponse:
    now = _now()
    if selectors.viewer_for(request.user, managers_only=True) is None:
        raise _refused("The chargeable hours report")
    try:
        month = _month(request, now)
    except ActionValidationError as exc:
        return _bad_request(request, exc)
    data = selectors.chargeable_report(request.user, month=month)
    if data is None:
        raise _refused("The chargeable hours report")
    if request.GET.get("csv"):
        header = [
            "Customer",
            "Tickets",
            "In-hours hours",
            "Out-of-hours hours",
            "Total hours",
            "Held (disputed) hours",
        ]
        rows = [
            [
                r["label"],
                r["tickets"],
                r["in_hours"],
                r["out_hours"],
                r["total_hours"],
                r["held_hours"],
            ]
            for r in data["rows"]
        ]
        return csv_response(f"chargeable-hours-{month:%Y-%m}.csv", header, rows)
    for row in data["rows"]:
        row["url"] = _chargeable_url(row["drill"])
        row["in_s"] = round(float(row["in_hours"]) * 3600)
        row["out_s"] = round(float(row["out_hours"]) * 3600)
    chart = charts.stacked(
        data["rows"],
        [
            charts.Part("in_s", "in hours", charts.VOLUME),
            charts.Part("out_s", "out of hours", charts.NO_TARGET),
        ],
        label=lambda r: r["label"],
        href=lambda r, p: r["url"],
        text=lambda r: f"{r['total_hours']} h",
    )
    return render(request, "reports/chargeable.html", {**data, "chart": chart})


# ----------------------------------------------------------------------------- drill-down

TICKET_HEADER = [
    "Reference",
    "Customer",
    "Priority",
    "Channel",
    "Logged (London)",
    "Response due (London)",
    "First response (London)",
    "Outcome",
    "Business minutes to response",
    "Agent",
    "Status",
]


def _ticket_link(user: Any, ticket: Ticket) -> str:
    if user.is_customer:
        return reverse("portal:ticket", args=[ticket.reference])
    return reverse("console:ticket", args=[ticket.reference])


def _ticket_rows(
    user: Any, tickets: list[Ticket], facts: dict[int, Any] | None, now: dt.datetime
) -> Any:
    if facts is None:  # the ageing and chargeable lists: the stored rows of these tickets
        ids = [t.pk for t in tickets]
        facts = {f.ticket_id: f for f in ResponseFact.objects.filter(ticket_id__in=ids)}
    for t in tickets:
        fact = facts.get(t.pk)
        seconds = None if fact is None else fact.business_seconds
        outcome = t.response_state(now)
        yield {
            "ticket": t,
            "url": _ticket_link(user, t),
            "cells": [
                t.reference,
                t.company.name,
                t.get_priority_display(),
                t.get_channel_display(),
                london_label(t.logged_at),
                london_label(t.response_due),
                london_label(t.responded_at),
                {"overdue": "breached (no response)"}.get(outcome, outcome),
                "" if seconds is None else round(seconds / 60, 1),
                "" if t.first_response_by is None else t.first_response_by.get_full_name(),
                t.get_status_display(),
            ],
        }


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


def _list_page(
    request: HttpRequest,
    *,
    ids: list[int],
    facts: dict[int, Any] | None,
    title: str,
    back: str,
    filename: str,
    now: dt.datetime,
) -> HttpResponse:
    user = request.user
    if request.GET.get("csv"):

        def everything() -> Any:
            for start in range(0, len(ids), 500):
                chunk = selectors.tickets_by_ids(user, ids[start : start + 500])
                for row in _ticket_rows(user, chunk, facts, now):
                    yield row["cells"]

        return csv_response(filename, TICKET_HEADER, everything())
    page = _page_number(request)
    chunk = ids[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    rows = list(_ticket_rows(user, selectors.tickets_by_ids(user, chunk), facts, now))
    query = request.GET.copy()
    query.pop("page", None)
    base = query.urlencode()

    def page_url(n: int) -> str:
        return f"?{base}&page={n}" if base else f"?page={n}"

    return render(
        request,
        "reports/tickets.html",
        {
            "title": title,
            "back": back,
            "count": len(ids),
            "rows": rows,
            "header": TICKET_HEADER,
            "page": page,
            "previous_url": page_url(page - 1) if page > 1 else "",
            "next_url": page_url(page + 1) if page * PAGE_SIZE < len(ids) else "",
            "csv_url": f"?{base}&csv=1" if base else "?csv=1",
            "first": (page - 1) * PAGE_SIZE + 1,
            "last": (page - 1) * PAGE_SIZE + len(rows),
        },
    )


def _describe(filters: Filters, names: Callable[[], dict[str, str]]) -> str:
    parts = [filters.month.strftime("%B %Y")]
    described = names()
    for key in ("priority", "company", "agent", "channel", "outcome", "hour"):
        if key in described:
            parts.append(described[key])
    return "Tickets logged in " + ", ".join(parts)


@require_GET
@login_required
def tickets(request: HttpRequest) -> HttpResponse:
    now = _now()
    if selectors.viewer_for(request.user) is None:
        raise _refused("The reports")
    try:
        filters = Filters.from_query(request.GET, now)
    except ActionValidationError as exc:
        return _bad_request(request, exc)
    found = selectors.drill_tickets(request.user, filters, now)
    if found is None:
        raise _refused("This report")
    ids, facts = found

    def names() -> dict[str, str]:
        out = {}
        if filters.priority:
            out["priority"] = f"priority {filters.priority}"
        # Names only for managers: a customer contact must not learn another company's
        # name by trying numbers (its own list is scoped to its company anyway).
        manager = request.user.can(Capability.VIEW_REPORTS)  # type: ignore[union-attr]
        if filters.company is not None:
            company = Company.objects.filter(pk=filters.company).first() if manager else None
            out["company"] = company.name if company else f"customer #{filters.company}"
        if filters.agent is not None:
            agent = User.objects.filter(pk=filters.agent).first() if manager else None
            out["agent"] = (
                "no response yet"
                if filters.agent == 0
                else f"first response by {agent.get_full_name() or agent.email}"
                if agent
                else f"agent #{filters.agent}"
            )
        if filters.channel:
            out["channel"] = f"channel {filters.channel}"
        if filters.outcome:
            out["outcome"] = (
                "responded with a target (the median and p90)"
                if filters.outcome == "timed"
                else OUTCOMES[filters.outcome].lower()
            )
        if filters.hour is not None:
            day, hour = divmod(filters.hour, 24)
            out["hour"] = f"{selectors.DAYS[day]} {hour:02d}:00-{hour:02d}:59 London time"
        return out

    back = reverse("reports:volumes" if filters.hour is not None else "reports:compliance")
    return _list_page(
        request,
        ids=ids,
        facts=facts,
        title=_describe(filters, names),
        back=f"{back}?month={filters.month:%Y-%m}",
        filename=f"tickets-{filters.month:%Y-%m}.csv",
        now=now,
    )


@require_GET
@login_required
def ageing_tickets(request: HttpRequest) -> HttpResponse:
    now = _now()
    if selectors.viewer_for(request.user, managers_only=True) is None:
        raise _refused("The ageing report")
    try:
        found = selectors.ageing_tickets(request.user, request.GET, now)
    except ActionValidationError as exc:
        return _bad_request(request, exc)
    ids = list(found.values_list("pk", flat=True))
    labels = {b[0]: b[1] for b in selectors.AGE_BUCKETS}
    bits = [labels.get(request.GET.get("age", ""), ""), request.GET.get("priority", "")]
    title = "Open tickets" + (": " + ", ".join(b for b in bits if b) if any(bits) else "")
    return _list_page(
        request,
        ids=ids,
        facts=None,
        title=title,
        back=reverse("reports:ageing"),
        filename=f"open-tickets-{now:%Y-%m-%d}.csv",
        now=now,
    )


@require_GET
@login_required
def chargeable_tickets(request: HttpRequest) -> HttpResponse:
    now = _now()
    if selectors.viewer_for(request.user, managers_only=True) is None:
        raise _refused("The chargeable hours report")
    try:
        found = selectors.chargeable_tickets(request.user, request.GET, now)
    except ActionValidationError as exc:
        return _bad_request(request, exc)
    ids = list(found.values_list("pk", flat=True))
    month = request.GET.get("month", "")
    return _list_page(
        request,
        ids=ids,
        facts=None,
        title=f"Tickets with chargeable work on the statements of {month}",
        back=f"{reverse('reports:chargeable')}?month={month}",
        filename=f"chargeable-tickets-{month}.csv",
        now=now,
    )

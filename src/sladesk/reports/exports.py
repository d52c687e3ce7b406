"""CSV downloads of the report tables, safe to open in a spreadsheet.

Every cell goes through billing's `neutralise`: a cell starting with `=`, `+`, `-`, `@`,
tab or carriage return (a customer or agent name, say) gets a leading quote, so a
spreadsheet shows it as text instead of running it as a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

from sladesk.billing.render import neutralise


def cell(value: Any) -> str:
    if value is None:
        return ""
    return neutralise(str(value))


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    writer = csv.writer(response)
    writer.writerow([cell(h) for h in header])
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return response

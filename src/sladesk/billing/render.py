"""A statement as CSV and PDF, from the values fixed on its lines.

Both are built only from stored line values, never recomputed, so an issued statement
renders the same whenever it is downloaded (a later dispute or correction does not show
on it: corrections are lines of a later statement).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from sladesk.billing.models import Charge, Statement
from sladesk.billing.money import hours
from sladesk.billing.selectors import lines_of

# A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def neutralise(cell: str) -> str:
    """Prefix a quote to a cell a spreadsheet would run as a formula. Numbers we write
    ourselves (such as -12.50 on a correction) stay numbers."""
    if cell.startswith(FORMULA_TRIGGERS) and not PLAIN_NUMBER.match(cell):
        return "'" + cell
    return cell


@dataclass(frozen=True)
class Line:
    reference: str
    description: str
    rule: str
    in_hours: Decimal
    out_of_hours: Decimal
    in_rate: Decimal
    out_rate: Decimal
    amount: Decimal
    counted: bool
    note: str


@dataclass(frozen=True)
class Summary:
    lines: list[Line]
    total: Decimal
    held: Decimal


def _counted(statement: Statement, charge: Charge) -> bool:
    if statement.is_issued:
        return bool(charge.counted_in_issued_total)
    return charge.counts_now


def _note(statement: Statement, charge: Charge, counted: bool) -> str:
    if counted:
        return ""
    if statement.is_issued:
        return "held: disputed, not in total" if charge.amount else "not in total"
    if charge.held:
        return "held: disputed, not in total"
    return "waived"


def summary(statement: Statement) -> Summary:
    lines: list[Line] = []
    total = held = Decimal(0)
    for charge in lines_of(statement):
        counted = _counted(statement, charge)
        if counted:
            total += charge.amount
        elif statement.is_issued or charge.held:
            held += charge.amount
        lines.append(
            Line(
                reference=charge.ticket.reference,
                description=charge.description,
                rule=charge.rule_applied,
                in_hours=hours(charge.billed_in_seconds),
                out_of_hours=hours(charge.billed_out_seconds),
                in_rate=charge.in_hours_rate,
                out_rate=charge.out_of_hours_rate,
                amount=charge.amount,
                counted=counted,
                note=_note(statement, charge, counted),
            )
        )
    if statement.is_issued:
        total = statement.issued_total or Decimal(0)
        held = statement.issued_held_total or Decimal(0)
    return Summary(lines=lines, total=total, held=held)


CSV_HEADER = [
    "statement",
    "month",
    "ticket",
    "description",
    "rule applied",
    "in-hours hours",
    "in-hours rate",
    "out-of-hours hours",
    "out-of-hours rate",
    "currency",
    "amount",
    "in total",
    "note",
]


def statement_csv(statement: Statement) -> bytes:
    data = summary(statement)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    month = f"{statement.month:%Y-%m}"
    for line in data.lines:
        row = [
            statement.number,
            month,
            line.reference,
            line.description,
            line.rule,
            str(line.in_hours),
            str(line.in_rate),
            str(line.out_of_hours),
            str(line.out_rate),
            statement.currency,
            str(line.amount),
            "yes" if line.counted else "no",
            line.note,
        ]
        writer.writerow([neutralise(cell) for cell in row])
    blank = [""] * 6
    total_row = [statement.number, month, "TOTAL", *blank, statement.currency, str(data.total)]
    writer.writerow([neutralise(cell) for cell in [*total_row, "", ""]])
    if data.held:
        held_row = [statement.number, month, "HELD", *blank, statement.currency, str(data.held)]
        writer.writerow([neutralise(cell) for cell in [*held_row, "", "disputed, not in total"]])
    return out.getvalue().encode("utf-8")


def _latin1(text: str) -> str:
    # The PDF core fonts cover Latin-1 only.
    return text.encode("latin-1", "replace").decode("latin-1")


def statement_pdf(statement: Statement) -> bytes:
    from fpdf import FPDF

    data = summary(statement)
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    # Uncompressed, so the statement's text can be searched and checked in the file itself.
    pdf.set_compression(False)
    stamp = statement.issued_at or statement.generated_at
    pdf.set_creation_date(stamp)
    pdf.set_title(_latin1(f"Statement {statement.number}"))
    pdf.set_author("sladesk")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _latin1(f"Statement {statement.number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    status = (
        f"Issued {statement.issued_at:%Y-%m-%d %H:%M} UTC"
        if statement.issued_at
        else "DRAFT - not issued"
    )
    for text in (
        f"Customer: {statement.company.name}",
        f"Month: {statement.month:%B %Y}",
        f"Currency: {statement.currency}",
        status,
    ):
        pdf.cell(0, 6, _latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = (28, 95, 22, 22, 22, 22, 28, 38)
    heads = (
        "Ticket",
        "Work and rule applied",
        "In h",
        "In rate",
        "Out h",
        "Out rate",
        "Amount",
        "Note",
    )
    pdf.set_font("Helvetica", "B", 9)
    for width, head in zip(widths, heads, strict=True):
        pdf.cell(width, 7, head, border=1)
    pdf.ln()
    pdf.set_font("Helvetica", size=8)
    for line in data.lines:
        text = f"{line.description}\n{line.rule}" if line.rule else line.description
        cells = (
            line.reference,
            text,
            str(line.in_hours),
            str(line.in_rate),
            str(line.out_of_hours),
            str(line.out_rate),
            str(line.amount),
            line.note,
        )
        with pdf.table(
            col_widths=widths, first_row_as_headings=False, width=sum(widths), text_align="LEFT"
        ) as table:
            row = table.row()
            for cell in cells:
                row.cell(_latin1(cell))
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(
        0, 7, _latin1(f"Total: {statement.currency} {data.total}"), new_x="LMARGIN", new_y="NEXT"
    )
    if data.held:
        pdf.set_font("Helvetica", size=9)
        pdf.cell(
            0,
            6,
            _latin1(f"Held while disputed (not in the total): {statement.currency} {data.held}"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    return bytes(pdf.output())

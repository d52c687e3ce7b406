"""Monthly statements: lines per ticket with the rule applied, totals, PDF and CSV, the
draft -> issued lifecycle, and disputes that hold a charge until the complaints decision."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from billing.conftest import APRIL_2, LOGGED, work
from helpdesk_world import london
from sladesk.audit.models import AuditEvent
from sladesk.billing import actions
from sladesk.billing.models import Charge, IssuedStatementError, Statement
from sladesk.billing.render import neutralise, statement_csv, statement_pdf
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError

MARCH = dt.date(2026, 3, 1)
APRIL = dt.date(2026, 4, 1)


def _generate(world, month=MARCH, at=APRIL_2):
    return actions.generate_statement(actor=world.manager, company=world.acme, month=month, at=at)


def _csv_rows(statement):
    return list(csv.reader(io.StringIO(statement_csv(statement).decode("utf-8"))))


def test_a_40_minute_job_is_a_line_of_2_hours_with_the_minimum_rule(world, price_list, chargeable):
    work(world, chargeable, london(2026, 3, 10, 11, 0), 40)
    statement = _generate(world)
    line = statement.charges.get()
    assert (line.billed_in_seconds, line.billed_out_seconds, line.amount) == (
        7200,
        0,
        Decimal("180.00"),
    )
    assert line.rule_applied == "minimum 2 h applied; in-hours rate for 2 h"
    assert (line.sow_reference, line.flag_no_sow) == ("SOW-ACME-7", False)
    assert (statement.status, statement.currency, statement.number) == (
        "draft",
        "GBP",
        "ST-ACME-2026-03",
    )


def test_the_16_30_entry_is_billed_in_and_out_of_hours(world, price_list, chargeable):
    work(world, chargeable, london(2026, 3, 10, 16, 30), 90)
    line = _generate(world).charges.get()
    assert (line.worked_in_seconds, line.worked_out_seconds) == (1800, 3600)
    assert (line.in_hours_amount, line.out_of_hours_amount, line.amount) == (
        Decimal("90.00"),
        Decimal("135.00"),
        Decimal("225.00"),
    )
    assert line.rule_applied == (
        "minimum 2 h applied; in-hours rate for 1 h; out-of-hours rate for 1 h"
    )


def test_diagnosis_is_free_unless_the_cause_is_an_environmental_change(
    world, price_list, chargeable
):
    work(world, chargeable, london(2026, 3, 10, 10, 0), 180, is_diagnosis=True)
    work(world, chargeable, london(2026, 3, 11, 10, 0), 180)
    line = _generate(world).charges.get()
    assert (line.diagnosis_free_seconds, line.billed_in_seconds, line.amount) == (
        10800,
        10800,
        Decimal("270.00"),
    )
    assert line.rule_applied == "in-hours rate for 3 h; initial diagnosis 3 h not billable"

    actions.decide_scope(
        actor=world.engineer,
        ticket=chargeable,
        category="environment",
        reason="A firewall change the customer made and did not check.",
        customer_failed_to_identify=True,
        at=APRIL_2,
    )
    line = _generate(world).charges.get()
    assert (line.diagnosis_free_seconds, line.billed_in_seconds, line.amount) == (
        0,
        21600,
        Decimal("540.00"),
    )


def test_included_work_is_not_billed(world, price_list, ticket):
    actions.decide_scope(
        actor=world.engineer, ticket=ticket, category="included", reason="Our bug", at=LOGGED
    )
    work(world, ticket, london(2026, 3, 10, 10, 0), 60)
    assert _generate(world).charges.count() == 0


def test_chargeable_work_started_before_a_sow_is_flagged(world, price_list, ticket):
    actions.decide_scope(
        actor=world.engineer, ticket=ticket, category="hardware", reason="PC fault", at=LOGGED
    )
    work(world, ticket, london(2026, 3, 10, 10, 0), 30)
    actions.record_sow(actor=world.manager, ticket=ticket, reference="SOW-9", at=APRIL_2)
    line = _generate(world).charges.get()
    assert line.flag_no_sow is True
    assert line.sow_reference == "SOW-9"
    assert line.rule_applied.endswith("; no SOW reference agreed when the work started")


def test_the_minimum_applies_once_per_piece_of_work_across_months(world, price_list, chargeable):
    work(world, chargeable, london(2026, 3, 31, 16, 0), 30)
    march = _generate(world)
    actions.issue_statement(actor=world.manager, statement=march, at=APRIL_2)
    work(world, chargeable, london(2026, 4, 7, 10, 0), 30, at=london(2026, 4, 7, 11, 0))
    april = _generate(world, APRIL, at=london(2026, 5, 1, 9, 0))
    assert march.charges.get().amount == Decimal("180.00")
    line = april.charges.get()
    assert (line.billed_in_seconds, line.amount, line.rule_applied) == (
        1800,
        Decimal("45.00"),
        "in-hours rate for 0.5 h",
    )


def test_no_price_list_in_force_is_refused_and_nothing_is_saved(world, chargeable):
    work(world, chargeable, london(2026, 3, 10, 10, 0), 30)
    with pytest.raises(ActionValidationError) as exc:
        _generate(world)
    assert exc.value.errors == {
        chargeable.reference: "no price list 'standard' in force on 2026-03-10"
    }
    assert Statement.objects.count() == 0
    assert Charge.objects.count() == 0


def test_issuing_fixes_the_total_and_an_issued_statement_never_changes(
    world, price_list, chargeable
):
    work(world, chargeable, london(2026, 3, 10, 11, 0), 40)
    statement = _generate(world)
    with pytest.raises(ActionValidationError) as exc:
        actions.issue_statement(
            actor=world.manager, statement=statement, at=london(2026, 3, 31, 12, 0)
        )
    assert exc.value.errors == {"month": "a month's statement is issued after the month has ended"}
    with pytest.raises(ActionPermissionDenied):
        actions.issue_statement(actor=world.engineer, statement=statement, at=APRIL_2)

    issued = actions.issue_statement(actor=world.manager, statement=statement, at=APRIL_2)
    assert (issued.status, issued.issued_total, issued.issued_held_total) == (
        "issued",
        Decimal("180.00"),
        Decimal("0.00"),
    )
    assert AuditEvent.objects.get(action="billing.statement_issued").after["total"] == "180.00"
    before = statement_csv(issued)

    with pytest.raises(ActionValidationError) as exc:
        _generate(world)
    assert exc.value.errors == {"month": "statement ST-ACME-2026-03 is issued and never changes"}
    line = issued.charges.get()
    line.amount = Decimal("1.00")
    with pytest.raises(IssuedStatementError):
        line.save()
    with pytest.raises(IssuedStatementError):
        line.delete()
    issued.issued_total = Decimal("1.00")
    with pytest.raises(IssuedStatementError):
        issued.save()
    issued.refresh_from_db()
    assert statement_csv(issued) == before


def test_the_statement_pdf_starts_with_pdf_and_shows_the_lines_and_total(
    world, price_list, chargeable
):
    work(world, chargeable, london(2026, 3, 10, 16, 30), 90)
    statement = actions.issue_statement(actor=world.manager, statement=_generate(world), at=APRIL_2)
    pdf = statement_pdf(statement)
    assert pdf.startswith(b"%PDF-")
    assert b"Statement ST-ACME-2026-03" in pdf
    assert b"Total: GBP 225.00" in pdf
    assert b"minimum 2 h applied" in pdf
    assert b"out-of-hours rate for 1 h" in pdf
    assert statement_pdf(statement) == pdf  # an issued statement renders the same


def test_the_statement_csv_has_the_rule_and_total_and_neutralises_formulas(world, price_list, log):
    ticket = log(
        at=LOGGED,
        problem_since=london(2026, 3, 10, 8, 0),
        overview='=HYPERLINK("http://evil.example","click")',
    )
    actions.decide_scope(
        actor=world.engineer, ticket=ticket, category="tuition", reason="Training", at=LOGGED
    )
    actions.record_sow(actor=world.manager, ticket=ticket, reference="@SOW", at=LOGGED)
    work(world, ticket, london(2026, 3, 10, 11, 0), 40)
    rows = _csv_rows(_generate(world))
    assert rows[0][:5] == ["statement", "month", "ticket", "description", "rule applied"]
    line = rows[1]
    assert line[3].startswith("CS-")  # the description starts with the ticket reference
    assert line[4] == "minimum 2 h applied; in-hours rate for 2 h"
    assert line[9:12] == ["GBP", "180.00", "yes"]
    assert rows[2][2] == "TOTAL"
    assert rows[2][10] == "180.00"
    assert neutralise('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert [neutralise(c) for c in ("+1+2", "-2+3", "@SUM(A1)", "\tx")] == [
        "'+1+2",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
    ]
    assert neutralise("-12.50") == "-12.50"  # our own negative amounts stay numbers


def test_a_description_starting_with_a_formula_is_neutralised_in_the_csv(world, price_list, log):
    from sladesk.billing.models import Charge as ChargeModel

    ticket = log(at=LOGGED, problem_since=london(2026, 3, 10, 8, 0))
    actions.decide_scope(
        actor=world.engineer, ticket=ticket, category="hardware", reason="x", at=LOGGED
    )
    work(world, ticket, london(2026, 3, 10, 11, 0), 40)
    statement = _generate(world)
    ChargeModel.objects.filter(statement=statement).update(description="=cmd|' /C calc'!A0")
    assert _csv_rows(statement)[1][3] == "'=cmd|' /C calc'!A0"


def test_a_charge_disputed_on_a_draft_is_held_out_of_the_issued_total_until_released(
    world, price_list, chargeable, log
):
    other = log(at=LOGGED, problem_since=london(2026, 3, 10, 8, 0), overview="Printer")
    actions.decide_scope(
        actor=world.engineer, ticket=other, category="hardware", reason="Printer", at=LOGGED
    )
    actions.record_sow(actor=world.manager, ticket=other, reference="SOW-P", at=LOGGED)
    work(world, chargeable, london(2026, 3, 10, 11, 0), 40)
    work(world, other, london(2026, 3, 11, 11, 0), 180)
    statement = _generate(world)
    disputed = statement.charges.get(ticket=chargeable)
    actions.dispute_charge(
        actor=world.operator,
        charge=disputed,
        reason="Customer phoned: the script was ours",
        at=APRIL_2,
    )
    disputed.refresh_from_db()
    assert (disputed.held, disputed.hold_reason) == (True, "Customer phoned: the script was ours")

    # Remaking the draft keeps the held line.
    statement = _generate(world)
    assert statement.charges.filter(held=True).count() == 1
    issued = actions.issue_statement(actor=world.manager, statement=statement, at=APRIL_2)
    assert (issued.issued_total, issued.issued_held_total) == (
        Decimal("270.00"),
        Decimal("180.00"),
    )

    actions.release_charge(
        actor=world.manager, charge=disputed, reason="Not upheld: customer script", at=APRIL_2
    )
    disputed.refresh_from_db()
    assert (disputed.held, disputed.decision) == (False, "released")
    correction = Charge.objects.get(kind="correction")
    assert (correction.corrects, correction.amount, correction.statement) == (
        disputed,
        Decimal("180.00"),
        None,
    )
    issued.refresh_from_db()
    assert issued.issued_total == Decimal("270.00")  # the issued statement is unchanged

    april = _generate(world, APRIL, at=london(2026, 5, 1, 9, 0))
    assert list(april.charges.all()) == [correction]


def test_a_customer_disputes_an_issued_charge_which_goes_to_complaints_and_is_held(
    world, price_list, chargeable
):
    from sladesk.complaints.models import Complaint

    work(world, chargeable, london(2026, 3, 10, 11, 0), 40)
    issued = actions.issue_statement(actor=world.manager, statement=_generate(world), at=APRIL_2)
    line = issued.charges.get()
    pdf_before = statement_pdf(issued)
    actions.dispute_charge(
        actor=world.acme_user, charge=line, reason="This was your bug", at=APRIL_2
    )
    line.refresh_from_db()
    assert (line.held, line.hold_reason) == (True, "This was your bug")
    complaint = Complaint.objects.get()
    assert (complaint.about, complaint.charge, complaint.ticket) == ("charge", line, chargeable)
    with pytest.raises(ActionValidationError) as exc:
        actions.dispute_charge(actor=world.acme_user, charge=line, reason="again", at=APRIL_2)
    assert exc.value.errors == {
        "charge": "this charge is already disputed and held until the decision"
    }

    actions.waive_charge(actor=world.manager, charge=line, reason="Upheld", at=APRIL_2)
    correction = Charge.objects.get(kind="correction")
    assert correction.amount == Decimal("-180.00")
    issued.refresh_from_db()
    assert statement_pdf(issued) == pdf_before


def test_customers_cannot_dispute_drafts_or_other_companies_charges(world, price_list, chargeable):
    work(world, chargeable, london(2026, 3, 10, 11, 0), 40)
    line = _generate(world).charges.get()
    for customer in (world.acme_user, world.bluebell_user):
        with pytest.raises(ActionPermissionDenied):
            actions.dispute_charge(actor=customer, charge=line, reason="no", at=APRIL_2)
    line.refresh_from_db()
    assert line.held is False

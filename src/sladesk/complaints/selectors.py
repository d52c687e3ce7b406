"""Every read of complaints that serves a user, scoped to what that user may see.

Helpdesk staff see every complaint, its internal notes and the whole evidence. A customer
contact sees only its own company's complaints, the notes meant for it and the evidence
without internal notes, phone calls or audit events. Another company's complaint is "not
found".
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from sladesk.accounts.roles import Capability
from sladesk.complaints import evidence as evidence_module
from sladesk.complaints.models import (
    OPEN_STAGES,
    Cause,
    Complaint,
    ComplaintNote,
    Outcome,
)
from sladesk.complaints.targets import business_days_between, calendar_for, explain_targets

OUTCOME_COLUMNS: list[tuple[str, str]] = [("open", "Open (not decided)"), *Outcome.choices]


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_staff_viewer(user: Any) -> bool:
    return _active(user) and user.can(Capability.VIEW_INTERNAL)


def complaints_visible_to(user: Any) -> QuerySet[Complaint]:
    complaints = Complaint.objects.select_related(
        "company", "contact", "ticket", "owner", "decided_by", "policy"
    )
    if not _active(user):
        return complaints.none()
    if user.can(Capability.VIEW_ALL_COMPANIES):
        return complaints.all()
    if user.is_customer and user.company_id is not None:
        return complaints.filter(company_id=user.company_id)
    return complaints.none()


def complaint_for(user: Any, reference: str) -> Complaint:
    """The complaint with this reference if the user may see it, else Complaint.DoesNotExist."""
    return complaints_visible_to(user).get(reference=reference)


def notes_visible_to(user: Any, complaint: Complaint) -> QuerySet[ComplaintNote]:
    notes = ComplaintNote.objects.select_related("author").filter(
        complaint__in=complaints_visible_to(user), complaint=complaint
    )
    if not is_staff_viewer(user):
        notes = notes.filter(visible_to_customer=True)
    return notes.order_by("at", "id")


def evidence_for(user: Any, complaint: Complaint, *, now: dt.datetime) -> dict[str, Any]:
    """The frozen evidence of a decided complaint, else the live evidence; scoped."""
    if not complaints_visible_to(user).filter(pk=complaint.pk).exists():
        return {}
    data = (
        complaint.evidence if complaint.is_final else evidence_module.assemble(complaint, now=now)
    )
    return data if is_staff_viewer(user) else evidence_module.for_customer(data)


def targets_explanation(complaint: Complaint) -> str:
    return explain_targets(complaint.policy, complaint.logged_at)


# --------------------------------------------------------------------------- report


@dataclass
class ReportRow:
    complaint: Complaint
    age_business_days: int
    acknowledge_state: str
    decision_state: str


@dataclass
class Report:
    open_rows: list[ReportRow] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    by_customer: dict[str, Counter[str]] = field(default_factory=dict)
    by_cause: dict[str, Counter[str]] = field(default_factory=dict)
    acknowledge_met: int = 0
    acknowledge_breached: int = 0
    decision_met: int = 0
    decision_breached: int = 0
    total: int = 0

    @staticmethod
    def _rows(groups: dict[str, Counter[str]]) -> list[tuple[str, list[int], int]]:
        keys = [key for key, _ in OUTCOME_COLUMNS]
        return [
            (name, [counts[k] for k in keys], sum(counts.values()))
            for name, counts in groups.items()
        ]

    @property
    def customer_rows(self) -> list[tuple[str, list[int], int]]:
        return self._rows(self.by_customer)

    @property
    def cause_rows(self) -> list[tuple[str, list[int], int]]:
        return self._rows(self.by_cause)

    @property
    def outcome_counts(self) -> list[int]:
        return [self.outcomes[key] for key, _ in OUTCOME_COLUMNS]


def _bucket(complaint: Complaint) -> str:
    return complaint.outcome if complaint.outcome else "open"


def complaint_report(user: Any, *, now: dt.datetime) -> Report:
    """Open complaints with their age in business days, and outcomes by customer and cause.

    Counters are keyed by outcome value, plus "open" for undecided complaints.
    """
    report = Report()
    if not (_active(user) and user.can(Capability.VIEW_COMPLAINT_REPORT)):
        return report
    complaints = list(complaints_visible_to(user).order_by("logged_at", "id"))
    by_customer: dict[str, Counter[str]] = defaultdict(Counter)
    by_cause: dict[str, Counter[str]] = defaultdict(Counter)
    calendars: dict[int, Any] = {}
    cause_labels = dict(Cause.choices)
    for c in complaints:
        report.total += 1
        bucket = _bucket(c)
        report.outcomes[bucket] += 1
        by_customer[c.company.name][bucket] += 1
        by_cause[str(cause_labels.get(c.cause, c.cause))][bucket] += 1
        if c.acknowledge_met is True:
            report.acknowledge_met += 1
        elif c.acknowledge_met is False or (c.acknowledged_at is None and now > c.acknowledge_due):
            report.acknowledge_breached += 1
        if c.decision_met is True:
            report.decision_met += 1
        elif c.decision_met is False or (c.decided_at is None and now > c.decision_due):
            report.decision_breached += 1
        if c.stage in OPEN_STAGES:
            calendar = calendars.get(c.policy_id)
            if calendar is None:
                calendar = calendars[c.policy_id] = calendar_for(c.policy)
            report.open_rows.append(
                ReportRow(
                    complaint=c,
                    age_business_days=business_days_between(calendar, c.logged_at, now),
                    acknowledge_state=c.acknowledge_state(now),
                    decision_state=c.decision_state(now),
                )
            )
    report.by_customer = dict(sorted(by_customer.items()))
    report.by_cause = dict(sorted(by_cause.items()))
    return report

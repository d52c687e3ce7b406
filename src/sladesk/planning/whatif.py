"""What-if replays: recent tickets under the current rules and under a draft, side by side.

The tickets are read once into NumPy arrays (`load_tickets`), then each policy's rows go
through the engine's batch path (`response_due_many`) twice: with the policy in force and
with the candidate. A ticket's outcome under either set of rules is decided the way the
dashboard decides it, from its real first response:

- *met*: responded by the due time;
- *breached*: responded after it, or not yet responded and the due time has passed;
- *pending*: not responded, due time still ahead;
- *no target*: no valid contract, or an enhancement.

Both sides use the ticket's present priority and coverage (the live `response_met` was
judged on the priority in force at the response, so it is not compared), which keeps the
difference between the two columns the effect of the rules alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from sladesk.sla import Calendar, Policy, response_due_many
from sladesk.sla.batch import COVERAGE_ORDER, NAT, PRIORITY_ORDER

OUTCOMES = ("met", "breached", "pending", "no_target")
MET, BREACHED, PENDING, NO_TARGET = range(4)
NO_POLICY = -1

Progress = Callable[[int], None]


@dataclass
class TicketArrays:
    """One row per ticket. Codes: priority and coverage as in `sladesk.sla.batch`
    (`PRIORITY_ORDER`, `COVERAGE_ORDER`, -1 for no contract); instants in UTC microseconds
    since the epoch, `NAT` for none."""

    policy_id: npt.NDArray[np.int64]
    priority: npt.NDArray[np.int8]
    coverage: npt.NDArray[np.int8]
    company_id: npt.NDArray[np.int64]
    logged_us: npt.NDArray[np.int64]
    responded_us: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.logged_us)

    @classmethod
    def from_rows(cls, rows: npt.NDArray[np.int64]) -> TicketArrays:
        """From an (n, 6) int64 array in the field order above."""
        if rows.size == 0:
            rows = np.empty((0, 6), dtype=np.int64)
        return cls(
            policy_id=rows[:, 0].copy(),
            priority=rows[:, 1].astype(np.int8),
            coverage=rows[:, 2].astype(np.int8),
            company_id=rows[:, 3].copy(),
            logged_us=rows[:, 4].copy(),
            responded_us=rows[:, 5].copy(),
        )


@dataclass
class Side:
    """Outcome counts: per priority (rows of `PRIORITY_ORDER`) and per company."""

    by_priority: npt.NDArray[np.int64]  # (priorities, 4 outcomes)
    by_company: dict[int, npt.NDArray[np.int64]]  # company id -> (4 outcomes)


@dataclass
class CompanyChange:
    company_id: int
    name: str
    current: dict[str, int]
    candidate: dict[str, int]

    @property
    def met_change(self) -> int:
        return self.candidate["met"] - self.current["met"]

    @property
    def breached_change(self) -> int:
        return self.candidate["breached"] - self.current["breached"]


@dataclass
class ReplayResult:
    tickets: int
    current: Side
    candidate: Side
    changed_tickets: int  # tickets whose outcome differs between the two sides
    company_names: dict[int, str] = field(default_factory=dict)

    def priority_rows(self) -> list[dict[str, Any]]:
        rows = []
        for index, priority in enumerate(PRIORITY_ORDER):
            cur = self.current.by_priority[index]
            cand = self.candidate.by_priority[index]
            rows.append(
                {
                    "priority": priority.value,
                    "current": {o: int(cur[i]) for i, o in enumerate(OUTCOMES)},
                    "candidate": {o: int(cand[i]) for i, o in enumerate(OUTCOMES)},
                }
            )
        return rows

    def company_changes(self) -> list[CompanyChange]:
        """Companies whose met/breached/pending counts differ, most breaches added first."""
        out = []
        for company_id, cur in self.current.by_company.items():
            cand = self.candidate.by_company[company_id]
            if np.array_equal(cur, cand):
                continue
            out.append(
                CompanyChange(
                    company_id=company_id,
                    name=self.company_names.get(company_id, f"company {company_id}"),
                    current={o: int(cur[i]) for i, o in enumerate(OUTCOMES)},
                    candidate={o: int(cand[i]) for i, o in enumerate(OUTCOMES)},
                )
            )
        out.sort(key=lambda c: (-c.breached_change, c.met_change, c.name))
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON-safe summary kept on the draft and shown by the page."""
        return {
            "tickets": self.tickets,
            "changed_tickets": self.changed_tickets,
            "by_priority": self.priority_rows(),
            "companies": [
                {
                    "company_id": c.company_id,
                    "name": c.name,
                    "current": c.current,
                    "candidate": c.candidate,
                    "met_change": c.met_change,
                    "breached_change": c.breached_change,
                }
                for c in self.company_changes()
            ],
        }


def outcomes(
    due: npt.NDArray[np.datetime64], responded_us: npt.NDArray[np.int64], now_us: int
) -> npt.NDArray[np.int8]:
    """Each ticket's outcome code (`MET`, `BREACHED`, `PENDING`, `NO_TARGET`)."""
    due_us = due.view(np.int64)
    has_target = due_us != NAT
    responded = responded_us != NAT
    out = np.full(len(due_us), NO_TARGET, dtype=np.int8)
    out[has_target & responded & (responded_us <= due_us)] = MET
    late = responded & (responded_us > due_us)
    overdue = ~responded & (now_us > due_us)
    out[has_target & (late | overdue)] = BREACHED
    out[has_target & ~responded & (now_us <= due_us)] = PENDING
    return out


def replay_arrays(
    tickets: TicketArrays,
    *,
    current: Mapping[int, Policy],
    candidate: Mapping[int, Policy],
    now: dt.datetime,
    progress: Progress | None = None,
) -> ReplayResult:
    """Replay every ticket under `current[policy_id]` and `candidate[policy_id]`.

    A ticket whose policy is in neither mapping (or that has none) counts as *no target* on
    both sides. `progress(n)` is called with the number of rows done after each step.
    """
    n = len(tickets)
    now_us = int(now.timestamp() * 1_000_000)
    cur_out = np.full(n, NO_TARGET, dtype=np.int8)
    cand_out = np.full(n, NO_TARGET, dtype=np.int8)
    logged = tickets.logged_us.view("datetime64[us]")
    # Sort once by policy so each policy's rows are one contiguous slice.
    order = np.argsort(tickets.policy_id, kind="stable")
    sorted_ids = tickets.policy_id[order]
    ids, starts = np.unique(sorted_ids, return_index=True)
    ends = np.append(starts[1:], n) if len(starts) else starts
    for pid, start, end in zip(ids.tolist(), starts.tolist(), ends.tolist(), strict=True):
        rows = order[start:end]
        if pid in current and pid in candidate:
            p, c, t = tickets.priority[rows], tickets.coverage[rows], logged[rows]
            responded = tickets.responded_us[rows]
            due_now = response_due_many(current[pid], p, c, t)
            cur_out[rows] = outcomes(due_now, responded, now_us)
            if candidate[pid] is current[pid]:
                cand_out[rows] = cur_out[rows]
            else:
                due_then = response_due_many(candidate[pid], p, c, t)
                cand_out[rows] = outcomes(due_then, responded, now_us)
        if progress is not None:
            progress(end - start)
    return ReplayResult(
        tickets=n,
        current=_side(tickets, cur_out),
        candidate=_side(tickets, cand_out),
        changed_tickets=int(np.count_nonzero(cur_out != cand_out)),
    )


def _side(tickets: TicketArrays, outcome: npt.NDArray[np.int8]) -> Side:
    width = len(OUTCOMES)
    by_priority = np.bincount(
        tickets.priority.astype(np.int64) * width + outcome, minlength=len(PRIORITY_ORDER) * width
    ).reshape(len(PRIORITY_ORDER), width)
    companies, index = np.unique(tickets.company_id, return_inverse=True)
    counts = np.bincount(
        index.astype(np.int64) * width + outcome, minlength=len(companies) * width
    ).reshape(len(companies), width)
    return Side(
        by_priority=by_priority,
        by_company={int(cid): counts[i] for i, cid in enumerate(companies.tolist())},
    )


def with_closures(
    calendars: Iterable[Calendar], name: str, closed: Mapping[str, str]
) -> list[Calendar]:
    """The calendars with extra closure days (ISO date -> reason) added to calendar `name`."""
    out = []
    for calendar in calendars:
        if calendar.name == name and closed:
            data = calendar.to_dict()
            merged = dict(data.get("closed_dates") or {})
            merged.update(closed)
            data["closed_dates"] = merged
            calendar = Calendar.from_dict(data)
        out.append(calendar)
    return out


PRIORITY_CODES = {p.value: i for i, p in enumerate(PRIORITY_ORDER)}
COVERAGE_CODES = {c.value: i for i, c in enumerate(COVERAGE_ORDER)}

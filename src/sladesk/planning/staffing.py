"""The staffing forecast: agents needed per hour of next week, against who will be there.

The model (docs/planning.md, ADR 0014):

- **Arrivals**: tickets logged per hour of the week (London wall clock, Monday 00:00 first)
  over the last `history_weeks` weeks, per priority and coverage, divided by the number of
  weeks: the expected arrivals of that hour next week.
- **Handling time**: the mean minutes from an agent taking a ticket (`assigned_at`) to its
  first response (`responded_at`), over the same weeks (stretches over 8 hours are an agent
  who took a ticket and left it, and are ignored). Without 20 such tickets, the mean
  duration of first-response outbound phone calls; without those, 20 minutes.
- **Open hours** (the hours calendar is open): every ticket reaches the desk. The agents
  needed are the fewest that meet every response target that has arrivals in that hour
  with the chosen probability. Erlang C when its assumptions hold for the hour; a
  simulation otherwise (see `_desk_hour`).
- **Closed hours**: only the priorities the policy acts on out of hours, from customers
  with 24x7 cover, page the on-call engineer; everything else waits for the opening and
  arrives there as a backlog. On-call cover needed: at least one engineer while any 24x7
  contract is in force (the promise stands even in an hour with no history), more if the
  simulation says so.
- **Planned**: desk hours count agents whose `WorkingHours` cover the middle of the hour;
  closed hours count engineers on the on-call rota then. Fewer than needed: at risk.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sladesk.contracts.models import Contract
from sladesk.contracts.sla_adapter import default_policy_row, policy_from_row
from sladesk.oncall.models import RotaShift
from sladesk.planning import erlang
from sladesk.planning.models import WorkingHours
from sladesk.sla import Coverage, Policy, Priority, response_due
from sladesk.tickets.models import Message, Ticket

LONDON = ZoneInfo("Europe/London")
HOURS_PER_WEEK = 168
TARGET_PRIORITIES = (Priority.CRITICAL, Priority.MAJOR, Priority.NORMAL, Priority.MINOR)
COVERAGES = (Coverage.STANDARD, Coverage.ALWAYS)
# (priority, coverage) classes with a response target, then one for the rest (enhancements
# and tickets without a contract): they take an agent's time but have no due time.
CLASSES: tuple[tuple[Priority, Coverage] | None, ...] = (
    *((p, c) for p in TARGET_PRIORITIES for c in COVERAGES),
    None,
)
LOAD_ONLY = len(CLASSES) - 1
DEFAULT_HANDLING_MINUTES = 20.0
MIN_HANDLING_SAMPLES = 20
MAX_HANDLING = dt.timedelta(hours=8)
MAX_SIM_AGENTS = 30
# Erlang C needs a steady stream: at least this many tickets expected in the hour.
ERLANG_MIN_ARRIVALS = 1.0


@dataclass
class Handling:
    minutes: float
    source: str
    samples: int


@dataclass
class History:
    """Expected arrivals per hour of week and class; on-call arrivals among them."""

    weeks: int
    since: dt.datetime
    until: dt.datetime
    tickets: int
    rates: list[list[float]]  # [hour of week][class] expected tickets in that hour
    handling: Handling


@dataclass
class HourForecast:
    starts: dt.datetime
    local: dt.datetime
    open: bool
    expected: float  # tickets expected in the hour (desk) or pages expected (on call)
    needed: int
    method: str  # "erlang_c", "simulation", "minimum"
    why: str
    planned: int
    needed_by_priority: dict[str, int] = field(default_factory=dict)

    @property
    def cover(self) -> str:
        return "desk" if self.open else "on call"

    @property
    def shortfall(self) -> int:
        return max(0, self.needed - self.planned)

    @property
    def at_risk(self) -> bool:
        return self.planned < self.needed


@dataclass
class Forecast:
    week_starts: dt.datetime
    probability: float
    history: History
    hours: list[HourForecast]

    @property
    def at_risk(self) -> list[HourForecast]:
        return [h for h in self.hours if h.at_risk]

    @property
    def on_call(self) -> dict[str, float]:
        """What the closed hours ask of on-call cover over the week: hours to cover (one
        engineer or more needed), engineer-hours needed and planned, pages expected, and
        the expected minutes spent answering them."""
        closed = [h for h in self.hours if not h.open]
        pages = sum(h.expected for h in closed)
        return {
            "hours": float(sum(1 for h in closed if h.needed)),
            "engineer_hours_needed": float(sum(h.needed for h in closed)),
            "engineer_hours_planned": float(sum(min(h.planned, h.needed) for h in closed)),
            "pages": pages,
            "busy_minutes": pages * self.history.handling.minutes,
        }

    def methods(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for h in self.hours:
            out[h.method] = out.get(h.method, 0) + 1
        return out


def hour_of_week(at: dt.datetime) -> int:
    local = at.astimezone(LONDON)
    return local.weekday() * 24 + local.hour


def next_week_start(at: dt.datetime) -> dt.datetime:
    """Monday 00:00 London after `at` (as an instant)."""
    local = at.astimezone(LONDON)
    monday = local.date() + dt.timedelta(days=7 - local.weekday())
    return dt.datetime.combine(monday, dt.time(0), tzinfo=LONDON).astimezone(dt.UTC)


def class_of(priority: str, coverage: str) -> int:
    try:
        return CLASSES.index((Priority(priority), Coverage(coverage)))
    except ValueError:
        return LOAD_ONLY


def measure_handling(since: dt.datetime, until: dt.datetime) -> Handling:
    taken = Ticket.objects.filter(
        logged_at__gte=since,
        logged_at__lt=until,
        assigned_at__isnull=False,
        responded_at__isnull=False,
    ).values_list("assigned_at", "responded_at")
    spans = [
        (r - a).total_seconds() / 60
        for a, r in taken
        if a is not None and r is not None and a <= r and r - a <= MAX_HANDLING
    ]
    if len(spans) >= MIN_HANDLING_SAMPLES:
        return Handling(sum(spans) / len(spans), "taken to first response", len(spans))
    calls = Message.objects.filter(
        ticket__logged_at__gte=since,
        ticket__logged_at__lt=until,
        ticket__first_response_kind="outbound_call",
        kind=Message.Kind.CALL,
        call_direction=Message.Direction.OUTBOUND,
        call_duration_seconds__isnull=False,
    ).values_list("call_duration_seconds", flat=True)
    durations = [s / 60 for s in calls if s]
    if len(durations) >= MIN_HANDLING_SAMPLES:
        return Handling(sum(durations) / len(durations), "first-response calls", len(durations))
    return Handling(DEFAULT_HANDLING_MINUTES, "default (too few measurements)", 0)


def arrival_history(*, until: dt.datetime, weeks: int) -> History:
    since = until - dt.timedelta(weeks=weeks)
    counts = [[0.0] * len(CLASSES) for _ in range(HOURS_PER_WEEK)]
    rows = Ticket.objects.filter(logged_at__gte=since, logged_at__lt=until).values_list(
        "logged_at", "priority", "coverage"
    )
    n = 0
    for logged_at, priority, coverage in rows:
        counts[hour_of_week(logged_at)][class_of(priority, coverage)] += 1
        n += 1
    rates = [[c / weeks for c in row] for row in counts]
    return History(
        weeks=weeks,
        since=since,
        until=until,
        tickets=n,
        rates=rates,
        handling=measure_handling(since, until),
    )


def forecast(
    *,
    at: dt.datetime,
    history_weeks: int = 8,
    probability: float = 0.8,
    replications: int = 400,
    seed: int = 11,
    history: History | None = None,
) -> Forecast:
    """The forecast for the week after `at` (Monday 00:00 London to the next Monday)."""
    policy = policy_from_row(default_policy_row())
    history = history or arrival_history(until=at, weeks=history_weeks)
    start = next_week_start(at)
    end = next_week_start(start + dt.timedelta(days=1))
    planned_desk = _desk_plan()
    shifts = list(
        RotaShift.objects.filter(ends_at__gt=start, starts_at__lt=end, engineer__is_active=True)
    )
    hours = []
    t = start
    while t < end:
        mid = t + dt.timedelta(minutes=30)
        if policy.hours.is_open(t):
            hour = _desk_hour(policy, history, t, probability, replications, seed)
            local_mid = mid.astimezone(LONDON)
            hour.planned = len(
                {
                    agent
                    for agent, weekday, starts, ends in planned_desk
                    if weekday == local_mid.weekday() and starts <= local_mid.time() < ends
                }
            )
        else:
            hour = _on_call_hour(policy, history, t, probability, replications, seed)
            hour.planned = len({s.engineer_id for s in shifts if s.starts_at <= mid < s.ends_at})
        hours.append(hour)
        t += dt.timedelta(hours=1)
    return Forecast(week_starts=start, probability=probability, history=history, hours=hours)


def _desk_plan() -> list[tuple[int, int, dt.time, dt.time]]:
    return list(
        WorkingHours.objects.filter(agent__is_active=True).values_list(
            "agent_id", "weekday", "starts", "ends"
        )
    )


def _minutes(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 60


def _due_fn(policy: Policy, start: dt.datetime) -> Callable[[float, int], float]:
    """Due minute (from `start`) of a ticket of class k logged `m` minutes after `start`."""

    def due(m: float, k: int) -> float:
        pair = CLASSES[k]
        if pair is None:
            return math.inf
        logged = start + dt.timedelta(minutes=m)
        at = response_due(policy, pair[0], pair[1], logged)
        return math.inf if at is None else _minutes(at - start)

    return due


def _backlog(policy: Policy, history: History, start: dt.datetime) -> list[float]:
    """Tickets expected to be waiting at an opening: those logged while the desk was
    closed that did not go to the on-call engineer."""
    out = [0.0] * len(CLASSES)
    t = start - dt.timedelta(hours=1)
    for _ in range(HOURS_PER_WEEK):
        if policy.hours.is_open(t):
            break
        for k, rate in enumerate(history.rates[hour_of_week(t)]):
            if not _pages_on_call(policy, k):
                out[k] += rate
        t -= dt.timedelta(hours=1)
    return out


def _pages_on_call(policy: Policy, k: int) -> bool:
    pair = CLASSES[k]
    return (
        pair is not None
        and pair[1] is Coverage.ALWAYS
        and pair[0] in policy.out_of_hours_priorities
    )


def _closing(policy: Policy, start: dt.datetime) -> tuple[float, float]:
    """(minutes from `start` to the next closing, to the opening after it)."""
    t = start
    for _ in range(7 * 24 * 60):
        if not policy.hours.is_open(t):
            break
        t += dt.timedelta(minutes=1)
    reopens = policy.hours.next_opening(t)
    return _minutes(t - start), _minutes(reopens - start)


def _desk_hour(
    policy: Policy,
    history: History,
    start: dt.datetime,
    probability: float,
    replications: int,
    seed: int,
) -> HourForecast:
    """Agents needed in one open hour.

    Each response target is judged by the method whose assumptions hold for it:

    - Erlang C for a target whose whole response window (from any arrival in the hour to
      its due time) is open desk time, in an hour with a steady stream (one ticket or more
      expected) and no backlog;
    - the simulation for a target whose window runs across a closure (the clock stops,
      the desk empties: Minor's "close of next business day", Normal late in the day), and
      for the whole hour when a backlog from the closed hours waits at the opening or
      fewer than one ticket is expected (Erlang C's steady state does not exist then).
    """
    rates = history.rates[hour_of_week(start)]
    aht = history.handling.minutes
    expected = sum(rates)
    backlog = _backlog(policy, history, start)
    backlog_total = sum(backlog)
    end = start + dt.timedelta(hours=1)
    local = start.astimezone(LONDON)
    if expected == 0 and backlog_total == 0:
        return HourForecast(
            start, local, True, 0.0, 1, "minimum", "no arrivals in the history: one agent", 0
        )
    targets: dict[int, float] = {}
    crossing: set[int] = set()
    for k, pair in enumerate(CLASSES):
        if pair is None or (rates[k] <= 0 and backlog[k] <= 0):
            continue
        for logged in (start, end):
            due = response_due(policy, pair[0], pair[1], logged)
            if due is None:
                continue
            wall = due - logged
            if policy.hours.between(logged, due) != wall:
                crossing.add(k)
            targets[k] = min(targets.get(k, math.inf), _minutes(wall))
    steady = backlog_total == 0 and expected >= ERLANG_MIN_ARRIVALS
    by_priority: dict[str, int] = {}
    needed = 1
    if steady:
        per_minute = expected / 60
        for k, target in targets.items():
            pair = CLASSES[k]
            if k in crossing or pair is None or math.isinf(target):
                continue
            n = erlang.agents_needed(per_minute, aht, target, probability, minimum=1)
            by_priority[pair[0].value] = max(by_priority.get(pair[0].value, 1), n)
        needed = max(by_priority.values(), default=1)
        simulate = {k for k in crossing if k in targets}
        if not simulate:
            return HourForecast(
                start, local, True, expected, needed, "erlang_c", "steady arrivals", 0, by_priority
            )
        method = "erlang_c+simulation"
        why = "steady arrivals; targets across a closure simulated"
    else:
        simulate = set(targets)
        method = "simulation"
        why = "backlog from the closed hours" if backlog_total else "fewer than one ticket an hour"
    closed_from, reopens = _closing(policy, start)
    runs = erlang.scenarios(
        rates=[r / 60 for r in rates],
        backlog=backlog,
        aht=aht,
        due=_due_fn(policy, start),
        replications=replications,
        seed=seed + hour_of_week(start),
    )
    n, simulated = _search(
        runs,
        lambda n: erlang.open_only(n, closed_from, reopens),
        probability,
        check=simulate,
        least=needed,
    )
    for name, count in simulated.items():
        by_priority[name] = max(by_priority.get(name, 1), count)
    return HourForecast(
        start, local, True, expected + backlog_total, max(n, needed), method, why, 0, by_priority
    )


def _on_call_hour(
    policy: Policy,
    history: History,
    start: dt.datetime,
    probability: float,
    replications: int,
    seed: int,
) -> HourForecast:
    rates = history.rates[hour_of_week(start)]
    paging = [r if _pages_on_call(policy, k) else 0.0 for k, r in enumerate(rates)]
    expected = sum(paging)
    local = start.astimezone(LONDON)
    covered = Contract.objects.in_force(local.date()).filter(coverage=Coverage.ALWAYS).exists()
    minimum = 1 if covered else 0
    if expected == 0:
        why = (
            "24x7 contracts in force: one engineer on call"
            if covered
            else "no 24x7 contract in force"
        )
        return HourForecast(start, local, False, 0.0, minimum, "minimum", why, 0)
    runs = erlang.scenarios(
        rates=[r / 60 for r in paging],
        backlog=[0.0] * len(CLASSES),
        aht=history.handling.minutes,
        due=_due_fn(policy, start),
        replications=replications,
        seed=seed + hour_of_week(start),
    )
    needed, by_priority = _search(runs, erlang.constant, probability)
    return HourForecast(
        start,
        local,
        False,
        expected,
        max(needed, minimum),
        "simulation",
        "out-of-hours pages are rare: Erlang C's steady state does not hold",
        0,
        by_priority,
    )


def _search(
    runs: list[erlang.Scenario],
    capacity: Callable[[int], Callable[[float], tuple[int, float]]],
    probability: float,
    *,
    check: set[int] | None = None,
    least: int = 1,
) -> tuple[int, dict[str, int]]:
    """The fewest agents (`least` or more) meeting, with `probability`, each priority's
    target among the classes in `check` (all by default); and the fewest per priority."""
    classes = set(range(len(CLASSES))) if check is None else check
    by_priority: dict[str, int] = {}
    for n in range(max(1, least), MAX_SIM_AGENTS + 1):
        shares = erlang.met_share(runs, capacity(n), len(CLASSES))
        ok = True
        for priority in TARGET_PRIORITIES:
            ks = [k for k in classes if (pair := CLASSES[k]) and pair[0] is priority]
            met = sum(shares[k][0] for k in ks)
            total = sum(shares[k][1] for k in ks)
            if total and met / total < probability:
                ok = False
            elif total and priority.value not in by_priority:
                by_priority[priority.value] = n
        if ok:
            return n, by_priority
    return MAX_SIM_AGENTS, by_priority


# ----------------------------------------------------------------------------- accuracy


@dataclass
class Accuracy:
    """The forecast made at the start of a held-back stretch, against what then happened."""

    held_back_from: dt.datetime
    held_back_to: dt.datetime
    history_weeks: int
    forecast_per_week: float  # tickets a week the history predicted
    actual_per_week: float  # tickets a week that came in the held-back weeks
    wape: float  # sum over hour slots of |forecast - actual| / sum of actual (weekly means)
    hours_compared: int
    hours_same_staff: int  # hours where the agents needed from forecast and from actual agree
    hours_within_one: int

    @property
    def volume_error(self) -> float:
        """(forecast - actual) / actual: positive means the forecast expected too many."""
        if not self.actual_per_week:
            return 0.0
        return (self.forecast_per_week - self.actual_per_week) / self.actual_per_week


def accuracy(
    *,
    at: dt.datetime,
    history_weeks: int = 8,
    held_back_weeks: int = 4,
    probability: float = 0.8,
    replications: int = 200,
    seed: int = 11,
) -> Accuracy:
    """Hold back the `held_back_weeks` weeks before `at`, forecast them from the
    `history_weeks` weeks before that, and compare with the arrivals that came."""
    cut = at - dt.timedelta(weeks=held_back_weeks)
    predicted = arrival_history(until=cut, weeks=history_weeks)
    happened = arrival_history(until=at, weeks=held_back_weeks)
    f_slots = [sum(row) for row in predicted.rates]
    a_slots = [sum(row) for row in happened.rates]
    actual_total = sum(a_slots)
    wape = sum(abs(f - a) for f, a in zip(f_slots, a_slots, strict=True)) / (actual_total or 1)
    # Staff needed for the first whole week of the held-back stretch, from each side; the
    # handling time is the same on both so only the arrivals differ.
    happened.handling = predicted.handling
    week_before = cut - dt.timedelta(microseconds=1)
    from_forecast = forecast(
        at=week_before,
        probability=probability,
        replications=replications,
        seed=seed,
        history=predicted,
    )
    from_actual = forecast(
        at=week_before,
        probability=probability,
        replications=replications,
        seed=seed,
        history=happened,
    )
    pairs = list(zip(from_forecast.hours, from_actual.hours, strict=True))
    return Accuracy(
        held_back_from=cut,
        held_back_to=at,
        history_weeks=history_weeks,
        forecast_per_week=sum(f_slots),
        actual_per_week=actual_total,
        wape=wape,
        hours_compared=len(pairs),
        hours_same_staff=sum(1 for f, a in pairs if f.needed == a.needed),
        hours_within_one=sum(1 for f, a in pairs if abs(f.needed - a.needed) <= 1),
    )

"""Queueing arithmetic for the staffing forecast: Erlang C, and a simulation for the hours
where Erlang C's assumptions fail. Pure Python (no Django), so it is tested on exact
numbers and fixed seeds.

Erlang C (M/M/N): tickets arrive as a Poisson stream at `rate` per minute, each takes an
exponentially distributed handling time of mean `aht` minutes, `n` agents take them first
come, first served, nobody gives up, and the hour is long enough to reach a steady state.
Then the chance that a ticket waits at all is C(n, A) with A = rate * aht (the offered load
in erlangs), and the chance it waits longer than t is C(n, A) * exp(-(n - A) * t / aht).
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

MAX_AGENTS = 200


def erlang_b(n: int, load: float) -> float:
    """Erlang B blocking probability, by the stable recurrence B(k) = A B(k-1) / (k + A B(k-1))."""
    if n < 0 or load < 0:
        raise ValueError("agents and load must not be negative")
    b = 1.0
    for k in range(1, n + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(n: int, load: float) -> float:
    """The probability that a ticket has to wait (all `n` agents busy); 1 when n <= load."""
    if n <= load:
        return 1.0
    b = erlang_b(n, load)
    return n * b / (n - load * (1 - b))


def service_level(n: int, load: float, aht: float, target: float) -> float:
    """P(wait <= target minutes) with `n` agents, `load` erlangs and mean handling `aht`."""
    if load <= 0:
        return 1.0
    if n <= load:
        return 0.0
    return 1.0 - erlang_c(n, load) * math.exp(-(n - load) * target / aht)


def agents_needed(
    rate: float, aht: float, target: float, probability: float, *, minimum: int = 0
) -> int:
    """The fewest agents (at least `minimum`) for P(wait <= target) >= probability."""
    load = rate * aht
    if load <= 0:
        return minimum
    n = max(minimum, math.floor(load) + 1)
    while service_level(n, load, aht, target) < probability:
        n += 1
        if n > MAX_AGENTS:
            raise ValueError(f"more than {MAX_AGENTS} agents needed: check the inputs")
    return n


# ------------------------------------------------------------------------- simulation


@dataclass(frozen=True)
class Scenario:
    """One replication's tickets: (arrival minute, class, handling minutes, due minute)."""

    tickets: tuple[tuple[float, int, float, float], ...]


def scenarios(
    *,
    rates: Sequence[float],
    backlog: Sequence[float],
    aht: float,
    due: Callable[[float, int], float],
    replications: int,
    seed: int,
    window: float = 60.0,
) -> list[Scenario]:
    """Random tickets for `replications` runs of one window, with a fixed seed.

    `rates[k]` is class k's Poisson arrival rate per minute during [0, window); `backlog[k]`
    the expected number of class-k tickets already waiting at 0 (logged while the desk was
    closed), drawn as a Poisson count. `due(minute, k)` is the due minute of a class-k ticket
    logged at that minute (the engine's due time, so business time across closures is
    exact). Handling times are exponential with mean `aht`.
    """
    rng = random.Random(seed)
    out = []
    for _ in range(replications):
        tickets = []
        for k, expected in enumerate(backlog):
            for _ in range(_poisson(rng, expected)):
                tickets.append((0.0, k, rng.expovariate(1 / aht), due(-1.0, k)))
        for k, rate in enumerate(rates):
            if rate <= 0:
                continue
            t = rng.expovariate(rate)
            while t < window:
                tickets.append((t, k, rng.expovariate(1 / aht), due(t, k)))
                t += rng.expovariate(rate)
        tickets.sort()
        out.append(Scenario(tuple(tickets)))
    return out


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    # Knuth's method: fine for the small means of a backlog.
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def run(scenario: Scenario, capacity: Callable[[float], tuple[int, float]]) -> list[bool]:
    """Whether each ticket's handling starts by its due minute.

    `capacity(t)` gives (agents at work at minute t, minute of the next change or inf).
    Agents take the waiting ticket with the earliest due time (the queue's order); a
    ticket in hand is finished even if the agent's time ends meanwhile.
    """
    tickets = scenario.tickets
    met = [False] * len(tickets)
    waiting: list[tuple[float, int]] = []  # (due, index)
    busy: list[float] = []  # finish minutes
    i, t = 0, 0.0
    n = len(tickets)
    done = 0
    while done < n:
        agents, next_change = capacity(t)
        while busy and busy[0] <= t:
            heapq.heappop(busy)
        while i < n and tickets[i][0] <= t:
            heapq.heappush(waiting, (tickets[i][3], i))
            i += 1
        while waiting and len(busy) < agents:
            due, index = heapq.heappop(waiting)
            met[index] = t <= due + 1e-9
            heapq.heappush(busy, t + tickets[index][2])
            done += 1
        candidates = [next_change]
        if i < n:
            candidates.append(tickets[i][0])
        if busy:
            candidates.append(busy[0])
        t_next = min(candidates)
        if math.isinf(t_next):
            break  # nobody will ever come back: the rest are never handled
        t = max(t_next, t)
    return met


def met_share(
    runs: Sequence[Scenario], capacity: Callable[[float], tuple[int, float]], classes: int
) -> list[tuple[int, int]]:
    """(met, total) per class over all replications."""
    met = [0] * classes
    total = [0] * classes
    for scenario in runs:
        for ok, ticket in zip(run(scenario, capacity), scenario.tickets, strict=True):
            total[ticket[1]] += 1
            met[ticket[1]] += ok
    return list(zip(met, total, strict=True))


def constant(agents: int) -> Callable[[float], tuple[int, float]]:
    return lambda t: (agents, math.inf)


def open_only(
    agents: int, closed_from: float, reopens: float
) -> Callable[[float], tuple[int, float]]:
    """`agents` until `closed_from`, none until `reopens`, then `agents` again for good."""

    def capacity(t: float) -> tuple[int, float]:
        if t < closed_from:
            return agents, closed_from
        if t < reopens:
            return 0, reopens
        return agents, math.inf

    return capacity

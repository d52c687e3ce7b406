"""The staffing forecast on a fixed ticket history, its accuracy, and its command."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from helpdesk_world import LONDON, london
from sladesk.oncall.actions import add_shift
from sladesk.planning import staffing
from sladesk.planning.history import write_ticket_history
from sladesk.planning.models import WorkingHours
from sladesk.sla import DEFAULT_POLICY, response_due
from sladesk.tickets.models import Ticket

AT = london(2026, 6, 10, 12, 0)  # a Wednesday; next week is 15-21 June 2026 (no holiday)
MONDAY = london(2026, 6, 15)


@pytest.fixture
def history(world):
    return write_ticket_history(now=AT, weeks=8, seed=5)


@pytest.fixture
def desk(world):
    """Operator and engineer at the desk 09:00-17:00 every working day."""
    for agent in (world.operator, world.engineer):
        for day in range(5):
            WorkingHours.objects.create(
                agent=agent, weekday=day, starts=dt.time(9), ends=dt.time(17)
            )


def _hour(fc, day: int, hour: int):
    wanted = (MONDAY + dt.timedelta(days=day)).replace(hour=hour)
    [row] = [h for h in fc.hours if h.local == wanted]
    return row


def test_the_history_is_deterministic_and_its_due_times_are_the_engines(world):
    first = write_ticket_history(now=AT, weeks=2, seed=5)
    refs = list(Ticket.objects.order_by("logged_at").values_list("reference", flat=True))
    shape = list(
        Ticket.objects.order_by("logged_at").values_list(
            "logged_at", "priority", "company_id", "responded_at"
        )
    )

    assert first == Ticket.objects.count() > 50
    assert len(set(refs)) == len(refs)
    for ticket in Ticket.objects.all():
        due = response_due(
            DEFAULT_POLICY, ticket.priority, ticket.coverage or None, ticket.logged_at
        )
        assert ticket.response_due == due
        assert ticket.response_met == (None if due is None else ticket.responded_at <= due)
    assert not Ticket.objects.filter(logged_at__gte=AT).exists()
    corvid = set(Ticket.objects.filter(company=world.corvid).values_list("coverage", flat=True))
    assert corvid == {""}

    Ticket.objects.all().delete()
    again = write_ticket_history(now=AT, weeks=2, seed=5)

    assert again == first
    assert (
        list(
            Ticket.objects.order_by("logged_at").values_list(
                "logged_at", "priority", "company_id", "responded_at"
            )
        )
        == shape
    )


def test_the_forecast_covers_each_hour_of_next_week_once_desk_or_on_call(history, desk):
    fc = staffing.forecast(at=AT, replications=100)

    assert fc.week_starts == MONDAY.astimezone(dt.UTC)
    assert len(fc.hours) == 168
    assert [h.local for h in fc.hours][:2] == [MONDAY, MONDAY.replace(hour=1)]
    desk_hours = [h for h in fc.hours if h.open]
    assert len(desk_hours) == 40
    assert {(h.local.weekday(), h.local.hour) for h in desk_hours} == {
        (d, hh) for d in range(5) for hh in range(9, 17)
    }


def test_arrival_rates_are_tickets_per_hour_of_week_divided_by_the_weeks(history):
    h = staffing.arrival_history(until=AT, weeks=8)

    tuesday_ten = 1 * 24 + 10
    logged = Ticket.objects.filter(logged_at__gte=AT - dt.timedelta(weeks=8), logged_at__lt=AT)
    count = sum(
        1
        for t in logged.values_list("logged_at", flat=True)
        if t.astimezone(LONDON).weekday() == 1 and t.astimezone(LONDON).hour == 10
    )
    assert sum(h.rates[tuesday_ten]) == pytest.approx(count / 8)
    assert h.tickets == logged.count() == history


def test_handling_time_is_the_mean_from_taking_a_ticket_to_its_first_response(history):
    h = staffing.arrival_history(until=AT, weeks=8)

    spans = [
        (r - a).total_seconds() / 60
        for a, r in Ticket.objects.filter(logged_at__gte=AT - dt.timedelta(weeks=8)).values_list(
            "assigned_at", "responded_at"
        )
    ]
    assert h.handling.source == "taken to first response"
    assert h.handling.samples == len(spans)
    assert h.handling.minutes == pytest.approx(sum(spans) / len(spans))


def test_without_measurements_the_handling_time_is_twenty_minutes(world):
    h = staffing.arrival_history(until=AT, weeks=8)

    assert (h.handling.minutes, h.handling.source, h.handling.samples) == (
        20.0,
        "default (too few measurements)",
        0,
    )


def test_each_hour_says_which_method_decided_it_and_why(history, desk):
    fc = staffing.forecast(at=AT, replications=100)

    monday_nine = _hour(fc, 0, 9)
    assert (monday_nine.method, monday_nine.why) == ("simulation", "backlog from the closed hours")
    tuesday_eleven = _hour(fc, 1, 11)
    assert tuesday_eleven.method == "erlang_c+simulation"
    assert tuesday_eleven.why == "steady arrivals; targets across a closure simulated"
    sunday_three = _hour(fc, 6, 3)
    assert (sunday_three.open, sunday_three.cover) == (False, "on call")
    assert sunday_three.method in {"minimum", "simulation"}
    assert set(fc.methods()) <= {"erlang_c", "erlang_c+simulation", "simulation", "minimum"}
    assert sum(fc.methods().values()) == 168


def test_desk_hours_without_enough_agents_are_at_risk(history, desk):
    fc = staffing.forecast(at=AT, replications=100)

    for h in fc.hours:
        if h.open:
            assert h.planned == 2
            assert h.at_risk == (h.needed > 2)
            assert h.shortfall == max(0, h.needed - 2)


def test_out_of_hours_needs_one_engineer_on_call_while_24x7_contracts_are_in_force(
    world, history, desk
):
    # On call Monday 17:00 to Tuesday 09:00 only.
    add_shift(
        actor=world.manager,
        engineer=world.oncall,
        starts=dt.datetime(2026, 6, 15, 17),
        ends=dt.datetime(2026, 6, 16, 9),
        at=AT,
    )

    fc = staffing.forecast(at=AT, replications=100)

    covered = _hour(fc, 0, 20)
    assert (covered.needed, covered.planned, covered.at_risk) == (1, 1, False)
    uncovered = _hour(fc, 2, 20)
    assert (uncovered.needed, uncovered.planned, uncovered.at_risk) == (1, 0, True)
    night_hours = [h for h in fc.hours if not h.open]
    assert len(night_hours) == 128
    assert sum(1 for h in night_hours if h.at_risk) == 128 - 16


def test_with_no_24x7_contract_in_force_no_on_call_cover_is_needed(world, history):
    world.acme_contract.valid_to = dt.date(2026, 6, 1)
    world.acme_contract.save()

    fc = staffing.forecast(at=AT, replications=50)

    assert {(h.needed, h.method) for h in fc.hours if not h.open and h.expected == 0} == {
        (0, "minimum")
    }


def test_a_higher_probability_never_needs_fewer_agents(history, desk):
    low = staffing.forecast(at=AT, probability=0.6, replications=100)
    high = staffing.forecast(at=AT, probability=0.95, replications=100)

    assert all(h.needed >= lo.needed for lo, h in zip(low.hours, high.hours, strict=True))
    assert sum(h.needed for h in high.hours) > sum(h.needed for h in low.hours)


def test_the_accuracy_compares_the_forecast_with_a_held_back_month(world):
    write_ticket_history(now=AT, weeks=12, seed=5)

    result = staffing.accuracy(at=AT, history_weeks=8, held_back_weeks=4, replications=50)

    cut = AT - dt.timedelta(weeks=4)
    came = Ticket.objects.filter(logged_at__gte=cut, logged_at__lt=AT).count()
    before = Ticket.objects.filter(logged_at__gte=cut - dt.timedelta(weeks=8), logged_at__lt=cut)
    assert result.actual_per_week == pytest.approx(came / 4)
    assert result.forecast_per_week == pytest.approx(before.count() / 8)
    assert result.volume_error == pytest.approx((before.count() / 8 - came / 4) / (came / 4))
    assert 0 < result.wape < 1
    assert result.hours_compared == 168
    assert result.hours_same_staff <= result.hours_within_one <= 168


def test_helpers_place_instants_in_the_london_week():
    assert staffing.hour_of_week(london(2026, 3, 30, 0, 30)) == 0  # Monday, BST
    assert staffing.hour_of_week(london(2026, 3, 29, 23, 59)) == 167  # Sunday
    # The week after Saturday 24 October 2026 starts Monday 26 October, after the clock
    # went back: its first hour is 00:00 GMT.
    start = staffing.next_week_start(london(2026, 10, 24, 12))
    assert start == dt.datetime(2026, 10, 26, 0, tzinfo=dt.UTC)
    assert staffing.next_week_start(london(2026, 10, 26, 0)) == london(2026, 11, 2).astimezone(
        dt.UTC
    )


# ------------------------------------------------------------------------ the command


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("staffing", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_prints_the_hours_at_risk(history, desk):
    out = _run("forecast", "--at", "2026-06-10T11:00:00Z", "--replications", "50")

    assert out.startswith(
        "Staffing forecast for the week from Mon 15 Jun 2026 (London), "
        "each response target met with probability 80%\n"
    )
    assert f"History: {history} tickets in the 8 weeks before 2026-06-10 11:00Z" in out
    assert "Hours at risk: 128 of 168" in out
    assert "Sun 21 Jun 03:00 BST  on call" in out


def test_the_command_writes_json_with_every_hour(history, desk):
    data = json.loads(
        _run("forecast", "--at", "2026-06-10T11:00:00Z", "--json", "--replications", "50")
    )

    assert len(data["hours"]) == 168
    assert data["hours_at_risk"] == sum(1 for h in data["hours"] if h["at_risk"])
    assert data["history"]["tickets"] == history


def test_the_command_names_every_bad_option_and_exits_2(world):
    with pytest.raises(CommandError) as caught:
        _run("forecast", "--weeks", "0", "--probability", "1.5", "--at", "yesterday")

    assert caught.value.returncode == 2
    assert str(caught.value) == (
        "--at: not an ISO instant: 'yesterday'; --weeks: a whole number from 1 to 52; "
        "--probability: a number from 0.5 to 0.99"
    )


def test_a_week_with_the_autumn_clock_change_has_169_hours(world):
    fc = staffing.forecast(at=london(2026, 10, 14, 12), replications=10)

    assert fc.week_starts == london(2026, 10, 19).astimezone(dt.UTC)
    assert len(fc.hours) == 169
    one_am = [h.local for h in fc.hours if h.local.date() == dt.date(2026, 10, 25)][1:3]
    assert [(t.hour, t.tzname()) for t in one_am] == [(1, "BST"), (1, "GMT")]


def test_a_bank_holiday_next_week_is_covered_on_call_not_at_the_desk(world):
    # Monday 31 August 2026 is the summer bank holiday.
    fc = staffing.forecast(at=london(2026, 8, 26, 12), replications=10)

    holiday = [h for h in fc.hours if h.local.date() == dt.date(2026, 8, 31)]
    assert len(holiday) == 24
    assert {h.cover for h in holiday} == {"on call"}
    assert sum(1 for h in fc.hours if h.open) == 32


def test_the_on_call_summary_adds_up_the_closed_hours(world, history):
    add_shift(
        actor=world.manager,
        engineer=world.oncall,
        starts=dt.datetime(2026, 6, 15, 17),
        ends=dt.datetime(2026, 6, 16, 9),
        at=AT,
    )

    fc = staffing.forecast(at=AT, replications=50)

    closed = [h for h in fc.hours if not h.open]
    summary = fc.on_call
    assert summary["hours"] == 128
    assert summary["engineer_hours_needed"] == sum(h.needed for h in closed)
    assert summary["engineer_hours_planned"] == 16
    assert summary["pages"] == pytest.approx(sum(h.expected for h in closed))
    assert summary["busy_minutes"] == pytest.approx(summary["pages"] * fc.history.handling.minutes)

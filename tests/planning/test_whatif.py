"""What-if replays of a draft policy, and its activation after the replay."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
import pytest

from helpdesk_world import london
from sladesk.audit.models import AuditEvent
from sladesk.contracts.models import CalendarDate, SlaCalendar, SlaPolicy
from sladesk.contracts.sla_adapter import default_policy_row
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.planning import actions
from sladesk.planning.models import PolicyDraft
from sladesk.planning.whatif import BREACHED, MET, NO_TARGET, PENDING, outcomes
from sladesk.tickets.actions import add_public_reply, log_phone_call

NOW = london(2026, 3, 20, 12, 0)


def _major_out_of_hours(minutes: int) -> dict[str, Any]:
    data = dict(default_policy_row().data)
    rules = {k: dict(v) for k, v in data["rules"].items()}
    rules["major"] = {
        **rules["major"],
        "out_of_hours": {"kind": "wall_clock_minutes", "minutes": minutes},
    }
    return {**data, "rules": rules}


@pytest.fixture
def history(world, log):
    """Three answered tickets whose outcome the draft below changes, and one it does not.

    - Acme (24x7), Major, Saturday 14 March 10:00: due 11:00 (60 wall-clock minutes out of
      hours); called back at 11:30: breached. With 120 minutes: due 12:00, met.
    - Bluebell, Normal, Tuesday 10 March 10:00: due 12:00; replied 11:00: met either way.
    - Bluebell, Normal, Friday 13 March 16:30: 30 business minutes on Friday, 90 on Monday:
      due Monday 16 March 10:30; replied 11:00: breached. With Monday closed: due Tuesday
      10:30, met.
    """
    major = log(priority="major", at=london(2026, 3, 14, 10, 0))
    log_phone_call(
        actor=world.engineer,
        ticket=major,
        direction="outbound",
        duration_seconds=300,
        summary="Called back",
        at=london(2026, 3, 14, 11, 30),
    )
    fine = log(company=world.bluebell, contact=world.bluebell_contact, priority="normal")
    add_public_reply(actor=world.engineer, ticket=fine, body="On it", at=london(2026, 3, 10, 11))
    late = log(
        company=world.bluebell,
        contact=world.bluebell_contact,
        priority="normal",
        at=london(2026, 3, 13, 16, 30),
    )
    add_public_reply(actor=world.engineer, ticket=late, body="On it", at=london(2026, 3, 16, 11))
    return major, fine, late


def _draft(world, **overrides):
    fields = {
        "actor": world.admin,
        "policy": default_policy_row(),
        "name": "Major 2h out of hours, 16 March closed",
        "data": _major_out_of_hours(120),
        "closed_dates": {"2026-03-16": "Office move"},
        "at": NOW,
    }
    fields.update(overrides)
    return actions.create_draft(**fields)


def test_a_replay_shows_met_and_breached_per_priority_under_both_rules(world, history):
    draft = _draft(world)

    result = actions.replay_draft(actor=world.admin, draft=draft, months=1, at=NOW)

    rows = {r["priority"]: r for r in result.priority_rows()}
    assert rows["major"]["current"] == {"met": 0, "breached": 1, "pending": 0, "no_target": 0}
    assert rows["major"]["candidate"] == {"met": 1, "breached": 0, "pending": 0, "no_target": 0}
    assert rows["normal"]["current"] == {"met": 1, "breached": 1, "pending": 0, "no_target": 0}
    assert rows["normal"]["candidate"] == {"met": 2, "breached": 0, "pending": 0, "no_target": 0}
    assert result.tickets == 3
    assert result.changed_tickets == 2


def test_a_replay_names_each_customer_that_changes_and_by_how_much(world, history):
    draft = _draft(world)

    result = actions.replay_draft(actor=world.admin, draft=draft, months=1, at=NOW)

    changes = {c.name: (c.met_change, c.breached_change) for c in result.company_changes()}
    assert changes == {"Acme Contact Centres": (1, -1), "Bluebell Insurance": (1, -1)}
    draft.refresh_from_db()
    assert draft.replayed_at == NOW
    assert draft.replay_months == 1
    assert draft.replay["changed_tickets"] == 2
    assert AuditEvent.objects.filter(action="planning.draft_replayed").count() == 1


def test_a_replay_of_an_unchanged_policy_changes_nobody(world, history):
    draft = _draft(world, name="same", data=None, closed_dates=None)

    result = actions.replay_draft(actor=world.admin, draft=draft, months=1, at=NOW)

    assert result.changed_tickets == 0
    assert result.company_changes() == []


def test_a_replay_covers_only_the_months_asked_for(world, history):
    draft = _draft(world)

    # One month back from 29 April reaches 29 March: after every ticket of the history.
    result = actions.replay_draft(
        actor=world.admin, draft=draft, months=1, at=NOW + dt.timedelta(days=40)
    )

    assert result.tickets == 0


def test_activation_after_the_replay_changes_the_policy_and_closes_the_day_audited(world, history):
    draft = _draft(world)
    actions.replay_draft(actor=world.admin, draft=draft, months=1, at=NOW)

    policy = actions.activate_draft(
        actor=world.admin, draft=draft, reason="Board approved the new target", at=NOW
    )

    policy.refresh_from_db()
    assert policy.data["rules"]["major"]["out_of_hours"] == {
        "kind": "wall_clock_minutes",
        "minutes": 120,
    }
    closed = CalendarDate.objects.get(calendar__name="standard", date=dt.date(2026, 3, 16))
    assert (closed.kind, closed.reason) == ("closed", "Office move")
    draft.refresh_from_db()
    assert (draft.state, draft.activated_at, draft.activated_by) == ("activated", NOW, world.admin)
    event = AuditEvent.objects.get(action="planning.draft_activated")
    assert event.reason == "Board approved the new target"
    assert event.before["data"]["rules"]["major"]["out_of_hours"]["minutes"] == 60
    assert event.after["closed_dates"] == {"2026-03-16": "Office move"}


def test_activation_without_a_replay_is_refused_and_changes_nothing(world, history):
    draft = _draft(world)
    before = dict(SlaPolicy.objects.get(pk=draft.policy_id).data)

    with pytest.raises(ActionValidationError) as caught:
        actions.activate_draft(actor=world.admin, draft=draft, reason="", at=NOW)

    assert caught.value.errors == {
        "reason": "say why the policy changes",
        "draft": "replay the draft first: activation follows a replay",
    }
    assert SlaPolicy.objects.get(pk=draft.policy_id).data == before
    assert CalendarDate.objects.count() == 0
    assert PolicyDraft.objects.get(pk=draft.pk).state == "draft"
    assert not AuditEvent.objects.filter(action="planning.draft_activated").exists()


def test_activation_is_refused_when_the_rules_changed_since_the_replay(world, history):
    draft = _draft(world)
    actions.replay_draft(actor=world.admin, draft=draft, months=1, at=NOW)
    standard = SlaCalendar.objects.get(name="standard")
    CalendarDate.objects.create(calendar=standard, date=dt.date(2026, 3, 18), reason="Strike")

    with pytest.raises(ActionValidationError) as caught:
        actions.activate_draft(actor=world.admin, draft=draft, reason="go", at=NOW)

    assert caught.value.errors == {
        "draft": "policies or calendars changed after the last replay: replay again"
    }
    assert default_policy_row().data["rules"]["major"]["out_of_hours"]["minutes"] == 60
    assert PolicyDraft.objects.get(pk=draft.pk).state == "draft"


def test_a_draft_with_bad_input_lists_every_problem_and_saves_nothing(world):
    with pytest.raises(ActionValidationError) as caught:
        _draft(
            world,
            name="  ",
            data={"rules": {"major": {"in_hours": {"kind": "fortnightly"}}}},
            closed_dates={"16/03/2026": "x", "2026-02-30": "y"},
        )

    assert set(caught.value.errors) == {"name", "data", "closed_dates"}
    assert caught.value.errors["name"] == "a draft needs a name"
    assert caught.value.errors["data"].startswith("not a valid policy: ")
    assert "fortnightly" in caught.value.errors["data"]
    assert caught.value.errors["closed_dates"] == (
        "not a date (YYYY-MM-DD): 16/03/2026, 2026-02-30"
    )
    assert PolicyDraft.objects.count() == 0
    assert AuditEvent.objects.filter(action__startswith="planning.").count() == 0


def test_only_an_administrator_drafts_replays_or_activates(world, history):
    draft = _draft(world)
    for person in (world.manager, world.engineer, world.acme_user):
        with pytest.raises(ActionPermissionDenied):
            _draft(world, actor=person, name=f"by {person.email}")
        with pytest.raises(ActionPermissionDenied):
            actions.replay_draft(actor=person, draft=draft, months=1, at=NOW)
        with pytest.raises(ActionPermissionDenied):
            actions.activate_draft(actor=person, draft=draft, reason="x", at=NOW)
    assert PolicyDraft.objects.count() == 1
    assert PolicyDraft.objects.get().replayed_at is None


def test_a_replay_refuses_a_window_outside_one_to_thirty_six_months(world, history):
    draft = _draft(world)
    for months in (0, 37, -1):
        with pytest.raises(ActionValidationError) as caught:
            actions.replay_draft(actor=world.admin, draft=draft, months=months, at=NOW)
        assert caught.value.errors == {"months": "a whole number of months from 1 to 36"}
    assert PolicyDraft.objects.get().replayed_at is None


def test_outcomes_are_met_breached_pending_or_no_target():
    nat = np.iinfo(np.int64).min
    due = np.array([100, 100, 100, 100, nat], dtype=np.int64).view("datetime64[us]")
    responded = np.array([100, 101, nat, nat, 50], dtype=np.int64)

    result = outcomes(due, responded, now_us=100)

    assert result.tolist() == [MET, BREACHED, PENDING, PENDING, NO_TARGET]
    assert outcomes(due, responded, now_us=101).tolist() == [
        MET,
        BREACHED,
        BREACHED,
        BREACHED,
        NO_TARGET,
    ]


# ------------------------------------------------------------------- the command line


def _run(*args: str) -> tuple[str, str]:
    import io

    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    call_command("sla_what_if", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_shows_both_sides_without_storing_anything(world, history):
    out, _ = _run(
        "--set",
        "major.out_of_hours=wall_clock_minutes:120",
        "--close",
        "2026-03-16=Office move",
        "--months",
        "1",
        "--at",
        "2026-03-20T12:00:00Z",
        "--json",
    )

    data = json.loads(out)
    rows = {r["priority"]: r for r in data["by_priority"]}
    assert rows["major"]["current"]["breached"] == 1
    assert rows["major"]["candidate"]["met"] == 1
    assert data["changed_tickets"] == 2
    assert [c["name"] for c in data["companies"]] == ["Acme Contact Centres", "Bluebell Insurance"]
    assert PolicyDraft.objects.count() == 0


def test_the_command_saves_replays_and_activates_a_draft(world, history):
    out, _ = _run(
        "--set",
        "major.out_of_hours=wall_clock_minutes:120",
        "--months",
        "1",
        "--at",
        "2026-03-20T12:00:00Z",
        "--save",
        "Major 2h",
        "--actor",
        world.admin.email,
    )
    assert "Tickets whose outcome changes: 1" in out
    assert "priority           met breached  pending       met breached  pending" in out
    assert "major                0        1        0         1        0        0" in out
    assert "normal               1        1        0         1        1        0" in out
    assert "Acme Contact Centres: met 0 -> 1 (+1), breached 1 -> 0 (-1)" in out

    out, _ = _run("--activate", "Major 2h", "--actor", world.admin.email, "--reason", "Agreed")

    assert out.strip() == "Activated 'Major 2h': policy 'default' now has its rules."
    assert default_policy_row().data["rules"]["major"]["out_of_hours"]["minutes"] == 120


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--set", "major=wall_clock_minutes:5"],
            "--set 'major=wall_clock_minutes:5': expected PRIORITY.WHEN=KIND[:MINUTES]",
        ),
        (["--set", "urgent.in_hours=wall_clock_minutes:5"], "unknown priority 'urgent'"),
        (
            ["--set", "major.in_hours=wall_clock_minutes"],
            "wall_clock_minutes needs a positive whole number of minutes",
        ),
        (["--close", "29/12/2026"], "--close '29/12/2026': not a date (YYYY-MM-DD)"),
        (["--policy", "nope"], "--policy: no policy named 'nope'"),
        (["--months", "0"], "--months: a whole number from 1 to 36"),
        (["--at", "2026-03-20T12:00"], "--at: '2026-03-20T12:00' has no time zone"),
        (["--draft", "missing"], "no draft named 'missing'"),
        (["--save", "x"], "--actor: an administrator's email is needed to save a draft"),
    ],
)
def test_the_command_names_what_is_wrong_and_exits_2(world, args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as caught:
        _run(*args)

    assert message in str(caught.value)
    assert caught.value.returncode == 2
    assert PolicyDraft.objects.count() == 0


def test_the_command_lists_every_bad_option_at_once(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as caught:
        _run(
            "--set",
            "urgent.in_hours=none",
            "--close",
            "tomorrow",
            "--policy",
            "nope",
            "--months",
            "0",
        )

    assert str(caught.value) == (
        "--policy: no policy named 'nope'; "
        "--set 'urgent.in_hours=none': unknown priority 'urgent'; "
        "--close 'tomorrow': not a date (YYYY-MM-DD); "
        "--months: a whole number from 1 to 36"
    )


def test_a_manager_cannot_save_a_draft_from_the_command(world, history):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as caught:
        _run("--save", "x", "--actor", world.manager.email, "--at", "2026-03-20T12:00:00Z")

    assert str(caught.value) == "--actor: a manager may not replay_policy"
    assert PolicyDraft.objects.count() == 0


def test_sladesk_sla_what_if_reaches_the_django_command(world, capsys):
    from sladesk.cli import main

    with pytest.raises(SystemExit) as caught:
        main(["sla", "what-if", "--months", "99"])

    assert caught.value.code == 2
    assert "--months: a whole number from 1 to 36" in capsys.readouterr().err


def test_tickets_are_read_into_arrays_exactly_on_either_database(world, history):
    from sladesk.planning.replay import load_tickets
    from sladesk.tickets.models import Ticket

    major, fine, late = history
    unanswered = Ticket.objects.create(
        **{
            f.attname: getattr(fine, f.attname)
            for f in Ticket._meta.concrete_fields
            if not f.primary_key
        }
        | {"reference": "CS-X", "responded_at": None, "response_met": None, "coverage": ""}
    )

    arrays = load_tickets(since=london(2026, 3, 1), until=NOW)

    def us(t):
        return int(t.timestamp() * 1_000_000)

    rows = sorted(
        zip(
            arrays.logged_us.tolist(),
            arrays.priority.tolist(),
            arrays.coverage.tolist(),
            arrays.company_id.tolist(),
            arrays.policy_id.tolist(),
            arrays.responded_us.tolist(),
            strict=True,
        )
    )
    nat = np.iinfo(np.int64).min
    policy = default_policy_row().pk
    assert rows == sorted(
        [
            (us(major.logged_at), 1, 1, world.acme.pk, policy, us(london(2026, 3, 14, 11, 30))),
            (us(fine.logged_at), 2, 0, world.bluebell.pk, policy, us(london(2026, 3, 10, 11))),
            (us(late.logged_at), 2, 0, world.bluebell.pk, policy, us(london(2026, 3, 16, 11))),
            (us(unanswered.logged_at), 2, -1, world.bluebell.pk, policy, nat),
        ]
    )


def test_a_draft_of_another_policy_leaves_the_default_policys_tickets_alone(world, history):
    other = SlaPolicy.objects.create(name="other", data=default_policy_row().data)
    draft = _draft(world, policy=other, closed_dates=None)

    result = actions.replay_draft(actor=world.admin, draft=draft, months=1, at=NOW)

    assert result.tickets == 3
    assert result.changed_tickets == 0


def test_an_activated_draft_is_neither_replayed_nor_activated_again(world, history):
    draft = _draft(world)
    actions.replay_draft(actor=world.admin, draft=draft, months=1, at=NOW)
    actions.activate_draft(actor=world.admin, draft=draft, reason="Agreed", at=NOW)
    draft.refresh_from_db()
    replayed_at = draft.replayed_at

    with pytest.raises(ActionValidationError) as replay:
        actions.replay_draft(actor=world.admin, draft=draft, months=1, at=NOW)
    with pytest.raises(ActionValidationError) as again:
        actions.activate_draft(actor=world.admin, draft=draft, reason="Twice", at=NOW)

    name = "'Major 2h out of hours, 16 March closed'"
    assert replay.value.errors == {"draft": f"{name} is already activated"}
    assert again.value.errors == {"draft": f"{name} is already activated"}
    assert PolicyDraft.objects.get(pk=draft.pk).replayed_at == replayed_at
    assert AuditEvent.objects.filter(action="planning.draft_activated").count() == 1


def test_the_current_side_agrees_with_the_met_and_breached_recorded_on_the_tickets(world):
    """Weeks of answered tickets whose priority never changed: the replay's current side
    (batch path) must find exactly the outcomes the per-ticket path recorded."""
    from django.db.models import Count

    from sladesk.planning.history import write_ticket_history
    from sladesk.tickets.models import Ticket

    write_ticket_history(now=NOW, weeks=3, seed=9)
    draft = _draft(world, name="unchanged", data=None, closed_dates=None)

    result = actions.replay_draft(actor=world.admin, draft=draft, months=1, at=NOW)

    recorded = {
        (row["priority"], row["response_met"]): row["n"]
        for row in Ticket.objects.values("priority", "response_met").annotate(n=Count("id"))
    }
    for row in result.priority_rows():
        p = row["priority"]
        assert row["current"]["met"] == recorded.get((p, True), 0)
        assert row["current"]["breached"] == recorded.get((p, False), 0)
        assert row["current"]["no_target"] == recorded.get((p, None), 0)
        assert row["current"]["pending"] == 0
    assert result.tickets == Ticket.objects.count() > 100
    assert result.changed_tickets == 0


def test_the_command_shows_its_progress_on_stderr_not_stdout(world, history, capsys):
    out, _ = _run("--months", "1", "--at", "2026-03-20T12:00:00Z", "--json")

    err = capsys.readouterr().err
    # Three tickets, each counted twice (read, then replayed).
    assert "what-if:   0%|          | 0/6 [" in err
    assert "what-if" not in out
    assert json.loads(out)["tickets"] == 3

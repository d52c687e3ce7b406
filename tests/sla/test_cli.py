"""`sladesk sla` on the command line (sla/cli.py)."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from sladesk.sla import DEFAULT_POLICY
from sladesk.sla.cli import CHUNK, main


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sladesk.cli", "sla", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def line(priority: str, coverage: str | None, logged_at: str) -> str:
    return json.dumps({"priority": priority, "coverage": coverage, "logged_at": logged_at})


def test_due_prints_the_instant_in_utc() -> None:
    result = run(
        "due",
        "--priority",
        "critical",
        "--coverage",
        "24x7",
        "--logged-at",
        "2026-12-24T16:00:00Z",
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "2026-12-24T16:15:00Z\n", "")


def test_due_prints_none_when_there_is_no_target() -> None:
    result = run(
        "due",
        "--priority",
        "enhancement",
        "--coverage",
        "standard",
        "--logged-at",
        "2026-12-24T16:00:00+00:00",
    )
    assert result.stdout == "none\n"


def test_due_refuses_a_time_without_an_offset() -> None:
    result = run(
        "due", "--priority", "major", "--coverage", "standard", "--logged-at", "2026-12-24T16:00"
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "has no UTC offset" in result.stderr


def test_jsonl_answers_each_line_in_order() -> None:
    stdin = "\n".join(
        [
            line("critical", "standard", "2026-11-27T16:50:00Z"),
            line("Major", "24/7", "2026-11-28T10:00:00+00:00"),
            line("enhancement", "24x7", "2026-11-28T10:00:00Z"),
            "",
            line("minor", None, "2026-11-28T10:00:00Z"),
            line("minor", "standard", "2026-12-24T18:00:00-05:00"),
        ]
    )
    result = run("due", "--jsonl", "-", stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        '{"due": "2026-11-30T09:05:00Z"}',
        '{"due": "2026-11-28T11:00:00Z"}',
        '{"due": null}',
        '{"due": null}',
        '{"due": "2026-12-29T17:00:00Z"}',
    ]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            '{"priority": "urgent", "coverage": "standard", "logged_at": "2026-01-05T10:00:00Z"}',
            "line 2: unknown priority 'urgent'",
        ),
        (
            '{"priority": "minor", "coverage": "standard", "logged_at": "2026-01-05T10:00:00"}',
            "line 2: logged_at '2026-01-05T10:00:00' has no UTC offset",
        ),
        ('{"priority": "minor", "coverage": "standard"', "line 2: not valid JSON"),
        ('["minor"]', "line 2: expected a JSON object, got list"),
        ('{"priority": "minor", "logged_at": "2026-01-05T10:00:00Z"}', "line 2: missing coverage"),
        (
            '{"priority": "minor", "coverage": "gold", "logged_at": "2026-01-05T10:00:00Z"}',
            "line 2: unknown coverage 'gold'",
        ),
        (
            '{"priority": "minor", "coverage": "standard", "logged_at": "next tuesday"}',
            "line 2: logged_at 'next tuesday' is not an ISO 8601 date and time",
        ),
    ],
)
def test_jsonl_stops_at_a_bad_line_with_status_2_naming_it(bad: str, message: str) -> None:
    good = line("critical", "24x7", "2026-12-24T16:00:00Z")
    result = run("due", "--jsonl", "-", stdin="\n".join([good, bad, good]) + "\n")
    assert result.returncode == 2
    assert result.stdout.splitlines() == ['{"due": "2026-12-24T16:15:00Z"}']
    assert message in result.stderr


def test_jsonl_crosses_chunk_boundaries_without_losing_or_reordering_lines() -> None:
    n = CHUNK + 7
    stdin = "".join(
        line("critical", "24x7", f"2026-12-24T{(i // 60) % 24:02d}:{i % 60:02d}:00Z") + "\n"
        for i in range(n)
    )
    out = io.StringIO()
    sys_stdin = sys.stdin
    try:
        sys.stdin = io.StringIO(stdin)
        assert main(["due", "--jsonl", "-"], out=out) == 0
    finally:
        sys.stdin = sys_stdin
    lines = out.getvalue().splitlines()
    assert len(lines) == n
    assert lines[0] == '{"due": "2026-12-24T00:30:00Z"}'  # out of hours: 30 minutes
    assert lines[n - 1] == '{"due": "2026-12-24T12:37:00Z"}'  # 12:22, in hours: 15 minutes


def test_jsonl_reads_a_file_and_names_a_missing_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "tickets.jsonl"
    path.write_text(line("normal", "standard", "2026-04-02T15:30:00Z") + "\n")
    assert run("due", "--jsonl", str(path)).stdout == '{"due": "2026-04-07T09:30:00Z"}\n'
    missing = run("due", "--jsonl", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr


def test_explain_prints_the_rule_and_each_closure() -> None:
    result = run(
        "explain",
        "--priority",
        "normal",
        "--coverage",
        "standard",
        "--logged-at",
        "2026-04-02T15:30:00Z",
    )
    assert result.returncode == 0
    assert "Good Friday" in result.stdout
    assert "Easter Monday" in result.stdout
    assert result.stdout.rstrip().endswith(
        "Due: Tue 07 Apr 2026 10:30:00 BST (2026-04-07T09:30:00Z)."
    )


def test_explain_shows_instants_in_the_zone_asked_for() -> None:
    result = run(
        "explain",
        "--priority",
        "critical",
        "--coverage",
        "24x7",
        "--logged-at",
        "2026-12-24T16:00:00Z",
        "--tz",
        "America/New_York",
    )
    assert "Due: Thu 24 Dec 2026 11:15:00 EST (2026-12-24T16:15:00Z)." in result.stdout
    bad = run(
        "explain",
        "--priority",
        "critical",
        "--coverage",
        "24x7",
        "--logged-at",
        "2026-12-24T16:00:00Z",
        "--tz",
        "Nowhere/Special",
    )
    assert bad.returncode == 2
    assert "is not an IANA time zone" in bad.stderr


def test_calendar_lists_the_closures_of_a_year() -> None:
    result = run("calendar", "standard", "--year", "2026")
    assert result.returncode == 0
    assert "Closures in 2026: 9" in result.stdout
    assert "2026-12-28 Mon Boxing Day (observed)" in result.stdout.splitlines()


def test_calendar_names_an_unknown_calendar() -> None:
    result = run("calendar", "office", "--year", "2026")
    assert result.returncode == 2
    assert "unknown calendar 'office'" in result.stderr


def test_a_policy_file_changes_the_answer(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = DEFAULT_POLICY.to_dict()
    data["out_of_hours_priorities"] = ["critical"]
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(data))
    args = ["--priority", "major", "--coverage", "24x7", "--logged-at", "2026-11-28T10:00:00Z"]
    assert run("due", *args).stdout == "2026-11-28T11:00:00Z\n"
    assert run("due", *args, "--policy", str(path)).stdout == "2026-11-30T10:00:00Z\n"


def test_a_broken_policy_file_is_refused_naming_the_problem(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "policy.json"
    path.write_text(json.dumps({"name": "x", "rules": {}, "out_of_hours_priorities": []}))
    result = run("policy", "--policy", str(path))
    assert result.returncode == 2
    assert "no rule for critical" in result.stderr


def test_policy_prints_the_default_policy_as_json() -> None:
    result = run("policy")
    assert json.loads(result.stdout) == DEFAULT_POLICY.to_dict()


def test_no_contract_is_written_null_or_none_in_both_modes() -> None:
    stdin = line("minor", "none", "2026-11-28T10:00:00Z") + "\n"
    assert run("due", "--jsonl", "-", stdin=stdin).stdout == '{"due": null}\n'
    args = ["--priority", "minor", "--coverage", "none", "--logged-at", "2026-11-28T10:00:00Z"]
    assert run("due", *args).stdout == "none\n"


def test_calendar_shows_a_policy_files_own_version_of_a_builtin_calendar(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = DEFAULT_POLICY.to_dict()
    data["calendars"][0]["closed_dates"] = {"2026-12-24": "Christmas Eve shutdown"}
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(data))
    result = run("calendar", "standard", "--year", "2026", "--policy", str(path))
    assert "2026-12-24 Thu Christmas Eve shutdown" in result.stdout.splitlines()


@pytest.mark.parametrize(
    "logged_at",
    [
        "2026-12-24T16:00:00z",
        "2026-12-24 16:00:00Z",
        "2026-12-24T17:00:00+0100",
        "20261224T160000Z",
    ],
)
def test_jsonl_accepts_the_usual_iso_8601_spellings(logged_at: str) -> None:
    result = run("due", "--jsonl", "-", stdin=line("critical", "24x7", logged_at) + "\n")
    assert result.stdout == '{"due": "2026-12-24T16:15:00Z"}\n'

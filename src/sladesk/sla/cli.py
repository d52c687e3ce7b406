"""`sladesk sla`: the SLA engine on the command line (no Django, no database).

    sladesk sla due --priority critical --coverage 24x7 --logged-at 2026-12-24T16:00:00Z
    sladesk sla due --jsonl tickets.jsonl        (or - for standard input)
    sladesk sla explain --priority normal --coverage standard --logged-at ...
    sladesk sla calendar standard --year 2027
    sladesk sla policy                            (the default policy as JSON, to edit)

Exit status 2 on bad input, with a message naming the line and the problem; every line
before the bad one has been answered, no line after it is.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import IO, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from sladesk.sla.batch import encode_coverages, encode_priorities, response_due_many
from sladesk.sla.calendar import BUILTIN_CALENDARS, Calendar, to_us
from sladesk.sla.due import explain_response_due, response_due
from sladesk.sla.errors import SLAInputError
from sladesk.sla.policy import DEFAULT_POLICY, Coverage, Policy, Priority

EXIT_BAD_INPUT = 2
CHUNK = 65_536  # lines per batch: bounds memory on million-line inputs


class BadInput(Exception):
    """Input the command cannot use; the message names where and what."""


def parse_instant(text: object, what: str = "logged_at") -> datetime:
    """An ISO 8601 instant that must carry an offset (`Z` or `+01:00`)."""
    if not isinstance(text, str):
        raise BadInput(f"{what} must be a string like 2026-12-24T16:00:00Z, got {text!r}")
    cleaned = text.strip()
    if cleaned[-1:] == "z":  # RFC 3339 allows a lower-case zone designator
        cleaned = cleaned[:-1] + "Z"
    try:
        value = datetime.fromisoformat(cleaned)
    except ValueError:
        raise BadInput(
            f"{what} {text!r} is not an ISO 8601 date and time (like 2026-12-24T16:00:00Z)"
        ) from None
    if value.tzinfo is None:
        raise BadInput(f"{what} {text!r} has no UTC offset; add Z or an offset like +01:00")
    return value


def format_instant(value: datetime | None) -> str:
    return "none" if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _load_policy(path: str | None) -> Policy:
    if path is None:
        return DEFAULT_POLICY
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise BadInput(f"cannot read policy file {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise BadInput(f"policy file {path} is not JSON: {exc}") from None
    try:
        return Policy.from_dict(data)
    except SLAInputError as exc:
        raise BadInput(f"policy file {path}: {exc}") from None


def _open_input(name: str) -> IO[str]:
    if name == "-":
        return sys.stdin
    try:
        return open(name, encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot read {name}: {exc.strerror}") from None


def _records(stream: IO[str]) -> Iterator[tuple[int, str, str | None, datetime]]:
    """Validated (line number, priority, coverage, logged_at) for each non-blank line."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line.strip())
        except json.JSONDecodeError as exc:
            raise BadInput(
                f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})"
            ) from None
        if not isinstance(row, dict):
            raise BadInput(f"line {number}: expected a JSON object, got {type(row).__name__}")
        missing = [k for k in ("priority", "coverage", "logged_at") if k not in row]
        if missing:
            raise BadInput(f"line {number}: missing {', '.join(missing)}")
        try:
            priority = Priority.parse(row["priority"]).value
            coverage = _coverage_or_none(row["coverage"])
            logged_at = parse_instant(row["logged_at"])
        except (SLAInputError, BadInput) as exc:
            raise BadInput(f"line {number}: {exc}") from None
        yield number, priority, coverage, logged_at


def _due_jsonl(policy: Policy, stream: IO[str], out: IO[str]) -> None:
    records = _records(stream)
    while True:
        chunk: list[tuple[int, str, str | None, datetime]] = []
        error: BadInput | None = None
        try:
            for record in records:
                chunk.append(record)
                if len(chunk) == CHUNK:
                    break
        except BadInput as exc:
            error = exc
        if chunk:
            _write_chunk(policy, chunk, out)
        if error is not None:
            raise error
        if len(chunk) < CHUNK:
            return


def _write_chunk(
    policy: Policy, chunk: Sequence[tuple[int, str, str | None, datetime]], out: IO[str]
) -> None:
    priorities = encode_priorities([r[1] for r in chunk])
    coverages = encode_coverages([r[2] for r in chunk])
    logged = np.fromiter((to_us(r[3]) for r in chunk), dtype=np.int64, count=len(chunk))
    due = response_due_many(policy, priorities, coverages, logged.view("datetime64[us]"))
    text = np.datetime_as_string(due, unit="s")
    lines = ['{"due": null}' if t == "NaT" else f'{{"due": "{t}Z"}}' for t in text.tolist()]
    out.write("\n".join(lines))
    out.write("\n")


def _coverage_or_none(value: object) -> str | None:
    """`null` or "none" mean: no valid contract (no target)."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "none"):
        return None
    return Coverage.parse(value).value


def _single(args: argparse.Namespace) -> tuple[Priority, str | None, datetime]:
    if args.priority is None or args.coverage is None or args.logged_at is None:
        raise BadInput("give --priority, --coverage and --logged-at, or --jsonl FILE")
    try:
        priority = Priority.parse(args.priority)
        coverage = _coverage_or_none(args.coverage)
    except SLAInputError as exc:
        raise BadInput(str(exc)) from None
    return priority, coverage, parse_instant(args.logged_at, "--logged-at")


def _cmd_due(args: argparse.Namespace, out: IO[str]) -> None:
    policy = _load_policy(args.policy)
    if args.jsonl is not None:
        stream = _open_input(args.jsonl)
        try:
            _due_jsonl(policy, stream, out)
        finally:
            if stream is not sys.stdin:
                stream.close()
        return
    priority, coverage, logged_at = _single(args)
    out.write(format_instant(response_due(policy, priority, coverage, logged_at)) + "\n")


def _cmd_explain(args: argparse.Namespace, out: IO[str]) -> None:
    policy = _load_policy(args.policy)
    zone = _zone(args.tz)
    if args.jsonl is not None:
        stream = _open_input(args.jsonl)
        try:
            for number, priority, coverage, logged_at in _records(stream):
                explanation = explain_response_due(policy, priority, coverage, logged_at)
                out.write(f"# line {number}\n{explanation.text(zone)}\n\n")
        finally:
            if stream is not sys.stdin:
                stream.close()
        return
    priority, coverage, logged_at = _single(args)
    out.write(explain_response_due(policy, priority, coverage, logged_at).text(zone) + "\n")


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(f"--tz {name!r} is not an IANA time zone (like Europe/London)") from None
    return name


def _cmd_calendar(args: argparse.Namespace, out: IO[str]) -> None:
    policy = _load_policy(args.policy)
    names = dict(BUILTIN_CALENDARS) | {c.name: c for c in policy.calendars}
    cal: Calendar | None = names.get(args.name)
    if cal is None:
        raise BadInput(f"unknown calendar {args.name!r} (known: {', '.join(sorted(names))})")
    if not 1901 <= args.year <= 2299:
        raise BadInput(f"--year {args.year} is out of range (1901 to 2299)")
    data = cal.to_dict()
    hours = "; ".join(
        f"{day.capitalize()} {', '.join(iv)}" for day, iv in data["week"].items() if iv
    )
    out.write(f"Calendar {cal.name} ({cal.timezone}): {hours or 'never open'}\n")
    if cal.holiday_country:
        sub = f"/{cal.holiday_subdivision}" if cal.holiday_subdivision else ""
        out.write(f"Holidays: {cal.holiday_country}{sub}\n")
    closures = cal.closures(args.year)
    out.write(f"Closures in {args.year}: {len(closures)}\n")
    for closure in closures:
        out.write(f"{closure.date.isoformat()} {closure.date.strftime('%a')} {closure.reason}\n")


def _cmd_policy(args: argparse.Namespace, out: IO[str]) -> None:
    policy = _load_policy(args.policy)
    out.write(json.dumps(policy.to_dict(), indent=2, sort_keys=False) + "\n")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sladesk sla", description="Compute and explain response due times."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def ticket_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--priority", help=", ".join(x.value for x in Priority))
        p.add_argument("--coverage", help="standard, 24x7, or none (no valid contract)")
        p.add_argument("--logged-at", help="ISO 8601 with offset, e.g. 2026-12-24T16:00:00Z")
        p.add_argument("--jsonl", metavar="FILE", help="one JSON object per line; - for stdin")
        p.add_argument("--policy", metavar="FILE", help="a policy JSON file (see `sla policy`)")

    due = sub.add_parser("due", help="print the response due instant in UTC, or none")
    ticket_options(due)
    explain = sub.add_parser("explain", help="explain the due time in plain words")
    ticket_options(explain)
    explain.add_argument("--tz", default="Europe/London", help="zone to show instants in")
    cal = sub.add_parser("calendar", help="list a calendar's closures for a year")
    cal.add_argument("name", help="calendar name: standard or 24x7")
    cal.add_argument("--year", type=int, required=True)
    cal.add_argument("--policy", metavar="FILE")
    pol = sub.add_parser("policy", help="print the policy as JSON (edit it, pass --policy)")
    pol.add_argument("--policy", metavar="FILE")
    return parser


def main(argv: Sequence[str] | None = None, out: IO[str] | None = None) -> int:
    stream = sys.stdout if out is None else out
    args = build_parser().parse_args(argv)
    handlers: dict[str, Any] = {
        "due": _cmd_due,
        "explain": _cmd_explain,
        "calendar": _cmd_calendar,
        "policy": _cmd_policy,
    }
    try:
        handlers[args.command](args, stream)
    except BadInput as exc:
        stream.flush()
        print(f"sladesk sla {args.command}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return 0
    return 0

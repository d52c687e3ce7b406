"""`sladesk sla what-if`: replay the last N months of tickets under candidate rules.

Examples:

    sladesk sla what-if --set major.out_of_hours=wall_clock_minutes:120 --months 6
    sladesk sla what-if --close 2026-12-29=Christmas --save "Christmas week" --actor a@b.c
    sladesk sla what-if --draft "Christmas week" --actor admin@example.com
    sladesk sla what-if --activate "Christmas week" --actor admin@example.com --reason "..."

Without `--save` or `--draft` nothing is stored (a look only). Bad input exits with status
2 and names what is wrong. The progress bar goes to stderr, the tables to stdout.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from sladesk.accounts.models import User
from sladesk.contracts.models import SlaPolicy
from sladesk.contracts.sla_adapter import default_policy_row
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.planning import actions
from sladesk.planning.models import PolicyDraft
from sladesk.planning.replay import count_tickets, replay_window, run_replay
from sladesk.planning.whatif import ReplayResult
from sladesk.sla import Priority, TargetKind

WHENS = ("in_hours", "out_of_hours")


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "Replay recent tickets under a changed SLA policy or calendar (what-if)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--months", type=int, default=6, help="months to replay (1-36)")
        parser.add_argument("--policy", help="the policy to change (default: the default one)")
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="PRIORITY.WHEN=KIND[:MINUTES]",
            help="change one target, e.g. major.out_of_hours=wall_clock_minutes:120",
        )
        parser.add_argument(
            "--close",
            action="append",
            default=[],
            metavar="YYYY-MM-DD[=REASON]",
            help="an extra closure day of the hours calendar",
        )
        parser.add_argument("--rules", help="a JSON file with the whole candidate policy")
        parser.add_argument("--draft", help="replay this stored draft (and keep the result)")
        parser.add_argument("--save", metavar="NAME", help="store the candidate as a draft")
        parser.add_argument("--activate", metavar="NAME", help="activate a replayed draft")
        parser.add_argument("--reason", default="", help="why (required with --activate)")
        parser.add_argument("--actor", help="the administrator's email (stored drafts)")
        parser.add_argument("--at", help="replay as of this ISO instant (default: now)")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        at = self._at(options["at"])
        try:
            if options["activate"]:
                self._activate(options, at)
                return
            result, label = self._replay(options, at)
        except ActionValidationError as exc:
            raise _fail(str(exc)) from exc
        except ActionPermissionDenied as exc:
            raise _fail(f"--actor: {exc}") from exc
        if options["json"]:
            self.stdout.write(json.dumps({"candidate": label, **result.to_dict()}, indent=2))
        else:
            self._print(result, label, options["months"], at)

    # ----------------------------------------------------------------------- input

    def _at(self, text: str | None) -> dt.datetime | None:
        if not text:
            return None
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError as exc:
            raise _fail(f"--at: not an ISO instant: {text!r}") from exc
        if value.tzinfo is None:
            raise _fail(f"--at: {text!r} has no time zone (add Z or +01:00)")
        return value.astimezone(dt.UTC)

    def _actor(self, email: str | None, why: str) -> User:
        if not email:
            raise _fail(f"--actor: an administrator's email is needed to {why}")
        actor = User.objects.filter(email__iexact=email).first()
        if actor is None:
            raise _fail(f"--actor: no user {email!r}")
        return actor

    def _draft(self, name: str) -> PolicyDraft:
        draft = PolicyDraft.objects.filter(name=name).first()
        if draft is None:
            raise _fail(f"no draft named {name!r}")
        return draft

    def _candidate(
        self, options: dict[str, Any]
    ) -> tuple[SlaPolicy, dict[str, Any], dict[str, str]]:
        errors = []
        policy = default_policy_row()
        if options["policy"]:
            found = SlaPolicy.objects.filter(name=options["policy"]).first()
            if found is None:
                errors.append(f"--policy: no policy named {options['policy']!r}")
            else:
                policy = found
        data: dict[str, Any] = json.loads(json.dumps(policy.data))
        if options["rules"]:
            try:
                data = json.loads(Path(options["rules"]).read_text())
            except (OSError, ValueError) as exc:
                errors.append(f"--rules: {exc}")
        for spec in options["set"]:
            problem = _apply_set(data, spec)
            if problem:
                errors.append(f"--set {spec!r}: {problem}")
        closed: dict[str, str] = {}
        for spec in options["close"]:
            day, _, reason = spec.partition("=")
            try:
                closed[dt.date.fromisoformat(day.strip()).isoformat()] = reason.strip() or "Closed"
            except ValueError:
                errors.append(f"--close {spec!r}: not a date (YYYY-MM-DD)")
        if not 1 <= options["months"] <= actions.MAX_REPLAY_MONTHS:
            errors.append(f"--months: a whole number from 1 to {actions.MAX_REPLAY_MONTHS}")
        if errors:
            raise _fail("; ".join(errors))
        return policy, data, closed

    # ---------------------------------------------------------------------- replay

    def _replay(self, options: dict[str, Any], at: dt.datetime | None) -> tuple[ReplayResult, str]:
        months = options["months"]
        now = at or dt.datetime.now(dt.UTC)
        if options["draft"]:
            if options["set"] or options["close"] or options["rules"] or options["save"]:
                raise _fail("--draft replays a stored draft: give no --set/--close/--rules/--save")
            draft = self._draft(options["draft"])
            actor = self._actor(options["actor"], "replay a stored draft")
            with self._bar(months, now) as bar:
                result = actions.replay_draft(
                    actor=actor, draft=draft, months=months, at=now, progress=bar.update
                )
            return result, draft.name
        policy, data, closed = self._candidate(options)
        if options["save"]:
            actor = self._actor(options["actor"], "save a draft")
            draft = actions.create_draft(
                actor=actor,
                policy=policy,
                name=options["save"],
                data=data,
                closed_dates=closed,
                at=now,
            )
            with self._bar(months, now) as bar:
                result = actions.replay_draft(
                    actor=actor, draft=draft, months=months, at=now, progress=bar.update
                )
            return result, draft.name
        # A look only: validate like a draft, store nothing.
        errors: dict[str, str] = {}
        try:
            from sladesk.planning.replay import candidate_policy

            candidate_policy(data, closed)
        except (ValueError, KeyError, TypeError) as exc:
            errors["rules"] = f"not a valid policy: {exc}"
        if errors:
            raise ActionValidationError(errors)
        unsaved = PolicyDraft(name="(not saved)", policy=policy, data=data, closed_dates=closed)
        with self._bar(months, now) as bar:
            result = run_replay(unsaved, months=months, now=now, progress=bar.update)
        return result, f"{policy.name} with changes (not saved)"

    def _bar(self, months: int, now: dt.datetime) -> tqdm[Any]:
        since, until = replay_window(max(1, min(months, actions.MAX_REPLAY_MONTHS)), now)
        total = count_tickets(since=since, until=until)
        # Each ticket is counted twice: read, then replayed.
        return tqdm(total=2 * total, unit="row", desc="what-if", file=sys.stderr, leave=False)

    def _activate(self, options: dict[str, Any], at: dt.datetime | None) -> None:
        draft = self._draft(options["activate"])
        actor = self._actor(options["actor"], "activate a draft")
        policy = actions.activate_draft(actor=actor, draft=draft, reason=options["reason"], at=at)
        self.stdout.write(f"Activated {draft.name!r}: policy {policy.name!r} now has its rules.")

    # ---------------------------------------------------------------------- output

    def _print(self, result: ReplayResult, label: str, months: int, at: dt.datetime | None) -> None:
        out = self.stdout.write
        when = (at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%MZ")
        out(f"What-if: {label}; {result.tickets} tickets of the last {months} months to {when}")
        out(f"Tickets whose outcome changes: {result.changed_tickets}")
        out("")
        out(f"{'':<12}  {'current':^26}  {'candidate':^26}")
        out(f"{'priority':<12}" + f"  {'met':>8}{'breached':>9}{'pending':>9}" * 2)
        for row in result.priority_rows():
            cells = "".join(
                f"  {side['met']:>8}{side['breached']:>9}{side['pending']:>9}"
                for side in (row["current"], row["candidate"])
            )
            out(f"{row['priority']:<12}{cells}")
        out("")
        changes = result.company_changes()
        if not changes:
            out("No customer changes.")
            return
        out("Customers that change (met, breached: current -> candidate):")
        for c in changes:
            out(
                f"  {c.name}: met {c.current['met']} -> {c.candidate['met']} "
                f"({c.met_change:+d}), breached {c.current['breached']} -> "
                f"{c.candidate['breached']} ({c.breached_change:+d})"
            )


def _apply_set(data: dict[str, Any], spec: str) -> str | None:
    """Apply `priority.when=kind[:minutes]` to the policy data; an error message or None."""
    left, sep, right = spec.partition("=")
    priority_name, _, when = left.strip().partition(".")
    if not sep or not when:
        return "expected PRIORITY.WHEN=KIND[:MINUTES]"
    try:
        priority = Priority.parse(priority_name)
    except ValueError:
        return f"unknown priority {priority_name!r}"
    if when not in WHENS:
        return f"WHEN is in_hours or out_of_hours, not {when!r}"
    kind_name, _, minutes_text = right.strip().partition(":")
    try:
        kind = TargetKind(kind_name)
    except ValueError:
        return f"unknown kind {kind_name!r} ({', '.join(k.value for k in TargetKind)})"
    target: dict[str, Any] = {"kind": kind.value}
    if kind in (TargetKind.BUSINESS_MINUTES, TargetKind.WALL_CLOCK_MINUTES):
        if not minutes_text.isdigit() or int(minutes_text) <= 0:
            return f"{kind.value} needs a positive whole number of minutes (KIND:MINUTES)"
        target["minutes"] = int(minutes_text)
    elif minutes_text:
        return f"{kind.value} takes no minutes"
    rules = data.setdefault("rules", {})
    rule = dict(rules.get(priority.value) or {})
    rule[when] = target
    rules[priority.value] = rule
    return None

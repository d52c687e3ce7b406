"""Planning business events: draft a policy change, replay it, activate it.

The order is the safeguard: a draft can be activated only after a replay that is newer
than both the draft and the policy it replaces, so the administrator has seen, side by
side, what the change would have done to the last months of tickets.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from sladesk.accounts.models import User
from sladesk.accounts.roles import Capability
from sladesk.audit.recorder import record
from sladesk.contracts.models import CalendarDate, SlaCalendar, SlaPolicy
from sladesk.core.clock import instant
from sladesk.core.errors import ActionValidationError
from sladesk.core.permissions import require as _require
from sladesk.planning.models import PolicyDraft
from sladesk.planning.replay import Progress, candidate_policy, rules_fingerprint, run_replay
from sladesk.planning.whatif import ReplayResult

MAX_REPLAY_MONTHS = 36


def parse_closed_dates(value: Any) -> tuple[dict[str, str], str | None]:
    """`{"2026-12-29": "reason"}` checked and normalised; (dates, error message or None)."""
    if value in (None, "", {}):
        return {}, None
    if not isinstance(value, dict):
        return {}, 'expected {"YYYY-MM-DD": "reason", ...}'
    out: dict[str, str] = {}
    bad = []
    for key, reason in value.items():
        try:
            day = dt.date.fromisoformat(str(key))
        except ValueError:
            bad.append(str(key))
            continue
        out[day.isoformat()] = str(reason or "Closed").strip()[:200] or "Closed"
    if bad:
        return {}, f"not a date (YYYY-MM-DD): {', '.join(sorted(bad))}"
    return dict(sorted(out.items())), None


def create_draft(
    *,
    actor: User,
    policy: SlaPolicy,
    name: str,
    data: dict[str, Any] | None = None,
    closed_dates: dict[str, str] | None = None,
    at: dt.datetime | None = None,
) -> PolicyDraft:
    """A candidate for `policy`: its rules (`data`, default the policy's own) and extra
    closure days of its hours calendar. Nothing live changes."""
    at = instant(at)
    _require(actor, Capability.REPLAY_POLICY)
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "a draft needs a name"
    elif len(name) > 100:
        errors["name"] = "at most 100 characters"
    elif PolicyDraft.objects.filter(name=name).exists():
        errors["name"] = f"a draft named {name!r} exists already"
    candidate = dict(policy.data if data is None else data)
    dates, date_error = parse_closed_dates(closed_dates)
    if date_error:
        errors["closed_dates"] = date_error
    if not isinstance(data, dict) and data is not None:
        errors["data"] = "the policy must be a JSON object"
    else:
        try:
            built = candidate_policy(candidate, dates)
        except (ValueError, KeyError, TypeError) as exc:
            errors["data"] = f"not a valid policy: {exc}"
        else:
            if dates and built.hours_calendar not in set(
                SlaCalendar.objects.values_list("name", flat=True)
            ):
                errors["closed_dates"] = (
                    f"the hours calendar {built.hours_calendar!r} is not a stored calendar"
                )
    if errors:
        raise ActionValidationError(errors)
    candidate.pop("calendars", None)
    with transaction.atomic():
        draft = PolicyDraft.objects.create(
            name=name,
            policy=policy,
            data=candidate,
            closed_dates=dates,
            created_by=actor,
            created_at=at,
            updated_at=at,
        )
        record(
            actor=actor,
            action="planning.draft_created",
            at=at,
            subject=draft,
            after={"policy": policy.name, "data": candidate, "closed_dates": dates},
        )
    return draft


def replay_draft(
    *,
    actor: User,
    draft: PolicyDraft,
    months: int,
    at: dt.datetime | None = None,
    progress: Progress | None = None,
) -> ReplayResult:
    """Replay the last `months` months of tickets under the draft and keep the summary."""
    at = instant(at)
    _require(actor, Capability.REPLAY_POLICY)
    errors: dict[str, str] = {}
    if (
        not isinstance(months, int)
        or isinstance(months, bool)
        or not (1 <= months <= MAX_REPLAY_MONTHS)
    ):
        errors["months"] = f"a whole number of months from 1 to {MAX_REPLAY_MONTHS}"
    if draft.state != PolicyDraft.State.DRAFT:
        errors["draft"] = f"{draft.name!r} is already activated"
    if errors:
        raise ActionValidationError(errors)
    fingerprint = rules_fingerprint()
    result = run_replay(draft, months=months, now=at, progress=progress)
    with transaction.atomic():
        locked = PolicyDraft.objects.select_for_update().get(pk=draft.pk)
        locked.replayed_at = at
        locked.replay_months = months
        locked.replay = {**result.to_dict(), "fingerprint": fingerprint}
        locked.save(update_fields=["replayed_at", "replay_months", "replay"])
        record(
            actor=actor,
            action="planning.draft_replayed",
            at=at,
            subject=locked,
            after={
                "months": months,
                "tickets": result.tickets,
                "changed_tickets": result.changed_tickets,
            },
        )
    draft.refresh_from_db()
    return result


def activate_draft(
    *, actor: User, draft: PolicyDraft, reason: str, at: dt.datetime | None = None
) -> SlaPolicy:
    """Make the draft the policy in force: its rules replace the policy row's, its closure
    days become holiday rows of the hours calendar. Tickets already logged keep their due
    times (as after any policy edit); new tickets follow the new rules."""
    at = instant(at)
    _require(actor, Capability.REPLAY_POLICY)
    with transaction.atomic():
        draft = PolicyDraft.objects.select_for_update().get(pk=draft.pk)
        policy = SlaPolicy.objects.select_for_update().get(pk=draft.policy_id)
        errors: dict[str, str] = {}
        if not (reason or "").strip():
            errors["reason"] = "say why the policy changes"
        if draft.state != PolicyDraft.State.DRAFT:
            errors["draft"] = f"{draft.name!r} is already activated"
        elif draft.replayed_at is None:
            errors["draft"] = "replay the draft first: activation follows a replay"
        elif (draft.replay or {}).get("fingerprint") != rules_fingerprint():
            errors["draft"] = "policies or calendars changed after the last replay: replay again"
        try:
            built = candidate_policy(draft.data, draft.closed_dates or {})
        except (ValueError, KeyError, TypeError) as exc:
            errors["data"] = f"not a valid policy: {exc}"
            built = None
        calendar = None
        if built is not None and draft.closed_dates:
            calendar = SlaCalendar.objects.filter(name=built.hours_calendar).first()
            if calendar is None:
                errors["closed_dates"] = (
                    f"the hours calendar {built.hours_calendar!r} is not a stored calendar"
                )
        if errors:
            raise ActionValidationError(errors)
        before = {"data": policy.data}
        policy.data = dict(draft.data)
        policy.save(update_fields=["data", "updated_at"])
        added = []
        for day, why in (draft.closed_dates or {}).items():
            date = dt.date.fromisoformat(day)
            CalendarDate.objects.update_or_create(
                calendar=calendar,
                date=date,
                defaults={"kind": CalendarDate.Kind.CLOSED, "reason": why},
            )
            added.append(day)
        draft.state = PolicyDraft.State.ACTIVATED
        draft.activated_at = at
        draft.activated_by = actor
        draft.save(update_fields=["state", "activated_at", "activated_by"])
        record(
            actor=actor,
            action="planning.draft_activated",
            at=at,
            subject=policy,
            before=before,
            after={
                "data": policy.data,
                "draft": draft.name,
                "closed_dates": {d: draft.closed_dates[d] for d in added},
                "calendar": calendar.name if calendar else None,
                "replayed_at": draft.replayed_at.isoformat() if draft.replayed_at else None,
                "replay_months": draft.replay_months,
            },
            reason=reason.strip(),
        )
    return policy

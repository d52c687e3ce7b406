"""Deflection attempts a customer abandoned (no "this solved it", no ticket) are closed after
the retention period, with the text they typed cleared; the report's figures stay as
documented in docs/knowledge.md (abandoned attempts are not in the rate's denominator)."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from helpdesk_world import london, valid_ticket_fields
from sladesk.audit.models import AuditEvent
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.knowledge import housekeeping
from sladesk.knowledge.actions import (
    close_abandoned_attempts,
    log_ticket_with_checklist,
    mark_solved,
    note_suggestions,
)
from sladesk.knowledge.models import DeflectionAttempt
from sladesk.knowledge.selectors import deflection_report

NOW = london(2026, 5, 1, 9, 0)
DAY = dt.timedelta(days=1)


def _attempt(world: Any, articles: list[Any], text: str, at: dt.datetime) -> DeflectionAttempt:
    found = note_suggestions(
        actor=world.acme_user, attempt=str(uuid.uuid4()), text=text, articles=articles, at=at
    )
    assert found is not None
    return found


def _state(attempt: DeflectionAttempt) -> tuple[Any, ...]:
    attempt.refresh_from_db()
    return (attempt.outcome, attempt.text, attempt.ended_at)


@pytest.fixture
def attempts(world: Any, corpus: Any) -> dict[str, DeflectionAttempt]:
    """Five attempts with suggestions, as at NOW with the default 30 days' retention."""
    both = [corpus.blank_page, corpus.release_52]
    made = {
        "old": _attempt(world, both, "blank page since Tuesday", NOW - 31 * DAY),
        "older": _attempt(world, [corpus.passwords], "reset my password", NOW - 90 * DAY),
        "just_30_days": _attempt(world, both, "blank page again", NOW - 30 * DAY),
        "recent": _attempt(world, both, "blank script page", NOW - 2 * DAY),
        "solved_long_ago": _attempt(world, both, "blank page", NOW - 60 * DAY),
    }
    mark_solved(
        actor=world.acme_user,
        attempt=str(made["solved_long_ago"].token),
        article=corpus.blank_page,
        at=NOW - 60 * DAY,
    )
    return made


def test_attempts_open_longer_than_the_retention_are_closed_as_abandoned_and_their_text_cleared(
    world, attempts
):
    closed = close_abandoned_attempts(at=NOW)

    assert closed == 2
    assert _state(attempts["old"]) == ("abandoned", "", NOW)
    assert _state(attempts["older"]) == ("abandoned", "", NOW)
    # What was suggested stays recorded; only what the customer typed goes.
    assert attempts["old"].shown.count() == 2
    assert (attempts["old"].solved_by, attempts["old"].ticket) == (None, None)


def test_a_recent_attempt_one_exactly_at_the_retention_and_ended_ones_are_untouched(
    world, attempts
):
    solved_before = _state(attempts["solved_long_ago"])

    close_abandoned_attempts(at=NOW)

    assert _state(attempts["recent"]) == ("open", "blank script page", None)
    assert _state(attempts["just_30_days"]) == ("open", "blank page again", None)
    assert _state(attempts["solved_long_ago"]) == solved_before
    assert solved_before == ("solved", "blank page", NOW - 60 * DAY)


def test_a_run_is_one_audit_event_naming_how_many_and_a_run_with_nothing_to_close_none(
    world, attempts
):
    close_abandoned_attempts(at=NOW)
    again = close_abandoned_attempts(at=NOW)

    assert again == 0
    [event] = AuditEvent.objects.filter(action="knowledge.attempts_abandoned")
    assert event.actor is None
    assert event.at == NOW
    assert (event.subject_type, event.subject_id) == (
        "knowledge.deflectionattempt",
        str(attempts["old"].pk),
    )
    assert event.before == {"outcome": "open"}
    assert event.after == {
        "outcome": "abandoned",
        "closed": 2,
        "started_before": "2026-04-01T08:00:00Z",
        "retention_days": 30,
        "text": "cleared",
    }
    assert AuditEvent.objects.filter(subject_type="knowledge.deflectionattempt").count() == 2


def test_the_deflection_figures_before_and_after_are_as_documented(world, corpus, attempts):
    def figures() -> tuple[Any, ...]:
        report = deflection_report(world.manager)
        rows = {row.article.slug: (row.shown, row.solved) for row in report.articles}
        return (
            report.attempts,
            report.solved,
            report.tickets,
            report.still_open,
            report.abandoned,
            report.rate,
            rows,
        )

    before = figures()
    close_abandoned_attempts(at=NOW)
    after = figures()

    # Only the solved attempt has ended with an outcome: the rate is 1 / 1 both times.
    articles = {"blank-script-page-after-upgrading": (1, 1), "release-notes-52": (1, 0)}
    assert before == (1, 1, 0, 4, 0, 1.0, articles)
    assert after == (1, 1, 0, 2, 2, 1.0, articles)


def test_the_retention_setting_is_honoured(world, corpus, attempts, settings):
    settings.SLADESK_KB_ATTEMPT_RETENTION_DAYS = 1

    closed = close_abandoned_attempts(at=NOW)

    assert closed == 4
    assert _state(attempts["recent"]) == ("abandoned", "", NOW)
    assert _state(attempts["just_30_days"]) == ("abandoned", "", NOW)


def test_a_run_closes_at_most_its_limit_oldest_first(world, attempts):
    assert close_abandoned_attempts(at=NOW, limit=1) == 1

    assert _state(attempts["older"]) == ("abandoned", "", NOW)
    assert _state(attempts["old"]) == ("open", "blank page since Tuesday", None)


def test_a_bad_retention_or_limit_is_refused_naming_each_and_nothing_changes(world, attempts):
    with pytest.raises(ActionValidationError) as refused:
        close_abandoned_attempts(at=NOW, retention_days=0, limit=-5)

    assert refused.value.errors == {
        "retention_days": "0 is not a whole number of days of at least 1",
        "limit": "-5 is not a whole number of attempts of at least 1",
    }
    assert DeflectionAttempt.objects.filter(outcome="open").count() == 4
    assert not AuditEvent.objects.filter(action="knowledge.attempts_abandoned").exists()


def test_a_person_closing_attempts_needs_to_manage_the_knowledge_base(world, attempts):
    with pytest.raises(ActionPermissionDenied):
        close_abandoned_attempts(actor=world.operator, at=NOW)

    assert DeflectionAttempt.objects.filter(outcome="open").count() == 4
    assert not AuditEvent.objects.filter(action="knowledge.attempts_abandoned").exists()

    assert close_abandoned_attempts(actor=world.engineer, at=NOW) == 2
    assert AuditEvent.objects.get(action="knowledge.attempts_abandoned").actor == world.engineer


def test_an_abandoned_attempt_takes_no_new_suggestions_and_cannot_be_solved(
    world, corpus, attempts
):
    close_abandoned_attempts(at=NOW)
    token = str(attempts["old"].token)

    again = note_suggestions(
        actor=world.acme_user, attempt=token, text="typed later", articles=[corpus.blank_page]
    )
    with pytest.raises(ActionValidationError) as refused:
        mark_solved(actor=world.acme_user, attempt=token, article=corpus.blank_page)

    assert again is None
    assert refused.value.errors == {"attempt": "this attempt has already ended (Abandoned)"}
    assert _state(attempts["old"]) == ("abandoned", "", NOW)


# The worker closes its database connections as it runs (close_old_connections, the
# monitor): a test transaction cannot wrap it.
@pytest.mark.django_db(transaction=True)
def test_the_worker_closes_abandoned_attempts_in_its_housekeeping(world, corpus, monkeypatch):
    monkeypatch.setattr(housekeeping, "_next_check", 0.0)
    now = timezone.now()
    old = _attempt(world, [corpus.blank_page], "blank page", now - 45 * DAY)
    recent = _attempt(world, [corpus.blank_page], "blank page today", now - DAY)
    out = StringIO()

    call_command("worker", "--once", "--scan-only", stdout=out, stderr=StringIO())

    old.refresh_from_db()
    assert (old.outcome, old.text) == ("abandoned", "")
    assert _state(recent) == ("open", "blank page today", None)
    assert "knowledge: 1 abandoned deflection attempts closed\n" in out.getvalue()
    assert AuditEvent.objects.filter(action="knowledge.attempts_abandoned").count() == 1


def test_the_worker_checks_again_only_after_an_hour(world, corpus, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(housekeeping.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(housekeeping, "_next_check", 0.0)
    now = timezone.now()
    first = _attempt(world, [corpus.blank_page], "first", now - 45 * DAY)

    assert housekeeping.periodic(worker="w1") == "knowledge: 1 abandoned deflection attempts closed"
    second = _attempt(world, [corpus.blank_page], "second", now - 45 * DAY)
    clock[0] += housekeeping.CHECK_SECONDS - 1
    assert housekeeping.periodic(worker="w1") == ""
    assert _state(second)[0] == "open"
    clock[0] += 1
    assert housekeeping.periodic(worker="w1") == "knowledge: 1 abandoned deflection attempts closed"
    assert (_state(first)[0], _state(second)[0]) == ("abandoned", "abandoned")


def test_a_fault_logged_later_from_an_abandoned_attempts_form_ends_it_with_the_ticket(
    world, attempts
):
    close_abandoned_attempts(at=NOW)

    ticket = log_ticket_with_checklist(
        checklist={},
        attempt=str(attempts["old"].token),
        **valid_ticket_fields(world, actor=world.acme_user, channel="web", at=NOW + DAY),
    )

    attempts["old"].refresh_from_db()
    assert (attempts["old"].outcome, attempts["old"].ticket, attempts["old"].text) == (
        "ticket",
        ticket,
        "",
    )
    report = deflection_report(world.manager)
    assert (report.attempts, report.solved, report.tickets, report.abandoned) == (2, 1, 1, 1)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs real concurrent transactions: run with DATABASE_URL=postgres://...",
)
@pytest.mark.django_db(transaction=True)
def test_workers_closing_attempts_at_once_never_close_the_same_one(world, corpus):
    for n in range(30):
        _attempt(world, [corpus.blank_page], f"typed {n}", NOW - (40 + n) * DAY)
    workers = 3
    barrier = threading.Barrier(workers)
    closed: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(timeout=30)
            closed.append(close_abandoned_attempts(at=NOW, limit=10))
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert errors == []
    # Each worker claimed ten attempts no other worker had (locked rows), so the three
    # closed all thirty, each attempt once, with one audit event each. (Without the row
    # locks two workers pick the same ten and the later one closes none.)
    assert closed == [10, 10, 10]
    events = AuditEvent.objects.filter(action="knowledge.attempts_abandoned")
    assert [e.after["closed"] for e in events] == [10, 10, 10]
    assert len({e.subject_id for e in events}) == 3
    assert DeflectionAttempt.objects.filter(outcome="abandoned", text="").count() == 30
    assert DeflectionAttempt.objects.filter(outcome="open").count() == 0

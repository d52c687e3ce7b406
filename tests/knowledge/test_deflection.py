"""Deflection: suggestions while a customer types a fault, "this solved it", the counter and
the rates per article and overall."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from sladesk.audit.models import AuditEvent
from sladesk.core.errors import ActionValidationError
from sladesk.knowledge.actions import mark_solved, note_suggestions
from sladesk.knowledge.models import DeflectionAttempt
from sladesk.knowledge.selectors import deflection_report
from sladesk.tickets.models import Ticket


def _suggest(client, attempt, overview):
    return client.get(reverse("portal:suggest"), {"overview": overview, "kb_attempt": attempt})


def _fault(world, attempt, **overrides):
    data = {
        "contact_name": "Ann Acme",
        "contact_phone": "+44 1473 000001",
        "module": str(world.desktop.pk),
        "version": "5.2",
        "overview": "Agents see a blank script page",
        "error_details": "No message",
        "affected": "entire_centre",
        "problem_since": "2026-03-10T08:30",
        "business_impact": "No calls can be handled",
        "kb_attempt": attempt,
    }
    data.update(overrides)
    return data


def test_matching_articles_are_suggested_while_typing_and_counted(client, world, corpus):
    client.force_login(world.acme_user)
    attempt = str(uuid.uuid4())

    page = _suggest(client, attempt, "blank script page")

    html = page.content.decode()
    assert page.status_code == 200
    assert '<a href="/kb/articles/blank-script-page-after-upgrading/">' in html
    assert "This solved it" in html
    assert f'name="attempt" value="{attempt}"' in html
    stored = DeflectionAttempt.objects.get()
    assert (str(stored.token), stored.user, stored.company, stored.outcome) == (
        attempt,
        world.acme_user,
        world.acme,
        "open",
    )
    assert sorted(a.slug for a in stored.shown.all()) == [
        "blank-script-page-after-upgrading",
        "release-notes-52",
    ]


def test_suggestions_never_name_internal_or_draft_articles(client, world, corpus):
    client.force_login(world.acme_user)

    page = _suggest(client, str(uuid.uuid4()), "zanzibar gateway blank page draft")

    html = page.content.decode().lower()
    assert "zanzibar" not in html
    assert "not reviewed yet" not in html
    assert "draft: blank page" not in html
    assert [a.slug for a in DeflectionAttempt.objects.get().shown.order_by("slug")] == [
        "blank-script-page-after-upgrading",
        "release-notes-52",
    ]


def test_this_solved_it_ends_the_attempt_without_a_ticket_and_is_counted(client, world, corpus):
    client.force_login(world.acme_user)
    attempt = str(uuid.uuid4())
    _suggest(client, attempt, "blank script page")

    response = client.post(
        reverse("knowledge:solved"),
        {"attempt": attempt, "article": corpus.blank_page.slug},
    )

    assert response.status_code == 302
    assert response["Location"] == "/kb/articles/blank-script-page-after-upgrading/"
    stored = DeflectionAttempt.objects.get()
    assert (stored.outcome, stored.solved_by, stored.ticket) == ("solved", corpus.blank_page, None)
    assert stored.ended_at is not None
    assert Ticket.objects.count() == 0
    assert AuditEvent.objects.filter(action="knowledge.deflected").count() == 1
    report = deflection_report(world.operator)
    assert (report.attempts, report.solved, report.tickets, report.rate) == (1, 1, 0, 1.0)


def test_logging_the_fault_ends_the_attempt_with_the_ticket(client, world, corpus):
    client.force_login(world.acme_user)
    attempt = str(uuid.uuid4())
    _suggest(client, attempt, "blank script page")

    response = client.post(reverse("portal:new"), _fault(world, attempt))

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    stored = DeflectionAttempt.objects.get()
    assert (stored.outcome, stored.ticket, stored.solved_by) == ("ticket", ticket, None)
    report = deflection_report(world.manager)
    assert (report.attempts, report.solved, report.tickets, report.rate) == (1, 0, 1, 0.0)


def test_the_rate_per_article_and_overall_counts_only_ended_attempts(world, corpus):
    customer = world.acme_user
    tokens = [str(uuid.uuid4()) for _ in range(4)]
    both = [corpus.blank_page, corpus.release_52]
    for token in tokens:
        note_suggestions(actor=customer, attempt=token, text="blank page", articles=both)
    mark_solved(actor=customer, attempt=tokens[0], article=corpus.blank_page)
    mark_solved(actor=customer, attempt=tokens[1], article=corpus.blank_page)
    note_suggestions(
        actor=customer, attempt=tokens[2], text="password", articles=[corpus.passwords]
    )
    mark_solved(actor=customer, attempt=tokens[2], article=corpus.passwords)
    # tokens[3] stays open: the customer went away.

    report = deflection_report(world.operator)

    assert (report.attempts, report.solved, report.tickets, report.still_open) == (3, 3, 0, 1)
    assert report.rate == 1.0
    rows = {row.article.slug: (row.shown, row.solved) for row in report.articles}
    assert rows == {
        "blank-script-page-after-upgrading": (3, 2),
        "resetting-an-agents-password": (1, 1),
        "release-notes-52": (3, 0),
    }
    assert [row.article.slug for row in report.articles] == [
        "blank-script-page-after-upgrading",
        "resetting-an-agents-password",
        "release-notes-52",
    ]
    assert report.articles[0].rate == pytest.approx(2 / 3)


def test_only_an_article_suggested_in_the_attempt_can_be_the_one_that_solved_it(world, corpus):
    token = str(uuid.uuid4())
    note_suggestions(
        actor=world.acme_user, attempt=token, text="blank", articles=[corpus.blank_page]
    )

    with pytest.raises(ActionValidationError) as caught:
        mark_solved(actor=world.acme_user, attempt=token, article=corpus.passwords)

    assert caught.value.errors == {
        "article": '"Resetting an agent\'s password" was not suggested in this attempt'
    }
    assert DeflectionAttempt.objects.get().outcome == "open"
    assert not AuditEvent.objects.filter(action="knowledge.deflected").exists()


def test_an_attempt_is_solved_once_and_never_by_another_customer(world, corpus):
    token = str(uuid.uuid4())
    note_suggestions(
        actor=world.acme_user, attempt=token, text="blank", articles=[corpus.blank_page]
    )
    # Another customer reusing the token neither records nor ends anything.
    assert (
        note_suggestions(
            actor=world.bluebell_user, attempt=token, text="x", articles=[corpus.passwords]
        )
        is None
    )
    with pytest.raises(ActionValidationError) as other:
        mark_solved(actor=world.bluebell_user, attempt=token, article=corpus.blank_page)
    assert other.value.errors == {"attempt": "no suggestions were shown in this attempt"}

    mark_solved(actor=world.acme_user, attempt=token, article=corpus.blank_page)
    with pytest.raises(ActionValidationError) as again:
        mark_solved(actor=world.acme_user, attempt=token, article=corpus.blank_page)

    assert again.value.errors == {
        "attempt": "this attempt has already ended (Solved by an article)"
    }
    assert [a.slug for a in DeflectionAttempt.objects.get().shown.all()] == [
        "blank-script-page-after-upgrading"
    ]


def test_the_deflection_page_is_for_the_helpdesk(client, world, corpus):
    token = str(uuid.uuid4())
    note_suggestions(
        actor=world.acme_user, attempt=token, text="blank", articles=[corpus.blank_page]
    )
    mark_solved(actor=world.acme_user, attempt=token, article=corpus.blank_page)

    client.force_login(world.acme_user)
    assert client.get(reverse("knowledge:deflection")).status_code == 403
    client.force_login(world.operator)
    page = client.get(reverse("knowledge:deflection")).content.decode()
    assert "100.0 %" in page
    assert "Blank script page after upgrading</a></td><td>1</td><td>1</td>" in page


def test_the_attempt_survives_a_form_with_errors(client, world, corpus):
    client.force_login(world.acme_user)
    attempt = str(uuid.uuid4())

    response = client.post(reverse("portal:new"), _fault(world, attempt, business_impact=""))

    assert response.status_code == 422
    assert f'name="kb_attempt" id="kb-attempt" value="{attempt}"' in response.content.decode()
    fresh = client.get(reverse("portal:new")).content.decode()
    assert f'value="{attempt}"' not in fresh
    assert 'name="kb_attempt" id="kb-attempt" value="' in fresh


def test_a_fault_logged_after_this_solved_it_counts_as_not_deflected(client, world, corpus):
    client.force_login(world.acme_user)
    attempt = str(uuid.uuid4())
    _suggest(client, attempt, "blank script page")
    client.post(reverse("knowledge:solved"), {"attempt": attempt, "article": "release-notes-52"})

    client.post(reverse("portal:new"), _fault(world, attempt))

    stored = DeflectionAttempt.objects.get()
    assert (stored.outcome, stored.ticket, stored.solved_by) == (
        "ticket",
        Ticket.objects.get(),
        None,
    )
    event = AuditEvent.objects.get(action="knowledge.not_deflected")
    assert (event.before, event.after) == (
        {"outcome": "solved", "solved_by": "release-notes-52"},
        {"outcome": "ticket"},
    )
    report = deflection_report(world.operator)
    assert (report.solved, report.tickets, report.rate) == (0, 1, 0.0)


def test_suggestions_need_a_share_of_the_words_typed_the_search_page_does_not(world, corpus):
    from sladesk.knowledge.search import search
    from sladesk.portal.knowledge import suggest

    # Of seven words only "agent" is in these articles: one in seven.
    text = "agent headset crackles loudly during inbound campaigns"

    assert [s.title for s in suggest(user=world.acme_user, text=text)] == []
    assert [h.article.title for h in search(world.acme_user, text).hits] == [
        "Resetting an agent's password",
        "Blank script page after upgrading",
    ]
    assert [
        s.title for s in suggest(user=world.acme_user, text="agent password reset by supervisor")
    ] == ["Resetting an agent's password"]


def test_only_a_customer_can_say_an_article_solved_it(client, world, corpus):
    token = str(uuid.uuid4())
    note_suggestions(
        actor=world.acme_user, attempt=token, text="blank", articles=[corpus.blank_page]
    )
    client.force_login(world.operator)

    response = client.post(
        reverse("knowledge:solved"), {"attempt": token, "article": corpus.blank_page.slug}
    )

    assert response.status_code == 403
    assert DeflectionAttempt.objects.get().outcome == "open"

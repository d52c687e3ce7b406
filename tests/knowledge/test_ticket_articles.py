"""The knowledge base on tickets: the pre-contact checklist stored with the ticket and shown
to the agent and on the chargeable decision; agents linking articles in replies; a resolved
ticket turned into a draft known issue; the workaround next to the priority controls."""

from __future__ import annotations

import pytest
from django.urls import reverse

from helpdesk_world import london
from sladesk.audit.models import AuditEvent
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.knowledge import actions
from sladesk.knowledge.models import Article, ChecklistAnswers, ChecklistItem, TicketArticle
from sladesk.tickets.actions import resolve
from sladesk.tickets.models import Message, Ticket


@pytest.fixture
def checklist(world):
    product = world.desktop.product
    return [
        ChecklistItem.objects.create(
            product=product, position=1, question="Have you restarted the agent PC?"
        ),
        ChecklistItem.objects.create(
            product=product,
            position=2,
            question="Can other PCs on your network reach the server?",
        ),
        ChecklistItem.objects.create(
            product=product,
            position=3,
            question="Did it work yesterday?",
            environmental=False,
        ),
    ]


def _fault(world, **overrides):
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
    }
    data.update(overrides)
    return data


def _answers(checklist, *values):
    return {f"check_{item.pk}": value for item, value in zip(checklist, values, strict=True)}


def test_the_new_fault_form_asks_the_products_checklist(client, world, checklist):
    client.force_login(world.acme_user)

    html = client.get(reverse("portal:new")).content.decode()

    assert "Before you log: CallScripter" in html
    for item in checklist:
        assert f'name="check_{item.pk}" value="unsure"' in html
        assert item.question in html
    assert 'id="kb-attempt"' in html
    assert 'hx-include="#id_overview, #id_error_details, #kb-attempt"' in html


def test_answers_are_stored_with_the_ticket(client, world, checklist):
    client.force_login(world.acme_user)

    response = client.post(
        reverse("portal:new"), {**_fault(world), **_answers(checklist, "yes", "no", "yes")}
    )

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    stored = ChecklistAnswers.objects.get(ticket=ticket)
    assert stored.product == world.desktop.product
    assert [(a["question"], a["answer"]) for a in stored.answers] == [
        ("Have you restarted the agent PC?", "yes"),
        ("Can other PCs on your network reach the server?", "no"),
        ("Did it work yesterday?", "yes"),
    ]
    assert [a["question"] for a in stored.environment_not_confirmed] == [
        "Can other PCs on your network reach the server?"
    ]


def test_unanswered_questions_are_listed_with_the_tickets_own_errors_and_nothing_is_saved(
    client, world, checklist
):
    client.force_login(world.acme_user)

    response = client.post(
        reverse("portal:new"),
        {**_fault(world, business_impact=""), f"check_{checklist[0].pk}": "yes"},
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert "Answer &quot;Can other PCs on your network reach the server?&quot;" in html
    assert "Answer &quot;Did it work yesterday?&quot;" in html
    assert '<a href="#id_business_impact">Describe the business impact</a>' in html
    assert f'name="check_{checklist[0].pk}" value="yes" checked' in html
    assert Ticket.objects.count() == 0
    assert ChecklistAnswers.objects.count() == 0


def test_the_action_lists_checklist_and_ticket_errors_together(world, checklist):
    from helpdesk_world import valid_ticket_fields

    fields = valid_ticket_fields(world, actor=world.acme_user, channel="web", overview="")

    with pytest.raises(ActionValidationError) as caught:
        actions.log_ticket_with_checklist(
            checklist=_answers(checklist, "yes", "maybe", "no"), **fields
        )

    assert set(caught.value.errors) == {"overview", f"check_{checklist[1].pk}"}
    assert Ticket.objects.count() == 0


def test_the_ticket_and_its_answers_are_saved_in_one_transaction(world, checklist, monkeypatch):
    from helpdesk_world import valid_ticket_fields

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ChecklistAnswers.objects, "create", broken)
    fields = valid_ticket_fields(world, actor=world.acme_user, channel="web")

    with pytest.raises(RuntimeError):
        actions.log_ticket_with_checklist(
            checklist=_answers(checklist, "yes", "yes", "yes"), **fields
        )

    assert Ticket.objects.count() == 0
    assert not AuditEvent.objects.filter(action="ticket.logged").exists()


def test_the_agent_and_the_chargeable_decision_see_the_answers(client, world, checklist):
    from helpdesk_world import valid_ticket_fields

    ticket = actions.log_ticket_with_checklist(
        checklist=_answers(checklist, "yes", "unsure", "yes"),
        **valid_ticket_fields(world, actor=world.acme_user, channel="web"),
    )
    client.force_login(world.engineer)

    console = client.get(reverse("console:ticket", args=[ticket.reference])).content.decode()
    billing = client.get(reverse("billing:ticket", args=[ticket.reference])).content.decode()

    assert "Pre-contact checklist (CallScripter)" in console
    assert (
        "<dt>Can other PCs on your network reach the server?</dt><dd><strong>Does not know"
        in console
    )
    assert "What the customer checked before logging" in billing
    assert "The customer did not confirm 1 environment check before logging" in billing


def test_an_agent_links_an_article_in_a_public_reply(client, world, corpus, log):
    ticket = log()
    client.force_login(world.operator)

    response = client.post(
        reverse("knowledge:link", args=[ticket.reference]),
        {"article": corpus.passwords.slug, "reply": "yes", "note": "This explains the reset."},
    )

    assert response.status_code == 302
    link = TicketArticle.objects.get()
    assert (link.ticket, link.article, link.linked_by) == (ticket, corpus.passwords, world.operator)
    reply = Message.objects.get(ticket=ticket)
    assert reply.kind == "public"
    assert reply.body == (
        "This explains the reset.\n\n"
        "Resetting an agent's password: http://testserver/kb/articles/resetting-an-agents-password/"
    )
    ticket.refresh_from_db()
    assert ticket.first_response_kind == "public_reply"
    page = client.get(reverse("console:ticket", args=[ticket.reference])).content.decode()
    assert '<a href="/kb/articles/resetting-an-agents-password/">' in page


def test_linking_refuses_drafts_internal_articles_in_replies_and_customers(world, corpus, log):
    ticket = log()

    with pytest.raises(ActionValidationError) as draft:
        actions.link_article(actor=world.operator, ticket=ticket, article=corpus.draft)
    with pytest.raises(ActionValidationError) as internal:
        actions.link_article(
            actor=world.operator, ticket=ticket, article=corpus.vpn_internal, reply=True
        )
    with pytest.raises(ActionPermissionDenied):
        actions.link_article(actor=world.acme_user, ticket=ticket, article=corpus.passwords)

    assert draft.value.errors == {
        "article": '"Draft: blank page on script load" is a draft: publish it before linking it'
    }
    assert internal.value.errors == {
        "reply": '"Zanzibar gateway drops agent sessions" is internal: the customer could not '
        "open it"
    }
    assert TicketArticle.objects.count() == 0
    assert Message.objects.count() == 0


def test_a_linked_known_issue_shows_its_workaround_by_the_priority_controls(
    client, world, corpus, log
):
    ticket = log()
    actions.link_article(actor=world.operator, ticket=ticket, article=corpus.blank_page)
    client.force_login(world.operator)

    html = client.get(reverse("console:ticket", args=[ticket.reference])).content.decode()

    workaround = html.index("Known issue with a workaround")
    assert "Clear the browser cache and reload the script." in html[workaround:]
    assert workaround < html.index('id="act-priority"')
    # The customer's page shows neither the panel nor the workaround box.
    client.force_login(world.acme_user)
    portal = client.get(reverse("portal:ticket", args=[ticket.reference])).content.decode()
    assert "Known issue with a workaround" not in portal


def test_a_resolved_ticket_becomes_a_draft_known_issue(client, world, log):
    ticket = log(error_details="Error 500: Script engine unavailable")
    resolve(
        actor=world.engineer,
        ticket=ticket,
        resolution="Restart the script engine service.",
        at=london(2026, 3, 10, 12, 0),
    )
    client.force_login(world.engineer)

    response = client.post(reverse("knowledge:draft", args=[ticket.reference]))

    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/kb/articles/{article.slug}/edit/"
    assert (article.kind, article.state, article.visibility) == ("known_issue", "draft", "internal")
    assert (article.title, article.module, article.versions) == (
        "Agents cannot open scripts",
        world.desktop,
        "5.2",
    )
    assert article.workaround == "Restart the script engine service."
    assert "Error 500: Script engine unavailable" in article.body
    assert article.source_ticket == ticket
    assert TicketArticle.objects.filter(ticket=ticket, article=article).exists()
    # A draft is nobody's search result, and no customer can open it.
    client.force_login(world.acme_user)
    assert client.get(f"/kb/articles/{article.slug}/").status_code == 404


def test_an_open_ticket_cannot_become_an_article_and_operators_cannot_draft(world, log):
    ticket = log()

    with pytest.raises(ActionValidationError) as caught:
        actions.draft_known_issue(actor=world.engineer, ticket=ticket)
    with pytest.raises(ActionPermissionDenied):
        actions.draft_known_issue(actor=world.operator, ticket=ticket)

    assert caught.value.errors == {
        "ticket": f"{ticket.reference} is not resolved: only a resolution can be drafted"
    }
    assert Article.objects.count() == 0


def test_only_the_chosen_modules_product_checklist_must_be_answered(client, world, checklist):
    from sladesk.customers.models import Module, Product

    other = Product.objects.create(name="Dialler")
    Module.objects.create(product=other, name="Campaigns")
    ChecklistItem.objects.create(product=other, question="Is the dialler licence current?")
    client.force_login(world.acme_user)

    form = client.get(reverse("portal:new")).content.decode()
    response = client.post(
        reverse("portal:new"), {**_fault(world), **_answers(checklist, "yes", "yes", "yes")}
    )

    assert "Before you log: Dialler" in form
    assert "Answer the list for the product of your fault." in form
    assert response.status_code == 302
    stored = ChecklistAnswers.objects.get()
    assert (stored.product.name, len(stored.answers)) == ("CallScripter", 3)


def test_a_ticket_logged_by_the_helpdesk_has_no_checklist_and_shows_none(client, world, log):
    ticket = log()
    client.force_login(world.engineer)

    console = client.get(reverse("console:ticket", args=[ticket.reference])).content.decode()
    billing = client.get(reverse("billing:ticket", args=[ticket.reference])).content.decode()

    assert ChecklistAnswers.objects.count() == 0
    assert "Pre-contact checklist" not in console
    assert "What the customer checked before logging" not in billing


def test_a_reply_never_links_an_article_about_a_product_the_company_lacks(world, corpus, log):
    ticket = log(company=world.bluebell, contact=world.bluebell_contact)

    with pytest.raises(ActionValidationError) as caught:
        actions.link_article(
            actor=world.operator, ticket=ticket, article=corpus.reports_export, reply=True
        )
    actions.link_article(actor=world.operator, ticket=ticket, article=corpus.passwords)
    with pytest.raises(ActionValidationError) as twice:
        actions.link_article(actor=world.operator, ticket=ticket, article=corpus.passwords)

    assert caught.value.errors == {
        "reply": '"Exporting a report to Excel" is about a product Bluebell Insurance does not have'
    }
    assert twice.value.errors == {
        "article": f'"Resetting an agent\'s password" is already linked to {ticket.reference}'
    }
    assert [link.article for link in TicketArticle.objects.all()] == [corpus.passwords]
    assert Message.objects.count() == 0


def test_the_customer_sees_linked_public_articles_and_own_answers_never_internal_ones(
    client, world, corpus, checklist
):
    from helpdesk_world import valid_ticket_fields

    ticket = actions.log_ticket_with_checklist(
        checklist=_answers(checklist, "yes", "no", "yes"),
        **valid_ticket_fields(world, actor=world.acme_user, channel="web"),
    )
    actions.link_article(actor=world.operator, ticket=ticket, article=corpus.passwords)
    actions.link_article(actor=world.operator, ticket=ticket, article=corpus.vpn_internal)
    client.force_login(world.acme_user)

    page = client.get(reverse("portal:ticket", args=[ticket.reference])).content.decode()
    billing = client.get(reverse("billing:ticket", args=[ticket.reference])).content.decode()

    assert '<a href="/kb/articles/resetting-an-agents-password/">' in page
    assert "Zanzibar" not in page
    assert "<li>Can other PCs on your network reach the server?: no</li>" in page
    assert "What the customer checked before logging" in billing
    # The helpdesk's reading of the answers is for the helpdesk.
    assert "environment check" not in billing

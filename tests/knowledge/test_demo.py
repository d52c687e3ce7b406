"""The demo's knowledge base: `sladesk demo` shows suggestions for its typical faults."""

from __future__ import annotations

from helpdesk_world import london
from sladesk.knowledge.demo import ARTICLES, load_demo_knowledge
from sladesk.knowledge.models import Article, ChecklistItem
from sladesk.portal.knowledge import suggest


def test_the_demo_corpus_answers_the_demo_faults_and_keeps_its_runbook_internal(world):
    load_demo_knowledge(at=london(2026, 3, 2, 9, 0))

    assert Article.objects.filter(state="published").count() == len(ARTICLES)
    assert ChecklistItem.objects.count() == 3
    blank = suggest(user=world.acme_user, text="Agents see a blank script page")
    callbacks = suggest(user=world.acme_user, text="Wrong time shown on callbacks")
    failover = suggest(user=world.acme_user, text="database failover runbook")

    assert blank[0].title == "Blank script page after upgrading to 5.2"
    assert callbacks[0].title == "Callbacks scheduled an hour late after the clocks change"
    assert [s.title for s in failover] == []
